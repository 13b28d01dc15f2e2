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

import os
import sys

from bench.on_off import best_times, p50_p95_max, parse_args
from bench.query import load_bench_queries


def main(argv: list[str] | None = None) -> int:
    args = parse_args("python -m bench.window_cost", __doc__, argv)

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

    def switch(on: bool) -> None:
        ranking.WINDOW_WEIGHT = shipped if on else 0.0

    try:
        for page in (False, True):
            for state, best in best_times(searcher, queries, page, args.passes, switch).items():
                p50, p95, _ = p50_p95_max(best)
                print(f"| {'page' if page else 'bare'} | {state} | {p50:.1f} | {p95:.1f} |")
    finally:
        switch(True)
    print(f"load at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
