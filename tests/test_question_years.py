"""A year typed in a question names an edition (`search.expansion.years`), on
both backends.

A small corpus written for the rule goes through the real pipeline
(`index_corpus`, no NER) into a real Whoosh index on disk and, for the
`opensearch`-marked half, into the session's real OpenSearch node. Two
articles hold the same typed words: a short obituary of an older laureate,
dated by its dateline in the typed year, and a longer article on the prize of
that year. BM25 prefers the short one; the year written beside the prize's
name is what the rule reads.
"""

from __future__ import annotations

from both_backends import both_backends, jsonl_corpus

from search.expansion import years
from search.expansion.questions import without_question_words
from search.query import Phrase, Term, Words, parse

FILLER = (
    "Le comité a salué un travail mené pendant des années dans des conditions "
    "difficiles, auprès des familles, des associations et des tribunaux, malgré "
    "les menaces et les pressions venues de toutes parts."
)
ARTICLES = {
    # short: the typed words, the year only in its dateline, another prize year
    "necrologie": (
        "Mort d'un prix Nobel de la paix",
        "3 juillet 2016. – L'écrivain, prix Nobel de la paix en 1986, est mort samedi.",
    ),
    # longer: the prize of the typed year, the year beside its name
    "laureate": (
        "Le prix Nobel de la paix attribué à une avocate",
        f"7 octobre 2016. – Le prix Nobel de la paix 2016 est décerné à une avocate. {FILLER}",
    ),
    "autre": ("Cyclisme", "7 octobre 2016. – Le coureur gagne l'étape de montagne."),
}
QUESTION = "qui a reçu le prix Nobel de la paix en 2016 ?"


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends(
    "years", jsonl_corpus(ARTICLES, "years.jsonl")
)


def ids(searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False).hits]


def typed(query: str):
    return without_question_words(parse(query))


def test_a_typed_year_is_searched_beside_the_word_typed_before_it():
    assert years.year_phrases(typed(QUESTION)) == [Phrase("paix 2016")]
    assert years.year_phrases(typed("les gilets jaunes en décembre 2018")) == [
        Phrase("décembre 2018")
    ]
    query = years.with_year_phrases(typed(QUESTION))
    assert isinstance(query, Words) and query.items[-1] == Phrase("paix 2016")


def test_only_a_year_typed_after_a_plain_word_of_a_long_enough_query_adds_a_phrase():
    # two content words: a phrase's business already
    assert years.year_phrases(typed("Eurovision 2017")) == []
    # a year first, a number that is no year
    assert years.year_phrases(typed("2016 prix Nobel paix")) == []
    assert years.year_phrases(typed("le 14 juillet à Nice")) == []
    assert years.is_year("2016") and years.is_year("1986")
    assert not years.is_year("14") and not years.is_year("20160") and not years.is_year("2150")
    # after a phrase or a field, the run of typed words ends
    fielded = Words((Term("Nobel"), Term("paix", field="title"), Term("2016"), Term("prix")))
    assert years.year_phrases(fielded) == []
    after_phrase = Words((Phrase("prix Nobel"), Term("2016"), Term("paix"), Term("remis")))
    assert years.year_phrases(after_phrase) == []


def test_the_prize_of_the_typed_year_ranks_above_an_older_laureate_dated_that_year(searcher):
    assert ids(searcher, QUESTION)[:2] == ["laureate", "necrologie"]


def test_without_the_year_phrase_the_shorter_obituary_would_rank_first(searcher, monkeypatch):
    # the corpus is built so that the rule, not BM25 nor the window, decides
    monkeypatch.setattr(years, "YEAR_PHRASES", False)
    assert ids(searcher, QUESTION)[:2] == ["necrologie", "laureate"]


def test_the_year_phrase_changes_the_order_not_the_articles_found(searcher, monkeypatch):
    with_rule = searcher.search(QUESTION, with_facets=False).total
    monkeypatch.setattr(years, "YEAR_PHRASES", False)
    assert searcher.search(QUESTION, with_facets=False).total == with_rule == 3
