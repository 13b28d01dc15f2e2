"""Coordination reaches every match, not only the best raw scores, on both backends.

Juxtaposed words rank an article by its BM25 score times the core's
`coordination` of how many of the words it holds. OpenSearch applies it to
every document (one `function_score` function a word); the Whoosh fast path
used to apply it to its 100 best raw scores only, so an article holding every
word, but each once in a long text, was cut before the all-words bonus could
lift it. A corpus written for that: 150 short articles hold one word each,
strongly; one long article holds both, weakly.
"""

from __future__ import annotations

import json
from pathlib import Path

from both_backends import both_backends

from search.core.ranking import coordination

FILLER = (
    "Le conseil municipal a voté le budget annuel après une longue séance consacrée "
    "aux travaux de voirie, aux écoles, aux transports scolaires, à la piscine "
    "intercommunale et au marché couvert."
)


def _write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"id": f"gabarre-{i}", "title": f"Chronique {i}", "text": f"La gabarre {i} accoste."}
        for i in range(150)
    ]
    rows += [
        {"id": f"escargot-{i}", "title": f"Nature {i}", "text": f"Un escargot {i} sort."}
        for i in range(150)
    ]
    rows.append(
        {
            "id": "both",
            "title": "Séance du conseil",
            "text": f"{FILLER} Une gabarre restaurée et un escargot géant ornent la place.",
        }
    )
    lines = [json.dumps({**row, "date": "2024-05-01"}, ensure_ascii=False) for row in rows]
    (folder / "depth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends("depth", _write_corpus)


def test_the_corpus_puts_the_article_holding_both_words_outside_the_best_raw_scores():
    # each one-word article outscores it on raw BM25 (short text), yet the
    # all-words bonus is worth more than that gap
    assert coordination(2, 2) / coordination(1, 2) > 1.5


def test_an_article_holding_every_word_is_not_cut_before_the_all_words_bonus(searcher):
    results = searcher.search("gabarre escargot", with_facets=False, with_snippets=False)
    assert results.total == 301
    assert [h.id for h in results.hits][0] == "both"
