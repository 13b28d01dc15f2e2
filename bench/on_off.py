"""A query rule's cost measured on and off in one process (`bench.window_cost`,
`bench.nationality_cost`, `bench.year_cost`).

Separate benchmark processes run minutes apart on a shared machine measure the
load as much as the rule. Here one searcher answers the same queries with the
rule on and off, the two alternated pass by pass so that both see the same
load, and each query keeps the best time of its passes. Bare = no snippets
nor facets; page = both, as the results page.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.query import percentile

STATES = ("on", "off")


def parse_args(prog: str, doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """`--index` (a Loupe Whoosh index, only read) and `--passes`, as every
    on/off bench takes them."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, required=True, help="a Loupe (Whoosh) index folder")
    parser.add_argument("--passes", type=int, default=5, help="passes each way (default 5)")
    return parser.parse_args(argv)


def one_pass(searcher, queries: Sequence[str], page: bool) -> list[float]:
    """Each query's wall time in ms, answered once."""
    times = []
    for text in queries:
        started = time.perf_counter()
        searcher.search(text, with_snippets=page, with_facets=page)
        times.append((time.perf_counter() - started) * 1000)
    return times


def best_times(
    searcher,
    queries: Sequence[str],
    page: bool,
    passes: int,
    switch: Callable[[bool], None],
) -> dict[str, list[float]]:
    """« on » and « off » → each query's best time over `passes` alternated
    passes; `switch(True)` turns the rule on, `switch(False)` off. The caller
    restores the shipped setting (`switch(True)`) when it is done."""
    one_pass(searcher, queries, page)  # warm: vocabulary, tables, page cache
    runs: dict[str, list[list[float]]] = {state: [] for state in STATES}
    for _ in range(passes):
        for state in STATES:
            switch(state == "on")
            runs[state].append(one_pass(searcher, queries, page))
    return {
        state: [min(p[i] for p in ps) for i in range(len(queries))] for state, ps in runs.items()
    }


def p50_p95_max(best: Sequence[float]) -> tuple[float, float, float]:
    return percentile(list(best), 50), percentile(list(best), 95), max(best)
