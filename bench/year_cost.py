"""What the year pairs (search.expansion.years) cost a search, on and off in one process.

    python -m bench.year_cost --index .cache/bench/indexes/10k/loupe-noner

The real mix (`bench/queries.txt`) types no year among its words (its years are
date filters), so the rule changes none of its queries. This times the queries
reads a pair for: every judged query (`queries-kinds.jsonl`, `queries-dev.jsonl`)
with a year among its window words, and a few more questions and descriptions
with a year, with the rule on and off (`years.YEAR_WEIGHT = 0`), alternated pass by pass
so that both see the same load; each query's time is the best of its passes.
Bare = no snippets nor facets; page = both, as the results page. The index is
only read.
"""

from __future__ import annotations

import os
import sys

from bench.cache import DEV_QUERIES, REPO_ROOT
from bench.on_off import best_times, p50_p95_max, parse_args
from bench.relevance import load_queries

MORE_QUESTIONS = [
    "qui a gagné l'Euro 2016 de football ?",
    "combien de médailles pour la France aux Jeux olympiques de 2016 ?",
    "quels pays ont voté le budget européen de 2018 ?",
    "les élections législatives de 2017 en France et la majorité présidentielle",
    "que s'est-il passé lors du sommet du G20 en 2017 ?",
]


def year_queries() -> list[str]:
    """The judged queries the rule reads a pair for, and MORE_QUESTIONS."""
    from search.expansion.questions import without_question_words
    from search.expansion.years import year_pairs
    from search.proximity import window_words
    from search.query import parse

    judged = load_queries(REPO_ROOT / "bench" / "data" / "queries-kinds.jsonl")
    judged += load_queries(DEV_QUERIES)
    typed = [q.query for q in judged] + MORE_QUESTIONS
    return [q for q in typed if year_pairs(window_words(without_question_words(parse(q))))]


def main(argv: list[str] | None = None) -> int:
    args = parse_args("python -m bench.year_cost", __doc__, argv)

    from search.expansion import years
    from search.searcher import Searcher

    searcher = Searcher.open(args.index)
    queries = year_queries()
    shipped = years.YEAR_WEIGHT
    print(f"{args.index}: {len(queries)} queries with a year pair; load {os.getloadavg()}")
    print("| mode | year pairs | p50 ms | p95 ms | max ms |")
    print("|---|---|---:|---:|---:|")

    def switch(on: bool) -> None:
        years.YEAR_WEIGHT = shipped if on else 0.0

    try:
        for page in (False, True):
            for state, best in best_times(searcher, queries, page, args.passes, switch).items():
                p50, p95, top = p50_p95_max(best)
                mode = "page" if page else "bare"
                print(f"| {mode} | {state} | {p50:.1f} | {p95:.1f} | {top:.1f} |")
    finally:
        switch(True)
    print(f"load at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
