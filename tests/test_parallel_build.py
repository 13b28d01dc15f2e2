"""A full build written by segment-writer processes (search/backends/whoosh/parallel.py).

Real articles, real Whoosh index on disk, real worker processes: the parallel
build must answer exactly as a build in one process (same articles, totals,
facets, scores), keep one segment per writer with its fast-path columns, and
stop cleanly — one clear line, no orphan process, the live index untouched —
when a writer dies, on SIGTERM and on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_processes import assert_stopped_cleanly, children, cmdline, corpus_of

from search.backends.base import Filters
from search.backends.whoosh import WhooshBackend, store
from search.backends.whoosh.parallel import PARALLEL_FROM_ENV
from search.backends.whoosh.segments import segment_count
from search.indexer import index_corpus
from search.searcher import Limits, Searcher

REPO = Path(__file__).resolve().parents[1]
ARTICLES = 400  # real WiNER articles
THRESHOLD = 100  # builds of more than this many articles go parallel in these tests

QUERIES = [
    "Mali",
    "élection présidentielle",
    '"Union européenne"',
    "État islamique Raqqa",
    "ONU",
    "réchauffement climatique",
    "football OR rugby",
    "sécur*",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("parallel")
    corpus = corpus_of(base / "corpus", ARTICLES)
    one = base / "one"
    two = base / "two"
    sequential = index_corpus(corpus, one, ner=False, n_process=1)
    report = index_corpus(
        corpus,
        two,
        ner=False,
        n_process=2,
        backend=WhooshBackend(two, parallel_from=THRESHOLD),
    )
    assert report.indexed == sequential.indexed > THRESHOLD
    assert (report.writers, sequential.writers) == (2, 0)
    return one, two


def test_one_segment_per_writer_each_with_its_columns(built):
    _, two = built
    backend = WhooshBackend(two)
    gen = backend._generation()
    assert segment_count(gen.index) == 2
    assert gen.fast() is not None  # every segment's columns were written by its worker
    # ... before the parent listed the segments, not read back by the parent after it
    (toc,) = gen.path.glob("_MAIN_*.toc")
    for columns in (gen.path / "fastpath").iterdir():
        assert (columns / "format.json").stat().st_mtime_ns <= toc.stat().st_mtime_ns
    assert not list(gen.path.glob("part-*")), "the workers' folders are folded in"


def test_the_parallel_build_answers_as_one_process(built):
    one, two = built
    a = Searcher(WhooshBackend(one), Limits(time_limit=60.0))
    b = Searcher(WhooshBackend(two), Limits(time_limit=60.0))
    assert {x.id for x in WhooshBackend(one).all_articles()} == {
        x.id for x in WhooshBackend(two).all_articles()
    }
    for query in QUERIES:
        for filters in (Filters(), Filters(sources=("Wikinews",))):
            x = a.search(query, filters, per_page=50, relax=False)
            y = b.search(query, filters, per_page=50, relax=False)
            assert x.total == y.total, query
            assert x.facets == y.facets, query
            # Same scores; equal scores may come in another order (document numbers differ).
            assert sorted((h.score, h.id) for h in x.hits) == sorted(
                (h.score, h.id) for h in y.hits
            ), query


def test_a_small_corpus_stays_in_one_process(tmp_path):
    corpus = corpus_of(tmp_path / "c", 40)
    index_corpus(
        corpus, tmp_path / "ix", ner=False, n_process=2, backend=WhooshBackend(tmp_path / "ix")
    )
    assert segment_count(WhooshBackend(tmp_path / "ix")._generation().index) == 1


def test_a_writer_given_no_document_leaves_no_segment(tmp_path):
    # Writers start on the first article when NER runs in worker processes, so
    # a stream may end before every writer received a chunk.
    corpus = corpus_of(tmp_path / "c", 12)
    index = tmp_path / "ix"
    report = index_corpus(
        corpus, index, ner=False, n_process=2, backend=WhooshBackend(index, parallel_from=0)
    )
    assert report.writers == 2 and report.indexed == 12
    gen = WhooshBackend(index)._generation()
    assert segment_count(gen.index) == 1  # the one writer that received the chunk
    assert gen.fast() is not None
    assert not list(gen.path.glob("part-*"))
    assert len(list(WhooshBackend(index).all_articles())) == 12


def start_build(corpus: Path, index: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index)]
        + ["--no-ner", "--workers", "2", "-q", "--full"],
        env={**os.environ, "PYTHONPATH": str(REPO), PARALLEL_FROM_ENV: str(THRESHOLD), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C goes to the whole group
    )


def writers_of(proc: subprocess.Popen) -> list[int]:
    """The build's segment writers, once both are up."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [c for c in children(proc.pid) if "spawn_main" in cmdline(c)]
        if len(found) == 2:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the writers never started")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["writer-killed", "sigterm", "ctrl-c"])
def test_a_stopped_parallel_build_leaves_no_process_and_the_index_untouched(tmp_path, how):
    corpus = corpus_of(tmp_path / "c", 30)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    live = store.current_generation(index)
    corpus_of(corpus, 1200)
    # A writer that kills itself after its first chunk, as the OOM killer would.
    env = {store.CRASH_AT_ENV: "segment-writer"} if how == "writer-killed" else {}
    proc = start_build(corpus, index, env)
    writers = writers_of(proc) if how != "writer-killed" else []
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    elif how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    says = "processus d'écriture de l'index" if how == "writer-killed" else ""
    assert_stopped_cleanly(proc, writers, index, live, says)


@pytest.mark.slow
def test_an_update_after_a_parallel_build_keeps_its_segments(tmp_path):
    # The writers' segments are the archive: a small update adds its own
    # segment beside them instead of merging half the archive into it.
    corpus = corpus_of(tmp_path / "c", 1000)  # four chunks: two segments of 500
    index = tmp_path / "ix"
    index_corpus(
        corpus, index, ner=False, n_process=2, backend=WhooshBackend(index, parallel_from=THRESHOLD)
    )

    def segment_ids() -> set[str]:
        with WhooshBackend(index)._generation().index.reader() as reader:
            return {seg.segment().segment_id() for seg, _ in reader.leaf_readers()}

    archive = segment_ids()
    assert len(archive) == 2
    # 70 more: over an eighth of a writer's segment (when a small segment is
    # absorbed), well under half of it (when a segment of the archive is).
    corpus_of(corpus, 1070)
    report = index_corpus(corpus, index, ner=False, n_process=2)
    assert report.mode == "incremental" and report.added == 70
    after = segment_ids()
    assert archive < after and len(after) == 3
