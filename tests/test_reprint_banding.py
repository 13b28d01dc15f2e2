"""The reprint store's LSH in numpy (search/reprints/banding.py) proposes the
candidates datasketch's `MinHashLSH` proposes, and an incremental store ends
with the pairs a full build over the same articles finds — on real articles of
the bundled corpus and their derived reprints (bench.reprints.derive)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from bench.reprints import derive, load_corpus
from search import reprints
from search.reprints import store as store_module
from search.reprints.banding import band_keys, band_shape, candidate_pairs, shared_counts
from search.reprints.distinct import distinct
from search.reprints.helper import Helper
from search.reprints.store import ReprintStore, _without, frequent_shingles
from search.worker_processes import WorkerDied


@pytest.fixture(scope="module")
def shingled_articles():
    articles = load_corpus()
    originals, derived, _, _ = derive(articles, n=30)
    return [reprints.shingled(a) for a in [*articles, *derived]]


def _pair_set(store: ReprintStore) -> set[tuple[str, str, int]]:
    return {(a, b, n) for a, others in store.pairs.items() for b, n in others.items()}


def test_numpy_bands_propose_datasketchs_candidates(shingled_articles):
    params = reprints.Params()
    perms = MinHash(num_perm=params.num_perm, seed=params.seed).permutations
    lsh = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.num_perm)
    signatures, ids = [], []
    expected: set[tuple[int, int]] = set()
    for article in shingled_articles:
        if len(article.hashes) < params.min_shingles:
            continue
        m = MinHash(num_perm=params.num_perm, hashfunc=int, permutations=perms)
        m.update_batch(article.hashes)
        row = len(ids)
        expected |= {(other, row) for other in lsh.query(m)}
        lsh.insert(row, m)
        ids.append(article.id)
        signatures.append(m.hashvalues.astype(np.uint32))
    bands, rows = band_shape(params.lsh_threshold, params.num_perm)
    assert (bands, rows) == (lsh.b, lsh.r)
    keys = band_keys(np.stack(signatures), bands, rows)
    found = candidate_pairs(keys, np.ones(len(ids), dtype=bool), 0)
    assert {(int(a), int(b)) for a, b in found} == expected
    assert len(expected) > len(ids)  # the derived reprints are candidates of their originals
    # a later batch (rows ≥ first_new) only gets the pairs that involve it
    first_new = len(ids) - 50
    later = candidate_pairs(keys, np.ones(len(ids), dtype=bool), first_new)
    assert {(int(a), int(b)) for a, b in later} == {p for p in expected if p[1] >= first_new}


def test_shared_counts_are_set_intersections(shingled_articles):
    hashes = [a.hashes for a in shingled_articles[:40]]
    pairs = np.array([(i, j) for i in range(40) for j in range(i + 1, 40)], dtype=np.int64)
    got = shared_counts(hashes, pairs)
    expected = [len(np.intersect1d(hashes[i], hashes[j])) for i, j in pairs.tolist()]
    assert got.tolist() == expected
    assert any(expected)  # the bundled corpus's real near-duplicates share shingles


def test_frequent_shingles_counts_articles():
    every = np.arange(10, dtype=np.uint32)
    hashes = [every] * 6 + [np.array([3, 100], dtype=np.uint32)] * 3
    # shingle 3 is in 9 articles, 0–9 in 6 or more, 100 in 3
    assert frequent_shingles(hashes, floor=6, share=0.0).tolist() == [3]
    assert frequent_shingles(hashes, floor=5, share=0.0).tolist() == list(range(10))
    assert frequent_shingles(hashes, floor=2, share=0.0).tolist() == [*range(10), 100]


def test_incremental_store_ends_with_the_full_builds_pairs(shingled_articles, tmp_path):
    full = ReprintStore.build(shingled_articles)
    assert len(full.clusters()) > 20
    head, tail = shingled_articles[:-120], shingled_articles[-120:]
    gone = [a.id for a in head[::97]]
    store = ReprintStore(full.params, frequent=full.frequent)
    store.add(head)
    store.save(tmp_path / "a")
    store = ReprintStore.load(tmp_path / "a", writable=True)
    store.remove(gone)
    store.add(tail[:60])
    store.add(tail[50:])  # ten of them again: a changed article replaces itself
    store.save(tmp_path / "b")
    reread = ReprintStore.load(tmp_path / "b")
    reference = ReprintStore(full.params, frequent=full.frequent)
    reference.add([a for a in shingled_articles if a.id not in set(gone)])
    assert _pair_set(store) == _pair_set(reference) == _pair_set(reread)
    assert [c.members for c in reread.clusters()] == [c.members for c in reference.clusters()]
    assert not set(gone) & set(reread.members)


def test_the_collector_gives_back_what_it_spilled(tmp_path):
    articles = load_corpus()[:300]
    collector = reprints.Collector(reprints.Params(frequent_floor=5), spill_dir=tmp_path)
    passed = list(collector.tap(iter(articles)))
    assert [a.id for a in passed] == [a.id for a in articles]  # the stream is untouched
    expected = [reprints.shingled(a) for a in articles]
    assert (
        collector.frequent().tolist()
        == frequent_shingles([e.hashes for e in expected], floor=5, share=0.005).tolist()
    )
    assert len(collector.frequent()) > 0  # the bundled corpus has shared boilerplate
    back = list(collector.drain())
    assert [(b.id, b.source, b.published, b.inferred) for b in back] == [
        (e.id, e.source, e.published, e.inferred) for e in expected
    ]
    assert all(np.array_equal(b.hashes, e.hashes) for b, e in zip(back, expected, strict=True))
    assert len(collector) == 0 and list(collector.drain()) == []


def test_a_store_with_no_article_long_enough_still_updates(shingled_articles, tmp_path):
    briefs = [
        reprints.ShingledArticle(
            f"brief-{i}", "Agence", None, False, np.arange(i, i + 5, dtype=np.uint32)
        )
        for i in range(3)
    ]
    store = ReprintStore.build(briefs)
    store.save(tmp_path / "a")
    reread = ReprintStore.load(tmp_path / "a", writable=True)
    assert len(reread.members) == 3 and not reread.clusters()
    reread.add(shingled_articles[:400])
    reread.save(tmp_path / "b")
    reference = ReprintStore(store.params, frequent=store.frequent)
    reference.add([*briefs, *shingled_articles[:400]])
    assert _pair_set(ReprintStore.load(tmp_path / "b")) == _pair_set(reference)
    assert reference.clusters()  # the bundled corpus's real near-duplicates are in there


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.int64])
def test_distinct_is_numpys_unique(dtype):
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 5, 1_000):
        values = rng.integers(0, 50, size).astype(dtype)  # many repeats
        assert distinct(values).tolist() == np.unique(values).tolist()
        assert distinct(values).dtype == np.dtype(dtype)


def test_boilerplate_is_dropped_by_binary_search():
    frequent = np.array([3, 7, 9], dtype=np.uint32)
    hashes = np.array([1, 3, 4, 9, 12], dtype=np.uint32)
    assert _without(hashes, frequent).tolist() == [1, 4, 12]
    assert _without(np.array([10, 11], dtype=np.uint32), frequent).tolist() == [10, 11]
    assert _without(hashes, np.empty(0, dtype=np.uint32)).tolist() == hashes.tolist()


def test_a_store_shared_with_the_helper_process_is_the_one_process_store(
    shingled_articles, tmp_path, monkeypatch
):
    one = ReprintStore.build(shingled_articles)
    monkeypatch.setattr(store_module, "SPLIT_FROM", 10)  # the real helper, on a small batch
    two = ReprintStore.build(shingled_articles, workers=2, scratch=tmp_path)
    assert _pair_set(two) == _pair_set(one)
    assert [c.members for c in two.clusters()] == [c.members for c in one.clusters()]
    assert (two.signed.signatures == one.signed.signatures).all()
    # an update of a batch that large shares its steps too, and agrees
    head, tail = shingled_articles[:-40], shingled_articles[-40:]
    updated = ReprintStore(one.params, frequent=one.frequent)
    updated.add(head, workers=2, scratch=tmp_path)
    updated.add(tail, workers=2, scratch=tmp_path)
    assert _pair_set(updated) == _pair_set(one)
    assert not list(tmp_path.iterdir())  # the helper's files are gone


def test_a_helper_that_dies_stops_the_build_with_one_line(shingled_articles, tmp_path):
    rows = [a.hashes for a in shingled_articles[:50]]
    with Helper(tmp_path / "helper", rows, reprints.Params()) as helper:
        helper.sign(0, 10)()  # running
        os.kill(helper._process.pid, signal.SIGKILL)
        helper._process.join(timeout=10)
        with pytest.raises(WorkerDied, match="auxiliaire des reprises s'est arrêté"):
            helper.sign(0, 10)()
    assert not helper._process.is_alive()
