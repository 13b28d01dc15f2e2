"""Incremental `loupe index`: what an update costs beside a full build, and what
queries cost after many updates.

    python -m bench.incremental --sizes 10k                 # no NER, ~ minutes
    python -m bench.incremental --sizes 10k,100k --updates 20 --json out.json
    python -m bench.incremental --sizes 10k --ner 1k        # + NER figures on the real corpus

For each size, in one run (each build in its own process, peak RSS its own):
  * full build without NER (`--full`, today's path) and plain Whoosh's;
  * one update after adding 100, changing 10 and removing 10 articles, its
    time and memory, then query latencies after it beside those after a full
    build of the same folder (segment counts shown);
  * `--updates` successive updates of 100 new articles each, then query p95
    beside a fresh full build's.
With `--ner SIZE` (the real corpus `1k`, or a synthetic size): a cold NER
build with one worker and with one per core, then the same change applied with
NER (only the changed articles are analysed).

The corpus copy lives in `.cache/bench/incremental/<size>/corpus` (files hard-
linked from the bench corpora; modified files are replaced, never written
through a link). The header prints the load average: on a busy machine the
wall times are noisy, the CPU times (user+sys) less so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench import child
from bench.build import VARIANTS, run_build
from bench.cache import CACHE_ROOT
from bench.corpora import corpus_dir, synthetic_records
from bench.query import run_queries

WORK = CACHE_ROOT / "incremental"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the corpus and its changes ------------------------------------------------------


def fresh_corpus(size: str) -> Path:
    source = corpus_dir(size)
    target = WORK / size / "corpus"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for p in sorted(source.iterdir()):
        real = p.resolve()
        try:
            os.link(real, target / p.name)
        except OSError:
            shutil.copy2(real, target / p.name)
    return target


def _replace(path: Path, lines: list[str]) -> None:
    """Write a new file over `path` (a new inode: a hard-linked original stays intact)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines), "utf-8")
    os.replace(tmp, path)


def add_articles(corpus: Path, batch: int, n: int = 100) -> None:
    lines = []
    for i, rec in enumerate(synthetic_records(n, seed=10_000 + batch)):
        rec["id"] = f"add{batch:03d}-{i:03d}"
        lines.append(json.dumps(rec, ensure_ascii=False))
    _replace(corpus / f"zz-added-{batch:03d}.jsonl", lines)


def change_and_remove(corpus: Path, changed: int = 10, removed: int = 10) -> None:
    shards = sorted(p for p in corpus.glob("*.jsonl") if not p.name.startswith("zz-"))
    if len(shards) < 2:
        shards = sorted(corpus.glob("*.jsonl"))
    first = shards[0].read_text("utf-8").splitlines()
    for i in range(changed):
        rec = json.loads(first[i])
        rec["title"] = rec["title"] + " (mise à jour)"
        first[i] = json.dumps(rec, ensure_ascii=False)
    _replace(shards[0], first)
    last = shards[-1].read_text("utf-8").splitlines()
    _replace(shards[-1], last[removed:])


# -- one build in a child process ----------------------------------------------------


def child_main(spec: dict[str, Any]) -> None:
    from search.backends.whoosh import store
    from search.indexer import index_corpus
    from search.worker_processes import default_workers

    start = time.perf_counter()
    cpu0 = time.process_time()
    with child.TreePeak() as peak:
        report = index_corpus(
            Path(spec["corpus"]),
            Path(spec["index"]),
            ner=spec.get("ner", False),
            ner_cache=Path(spec["ner_cache"]) if spec.get("ner_cache") else None,
            full=spec.get("full", False),
            n_process=spec.get("workers") or default_workers(),  # as `loupe index` does
        )
    wall = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    meta = store.read_meta(Path(spec["index"]), store.current_generation(Path(spec["index"])))
    child.emit(
        {
            "wall_s": wall,
            "cpu_s": time.process_time() - cpu0 + children.ru_utime + children.ru_stime,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_peak_rss_mb": children.ru_maxrss / 1024,
            "tree_peak_rss_mb": peak.peak_mb,  # every process of the build together
            "mode": report.mode,
            "indexed": report.indexed,
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "ner_computed": report.ner_computed,
            "segments": meta.get("segments"),
        }
    )


