"""The window bonus (`search.proximity`): typed words standing together, on
both backends.

A small corpus written for the rule goes through the real pipeline
(`index_corpus`, no NER) into a real Whoosh index on disk and, for the
`opensearch`-marked half, into the session's real OpenSearch node. The two
main articles hold the same words: one says them in one sentence, the other
scatters them (and says one of them twice, so that without the rule BM25 puts
it first).
"""

from __future__ import annotations

from both_backends import both_backends, jsonl_corpus

from search.backends.opensearch.proximity import renumbered
from search.core import ranking
from search.proximity import most_in_window, window_share, window_words, word_weight
from search.query import Phrase, Term, Words

FILLER_ONE = (
    "Le stade accueillait des spectateurs venus des quatre coins du pays pour voir "
    "les athlètes courir, sauter, nager, ramer, pédaler, grimper et lutter sous un "
    "soleil écrasant pendant toute la semaine."
)
FILLER_TWO = (
    "Les bénévoles distribuaient des bouteilles aux visiteurs, les commerçants "
    "vendaient drapeaux, casquettes, écharpes et souvenirs, et les hôtels "
    "affichaient complet jusqu'aux derniers jours de la compétition."
)
ARTICLES = {
    # the typed words far apart, « Rio » twice: first on BM25 alone
    "disperse": (
        "Compte rendu",
        f"Judo. {FILLER_ONE} Médailles. {FILLER_TWO} Rio. Rio.",
    ),
    # the same words in one sentence
    "ensemble": (
        "Compte rendu",
        f"Médailles de judo à Rio. {FILLER_ONE} {FILLER_TWO}",
    ),
    "autre": ("Natation", "Les nageurs préparent les championnats d'Europe."),
}
QUERY = "les médailles du judo à Rio"


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends(
    "window", jsonl_corpus(ARTICLES, "window.jsonl")
)


def ids(searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False).hits]


def test_the_heaviest_set_of_words_within_a_window_is_counted():
    # word 0 at 1 and 40, word 1 at 5, word 2 at 30
    positions = [[1, 40], [5], [30]]
    ones = [1.0, 1.0, 1.0]
    assert most_in_window(positions, 16, ones) == 2  # 1 and 5; 30 and 40 are 10 apart: 2
    assert most_in_window(positions, 40, ones) == 3  # 5, 30, 40
    assert most_in_window(positions, 1, ones) == 1
    # weighed: words 2 and 0 (30, 40) outweigh words 0 and 1 (1, 5)
    assert most_in_window(positions, 16, [1.0, 1.0, 3.0]) == 4.0
    assert most_in_window([[], []], 16, ones) == 0


def test_a_rare_word_weighs_more_than_a_common_one():
    assert word_weight(1, 1000) > word_weight(100, 1000) > word_weight(900, 1000) > 0


def test_the_share_of_the_query_standing_together():
    weights = [1.0, 2.0, 3.0]
    together = [[10], [11], [12]]
    assert window_share(together, weights, 16) == 1.0
    # one word alone stands in no window, however rare
    assert window_share([[], [], [12]], weights, 16) == 0.0
    scattered = [[10], [100], [200]]  # the best window: the rarest word alone
    assert 0 < window_share(scattered, weights, 16) < window_share([[10], [], [12]], weights, 16)


def test_the_window_factor_grows_with_the_share_standing_together():
    assert ranking.window_factor(0.0) == 1.0
    assert ranking.window_factor(1.0) == 1.0 + ranking.WINDOW_WEIGHT
    assert ranking.window_factor(0.5) < ranking.window_factor(1.0)


def test_only_plain_content_words_of_a_long_query_are_windowed():
    words = Words(
        (Term("qui"), Term("a"), Term("remporté"), Term("le"), Term("prix"), Term("Nobel"))
    )
    assert window_words(words) == ["remporte", "prix", "nobel"]
    # two content words are a phrase's business, not a window's
    assert window_words(Words((Term("le"), Term("prix"), Term("Nobel")))) == []
    # a field, a prefix, a fuzzy word, a phrase are the asker's own precision
    fielded = Words(
        (
            Term("prix", field="title"),
            Term("nob", prefix=True),
            Term("paix~", fuzzy=True),
            Phrase("prix Nobel"),
            Term("paix"),
        )
    )
    assert window_words(fielded) == []
    # asking words and repeated words count once, or not at all
    asking = Words((Term("pourquoi"), Term("Rio"), Term("rio"), Term("judo"), Term("médailles")))
    assert window_words(asking) == ["rio", "judo", "medailles"]


def test_opensearch_positions_are_counted_as_whoosh_counts_them():
    # stop words keep a position in OpenSearch, and each field starts afresh
    vectors = {
        "title.exact": {"terms": {"judo": {"tokens": [{"position": 0}]}}},
        "body.exact": {
            "terms": {
                "medailles": {"tokens": [{"position": 0}]},
                "rio": {"tokens": [{"position": 3}, {"position": 105}]},
            }
        },
    }
    assert renumbered(vectors, ["judo", "medailles", "rio", "absent"]) == [[0], [1], [2, 3], []]


def test_typed_words_standing_together_rank_above_the_same_words_scattered(searcher):
    found = ids(searcher, QUERY)
    assert found[:2] == ["ensemble", "disperse"], found


def test_without_the_window_the_scattered_article_would_rank_first(searcher, monkeypatch):
    # the corpus is built so that the rule, not BM25, decides the first test
    monkeypatch.setattr(ranking, "WINDOW_WEIGHT", 0.0)
    assert ids(searcher, QUERY)[:2] == ["disperse", "ensemble"]


def test_a_two_word_query_gets_no_window_bonus(searcher):
    hits = {h.id: h.score for h in searcher.search("judo Rio", with_facets=False).hits}
    # « Rio » twice: the scattered article keeps its BM25 lead
    assert hits["disperse"] > hits["ensemble"]
