"""What the window bonus (search.proximity) costs a search, on and off in one process.

    python -m bench.window_cost --index .cache/bench/indexes/10k/loupe-noner
    python -m bench.window_cost --index /path/to/a/copy/of/100k --passes 5

Separate benchmark processes run minutes apart on a shared machine measure the
load as much as the rule. Here one process times every unfiltered query of
`bench/queries.txt` (the real mix) with the window on and off
(`ranking.WINDOW_WEIGHT = 0`, the positions then not read), the two alternated
pass by pass so that both see the same load; each query's time is the best of
its passes. Bare = no snippets nor facets; page = both, as the results page.
The index is only read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.query import load_bench_queries, percentile


def _one_pass(searcher, queries: list[str], page: bool) -> list[float]:
    times = []
    for text in queries:
        started = time.perf_counter()
        searcher.search(text, with_snippets=page, with_facets=page)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.window_cost",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--index", type=Path, required=True, help="a Loupe (Whoosh) index folder")
    parser.add_argument("--passes", type=int, default=5, help="passes each way (default 5)")
    args = parser.parse_args(argv)

    from search.core import ranking
    from search.proximity import window_words
    from search.query import parse
    from search.searcher import Searcher

    searcher = Searcher.open(args.index)
    queries = [q.text for q in load_bench_queries() if not q.filters]
    windowed = sum(1 for q in queries if window_words(parse(q)))
    shipped = ranking.WINDOW_WEIGHT
    print(f"{args.index}: {len(queries)} queries, {windowed} with a window; load {os.getloadavg()}")
    print("| mode | window | p50 ms | p95 ms |")
    print("|---|---|---:|---:|")
    try:
        for page in (False, True):
            _one_pass(searcher, queries, page)  # warm: vocabulary, tables, page cache
            runs: dict[str, list[list[float]]] = {"on": [], "off": []}
            for _ in range(args.passes):
                for state, weight in (("on", shipped), ("off", 0.0)):
                    ranking.WINDOW_WEIGHT = weight
                    runs[state].append(_one_pass(searcher, queries, page))
            for state, passes in runs.items():
                best = [min(p[i] for p in passes) for i in range(len(queries))]
                mode = "page" if page else "bare"
                p50, p95 = percentile(best, 50), percentile(best, 95)
                print(f"| {mode} | {state} | {p50:.1f} | {p95:.1f} |")
    finally:
        ranking.WINDOW_WEIGHT = shipped
    print(f"load at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