def build(corpus: Path, index: Path, **options: Any) -> dict[str, Any]:
    spec = {"corpus": str(corpus), "index": str(index), **options}
    out = child.run("bench.incremental", spec, timeout=4 * 3600)
    if "error" in out:
        raise RuntimeError(f"build failed: {out['error']}")
    return out


def query_stats(size: str, index: Path, reps: int) -> dict[str, float]:
    run = run_queries(size, "loupe", "Loupe", "loupe", index, reps=reps, operator="and")
    if run.skipped:
        raise RuntimeError(run.skipped)
    page = run.stats("page")
    bare = run.stats("bare")
    return {
        "page_p50": page["p50"],
        "page_p95": page["p95"],
        "bare_p50": bare["p50"],
        "bare_p95": bare["p95"],
    }


def paired_query_stats(
    size: str, first: Path, second: Path, reps: int, rounds: int = 2
) -> tuple[dict[str, float], dict[str, float]]:
    """Query latencies of two indexes measured in turn (first, second, first,
    second…), each keeping its lowest figures: on a shared machine a burst of
    load then hits both alike instead of whichever ran during it."""
    best: list[dict[str, float]] = [{}, {}]
    for _ in range(rounds):
        for k, index in enumerate((first, second)):
            stats = query_stats(size, index, reps)
            best[k] = {key: min(value, best[k].get(key, value)) for key, value in stats.items()}
    return best[0], best[1]


# -- the measurements ----------------------------------------------------------------


def measure_size(size: str, updates: int, reps: int, baseline: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"size": size, "load_before": os.getloadavg()}
    corpus = fresh_corpus(size)
    ix, ix_full = WORK / size / "ix", WORK / size / "ix-full"
    shutil.rmtree(ix, ignore_errors=True)

    if baseline:
        log(f"{size}: plain Whoosh, full build")
        whoosh = run_build(next(v for v in VARIANTS if v.key == "whoosh"), size)
        out["whoosh_full"] = {"wall_s": whoosh.wall_s, "peak_rss_mb": whoosh.peak_rss_mb}
    else:
        out["whoosh_full"] = {"wall_s": float("nan"), "peak_rss_mb": float("nan")}
    log(f"{size}: Loupe without NER, full build")
    out["loupe_full"] = build(corpus, ix, full=True)
    out["loupe_full_vs_whoosh"] = out["whoosh_full"]["wall_s"] / out["loupe_full"]["wall_s"]

    log(f"{size}: +100 ~10 -10, one update")
    add_articles(corpus, 0)
    change_and_remove(corpus)
    out["update"] = build(corpus, ix)
    log(f"{size}: full build of the same folder, for its queries")
    shutil.rmtree(ix_full, ignore_errors=True)
    out["rebuild"] = build(corpus, ix_full, full=True)
    log(f"{size}: queries after the update and after the full build, in turn")
    out["after_update_queries"], out["after_rebuild_queries"] = paired_query_stats(
        size, ix, ix_full, reps
    )

    log(f"{size}: {updates} successive updates of 100 articles")
    times = []
    for k in range(1, updates + 1):
        add_articles(corpus, k)
        step = build(corpus, ix)
        times.append(step["wall_s"])
        out.setdefault("series_segments", []).append(step["segments"])
    out["series_wall_s"] = times
    shutil.rmtree(ix_full, ignore_errors=True)
    out["series_rebuild"] = build(corpus, ix_full, full=True)
    log(f"{size}: queries after the updates and after a fresh full build, in turn")
    out["after_series_queries"], out["after_series_rebuild_queries"] = paired_query_stats(
        size, ix, ix_full, reps
    )
    out["load_after"] = os.getloadavg()
    p95 = out["after_series_queries"]["page_p95"]
    fresh = out["after_series_rebuild_queries"]["page_p95"]
    out["series_p95_vs_fresh"] = p95 / fresh - 1
    log(f"{size}: page p95 after the updates {p95:.1f} ms, fresh build {fresh:.1f} ms")
    return out


