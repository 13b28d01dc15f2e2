"""The reprint store is written inside the build, before the generation is
published: a `loupe index` killed at the publish point (SIGKILL, the crash
tests' checkpoint) has already written the store of the generation it was
about to publish, and a generation is never live without its store — for a
full build and for an incremental update."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench.reprint_edits import EDITS, record, story_of
from bench.reprints import load_corpus
from search import reprints
from search.backends.whoosh import store
from search.indexer import index_corpus

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def stories():
    """Five real articles of the bundled corpus, long enough to be reprinted."""
    long_enough = [a for a in load_corpus() if len(a.body.split()) >= 200]
    return [story_of(a) for a in long_enough[:5]]


def _reprint(story):
    """A republication with a new lead (a verbatim copy would be dropped as a duplicate)."""
    return EDITS["lead_added"](story, random.Random(3))


def _write(folder: Path, name: str, records: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    (folder / name).write_text(lines + "\n", "utf-8")


def _killed_at_publish(corpus: Path, index: Path) -> str:
    """Run `loupe index` until the publish point; the generation it was building."""
    run = subprocess.run(
        [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index)]
        + ["--no-ner", "-q"],
        env={**os.environ, store.CRASH_AT_ENV: "publish", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == -9, run.stderr
    (building,) = index.glob("*" + store.BUILDING_SUFFIX)
    return store.generation_name(building)


@pytest.mark.slow
def test_a_full_build_writes_its_store_before_publishing(stories, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    records = [record(s, f"a{k}", f"2020-03-0{k + 1}", "Agence") for k, s in enumerate(stories)]
    records.append(record(_reprint(stories[0]), "a0-copy", "2020-03-09", "Copie"))
    _write(corpus, "articles.jsonl", records)
    generation = _killed_at_publish(corpus, index)
    assert store.current_generation(index) is None  # killed before anything was live
    found = reprints.load_store(index, generation)
    assert found is not None
    assert found.cluster_of("a0-copy").members == ["a0", "a0-copy"]


@pytest.mark.slow
def test_an_update_writes_its_store_before_publishing(stories, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    records = [record(s, f"a{k}", f"2020-03-0{k + 1}", "Agence") for k, s in enumerate(stories)]
    _write(corpus, "articles.jsonl", records)
    index_corpus(corpus, index, ner=False)
    live = store.current_generation(index)
    assert reprints.load_store(index, live).cluster_of("a1") is None
    _write(corpus, "later.jsonl", [record(_reprint(stories[1]), "a1-copy", "2020-04-01", "Copie")])
    generation = _killed_at_publish(corpus, index)
    assert store.current_generation(index) == live  # still the previous one
    assert reprints.load_store(index, live).cluster_of("a1-copy") is None
    written = reprints.load_store(index, generation)
    assert written is not None
    assert written.cluster_of("a1-copy").members == ["a1", "a1-copy"]
    # the next run publishes the update, its store with it
    report = index_corpus(corpus, index, ner=False)
    assert report.mode == "incremental"
    now = store.current_generation(index)
    assert reprints.load_store(index, now).cluster_of("a1-copy").members == ["a1", "a1-copy"]
