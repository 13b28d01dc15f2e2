"""Whoosh or OpenSearch at 100,000 articles: bulk indexing and query latency, side by side.

    python -m bench.opensearch_scale [--size 100k|10k] [--quick] [--heap 2g] [--json out.json]

The question it answers is the one `docs/opensearch.md` needs: at what corpus
size does the embedded Whoosh backend stop being enough? Both backends index
the same synthetic corpus (`bench/corpora.py`) through the same pipeline
(`index_corpus(..., ner=False)`: same readers, same `Article`s), so indexing
figures include reading; then both answer `bench/queries.txt` through the same
`Searcher` in two modes: top 10 with snippets, and a full results page
(snippets + facet counts over every hit).

The Whoosh index is reused from `.cache/bench/opensearch-scale/<size>/` when a
finished one is there (its build figures were recorded with it); OpenSearch is
always indexed afresh, into the node `LOUPE_OPENSEARCH_URL` names or a local
one started with a bigger heap (`--heap`). Query timings run one backend at a
time, after a warm-up, in this process: what a web worker would see.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.cache import CACHE_ROOT, dir_size
from bench.corpora import corpus_dir, corpus_stats
from bench.engines.loupe import make_filters
from bench.query import WARMUP, load_bench_queries, percentile

SCALE_CACHE = CACHE_ROOT / "opensearch-scale"
ALIAS = "loupe-scale"
MODES = {"snippets": (True, False), "page": (True, True)}  # with_snippets, with_facets


@dataclass
class BackendRun:
    name: str
    articles: int = 0
    wall_s: float = 0.0
    text_mb: float = 0.0
    index_mb: float = 0.0
    rss_mb: float = 0.0  # the node's resident memory (OpenSearch), or this process's
    cached_build: bool = False
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, list[int]] = field(default_factory=dict)

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.text_mb / self.wall_s if self.wall_s else 0.0

    def p(self, mode: str, pct: float) -> float:
        return percentile(self.latencies_ms.get(mode, []), pct)


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process from /proc (Linux), in MB; 0 when unknown."""
    try:
        status = Path(f"/proc/{pid or 'self'}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def whoosh_index(size: str, corpus: Path, text_mb: float) -> tuple[Path, BackendRun]:
    """The Whoosh index of the corpus without NER: the cached one, or built now."""
    from search.backends.base import IndexMissing
    from search.indexer import index_corpus
    from search.searcher import Searcher

    folder = SCALE_CACHE / size
    index_dir, record = folder / "whoosh", folder / "whoosh.build.json"
    run = BackendRun("whoosh", text_mb=text_mb)
    expected = corpus_stats(corpus).articles
    if record.exists():
        try:
            built = json.loads(record.read_text())
            if Searcher.open(index_dir).stats().articles == built["articles"] == expected:
                run.articles, run.wall_s = built["articles"], built["wall_s"]
                run.cached_build = True
                run.index_mb = dir_size(index_dir) / 1e6
                log(f"Whoosh index of {size} reused ({run.wall_s:.0f} s when it was built)")
                return index_dir, run
        except (IndexMissing, KeyError, ValueError):
            pass
    log(f"building the Whoosh index of {size} (no NER) …")
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report = index_corpus(corpus, index_dir, ner=False)
    run.wall_s = time.perf_counter() - started
    run.articles = report.indexed
    run.index_mb = dir_size(index_dir) / 1e6
    record.write_text(json.dumps({"articles": run.articles, "wall_s": run.wall_s}))
    return index_dir, run


def opensearch_index(url: str, corpus: Path, text_mb: float, workdir: Path) -> BackendRun:
    """Index the corpus into the node through `index_corpus` (bulk load, then the
    alias switch) and measure it, refresh and replica wait included."""
    from search.backends.opensearch import OpenSearchBackend
    from search.indexer import index_corpus

    backend = OpenSearchBackend(url, index_name=ALIAS)
    run = BackendRun("opensearch", text_mb=text_mb)
    log("indexing into OpenSearch (no NER) …")
    started = time.perf_counter()
    report = index_corpus(corpus, workdir, ner=False, backend=backend)
    run.wall_s = time.perf_counter() - started
    run.articles = report.indexed
    stats = backend.client.indices.stats(index=ALIAS, metric="store")
    run.index_mb = stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6
    return run


def time_queries(searcher: Any, run: BackendRun, reps: int) -> None:
    """Every bench query `reps` times per mode, after a warm-up outside the list."""
    from search.backends.base import Filters

    queries = load_bench_queries()
    for text in WARMUP * 4:  # the JVM compiles hot paths over the first requests
        for snippets, facets in MODES.values():
            searcher.search(text, with_snippets=snippets, with_facets=facets)
    for mode, (snippets, facets) in MODES.items():
        timings, totals = [], []
        for rep in range(reps):
            for q in queries:
                filters = make_filters(Filters, q.filters)
                started = time.perf_counter()
                results = searcher.search(
                    q.text, filters, per_page=10, with_snippets=snippets, with_facets=facets
                )
                timings.append((time.perf_counter() - started) * 1000)
                if rep == 0:
                    totals.append(results.total)
        run.latencies_ms[mode], run.totals[mode] = timings, totals


def ratio(whoosh: float, opensearch: float, higher_is_better: bool) -> str:
    if not whoosh or not opensearch:
        return "–"
    r = opensearch / whoosh if higher_is_better else whoosh / opensearch
    return f"{r:.1f}× faster" if r >= 1 else f"{1 / r:.1f}× slower"


def markdown(size: str, whoosh: BackendRun, opensearch: BackendRun, heap: str, reps: int) -> str:
    w, o = whoosh, opensearch
    n = len(w.latencies_ms.get("snippets", [])) // max(reps, 1)
    rows = [
        ("Articles indexed", f"{w.articles:,}", f"{o.articles:,}", ""),
        (
            "Index wall time (reading included)",
            f"{w.wall_s:.0f} s" + (" (cached)" if w.cached_build else ""),
            f"{o.wall_s:.0f} s",
            ratio(w.wall_s, o.wall_s, False),
        ),
        (
            "Articles/s",
            f"{w.articles_per_s:,.0f}",
            f"{o.articles_per_s:,.0f}",
            ratio(w.articles_per_s, o.articles_per_s, True),
        ),
        ("MB of text/s", f"{w.mb_per_s:.2f}", f"{o.mb_per_s:.2f}", ""),
        ("Index size (primary)", f"{w.index_mb:,.0f} MB", f"{o.index_mb:,.0f} MB", ""),
    ]
    for mode, label in (("snippets", "top 10 + snippets"), ("page", "full page + facets")):
        for pct in (50, 95):
            wv, ov = w.p(mode, pct), o.p(mode, pct)
            rows.append(
                (f"Query p{pct}, {label}", f"{wv:.0f} ms", f"{ov:.0f} ms", ratio(wv, ov, False))
            )
    rows.append(
        ("Memory (RSS)", f"{w.rss_mb:,.0f} MB (bench process)", f"{o.rss_mb:,.0f} MB (node)", "")
    )
    lines = [
        f"Scale bench — {size} corpus, no NER, {n} queries × {reps} reps, "
        f"OpenSearch 1 node / 1 shard / heap {heap}",
        "",
        "| | Whoosh | OpenSearch | OpenSearch vs Whoosh |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.opensearch_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", default="100k", help="corpus size label: 100k (default), 10k")
    parser.add_argument("--quick", action="store_true", help="one repetition instead of three")
    parser.add_argument("--heap", default="2g", help="heap of the node started here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 3

    from bench.engines.opensearch import OpenSearchNode
    from search.backends.opensearch import OpenSearchBackend
    from search.searcher import Searcher

    corpus = corpus_dir(args.size)
    stats = corpus_stats(corpus)
    log(f"corpus {args.size}: {stats.articles:,} articles, {stats.text_mb:.0f} MB of text")
    index_dir, whoosh = whoosh_index(args.size, corpus, stats.text_mb)

    searcher = Searcher.open(index_dir)
    log("timing Whoosh queries …")
    time_queries(searcher, whoosh, reps)
    whoosh.rss_mb = rss_mb()
    del searcher

    # Full JIT and the default collector: this node works, unlike the tests' one.
    node = OpenSearchNode(heap=args.heap, jvm_options=())
    try:
        workdir = SCALE_CACHE / args.size / "opensearch-workdir"
        opensearch = opensearch_index(str(node.url), corpus, stats.text_mb, workdir)
        log("timing OpenSearch queries …")
        time_queries(Searcher(OpenSearchBackend(str(node.url), ALIAS)), opensearch, reps)
        opensearch.rss_mb = rss_mb(node.pid) if node.pid else 0.0
    finally:
        node.stop()

    table = markdown(args.size, whoosh, opensearch, args.heap, reps)
    print(table)
    if args.json:
        payload = {
            "size": args.size,
            "reps": reps,
            "heap": args.heap,
            "table": table,
            "runs": {
                r.name: {**asdict(r), "articles_per_s": r.articles_per_s, "mb_per_s": r.mb_per_s}
                for r in (whoosh, opensearch)
            },
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
