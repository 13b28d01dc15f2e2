"""Server throughput: `loupe serve` under 1, 8 and 32 concurrent connections.

Drives `GET /api/search?q=…` over the bench queries (those without filters: the
API's filter parameters are Loupe's to define) with `wrk` and a Lua script that
cycles through them, or with a bounded Python thread pool when wrk is missing.
Errors = non-2xx answers (wrk counts status ≥ 400) + socket errors + timeouts.
Skipped, with the reason, when `loupe` is missing or not healthy within 60 s.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.cache import CACHE_ROOT
from bench.query import load_bench_queries, percentile

LUA = Path(__file__).with_name("wrk_queries.lua")
STARTUP_TIMEOUT = 60.0


@dataclass
class ServerResult:
    size: str
    connections: int
    duration_s: float = 0.0
    requests: int = 0
    errors: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    tool: str = ""
    skipped: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "rps": self.rps}


def request_paths() -> list[str]:
    return [
        "/api/search?" + urllib.parse.urlencode({"q": q.text})
        for q in load_bench_queries()
        if not q.filters
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, log: Path) -> tuple[subprocess.Popen[bytes] | None, str, str]:
    """Start `loupe serve`; (process, base URL, '') or (None, '', why not)."""
    exe = shutil.which("loupe")
    if exe is None:
        return None, "", "`loupe` is not on PATH"
    port = _free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--index", str(index), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            return None, "", f"`loupe serve` exited ({proc.returncode}): {' | '.join(tail)}"
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, base, ""
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    return None, "", f"`loupe serve` not healthy within {STARTUP_TIMEOUT:.0f} s (log: {log})"


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_wrk(base: str, paths_file: Path, connections: int, duration: float) -> dict[str, Any]:
    threads = max(1, min(connections, os.cpu_count() or 1))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:.0f}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base,
        "--",
        str(paths_file),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-WRK "):
            r = json.loads(line[len("BENCH-WRK ") :])
            return {
                "duration_s": r["duration_us"] / 1e6,
                "requests": r["requests"],
                "errors": r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"],
                "p50_ms": r["p50_us"] / 1000,
                "p95_ms": r["p95_us"] / 1000,
                "p99_ms": r["p99_us"] / 1000,
            }
    raise RuntimeError(f"wrk gave no result: {proc.stderr.strip() or proc.stdout.strip()}")


def run_python_load(
    base: str, paths: list[str], connections: int, duration: float
) -> dict[str, Any]:
    """Fallback load generator: one keep-alive connection per thread, closed loop."""
    host = urllib.parse.urlsplit(base)
    deadline = time.monotonic() + duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        i = offset
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)])
                resp = conn.getresponse()
                resp.read()
                if not 200 <= resp.status < 300:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
            mine.append((time.perf_counter() - t0) * 1000)
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    start = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n * 7,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {
        "duration_s": time.monotonic() - start,
        "requests": len(latencies),
        "errors": errors[0],
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
    }


def run_server_bench(
    size: str, index: Path, *, duration: float, connections: tuple[int, ...] = (1, 8, 32)
) -> list[ServerResult]:
    log = CACHE_ROOT / "server" / f"serve-{size}.log"
    proc, base, why = start_server(index, log)
    if proc is None:
        return [ServerResult(size, c, skipped=why) for c in connections]
    paths = request_paths()
    paths_file = CACHE_ROOT / "server" / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    use_wrk = shutil.which("wrk") is not None
    results = []
    try:
        for c in connections:
            try:
                if use_wrk:
                    r = run_wrk(base, paths_file, c, duration)
                else:
                    r = run_python_load(base, paths, c, duration)
                results.append(ServerResult(size, c, tool="wrk" if use_wrk else "python", **r))
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                results.append(ServerResult(size, c, skipped=f"failed: {exc}"))
    finally:
        stop_server(proc)
    return results
