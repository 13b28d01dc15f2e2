"""A warmed server meets a new generation: it is warmed in the background
while the previous one answers, then served; never an error in between.

Real index on disk, real incremental updates (search.indexer), the backend as
`loupe serve` uses it (warmed at start).
"""

from __future__ import annotations

import json
import time

from build_processes import RECORDS, corpus_of

from search.backends.whoosh import WhooshBackend, store
from search.indexer import index_corpus
from search.searcher import Limits, Searcher

NEW = {
    "id": "switch-new",
    "title": "Zygomorphe au marché de Tombouctou",
    "date": "2024-06-01",
    "text": "Un zygomorphe rarissime a été vendu au marché de Tombouctou.",
}


def _add(corpus, record) -> None:
    (corpus / f"{record['id']}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")


def _wait_for(searcher: Searcher, query: str, expected: int, seconds: float = 60.0) -> int:
    """Search until `expected` hits come back; every answer must be a real one."""
    deadline = time.monotonic() + seconds
    while True:
        total = searcher.search(query, with_facets=False).total  # raises on any error
        if total == expected or time.monotonic() > deadline:
            return total
        time.sleep(0.05)


def test_a_warmed_server_switches_to_a_new_generation_once_it_is_warm(tmp_path):
    corpus = corpus_of(tmp_path / "c", 40)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    backend = WhooshBackend(index)
    backend.warm(threads=2)
    searcher = Searcher(backend, Limits(time_limit=30.0))
    before = backend._generation().name
    assert searcher.search("zygomorphe", relax=False).total == 0

    _add(corpus, NEW)
    index_corpus(corpus, index, ner=False)
    after = store.current_generation(index)
    assert after != before
    assert _wait_for(searcher, "zygomorphe", 1) == 1
    gen = backend._generation()
    assert gen.name == after
    # Served only once warm: its columns, vocabulary and a searcher per thread were ready.
    assert gen.ready.is_set()
    assert gen._vocabulary is not None and gen._fast


def test_a_previous_generation_dropped_from_disk_hands_over_at_once(tmp_path):
    corpus = corpus_of(tmp_path / "c", 40)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    backend = WhooshBackend(index)
    backend.warm(threads=1)
    searcher = Searcher(backend, Limits(time_limit=30.0))
    served = backend._generation()
    # Two updates: the second switch drops the generation the server still holds.
    _add(corpus, NEW)
    index_corpus(corpus, index, ner=False)
    (corpus / "depeches.jsonl").write_text("\n".join(RECORDS[:41]) + "\n", "utf-8")
    index_corpus(corpus, index, ner=False)
    assert not served.path.exists()
    assert searcher.search("zygomorphe", relax=False).total == 1  # no error, the newest answers
    assert backend._generation().name == store.current_generation(index)
