"""Ranking of queries typed as a person asks them (long descriptions and
questions), on both backends.

A small corpus written for these rules goes through the real pipeline
(`index_corpus`, no NER) into a real Whoosh index on disk and, for the
`opensearch`-marked half, into the session's real OpenSearch node. Each test
names one general ranking behaviour.
"""

from __future__ import annotations

from both_backends import both_backends, jsonl_corpus

from search.core.ranking import coordination
from search.expansion.questions import is_question_word
from search.query import Term

ARTICLES = {
    # one rare query word, in the title and again and again in the body
    "brioude": (
        "Brioude en fête",
        "Brioude accueille son festival. À Brioude, les rues de Brioude sont "
        "pavoisées et Brioude attend dix mille visiteurs.",
    ),
    # most of the query's words, once each, no title match
    "crue": (
        "Le département sous l'eau",
        "L'inondation a emporté le pont qui enjambait la rivière, obligeant les "
        "habitants à un long détour par la départementale.",
    ),
    "pont": ("Travaux d'été", "Le pont de la gare sera repeint pendant l'été."),
    "riviere": ("Pêche", "La rivière est ouverte à la pêche depuis samedi."),
    "fleurs": ("Concours", "Le concours des villages fleuris récompense trois communes."),
    # a headline asking a question, about something else
    "abeilles": ("Pourquoi les abeilles disparaissent", "Pourquoi maintenant ? Les apiculteurs."),
    "est-il": ("Météo", "Quel temps fera-t-il demain ? Le soleil est-il de retour ?"),
    "maire": ("Tulle", "Le maire de Tulle a démissionné après le vote du budget."),
}


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends(
    "ranking", jsonl_corpus(ARTICLES, "ranking.jsonl")
)


def ids(searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False).hits]


def test_coordination_grows_with_each_word_held_and_most_for_all():
    factors = [coordination(held, 4) for held in range(5)]
    assert factors[0] == 1.0
    assert factors == sorted(factors) and len(set(factors)) == 5
    # every word held is worth more than the step before it: the all-words bonus
    assert factors[4] - factors[3] > factors[3] - factors[2]


def test_an_article_holding_most_words_of_a_long_query_beats_one_rare_word_in_a_title(
    searcher,
):
    found = ids(searcher, "inondation du pont sur la rivière à Brioude")
    assert found[0] == "crue", found
    assert set(found) == {"crue", "brioude", "pont", "riviere"}


def test_asking_words_are_told_from_the_words_asked_about():
    asking = ["pourquoi", "Combien", "quand", "quelles", "a-t-elle", "est-il", "s'est-il"]
    assert all(is_question_word(Term(w)) for w in asking)
    asked = ["démissionné", "s'agit-il", "Taubira", "peut-être", "passé"]
    assert not any(is_question_word(Term(w)) for w in asked)
    # typed under a field or as a prefix, a word is meant as it is
    assert not is_question_word(Term("pourquoi", field="title"))


def test_a_question_finds_its_subject_not_the_articles_using_its_asking_words(searcher):
    found = ids(searcher, "pourquoi le maire de Tulle a-t-il démissionné ?")
    assert found == ["maire"]
    found = ids(searcher, "quand le soleil est-il de retour ?")
    assert found == ["est-il"]


def test_a_query_of_asking_words_only_is_searched_as_typed(searcher):
    assert ids(searcher, "pourquoi") == ["abeilles"]
