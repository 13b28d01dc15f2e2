"""What `loupe index --semantic` costs: build time and memory, query latency.

    python -m bench.semantic_cost [--sizes 10k] [--reps 2]

For each size, the synthetic corpus (bench.corpora) is indexed twice without
NER, each build in its own process (its peak RSS is its own): plain, and with
`semantic=True` (the sentence vectors, search.semantic). Then the 88 dev
queries of both relevance files run `--reps` times on each index (top 10 with
snippets, no facets): p50 / p95 per index, and the query encoder's own time.
The machine's load average is printed: other work makes the numbers noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.cache import CACHE_ROOT
from bench.child import emit, peak_rss_mb, run
from bench.corpora import synthetic_corpus_dir
from bench.relevance import load_queries

ROOT = CACHE_ROOT / "semantic-cost"
QUERY_FILES = (Path("bench/data/queries-dev.jsonl"), Path("bench/data/queries-kinds.jsonl"))
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def build_child(spec: dict) -> None:
    """In a child process: one build, its time and peak memory."""
    from search.indexer import index_corpus

    started = time.perf_counter()
    report = index_corpus(
        Path(spec["corpus"]), Path(spec["index"]), ner=False, semantic=spec["semantic"]
    )
    emit(
        {
            "seconds": time.perf_counter() - started,
            "semantic_seconds": report.semantic_seconds,
            "articles": report.indexed,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def latencies(index_dir: Path, queries: list[str], reps: int) -> list[float]:
    from search.searcher import Searcher
    from search.semantic import query_vector

    searcher = Searcher.open(index_dir)
    searcher.search("mali", with_facets=False)  # opened and warm, as a server is
    out = []
    for _ in range(reps):
        for q in queries:
            query_vector.cache_clear()  # every query encoded: the cost of a new one
            started = time.perf_counter()
            searcher.search(q, with_facets=False)
            out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.semantic_cost", description=__doc__)
    parser.add_argument("--sizes", default="10k")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        build_child(json.loads(args.child))
        return 0
    queries = [q.query for f in QUERY_FILES for q in load_queries(f)]
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at start")
    print("| size | build | seconds | of which vectors | peak RSS MB | query p50 ms | p95 ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        corpus = synthetic_corpus_dir(SIZES[size])
        for semantic in (False, True):
            index_dir = ROOT / f"{size}-{'semantic' if semantic else 'plain'}"
            shutil.rmtree(index_dir, ignore_errors=True)
            spec = {"corpus": str(corpus), "index": str(index_dir), "semantic": semantic}
            built = run("bench.semantic_cost", spec, timeout=4 * 3600)
            if "error" in built:
                print(f"| {size} | {semantic} | failed: {built['error']} |")
                continue
            times = latencies(index_dir, queries, args.reps)
            print(
                f"| {size} | {'--semantic' if semantic else 'plain'} | {built['seconds']:.0f} "
                f"| {built['semantic_seconds']:.0f} | {built['peak_rss_mb']:.0f} "
                f"| {statistics.median(times):.0f} | {percentile(times, 95):.0f} |",
                flush=True,
            )
    from search.semantic import encode

    started = time.perf_counter()
    for q in queries:
        encode([q])
    print(f"query encoder: {(time.perf_counter() - started) / len(queries) * 1000:.0f} ms a query")
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
