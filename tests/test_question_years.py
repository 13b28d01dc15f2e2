"""A year typed in a question names an edition (`search.expansion.years`), on
both backends.

A small corpus written for the rule goes through the real pipeline
(`index_corpus`, no NER) into a real Whoosh index on disk and, for the
`opensearch`-marked half, into the session's real OpenSearch node. Two
articles hold the same typed words: a short obituary of an older laureate,
dated by its dateline in the typed year, and a longer article on the prize of
that year. BM25 (and the window bonus: the obituary's title and dateline
stand within its width) prefer the short one; the year written right after
the prize's name is what the rule reads.
"""

from __future__ import annotations

from both_backends import both_backends, jsonl_corpus

from search.expansion import years
from search.expansion.questions import without_question_words
from search.proximity import window_words
from search.query import parse

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


def pairs(query: str) -> list[tuple[str, str]]:
    """The (word, year) pairs of a typed query, as words."""
    words = window_words(without_question_words(parse(query)))
    return [(words[a], words[b]) for a, b in years.year_pairs(words)]


def test_a_typed_year_pairs_with_the_word_typed_before_it():
    assert pairs(QUESTION) == [("paix", "2016")]
    assert pairs("les gilets jaunes en décembre 2018") == [("decembre", "2018")]
    assert pairs("que s'est-il passé à Nice le 14 juillet 2016 ?") == [("juillet", "2016")]


def test_only_a_year_after_a_word_of_a_long_enough_query_makes_a_pair():
    # two content words: the window (and the pair) are a phrase's business
    assert pairs("Eurovision 2017") == []
    # a year first, a number that is no year
    assert pairs("2016 prix Nobel paix") == []
    assert pairs("le 14 juillet à Nice") == []
    assert years.is_year("2016") and years.is_year("1986")
    assert not years.is_year("14") and not years.is_year("20160") and not years.is_year("2150")


def test_the_pair_counts_only_written_side_by_side_stop_words_aside():
    words = ["prix", "nobel", "paix", "2016"]
    side_by_side = [[0], [1], [2], [3]]  # « prix Nobel de la paix (en) 2016 »
    dateline_only = [[0, 11], [1, 12], [2, 13], [8]]  # the year stands before the words
    apart = [[0], [1], [2], [5]]
    assert years.edition_factor(side_by_side, words) == 1.0 + years.YEAR_WEIGHT
    assert years.edition_factor(dateline_only, words) == 1.0
    assert years.edition_factor(apart, words) == 1.0
    assert years.edition_factor(side_by_side, ["prix", "nobel", "paix"]) == 1.0  # no year


def test_the_prize_of_the_typed_year_ranks_above_an_older_laureate_dated_that_year(searcher):
    assert ids(searcher, QUESTION)[:2] == ["laureate", "necrologie"]


def test_without_the_year_pair_the_shorter_obituary_would_rank_first(searcher, monkeypatch):
    # the corpus is built so that the rule, not BM25 nor the window, decides
    monkeypatch.setattr(years, "YEAR_WEIGHT", 0.0)
    assert ids(searcher, QUESTION)[:2] == ["necrologie", "laureate"]


def test_the_year_pair_changes_the_order_not_the_articles_found(searcher, monkeypatch):
    with_rule = searcher.search(QUESTION, with_facets=False).total
    monkeypatch.setattr(years, "YEAR_WEIGHT", 0.0)
    assert searcher.search(QUESTION, with_facets=False).total == with_rule == 3


# -- a verb asked with its subject after it (search.expansion.questions) ----------


def test_a_verb_asked_with_its_subject_after_it_is_searched_as_the_verb_alone():
    asked = typed_words("pourquoi les gilets jaunes manifestent-ils ?")
    assert window_words(asked) == ["gilets", "jaunes", "manifestent"]
    assert window_words(typed_words("démissionne-t-elle le ministre de la Justice")) == [
        "demissionne",
        "ministre",
        "justice",
    ]
    # a compound of function words only is dropped, a name is no question
    assert window_words(typed_words("pourquoi Christiane Taubira a-t-elle démissionné ?")) == [
        "christiane",
        "taubira",
        "demissionne",
    ]
    assert window_words(typed_words("Jean-Claude Juncker Bruxelles")) == [
        "jean-claude",
        "juncker",
        "bruxelles",
    ]


def test_an_inverted_question_ranks_as_the_plain_statement(searcher):
    inverted = searcher.search("décerne-t-on le prix Nobel de la paix en 2016 ?", with_facets=False)
    plain = searcher.search("décerne le prix Nobel de la paix en 2016", with_facets=False)
    assert [(h.id, h.score) for h in inverted.hits] == [(h.id, h.score) for h in plain.hits]
    assert inverted.hits[0].id == "laureate"


def typed_words(query: str):
    return without_question_words(parse(query))
