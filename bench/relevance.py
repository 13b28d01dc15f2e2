"""Relevance evaluation: how well each system ranks the judged dev queries.

    python -m bench.relevance [--system loupe,whoosh-and,…] [--per-query loupe,fts5-or]
                              [--halves] [--json out.json] [--rebuild] [--no-ner]
                              [--overlap loupe,opensearch]

Indexes the bundled corpus (`corpus/`: the Wikinews articles and the seed
article) with every system, runs the 40 queries of `bench/data/queries-dev.jsonl`
and prints nDCG@10, MRR@10 and
Recall@10 per query kind, systems side by side. Built indexes are cached under
`.cache/bench/relevance/`, keyed by the corpus bytes and the engine's version
(for Loupe, a hash of `search/`), so re-running after a ranking change rebuilds
only Loupe. Deterministic: same inputs, same table.

`opensearch` is Loupe on its scale-out backend: the same pipeline and NER cache
into a real OpenSearch node (`LOUPE_OPENSEARCH_URL`, else one started for the
run); `--overlap A,B` prints how much of their top 10s two systems share.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.cache import CACHE_ROOT, DEV_QUERIES, corpus_digest, key
from bench.corpora import canonical_id, real_corpus_dir
from bench.engines import Engine, EngineUnavailable, get_engine
from bench.engines.base import BenchQuery
from bench.metrics import Scores

RELEVANCE_CACHE = CACHE_ROOT / "relevance"
NER_CACHE = CACHE_ROOT / "ner" / "relevance"
K = 10

# system name → (engine, operator joining the query's words)
SYSTEMS: dict[str, tuple[str, str]] = {
    "loupe": ("loupe", "and"),
    "loupe-plain": ("loupe-plain", "and"),  # same index, Whoosh's matchers (before issue 13)
    "loupe-semantic": ("loupe-semantic", "and"),  # built with --semantic (search.semantic)
    "whoosh-and": ("whoosh", "and"),
    "whoosh-or": ("whoosh", "or"),
    "fts5-or": ("fts5", "or"),
    "fts5-and": ("fts5", "and"),
    "tantivy-or": ("tantivy", "or"),
    "tantivy-and": ("tantivy", "and"),
    "opensearch": ("opensearch", "and"),
}
DEFAULT_SYSTEMS = ("loupe", "whoosh-and", "whoosh-or", "fts5-or", "tantivy-or")


@dataclass(frozen=True)
class Judged:
    qid: str
    query: str
    kind: str
    relevant: dict[str, int]


@dataclass
class QueryResult:
    qid: str
    kind: str
    query: str
    ranked: list[str]
    scores: Scores


def load_queries(path: Path = DEV_QUERIES) -> list[Judged]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Judged(r["qid"], r["query"], r["kind"], dict(r["relevant"])) for r in rows]


def cached_index(engine: Engine, *, rebuild: bool, ner: bool) -> Path:
    """The engine's index of the real corpus, built once per (corpus, engine version)."""
    is_loupe = engine.name.startswith("loupe")  # loupe-plain reads Loupe's index
    prefix = (
        ("loupe-semantic" if engine.name == "loupe-semantic" else "loupe")
        if is_loupe
        else engine.name
    )
    if is_loupe:
        prefix += "-ner" if ner else "-noner"
    k = key([corpus_digest(), engine.version()])
    index_dir = RELEVANCE_CACHE / f"{prefix}-{k}"
    for stale in RELEVANCE_CACHE.glob(f"{prefix}-*"):
        if (
            stale != index_dir
            and stale.is_dir()
            and stale.name.count("-") == index_dir.name.count("-")
            and ".tmp" not in stale.name  # another run may be building it right now
        ):
            shutil.rmtree(stale)  # built by an older version of the engine
    if rebuild and index_dir.exists():
        shutil.rmtree(index_dir)
    if not index_dir.exists():
        print(f"building {engine.name} index → {index_dir}", file=sys.stderr)
        tmp = index_dir.with_name(index_dir.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        build_options: dict[str, object] = {"deterministic": True}
        if is_loupe:
            NER_CACHE.mkdir(parents=True, exist_ok=True)
            build_options = {"ner": ner, "ner_cache": NER_CACHE / "ner-cache"}
        engine.build(real_corpus_dir(), tmp, **build_options)
        tmp.rename(index_dir)  # a half-built index is never mistaken for a cached one
    return index_dir


def remote_index(engine: Engine, *, rebuild: bool, ner: bool) -> str:
    """The alias of the real corpus in an engine whose index lives in a cluster:
    built unless the cluster already holds this (corpus, engine version) build.
    Loupe's NER cache is shared, so both backends index the same entities."""
    corpus_key = key([corpus_digest(), f"ner={ner}"])
    alias = engine.alias(corpus_key)
    if rebuild or not engine.is_built(alias):
        print(f"building {engine.name} index → {alias}", file=sys.stderr)
        NER_CACHE.mkdir(parents=True, exist_ok=True)
        engine.build(
            real_corpus_dir(),
            RELEVANCE_CACHE / f"{engine.name}-ner-cache",
            alias=alias,
            ner=ner,
            ner_cache=NER_CACHE / "ner-cache",
        )
    return alias


def evaluate(system: str, queries: list[Judged], *, rebuild: bool, ner: bool) -> list[QueryResult]:
    engine_name, operator = SYSTEMS[system]
    engine = get_engine(engine_name)
    try:
        if getattr(engine, "remote", False):
            target = remote_index(engine, rebuild=rebuild, ner=ner)
        else:
            target = cached_index(engine, rebuild=rebuild, ner=ner)
        return _run_queries(engine, target, operator, queries)
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()  # a node started for this system stops here


def _run_queries(engine: Engine, target, operator: str, queries: list[Judged]) -> list[QueryResult]:
    session = engine.open(target, operator=operator)
    try:
        # One unscored pass first: on a busy machine the first searches of a
        # fresh session (reading the vocabulary, loading tables) can pass the
        # engine's time limit and come back partial or empty, which would
        # score a cold start, not the ranking.
        for q in queries:
            session.search(BenchQuery(q.query, q.kind), limit=K, snippets=False)
        out = []
        for q in queries:
            outcome = session.search(BenchQuery(q.query, q.kind), limit=K, snippets=False)
            ranked = [canonical_id(i) for i in outcome.ids]
            out.append(
                QueryResult(q.qid, q.kind, q.query, ranked, Scores.of(ranked, q.relevant, K))
            )
        return out
    finally:
        session.close()


def summarise(results: list[QueryResult]) -> dict[str, Scores]:
    """Mean scores per kind, plus 'all' over every query."""
    kinds = sorted({r.kind for r in results})
    summary = {k: Scores.mean([r.scores for r in results if r.kind == k]) for k in kinds}
    summary["all"] = Scores.mean([r.scores for r in results])
    return summary


def format_tables(by_system: dict[str, list[QueryResult]]) -> str:
    systems = list(by_system)
    summaries = {s: summarise(r) for s, r in by_system.items()}
    first = next(iter(by_system.values()))
    counts: dict[str, int] = {}
    for r in first:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    counts["all"] = len(first)
    lines: list[str] = []
    for title, attr in (("nDCG@10", "ndcg"), ("MRR@10", "mrr"), ("Recall@10", "recall")):
        lines.append(f"\n{title}")
        lines.append("| kind | n | " + " | ".join(systems) + " |")
        lines.append("|---|---:|" + "---:|" * len(systems))
        for kind in summaries[systems[0]]:
            cells = [f"{getattr(summaries[s][kind], attr):.3f}" for s in systems]
            name = f"**{kind}**" if kind == "all" else kind
            lines.append(f"| {name} | {counts[kind]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_halves(by_system: dict[str, list[QueryResult]]) -> str:
    """nDCG@10 per kind on the even and the odd lines of the query file
    (0-based: the first query is even), systems side by side: a rule is
    chosen looking at one half, and the other half says whether it holds."""
    systems = list(by_system)
    lines = [f"\nnDCG@{K} by half of the file (even lines / odd lines)"]
    lines.append("| kind | n | " + " | ".join(systems) + " |")
    lines.append("|---|---:|" + "---:|" * len(systems))
    first = next(iter(by_system.values()))
    kinds = sorted({r.kind for r in first})
    for kind in [*kinds, "all"]:
        cells = []
        for s in systems:
            halves = []
            for parity in (0, 1):
                chosen = [
                    r.scores.ndcg
                    for i, r in enumerate(by_system[s])
                    if i % 2 == parity and kind in ("all", r.kind)
                ]
                halves.append(sum(chosen) / len(chosen) if chosen else 0.0)
            cells.append(f"{halves[0]:.3f} / {halves[1]:.3f}")
        n = sum(1 for r in first if kind in ("all", r.kind))
        name = f"**{kind}**" if kind == "all" else kind
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def overlap_at(a: list[str], b: list[str], k: int = K) -> float:
    """Share of two top-k lists in common: |A ∩ B| / max(|A|, |B|); 1.0 when both
    are empty (they agree that nothing matches)."""
    top_a, top_b = set(a[:k]), set(b[:k])
    if not top_a and not top_b:
        return 1.0
    return len(top_a & top_b) / max(len(top_a), len(top_b))


def format_overlap(a: str, b: str, by_system: dict[str, list[QueryResult]]) -> str:
    """Mean top-10 overlap of two systems, per query kind and over all queries."""
    pairs = list(zip(by_system[a], by_system[b], strict=True))
    kinds = sorted({ra.kind for ra, _ in pairs})
    lines = [f"\nTop-{K} overlap, {a} vs {b} (|A∩B| / max(|A|,|B|), mean per kind)"]
    lines.append("| kind | n | overlap@10 | identical top 10 |")
    lines.append("|---|---:|---:|---:|")
    for kind in [*kinds, "all"]:
        chosen = [(ra, rb) for ra, rb in pairs if kind in ("all", ra.kind)]
        values = [overlap_at(ra.ranked, rb.ranked) for ra, rb in chosen]
        same = sum(ra.ranked[:K] == rb.ranked[:K] for ra, rb in chosen)
        name = f"**{kind}**" if kind == "all" else kind
        lines.append(
            f"| {name} | {len(chosen)} | {sum(values) / len(values):.3f} | {same}/{len(chosen)} |"
        )
    return "\n".join(lines)


def format_per_query(system: str, results: list[QueryResult], queries: list[Judged]) -> str:
    judged = {q.qid: q.relevant for q in queries}
    lines = [
        f"\nPer query — {system} (grade in brackets; 'missing' = judged relevant not in top 10)"
    ]
    for r in results:
        rel = judged[r.qid]
        top5 = " ".join(f"{d}[{rel[d]}]" if d in rel else d for d in r.ranked[:5]) or "(none)"
        missing = sorted(d for d in rel if d not in r.ranked[:K])
        lines.append(f"{r.qid} {r.kind:<10} nDCG {r.scores.ndcg:.3f}  {r.query!r}")
        lines.append(f"    top5: {top5}")
        if missing:
            lines.append(f"    missing: {' '.join(f'{d}[{rel[d]}]' for d in missing)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--system",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated, among: {', '.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--per-query", metavar="SYSTEM[,SYSTEM…]", help="per-query detail for these systems"
    )
    parser.add_argument(
        "--halves",
        action="store_true",
        help="also print nDCG@10 per kind on the even and the odd lines of the file",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--rebuild", action="store_true", help="ignore cached indexes")
    parser.add_argument("--no-ner", action="store_true", help="index Loupe without NER")
    parser.add_argument("--queries", type=Path, default=DEV_QUERIES)
    parser.add_argument(
        "--overlap",
        metavar="A,B",
        help="also print the mean top-10 overlap of two systems per kind (e.g. loupe,opensearch)",
    )
    args = parser.parse_args(argv)

    systems = [s.strip() for s in args.system.split(",") if s.strip()]
    detailed = [s.strip() for s in (args.per_query or "").split(",") if s.strip()]
    systems.extend(s for s in detailed if s not in systems)
    overlap: list[str] = []
    if args.overlap:
        overlap = [s.strip() for s in args.overlap.split(",") if s.strip()]
        if len(overlap) != 2:
            parser.error("--overlap takes two systems: A,B")
        systems.extend(s for s in overlap if s not in systems)
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        parser.error(f"unknown system(s): {', '.join(unknown)}")

    queries = load_queries(args.queries)
    by_system: dict[str, list[QueryResult]] = {}
    skipped: dict[str, str] = {}
    for system in systems:
        try:
            by_system[system] = evaluate(system, queries, rebuild=args.rebuild, ner=not args.no_ner)
        except EngineUnavailable as exc:
            skipped[system] = str(exc)
            print(f"[{system}] {exc}", file=sys.stderr)
        except Exception as exc:  # an engine under construction must not sink the others
            skipped[system] = f"failed: {type(exc).__name__}: {exc}"
            traceback.print_exc()
            print(f"[{system}] {skipped[system]}", file=sys.stderr)
    if not by_system:
        print("no system could run", file=sys.stderr)
        return 1

    print(f"Relevance on {args.queries.name}: {len(queries)} queries, top {K}")
    print(format_tables(by_system))
    for system, why in skipped.items():
        print(f"\n({system} not measured: {why})")
    if args.halves:
        print(format_halves(by_system))
    for system in detailed:
        if system in by_system:
            print(format_per_query(system, by_system[system], queries))
    if overlap and all(s in by_system for s in overlap):
        print(format_overlap(overlap[0], overlap[1], by_system))

    if args.json:
        payload = {
            "queries": str(args.queries),
            "k": K,
            "skipped": skipped,
            "systems": {
                s: {
                    "summary": {k: asdict(v) for k, v in summarise(res).items()},
                    "per_query": [
                        {
                            "qid": r.qid,
                            "kind": r.kind,
                            "query": r.query,
                            "top10": r.ranked[:K],
                            **asdict(r.scores),
                        }
                        for r in res
                    ],
                }
                for s, res in by_system.items()
            },
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