def measure_ner(size: str) -> dict[str, Any]:
    from search.worker_processes import default_workers

    out: dict[str, Any] = {"size": size, "load_before": os.getloadavg()}
    corpus = _ner_corpus(size)
    for workers in sorted({1, default_workers()}):
        cache = WORK / f"ner-{size}" / f"cache-{workers}.sqlite"
        for p in cache.parent.glob(cache.name + "*"):
            p.unlink()
        ix = WORK / f"ner-{size}" / f"ix-{workers}"
        shutil.rmtree(ix, ignore_errors=True)
        log(f"NER {size}: cold build, {workers} worker(s)")
        out[f"cold_{workers}"] = build(
            corpus, ix, ner=True, ner_cache=str(cache), full=True, workers=workers
        )
    log(f"NER {size}: +100 ~10 -10 with NER")
    add_articles(corpus, 0)
    change_and_remove(corpus)
    workers = default_workers()
    out["update"] = build(
        corpus,
        WORK / f"ner-{size}" / f"ix-{workers}",
        ner=True,
        ner_cache=str(WORK / f"ner-{size}" / f"cache-{workers}.sqlite"),
        workers=workers,
    )
    cache = WORK / f"ner-{size}" / f"cache-{workers}.sqlite"
    out["ner_cache_bytes"] = sum(p.stat().st_size for p in cache.parent.glob(cache.name + "*"))
    out["load_after"] = os.getloadavg()
    return out


def _ner_corpus(size: str) -> Path:
    source = corpus_dir(size)
    target = WORK / f"ner-{size}" / "corpus"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for p in sorted(source.iterdir()):
        shutil.copy2(p.resolve(), target / p.name)
    return target


def print_table(results: list[dict[str, Any]], ner: dict[str, Any] | None) -> None:
    print(f"\nload average at the end: {os.getloadavg()}\n")
    print(
        "| size | Whoosh full | Loupe full (no NER) | ratio | update +100 ~10 -10 "
        "| peak RSS full / update |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        f, u = r["loupe_full"], r["update"]
        print(
            f"| {r['size']} | {r['whoosh_full']['wall_s']:.1f} s | {f['wall_s']:.1f} s "
            f"(cpu {f['cpu_s']:.1f}) | {r['loupe_full_vs_whoosh']:.2f}× | {u['wall_s']:.1f} s "
            f"(cpu {u['cpu_s']:.1f}) | {f['peak_rss_mb']:.0f} / {u['peak_rss_mb']:.0f} MB |"
        )
    print("\n| size | queries after | segments | page p50 / p95 | bare p50 / p95 |")
    print("|---|---|---:|---:|---:|")
    for r in results:
        rows = [
            ("1 update", r["update"]["segments"], r["after_update_queries"]),
            ("full build", r["rebuild"]["segments"], r["after_rebuild_queries"]),
            (
                f"{len(r['series_wall_s'])} more updates",
                r["series_segments"][-1],
                r["after_series_queries"],
            ),
            ("full build", r["series_rebuild"]["segments"], r["after_series_rebuild_queries"]),
        ]
        for label, segs, q in rows:
            print(
                f"| {r['size']} | {label} | {segs} | {q['page_p50']:.1f} / {q['page_p95']:.1f} ms "
                f"| {q['bare_p50']:.1f} / {q['bare_p95']:.1f} ms |"
            )
        series = r["series_wall_s"]
        median = sorted(series)[len(series) // 2]
        print(
            f"\n{r['size']}: {len(series)} updates of +100: median {median:.1f} s, "
            f"max {max(series):.1f} s; segments {r['series_segments']}"
        )
    if ner:
        print("\n| NER, corpus | workers | wall | cpu | peak RSS main / worker |")
        print("|---|---:|---:|---:|---:|")
        for key, value in ner.items():
            if key.startswith("cold_") or key == "update":
                print(
                    f"| {ner['size']} {key} | {key.split('_')[-1] if key != 'update' else '-'} "
                    f"| {value['wall_s']:.1f} s | {value['cpu_s']:.1f} s "
                    f"| {value['peak_rss_mb']:.0f} / {value['workers_peak_rss_mb']:.0f} MB |"
                )
        print(f"NER cache: {ner['ner_cache_bytes'] / 1e6:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.incremental")
    p.add_argument("--child", help="JSON build spec (internal)")
    p.add_argument("--sizes", default="10k")
    p.add_argument("--updates", type=int, default=20)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--ner", metavar="SIZE", help="also NER figures on this corpus (1k = real)")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-baseline", action="store_true", help="skip plain Whoosh's full build")
    args = p.parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return 0
    log(f"load average {os.getloadavg()}")
    sizes = [s for s in args.sizes.split(",") if s]
    results = [
        measure_size(size, args.updates, args.reps, baseline=not args.no_baseline) for size in sizes
    ]
    ner = measure_ner(args.ner) if args.ner else None
    print_table(results, ner)
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "ner": ner}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
