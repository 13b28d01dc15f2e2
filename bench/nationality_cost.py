"""What a nationality's own forms (search.expansion.nationality) cost a search, on and off.

    python -m bench.nationality_cost --index .cache/bench/indexes/10k/loupe-noner
    python -m bench.nationality_cost --index /path/to/a/copy/of/100k --passes 5

As `bench.window_cost`: every unfiltered query of `bench/queries.txt` (the real
mix), plus the queries of both judged files that hold a nationality the rule
reaches (long descriptions, derivations), timed with the rule on and off
(`search.expansion.related.own_forms` answering nothing), alternated pass by
pass so both see the same load; each query's time is the best of its passes.
The rule adds lookups only to queries holding such a word, so those are
reported apart (`touched`) besides the whole mix. The index is only read.
"""

from __future__ import annotations

import os
import sys

from bench.cache import DEV_QUERIES, REPO_ROOT
from bench.on_off import best_times, p50_p95_max, parse_args
from bench.query import load_bench_queries
from bench.relevance import load_queries

KINDS_QUERIES = REPO_ROOT / "bench" / "data" / "queries-kinds.jsonl"


def touched(query: str) -> bool:
    """Whether the rule adds forms to any word of `query`."""
    from search.expansion.nationality import own_forms
    from search.query import Term

    return any(own_forms(Term(word)) for word in query.replace("'", " ").split())


def main(argv: list[str] | None = None) -> int:
    args = parse_args("python -m bench.nationality_cost", __doc__, argv)

    from search.expansion import related
    from search.searcher import Searcher

    searcher = Searcher.open(args.index)
    mix = [q.text for q in load_bench_queries() if not q.filters]
    judged = [q.query for path in (KINDS_QUERIES, DEV_QUERIES) for q in load_queries(path)]
    sets = {"mix": mix, "touched": [q for q in dict.fromkeys(mix + judged) if touched(q)]}
    print(
        f"{args.index}: {len(mix)} queries in the mix, {len(sets['touched'])} touched by the"
        f" rule ({sum(touched(q) for q in mix)} of the mix); load {os.getloadavg()}"
    )
    print("| queries | mode | rule | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---:|---:|---:|")
    shipped = related.own_forms

    def switch(on: bool) -> None:
        related.own_forms = shipped if on else (lambda term: ())

    try:
        for name, queries in sets.items():
            for page in (False, True):
                timed = best_times(searcher, queries, page, args.passes, switch)
                for state, best in timed.items():
                    p50, p95, top = p50_p95_max(best)
                    mode = "page" if page else "bare"
                    print(f"| {name} | {mode} | {state} | {p50:.1f} | {p95:.1f} | {top:.1f} |")
    finally:
        switch(True)
    print(f"load at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
