"""What reprint detection costs: `python -m bench.reprints --cost 10k[,100k]`.

Each measure runs in its own process (peak RSS is its own), on the bench's
recombined corpora (`bench/corpora.py`: real Wikinews paragraphs drawn at
random, so every paragraph recurs in many articles — a worst case for reprint
detection: 10k articles hold ~20,000 reprint pairs, far more than news does).

- `read`: the corpus read and thrown away, as the build reads it (the RSS floor);
- `clusters`: read + shingles (spilled to disk by `reprints.Collector`, as the
  build does) + `ReprintStore.build` + save: the time the build spends on
  reprints and the memory it adds over `read`; then the store
  reloaded writable and 100 new articles added (the incremental update);
- `loupe`: a whole `loupe index --no-ner` (reprints included; one process per
  core as `loupe index` runs, `LOUPE_BENCH_WORKERS=1` for one), and `bare`: the
  same with reprint detection switched off, the reference for the added time
  and peak memory; then `Searcher.similar` on 300 articles (p50/p95, warm), the
  reprint store's first load included separately (and without neighbours:
  the reprints alone). `--similar-only` measures only that, on the last index.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.cache import CACHE_ROOT
from bench.child import TreePeak
from bench.corpora import parse_size, synthetic_corpus_dir, synthetic_records

WORK = CACHE_ROOT / "reprints"
N_NEW = 100
N_SIMILAR = 300


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and of its ended children (the segment
    writers of a parallel build) so far: less swayed than wall time by what
    else the machine runs."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _workers() -> int:
    """Processes of the whole builds: `LOUPE_BENCH_WORKERS`, else one per core
    (what `loupe index` runs)."""
    from search.worker_processes import default_workers

    return int(os.environ.get("LOUPE_BENCH_WORKERS") or default_workers())


def _articles(folder: Path):
    from search.article import Article
    from search.readers import read_corpus

    return (a for a in read_corpus(folder) if isinstance(a, Article))


def _new_articles(n: int):
    from search.readers.jsonl import record_to_article

    for i, rec in enumerate(synthetic_records(n, seed=99)):
        yield record_to_article({**rec, "id": f"new-{i:04d}"}, Path("new.jsonl"))


def child_read(folder: Path) -> dict:
    started = time.perf_counter()
    n = sum(1 for _ in _articles(folder))
    return {"articles": n, "read_s": time.perf_counter() - started, "rss_mb": _rss_mb()}


def child_clusters(folder: Path) -> dict:
    from search import reprints

    out: dict = {}
    shingle_s = 0.0
    collector = reprints.Collector(spill_dir=WORK)  # as the build keeps them: on disk
    started = time.perf_counter()
    for article in _articles(folder):
        t = time.perf_counter()
        for _ in collector.tap((article,)):
            pass
        shingle_s += time.perf_counter() - t
    out["read_and_shingle_s"] = time.perf_counter() - started
    out["shingle_s"] = shingle_s
    t = time.perf_counter()
    store = reprints.ReprintStore.build(collector.drain(), frequent=collector.frequent())
    out["store_build_s"] = time.perf_counter() - t
    out["clusters"] = len(store.clusters())
    out["pairs"] = sum(len(v) for v in store.pairs.values()) // 2
    out["reprinted"] = store.reprinted_articles()
    out["largest_cluster"] = max((len(c.members) for c in store.clusters()), default=0)
    where = WORK / "store" / "gen-a"
    t = time.perf_counter()
    store.save(where)
    out["save_s"] = time.perf_counter() - t
    out["store_mb"] = sum(p.stat().st_size for p in where.iterdir()) / 2**20
    out["rss_mb"] = _rss_mb()
    del store
    # the incremental update: a new generation from the previous store + 100 articles
    new = [reprints.shingled(a) for a in _new_articles(N_NEW)]
    t = time.perf_counter()
    previous = reprints.ReprintStore.load(where, writable=True)
    out["incr_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    previous.add(new)
    out["incr_add_s"] = time.perf_counter() - t
    t = time.perf_counter()
    previous.save(WORK / "store" / "gen-b")
    out["incr_save_s"] = time.perf_counter() - t
    t = time.perf_counter()
    reprints.ReprintStore.load(WORK / "store" / "gen-b")
    out["reader_load_s"] = time.perf_counter() - t
    return out


def child_loupe(folder: Path, label: str, reuse: bool = False) -> dict:
    from search.indexer import index_corpus
    from search.searcher import Searcher

    index = WORK / f"index-{label}"
    out: dict = {}
    if not (reuse and (index / "CURRENT").is_file()):
        shutil.rmtree(index, ignore_errors=True)
        with TreePeak() as peak:  # one writer process per core, as `loupe index` does
            report = index_corpus(folder, index, ner=False, n_process=_workers())
            ended = time.perf_counter()
        store_began = ended - report.reprint_seconds  # the store is written last, before the switch
        out = {
            "build_s": report.elapsed,
            "build_cpu_s": _cpu_s(),
            "reprint_s": report.reprint_seconds,
            "clusters": report.reprint_clusters,
            "rss_mb": _rss_mb(),
            "tree_peak_mb": peak.peak_mb,
            # the same build before and while the reprint store is built
            "tree_peak_before_store_mb": peak.peak_between(0.0, store_began),
            "tree_peak_store_mb": peak.peak_between(store_began, ended),
        }
    searcher = Searcher.open(index)
    t = time.perf_counter()
    store = searcher.reprint_store()
    out["first_load_s"] = time.perf_counter() - t
    rng = random.Random(7)
    paired = sorted(store.pairs)
    ids = rng.sample(paired, min(N_SIMILAR // 2, len(paired)))
    ids += rng.sample(sorted(store.members), N_SIMILAR - len(ids))
    searcher.similar(ids[0])  # warm: the generation's files opened
    for neighbours, name in ((5, "similar"), (0, "reprints_only")):
        timings = []
        for article_id in ids:
            t = time.perf_counter()
            searcher.similar(article_id, neighbours=neighbours)
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        out[f"{name}_p50_ms"] = timings[len(timings) // 2]
        out[f"{name}_p95_ms"] = timings[int(len(timings) * 0.95)]
    out.update(_similar_over_http(index, ids))
    return out


def _similar_over_http(index: Path, ids: list[str]) -> dict:
    """`GET /api/articles/<id>/similar` through the Flask app (routing, JSON,
    passages included): what a notebook calling the API waits for."""
    from urllib.parse import quote

    from web import create_app

    client = create_app({"LOUPE_INDEX": str(index)}).test_client()
    client.get(f"/api/articles/{quote(ids[0], safe='')}/similar")  # warm
    timings = []
    for article_id in ids:
        t = time.perf_counter()
        response = client.get(f"/api/articles/{quote(article_id, safe='')}/similar")
        timings.append((time.perf_counter() - t) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"/similar for {article_id}: HTTP {response.status_code}")
    timings.sort()
    return {
        "http_similar_p50_ms": timings[len(timings) // 2],
        "http_similar_p95_ms": timings[int(len(timings) * 0.95)],
    }


def child_bare(folder: Path, label: str) -> dict:
    """The same whole build with reprint detection switched off (bench only): the
    reference the added time and memory are measured against."""
    from search import indexer

    class NoCollector:
        articles: list = []

        def __init__(self, *args, **kwargs) -> None:
            pass

        def tap(self, articles):
            return articles

    class NoWriter:
        written = None

        def __init__(self, *args) -> None:
            pass

        def full(self):
            return lambda generation: None

        def update(self, previous, removed):
            return lambda generation: None

    indexer.reprints.Collector = NoCollector  # type: ignore[misc]
    indexer._ReprintWriter = NoWriter  # type: ignore[misc]
    indexer._update_reprints = lambda *args: None
    index = WORK / f"index-bare-{label}"
    shutil.rmtree(index, ignore_errors=True)
    with TreePeak() as peak:
        report = indexer.index_corpus(folder, index, ner=False, n_process=_workers())
    shutil.rmtree(index, ignore_errors=True)
    return {
        "build_s": report.elapsed,
        "build_cpu_s": _cpu_s(),
        "rss_mb": _rss_mb(),
        "tree_peak_mb": peak.peak_mb,
    }


def _child(kind: str, label: str) -> dict:
    folder = synthetic_corpus_dir(parse_size(label))
    proc = subprocess.run(
        [sys.executable, "-m", "bench.reprints_cost", kind, label],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{label} {kind} failed:\n{proc.stderr}")
    del folder
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{label} {kind}: {json.dumps(result)}", flush=True)  # kept if a later child fails
    return result


def _added(loupe: dict, bare: dict) -> dict:
    """What reprint detection adds to a whole build, as shares of the build
    without it: wall and CPU time (writers included), and the peak memory of
    every process of the build together."""

    def share(key: str) -> float:
        return round(loupe[key] / bare[key] - 1, 3)

    return {"wall": share("build_s"), "cpu": share("build_cpu_s"), "memory": share("tree_peak_mb")}


def run_cost(labels: list[str], with_loupe: bool = True, similar_only: bool = False) -> dict:
    results = {}
    for label in labels:
        print(f"{label}: load average {os.getloadavg()[0]:.2f} at start", flush=True)
        if similar_only:  # /similar latency on the index the last full run built
            row = {"similar": _child("similar", label)}
        else:
            row = {"read": _child("read", label), "clusters": _child("clusters", label)}
            if with_loupe:
                row["loupe"] = _child("loupe", label)
                row["loupe_without_reprints"] = _child("bare", label)
                row["added"] = _added(row["loupe"], row["loupe_without_reprints"])
        results[label] = row
        print(json.dumps(row, indent=1), flush=True)
        print(f"{label}: load average {os.getloadavg()[0]:.2f} at end", flush=True)
    return results


if __name__ == "__main__":
    kind, label = sys.argv[1], sys.argv[2]
    WORK.mkdir(parents=True, exist_ok=True)
    folder = synthetic_corpus_dir(parse_size(label))
    if kind == "read":
        result = child_read(folder)
    elif kind == "clusters":
        result = child_clusters(folder)
    elif kind == "bare":
        result = child_bare(folder, label)
    else:
        result = child_loupe(folder, label, reuse=kind == "similar")
    print(json.dumps(result))
