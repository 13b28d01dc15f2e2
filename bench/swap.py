"""Load while the index is swapped: `loupe serve` under 1, 8 and 32 clients while
`loupe index` rebuilds the same folder twice and switches generations.

    python -m bench.swap [--quick] [--index DIR] [--corpus DIR] [--duration 60]
                         [--connections 1,8,32] [--json out.json]

For each number of concurrent clients, a closed loop of `GET /api/search` over
the bench queries (bench/queries.txt, those without filters) runs for the whole
duration (longer if a build is still running: the load stops 2 s after the
second switch); meanwhile `loupe index CORPUS --index DIR --no-ner` runs twice,
one after the other, starting a fifth and then a half of the way in. The goal is
zero failed requests and zero 5xx while generations are switched under the
server. Errors = non-2xx answers + connection errors (refused, reset, timeout);
5xx are also counted apart. `--quick`: 20 s per level. Not a test: it prints a
Markdown table (and `--json` keeps every figure).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.cache import CACHE_ROOT, REPO_ROOT
from bench.query import percentile
from bench.server import request_paths, start_server, stop_server

DEFAULT_INDEX = CACHE_ROOT / "swap" / "index"
DEFAULT_CORPUS = REPO_ROOT / "corpus"
REQUEST_TIMEOUT = 10.0
AFTER_LAST_SWITCH = 2.0  # seconds of load after the second build has switched


@dataclass
class SwapResult:
    connections: int
    duration_s: float = 0.0
    requests: int = 0
    errors: int = 0  # non-2xx + connection errors
    server_errors: int = 0  # 5xx, also counted in errors
    connection_errors: int = 0  # also counted in errors
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    p99_during_builds_ms: float = 0.0
    builds: list[dict[str, Any]] = field(default_factory=list)
    generations_seen: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "rps": self.rps}


def loupe_command() -> list[str]:
    exe = shutil.which("loupe")
    return [exe] if exe else [sys.executable, "-m", "web.cli"]


def ensure_index(index: Path, corpus: Path) -> None:
    if (index / "CURRENT").is_file():
        return
    print(f"building {index} from {corpus} (no NER) …", file=sys.stderr)
    subprocess.run(
        [*loupe_command(), "index", str(corpus), "--index", str(index), "--no-ner", "-q"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def health_generation(base: str) -> str | None:
    try:
        with urllib.request.urlopen(base + "/api/health", timeout=5) as response:
            return json.loads(response.read())["generation"]
    except (OSError, ValueError, KeyError):
        return None


def rebuild_twice(
    index: Path, corpus: Path, duration: float, started: float, out: list[dict[str, Any]]
) -> None:
    """Run `loupe index` twice, from 20 % and (or after the first) 50 % of the run."""
    for start_at in (0.2, 0.5):
        delay = started + duration * start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t0 = time.monotonic()
        proc = subprocess.run(
            [*loupe_command(), "index", str(corpus), "--index", str(index), "--no-ner", "-q"],
            capture_output=True,
            text=True,
        )
        out.append(
            {
                "start_s": round(t0 - started, 2),
                "end_s": round(time.monotonic() - started, 2),
                "exit": proc.returncode,
                "stderr": proc.stderr.strip()[-300:],
            }
        )


def run_level(
    base: str, paths: list[str], connections: int, duration: float, index: Path, corpus: Path
) -> SwapResult:
    host = urllib.parse.urlsplit(base)
    samples: list[tuple[float, float, int]] = []  # (time since start, latency ms, status or 0)
    errors_seen: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    stop = threading.Event()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=REQUEST_TIMEOUT)
        mine: list[tuple[float, float, int]] = []
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            t0 = time.monotonic()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if status >= 300 and len(errors_seen) < 20:
                    errors_seen.append(f"{status} {path}: {body[:200]!r}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                if len(errors_seen) < 20:
                    errors_seen.append(f"{type(exc).__name__}: {exc} ({path})")
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=REQUEST_TIMEOUT)
            mine.append((t0 - started, (time.monotonic() - t0) * 1000, status))
            i += 1
        conn.close()
        with lock:
            samples.extend(mine)

    builds: list[dict[str, Any]] = []
    generations: set[str] = set()
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            generation = health_generation(base)
            if generation:
                generations.add(generation)
            watching.wait(0.25)

    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(connections)]
    builder = threading.Thread(
        target=rebuild_twice, args=(index, corpus, duration, started, builds)
    )
    watcher = threading.Thread(target=watch)
    for t in (*threads, builder, watcher):
        t.start()
    # The load lasts the duration, and at least until both builds have switched
    # (and a moment after), so that every switch happens under load.
    time.sleep(duration)
    builder.join()
    time.sleep(AFTER_LAST_SWITCH)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    watching.set()
    watcher.join()

    latencies = [ms for _, ms, _ in samples]
    in_builds = [
        ms for at, ms, _ in samples if any(b["start_s"] <= at <= b["end_s"] for b in builds)
    ]
    return SwapResult(
        connections=connections,
        duration_s=round(elapsed, 2),
        requests=len(samples),
        errors=sum(1 for *_, s in samples if not 200 <= s < 300),
        server_errors=sum(1 for *_, s in samples if s >= 500),
        connection_errors=sum(1 for *_, s in samples if s == 0),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        p99_during_builds_ms=percentile(in_builds, 99),
        builds=builds,
        generations_seen=len(generations),
        error_samples=errors_seen,
    )


def markdown(results: list[SwapResult], header: str) -> str:
    lines = [
        header,
        "",
        "| clients | req/s | p50 ms | p95 ms | p99 ms | p99 during builds ms | requests "
        "| errors | 5xx | conn. errors | builds (exit) | generations served |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        builds = ", ".join(f"{b['start_s']:.0f}–{b['end_s']:.0f} s ({b['exit']})" for b in r.builds)
        lines.append(
            f"| {r.connections} | {r.rps:.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.p99_during_builds_ms:.1f} | {r.requests} | {r.errors} | {r.server_errors} "
            f"| {r.connection_errors} | {builds} | {r.generations_seen} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.swap", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="20 s per level")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--duration", type=float, default=None, help="seconds per level (60)")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    duration = args.duration or (20.0 if args.quick else 60.0)
    levels = [int(c) for c in args.connections.split(",") if c.strip()]
    index, corpus = args.index.resolve(), args.corpus.resolve()

    ensure_index(index, corpus)
    proc, base, why = start_server(index, CACHE_ROOT / "swap" / "serve.log")
    if proc is None:
        print(f"cannot start loupe serve: {why}", file=sys.stderr)
        return 1
    results = []
    try:
        paths = request_paths()
        for connections in levels:
            print(f"{connections} client(s), {duration:.0f} s, 2 rebuilds …", file=sys.stderr)
            results.append(run_level(base, paths, connections, duration, index, corpus))
    finally:
        stop_server(proc)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header = (
        f"Load while swapping — `loupe serve` (gunicorn, default workers) on {index}, "
        f"{duration:.0f} s per level, 2 × `loupe index {corpus.name} --no-ner` per level; "
        f"load average before: {load}"
    )
    print(markdown(results, header))
    for r in results:
        for sample in r.error_samples[:5]:
            print(f"  {r.connections} clients: {sample}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"duration_s": duration, "results": [r.to_json() for r in results]}, indent=2
            )
        )
    failed = any(r.errors or any(b["exit"] != 0 for b in r.builds) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
