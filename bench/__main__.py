"""Speed harness: build, query and server benchmarks, Loupe beside its baselines.

    python -m bench [--quick] [--sizes 1k,10k,100k] [--only build,query,server]
                    [--systems loupe,whoosh,fts5,tantivy] [--json out.json]
                    [--ner-all] [--reps N] [--duration S] [--operator and|or] [--verbose]

Sizes: `1k` is the real corpus (1,291 Wikinews articles + the seed), `10k` and
`100k` are recombined from its paragraphs (bench/corpora.py). Default: 1k,10k.
`--quick` (< 2 minutes): real corpus only, Loupe built without NER only,
2 repetitions, 5-second server runs. Prints Markdown tables; `--json` keeps
every raw figure. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import report
from bench.build import VARIANTS, BuildResult, Variant, index_dir, run_build
from bench.cache import CACHE_ROOT
from bench.corpora import corpus_dir, corpus_stats
from bench.engines import EngineUnavailable, get_engine
from bench.query import QueryRun, run_queries
from bench.server import ServerResult, run_server_bench

PHASES = ("build", "query", "server")
NER_NOTE = (
    "Loupe NER variants run on the real corpus only: NER at 10k+ articles takes far "
    "too long for a routine run (pass --ner-all to measure them anyway)."
)

_FAILED: set[tuple[str, str]] = set()  # (size, variant) builds that failed in this run
_REUSE_BUILDS = False  # --reuse-builds: query the last successful build whatever code made it


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _marker(size: str, system: str) -> Path:
    """Written after a successful build: the query phase trusts only these indexes."""
    return index_dir(size, system).with_name(system + ".build.json")


@functools.cache
def engine_version(engine: str) -> str:
    return get_engine(engine).version()


def _write_marker(size: str, variant: Variant, result: BuildResult) -> None:
    payload = {**result.to_json(), "version": engine_version(variant.engine)}
    _marker(size, variant.key).write_text(json.dumps(payload))


def _marker_is_current(size: str, key: str, engine: str) -> bool:
    """An index counts only if built by the engine as it is now (code and libraries)."""
    try:
        built = json.loads(_marker(size, key).read_text())
    except (OSError, ValueError):
        return False
    return built.get("version") == engine_version(engine)


def loupe_problem() -> str | None:
    try:
        get_engine("loupe")
    except EngineUnavailable as exc:
        return str(exc)
    except Exception as exc:  # the engine is being written: any import error is possible
        return f"Loupe skipped: importing it failed ({type(exc).__name__}: {exc})"
    return None


def build_phase(
    sizes: list[str], systems: list[str], args: argparse.Namespace, notes: list[str]
) -> list[BuildResult]:
    results: list[BuildResult] = []
    loupe_why = loupe_problem() if "loupe" in systems else None
    for size in sizes:
        for v in (v for v in VARIANTS if v.engine in systems):
            skip = _skip_reason(v, size, args, loupe_why, results)
            if skip:
                results.append(BuildResult(size, v.key, v.label, skipped=skip))
                continue
            log(f"build {size} {v.label} …")
            _marker(size, v.key).unlink(missing_ok=True)
            r = run_build(v, size)
            log(f"  → {r.skipped or f'{r.wall_s:.1f} s, {r.peak_rss_mb:.0f} MB peak'}")
            if r.skipped:
                _FAILED.add((size, v.key))
            else:
                _write_marker(size, v, r)
            results.append(r)
    if "loupe" in systems and not args.ner_all and any(s != "1k" for s in sizes):
        notes.append(NER_NOTE)
    return results


def _skip_reason(
    v: Variant, size: str, args: argparse.Namespace, loupe_why: str | None, done: list[BuildResult]
) -> str | None:
    if v.engine != "loupe":
        return None
    if loupe_why:
        return loupe_why
    if v.ner and size != "1k" and not args.ner_all:
        return "NER above the real corpus takes far too long (--ner-all to run it)"
    if v.ner and args.quick:
        return "--quick: no NER builds (queries use the last NER index if one was built)"
    if v.ner and not v.cold:
        cold = next((r for r in done if r.size == size and r.system == "loupe-ner-cold"), None)
        if cold is not None and cold.skipped and not cold.skipped.startswith("--quick"):
            return "the cold NER build did not complete"
    return None


def _query_index(size: str, engine: str) -> tuple[str, Path] | None:
    """The index the query and server phases use for `engine`, building one if needed."""
    loupe = engine in ("loupe", "loupe-plain")  # one index, two query paths
    keys = ("loupe-ner-warm", "loupe-ner-cold", "loupe-noner") if loupe else (engine,)
    for key in keys:
        if _marker_is_current(size, key, engine) or (
            _REUSE_BUILDS and _marker(size, key).is_file()
        ):
            return key, index_dir(size, key)
    variant = next(v for v in VARIANTS if v.key == keys[-1])
    if (size, variant.key) in _FAILED:
        return None
    log(f"no {variant.label} index for {size}: building it (not measured) …")
    r = run_build(variant, size)
    if r.skipped:
        _FAILED.add((size, variant.key))
        return None
    _write_marker(size, variant, r)
    return variant.key, index_dir(size, variant.key)


def query_phase(sizes: list[str], systems: list[str], args: argparse.Namespace) -> list[QueryRun]:
    runs: list[QueryRun] = []
    loupe_why = loupe_problem() if any(s.startswith("loupe") for s in systems) else None
    for size in sizes:
        for engine in systems:
            label = get_label(engine)
            if engine.startswith("loupe") and loupe_why:
                runs.append(QueryRun(size, engine, label, skipped=loupe_why))
                continue
            found = _query_index(size, engine)
            if found is None:
                runs.append(QueryRun(size, engine, label, skipped="no index could be built"))
                continue
            key, idx = found
            if engine == "loupe":
                label = "Loupe (NER index)" if "ner-" in key else "Loupe (no-NER index)"
            elif engine == "loupe-plain":
                label = "Loupe, Whoosh matchers"
            log(f"query {size} {label} …")
            r = run_queries(
                size,
                engine,
                label,
                engine,
                idx,
                reps=args.reps,
                operator=args.operator,
                modes=[m.strip() for m in args.modes.split(",")] if args.modes else None,
            )
            log(f"  → {r.skipped or r.stats('snippets')}")
            runs.append(r)
    return runs


def get_label(engine: str) -> str:
    return {
        "loupe": "Loupe",
        "loupe-plain": "Loupe, Whoosh matchers",
        "whoosh": "Whoosh default",
        "fts5": "SQLite FTS5",
        "tantivy": "Tantivy French",
    }[engine]


def server_phase(sizes: list[str], args: argparse.Namespace) -> list[ServerResult]:
    results: list[ServerResult] = []
    why = loupe_problem()
    for size in sizes:
        found = None if why else _query_index(size, "loupe")
        if found is None:
            reason = why or "no Loupe index"
            results += [ServerResult(size, c, skipped=reason) for c in (1, 8, 32)]
            continue
        log(f"server {size}: {args.duration:.0f} s at 1, 8, 32 connections …")
        results += run_server_bench(size, found[1], duration=args.duration)
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="real corpus, few reps, < 2 min")
    p.add_argument("--sizes", help="comma-separated: 1k (real), 10k, 100k, or a number")
    p.add_argument("--only", default=",".join(PHASES), help="build,query,server")
    p.add_argument("--systems", default="loupe,whoosh,fts5,tantivy")
    p.add_argument("--json", type=Path, help="write every raw figure here")
    p.add_argument("--ner-all", action="store_true", help="Loupe NER builds at every size")
    p.add_argument("--reps", type=int, help="passes over the query list (default 5, quick 2)")
    p.add_argument("--duration", type=float, help="seconds per server run (20, quick 5)")
    p.add_argument(
        "--operator",
        choices=("and", "or"),
        default="or",
        help="how baselines join query words (default or: Loupe's hit counts match "
        "Tantivy's with OR; Loupe itself uses its own query language)",
    )
    p.add_argument("--verbose", action="store_true", help="hit counts and per-kind latency")
    p.add_argument("--modes", help="query modes to run: snippets,bare,page (default all)")
    p.add_argument(
        "--reuse-builds",
        action="store_true",
        help="query the last successful builds even if the engine's code changed since "
        "(a query-side change does not change the index; a 100k Loupe build takes 10+ min)",
    )
    args = p.parse_args(argv)
    args.sizes = args.sizes or ("1k" if args.quick else "1k,10k")
    args.reps = args.reps or (2 if args.quick else 5)
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    global _REUSE_BUILDS
    _REUSE_BUILDS = args.reuse_builds
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    phases = [s.strip() for s in args.only.split(",") if s.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    started = time.perf_counter()
    info = report.machine_info()
    notes = [
        f"Baselines join query words with {args.operator.upper()}; every system "
        "counts all hits (as a results page shows the total)."
    ]

    for size in sizes:
        folder = corpus_dir(size)  # generated on first use
        stats = corpus_stats(folder)
        log(f"corpus {size}: {stats.articles:,} articles, {stats.text_mb:.1f} MB text ({folder})")
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)

    builds = build_phase(sizes, systems, args, notes) if "build" in phases else []
    queries = query_phase(sizes, systems, args) if "query" in phases else []
    servers = server_phase(sizes, args) if "server" in phases and "loupe" in systems else []

    print(report.header(info))
    for n in notes:
        print(f"Note: {n}")
    if builds:
        print("\n" + report.build_tables(builds))
    if queries:
        print("\n" + report.query_tables(queries, verbose=args.verbose))
    if servers:
        print("\n" + report.server_table(servers))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")

    if args.json:
        payload: dict[str, Any] = {
            "machine": info,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "notes": notes,
            "build": [r.to_json() for r in builds],
            "query": [
                {**asdict(r), "stats": {m.mode: r.stats(m.mode) for m in r.modes}} for r in queries
            ],
            "server": [r.to_json() for r in servers],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
