"""A name typed in several words still finds the articles writing part of it,
on both backends (search.core.ranking.NAME_PART_WEIGHT).

A run of three content words or more that spells a gazetteer entry (« impôt de solidarité sur
la fortune », the spelled-out ISF of the curated acronyms) is searched as the
whole name or another spelling of it. Before the rule, the whole name was
required: an article writing « l'impôt sur la fortune » held two of the three
words and was not found at all, although the same words, had they spelled no
name, would have found it. A small corpus written for the rule goes through
the real pipeline (`index_corpus`, no NER) into a real Whoosh index on disk
and, for the `opensearch`-marked half, into the session's real OpenSearch node.
"""

from __future__ import annotations

from both_backends import both_backends, jsonl_corpus

from search.backends.whoosh import querying
from search.core import ranking

ARTICLES = {
    # the name written whole
    "entier": (
        "Budget",
        "Le gouvernement supprime l'impôt de solidarité sur la fortune dès l'an prochain.",
    ),
    # part of the name: two of its three words, « solidarité » missing
    "partiel": (
        "Réforme fiscale",
        "La réforme de l'impôt sur la fortune immobilière est votée par les députés.",
    ),
    "autre": ("Marché", "Le marché couvert rouvre samedi."),
    # one word of a two-word name (« Front national »), and nothing else
    "front": ("Météo", "Un front froid traverse la région ce week-end."),
}


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends(
    "nameparts", jsonl_corpus(ARTICLES, "nameparts.jsonl")
)

QUERY = "impôt de solidarité sur la fortune"


def ids(searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False, relax=False).hits]


def test_a_name_typed_in_several_words_finds_an_article_writing_part_of_it_below_the_whole(
    searcher,
):
    assert ids(searcher, QUERY) == ["entier", "partiel"]


def test_without_the_rule_the_article_writing_part_of_the_name_is_not_found(searcher, monkeypatch):
    # the rule decides: the whole name alone leaves the partial article out
    monkeypatch.setattr(ranking, "NAME_PART_WEIGHT", 0.0)
    monkeypatch.setattr(querying, "NAME_PART_WEIGHT", 0.0)
    assert ids(searcher, QUERY) == ["entier"]


def test_a_single_word_name_is_not_doubled_by_the_rule(searcher, monkeypatch):
    # « ISF » is one word: its own clause only, whatever the rule's weight
    with_rule = [(h.id, round(h.score, 6)) for h in searcher.search("ISF").hits]
    monkeypatch.setattr(ranking, "NAME_PART_WEIGHT", 0.0)
    monkeypatch.setattr(querying, "NAME_PART_WEIGHT", 0.0)
    assert [(h.id, round(h.score, 6)) for h in searcher.search("ISF").hits] == with_rule


def test_a_name_of_fewer_content_words_is_still_required_whole(searcher):
    # « Front national »: a lone « front » is not the party
    assert ranking.NAME_PART_MIN_WORDS == 3
    assert "front" not in ids(searcher, "Front national")
    assert "front" in ids(searcher, "front")
