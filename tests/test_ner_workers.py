"""NER in worker processes: same entities as one process, and a build that stops
cleanly — no orphan process, the live index untouched — when a worker is killed,
on SIGTERM and on Ctrl-C. Real spaCy model, real processes, real index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_processes import assert_stopped_cleanly, children, cmdline, corpus_of

from search.backends.whoosh import WhooshBackend, store
from search.entities import POOL_MIN_TEXTS, release_model
from search.indexer import index_corpus

REPO = Path(__file__).resolve().parents[1]


def entities_of(index: Path) -> dict:
    return {
        a.id: sorted((e.type, e.text, e.canonical) for e in a.entities)
        for a in WhooshBackend(index).all_articles()
    }


@pytest.mark.slow
def test_workers_find_the_same_entities_as_one_process(tmp_path):
    corpus = corpus_of(tmp_path / "c", POOL_MIN_TEXTS + 16)
    one = index_corpus(corpus, tmp_path / "one", ner_cache=tmp_path / "a.sqlite", n_process=1)
    release_model()  # with the model held here, so few texts would stay in this process
    two = index_corpus(corpus, tmp_path / "two", ner_cache=tmp_path / "b.sqlite", n_process=2)
    assert one.workers == 0 and two.workers == 2
    assert two.ner_computed == POOL_MIN_TEXTS + 16
    assert entities_of(tmp_path / "one") == entities_of(tmp_path / "two")
    # With NER in workers this process mostly waits: segment writers start on
    # the first article whatever the corpus size, and the index is the same.
    assert (one.writers, two.writers) == (0, 2)
    assert two.workers_peak_rss_mb > 100  # the workers loaded the model, and it was measured


def start_build(corpus: Path, index: Path, cache: Path) -> tuple[subprocess.Popen, list[int]]:
    """A `loupe index --workers 2` run, once both NER workers are up."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index)]
        + ["--ner-cache", str(cache), "--workers", "2", "-q", "--full"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C goes to the whole group
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [c for c in children(proc.pid) if "spawn_main" in cmdline(c)]
        if len(workers) >= 2:  # the NER workers (then the segment writers) are up
            time.sleep(4)  # inside the model's work
            return proc, workers
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the workers never started")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["kill-worker", "sigterm", "ctrl-c"])
def test_a_stopped_build_leaves_no_process_and_the_index_untouched(tmp_path, how):
    corpus = corpus_of(tmp_path / "c", 30)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    live = store.current_generation(index)
    corpus_of(corpus, 600)  # enough work for the workers to be caught in it
    proc, workers = start_build(corpus, index, tmp_path / "cache.sqlite")
    if how == "kill-worker":
        os.kill(workers[0], signal.SIGKILL)
    elif how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    says = "processus de reconnaissance d'entités" if how == "kill-worker" else ""
    assert_stopped_cleanly(proc, workers, index, live, says)


class _Echo:
    """A worker's finder that needs no model: the pool's start-up is what is tested."""

    def mentions(self, texts: list[str]) -> list[list]:
        return [[] for _ in texts]


def _echo() -> _Echo:
    return _Echo()


def _ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    ignored = int(
        next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16
    )
    return bool(ignored & (1 << (signal.SIGINT - 1)))


def test_pool_workers_run_before_the_first_submit_returns():
    """A stop signal is held until every worker runs, so none is left unpickling
    its queues (and printing a traceback) when the build stops: by the time
    `submit` returns, each worker has set itself to leave Ctrl-C to the parent."""
    from search.ner_pool import TASK_ARTICLES, NerPool

    pool = NerPool(_echo, workers=2)
    try:
        tasks = pool.submit(["un texte"] * (TASK_ARTICLES * 4))
        pids = list(pool._processes)
        assert len(pids) == 2
        assert all(_ignores_sigint(pid) for pid in pids)
        assert pool.collect(tasks) == [[] for _ in range(TASK_ARTICLES * 4)]
    finally:
        pool.close()
    assert not any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    return state not in ("Z", "X")
