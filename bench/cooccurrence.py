"""Does corpus co-occurrence expansion help? (issue 14, item 5c)

    python -m bench.cooccurrence [--lift 8] [--weight 0.2] [--halves] [--per-query] [--off]
    python -m bench.cooccurrence --cost CORPUS_DIR

Builds the neighbour table of `bench.cooccurrence_table` from the judged
corpus (title and text of each article, in memory, with the shipped
`neighbour_table`), then scores both query files as `python -m bench.relevance
--system loupe` does, with each lower-case query word's neighbours added as
related forms of weight `--weight` next to the shipped rules
(`search.expansion.related.related_forms`, patched in this process only).
`--off` scores the same process without the neighbours (the baseline);
`--halves` prints each file's even lines (deciding) and odd lines (held out).

`--cost DIR` times what an index-time table would cost on a corpus folder
(e.g. a synthetic one of `bench.corpora`): analysing the articles again, then
the sparse build, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from bench.corpora import iter_docs, real_corpus_dir
from bench.relevance import main as relevance_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cooccurrence", description=__doc__)
    parser.add_argument("--lift", type=float, default=None, help="MIN_LIFT (default: shipped)")
    parser.add_argument("--weight", type=float, default=None, help="weight (default: shipped)")
    parser.add_argument("--off", action="store_true", help="no neighbours: the baseline")
    parser.add_argument(
        "--halves",
        action="store_true",
        help="also print nDCG@10 per kind on the even and the odd lines of each file",
    )
    parser.add_argument("--per-query", action="store_true", help="per-query detail")
    parser.add_argument("--cost", type=Path, metavar="DIR", help="time the table on a corpus")
    args = parser.parse_args(argv)
    if args.cost:
        return cost(args.cost)
    extra = ["--halves"] if args.halves else []
    extra += ["--per-query", "loupe"] if args.per_query else []

    import bench.cooccurrence_table as cooccurrence
    import search.expansion.related as related
    from search.core.french import analyze
    from search.query import Term

    if args.lift is not None:
        cooccurrence.MIN_LIFT = args.lift
    if args.weight is not None:
        cooccurrence.COOCCURRENCE_WEIGHT = args.weight
    table = cooccurrence.table_from_documents(
        analyze(f"{doc.title} {doc.text}") for doc in iter_docs(real_corpus_dir())
    )
    print(f"{len(table)} words with neighbours")
    if not args.off:
        shipped = related.related_forms

        def with_neighbours(term: Term):
            extra_forms = cooccurrence.cooccurring_forms(term.text, table)
            return (*shipped(term), *((Term(w), weight) for w, weight in extra_forms))

        related.related_forms = with_neighbours
    for word in ("séisme", "tuerie", "chômage", "chanteuse"):
        print(f"{word}: {', '.join(table.get(analyze(word)[0], ())) or '—'}")
    relevance_main(["--queries", "bench/data/queries-kinds.jsonl", "--system", "loupe", *extra])
    relevance_main(["--system", "loupe", *extra])
    return 0


def cost(folder: Path) -> int:
    """Seconds to analyse `folder`'s articles and to build their table, and peak RSS."""
    from bench.cooccurrence_table import CooccurrenceLearner
    from search.core.french import analyze

    learner = CooccurrenceLearner()
    started = time.perf_counter()
    n = 0
    for doc in iter_docs(folder):
        learner.observe(set(analyze(f"{doc.title} {doc.text}")))
        n += 1
    analysed = time.perf_counter()
    table = learner.table()
    built = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n} articles: analysis {analysed - started:.1f} s, table {built - analysed:.1f} s, "
        f"{len(table)} words with neighbours, peak RSS {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
