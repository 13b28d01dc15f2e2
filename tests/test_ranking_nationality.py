"""A nationality adjective the stemmer joins with its country keeps its own forms
(search.expansion.nationality), on both backends.

Snowball stems « français » as « France » (franc): without the rule, the asker's
nationality weighs no more than the country named in passing. A small corpus
written for the rule goes through the real pipeline (`index_corpus`, no NER)
into a real Whoosh index on disk and, for the `opensearch`-marked half, into
the session's real OpenSearch node.
"""

from __future__ import annotations

import pytest
from both_backends import both_backends, jsonl_corpus

from search.expansion import related
from search.expansion.nationality import OWN_FORMS_WEIGHT, own_forms
from search.query import Phrase, Term

ARTICLES = {
    # the nationality, in every gender and number, the country never named
    "nationalite": (
        "Doublé au tournoi",
        "Une judokate française et un judoka français remportent le tournoi de judo ; "
        "les Françaises finissent deuxièmes.",
    ),
    # the country, named again and again, and more of the other typed word
    "pays": (
        "Le grand tournoi",
        "La France accueille le grand tournoi de judo. En France, la France compte "
        "des milliers de licenciés de judo.",
    ),
    "autre": ("Marché", "Le marché couvert rouvre samedi."),
}


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends(
    "nationality", jsonl_corpus(ARTICLES, "nationality.jsonl")
)


def ids(searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False).hits]


def test_a_nationality_conflated_with_its_country_brings_its_own_forms_every_gender_and_number():
    for typed in ("français", "Françaises", "francaise"):
        found = own_forms(Term(typed))
        assert {node for node, _ in found} == {
            Phrase("francais"),
            Phrase("francaise"),
            Phrase("francaises"),
        }, typed
        assert {weight for _, weight in found} == {OWN_FORMS_WEIGHT}
    assert {node for node, _ in own_forms(Term("japonaise"))} >= {Phrase("japonais")}
    # the place itself stays in the expansion, below the typed word
    forms = [node for node, _ in related.related_forms(Term("français"))]
    assert Term("France") in forms


def test_a_nationality_the_stem_already_keeps_apart_or_another_word_brings_nothing_more():
    # « malienne » stems malien, « Mali » mal: the stem tells them apart already
    assert own_forms(Term("malienne")) == ()
    assert own_forms(Term("France")) == ()  # the place, not the adjective
    assert own_forms(Term("judo")) == ()


def test_an_article_using_the_nationality_ranks_above_one_only_naming_the_country(
    searcher, monkeypatch
):
    found = ids(searcher, "judo français")
    assert found[:2] == ["nationalite", "pays"], found
    # the country alone is still found: the rule reorders, it filters nothing
    assert "pays" in ids(searcher, "judokas français")
    # and the rule decides: without it, the article naming France comes first
    monkeypatch.setattr(related, "own_forms", lambda term: ())
    assert ids(searcher, "judo français")[:2] == ["pays", "nationalite"]


@pytest.mark.parametrize("query", ["judo France", "judo"])
def test_a_query_naming_the_country_or_neither_is_not_reordered_by_the_rule(
    searcher, monkeypatch, query
):
    with_rule = ids(searcher, query)
    monkeypatch.setattr(related, "own_forms", lambda term: ())
    assert ids(searcher, query) == with_rule
