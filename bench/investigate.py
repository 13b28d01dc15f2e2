"""Benchmarks of the investigation tools: batch search, timelines, full exports.

    python -m bench.investigate --index index               # the bundled corpus
    python -m bench.investigate --index DIR --label 10k --batch 1000 --export-rows 100000

Each measure runs in its own process (`--child`), so its peak RSS is its own:

- batch: N queries (the index's own entity names, most frequent first — a
  roster — topped up with the bench query mix) through `BatchRunner`, as
  `loupe batch` runs them; queries/s, and RSS before and at peak;
- timeline: `GET /api/timeline?q=…` through the Flask app (in process) for
  the bench query mix, after one warm-up pass; p50 / p95 / max ms;
- export: `GET /api/export?format=csv` streamed through the app and read
  chunk by chunk (the whole index when no query is given); rows/s, MB/s, RSS
  before and at peak.

Numbers from a machine running other work are noisy: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import quantiles

from bench.query import percentile

QUERIES_FILE = Path(__file__).with_name("queries.txt")


def rss_mb() -> float:
    """Current resident set size (Linux /proc), MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_queries() -> list[str]:
    out = []
    for line in QUERIES_FILE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) >= 2 and len(parts) < 3:
                out.append(parts[1])
    return out


def roster(searcher, n: int) -> list[str]:
    names = [v.value for v in searcher.entities(None, "", n)]
    mix = bench_queries()
    while len(names) < n:
        names.extend(mix[: n - len(names)])
    return names[:n]


def child_batch(index: Path, n: int) -> dict:
    from search.batch import BatchLimits, BatchRunner, read_batch
    from search.searcher import Searcher

    searcher = Searcher.open(index)
    searcher.search("mali")  # open the generation's tables, as a serving process has
    lines = roster(searcher, n)
    limits = BatchLimits(max_lines=n, total_time=0, max_bytes=50 * 2**20)
    batch = read_batch("\n".join(lines).encode("utf-8"), limits)
    runner = BatchRunner(searcher, limits)
    before = rss_mb()
    started = time.perf_counter()
    statuses = {"ok": 0, "error": 0}
    timed_out = 0
    for row in runner.run(batch):
        statuses[row.status] += 1
        timed_out += row.partial
    wall = time.perf_counter() - started
    return {
        "queries": len(batch.lines),
        "wall_s": round(wall, 2),
        "queries_per_s": round(len(batch.lines) / wall, 1),
        "ok": statuses["ok"],
        "error": statuses["error"],
        "timed_out": timed_out,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def child_timeline(index: Path, reps: int) -> dict:
    from web import create_app

    client = create_app({"TESTING": True, "LOUPE_INDEX": str(index)}).test_client()
    queries = ["", *bench_queries()]
    for q in queries:  # warm-up: the day table and each query's first translation
        client.get("/api/timeline", query_string={"q": q, "interval": "month"})
    times: list[float] = []
    for _ in range(reps):
        for q in queries:
            started = time.perf_counter()
            response = client.get("/api/timeline", query_string={"q": q, "interval": "month"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.data[:200]
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "deciles_ms": [round(x, 1) for x in quantiles(times, n=10)],
    }


def child_export(index: Path, query: str) -> dict:
    from web import create_app

    client = create_app({"TESTING": True, "LOUPE_INDEX": str(index)}).test_client()
    client.get("/api/search?q=mali")
    before = rss_mb()
    started = time.perf_counter()
    response = client.get("/api/export", query_string={"q": query, "format": "csv"}, buffered=False)
    size = rows = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\r\n")  # records end with CRLF; snippets hold bare LF only
    response.close()
    wall = time.perf_counter() - started
    rows -= 1  # the header
    return {
        "query": query,
        "rows": rows,
        "wall_s": round(wall, 2),
        "rows_per_s": round(rows / wall, 1),
        "mb": round(size / 2**20, 1),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def run_child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.investigate", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    if result.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.investigate", description=__doc__)
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--label", default=None, help="corpus name in the report")
    parser.add_argument("--batch", type=int, default=1000, help="queries in the batch")
    parser.add_argument("--timeline-reps", type=int, default=3)
    parser.add_argument("--export-query", default="", help="default: every article")
    parser.add_argument("--only", choices=["batch", "timeline", "export"], action="append")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", choices=["batch", "timeline", "export"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "batch":
        print(json.dumps(child_batch(args.index, args.batch)))
        return 0
    if args.child == "timeline":
        print(json.dumps(child_timeline(args.index, args.timeline_reps)))
        return 0
    if args.child == "export":
        print(json.dumps(child_export(args.index, args.export_query)))
        return 0

    label = args.label or str(args.index)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"# Loupe investigation bench — {label} ({args.index}), load average {' '.join(load)}")
    common = ["--index", str(args.index)]
    results: dict[str, dict] = {}
    wanted = args.only or ["batch", "timeline", "export"]
    if "batch" in wanted:
        results["batch"] = run_child([*common, "--child", "batch", "--batch", str(args.batch)])
        b = results["batch"]
        print(
            f"batch     {b['queries']} queries in {b['wall_s']} s = {b['queries_per_s']} q/s "
            f"(ok {b['ok']}, error {b['error']}, timed out {b['timed_out']}); "
            f"RSS {b['rss_before_mb']} MB before, peak {b['peak_rss_mb']} MB"
        )
    if "timeline" in wanted:
        results["timeline"] = run_child(
            [*common, "--child", "timeline", "--timeline-reps", str(args.timeline_reps)]
        )
        t = results["timeline"]
        print(
            f"timeline  {t['requests']} requests /api/timeline: p50 {t['p50_ms']} ms, "
            f"p95 {t['p95_ms']} ms, max {t['max_ms']} ms"
        )
    if "export" in wanted:
        results["export"] = run_child(
            [*common, "--child", "export", "--export-query", args.export_query]
        )
        e = results["export"]
        print(
            f"export    {e['rows']} CSV rows ({e['mb']} MB) in {e['wall_s']} s = "
            f"{e['rows_per_s']} rows/s; RSS {e['rss_before_mb']} MB before, "
            f"peak {e['peak_rss_mb']} MB"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"label": label, "load": load, **results}, indent=2), "utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
