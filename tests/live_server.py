"""A real `loupe serve` for tests that talk to it over HTTP (helpers, not tests)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60.0


def loupe(*args: str) -> list[str]:
    """The `loupe` program of this checkout with `args` (what the console script runs)."""
    return [sys.executable, "-m", "web.cli", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(index_dir: Path, log: Path, *extra: str):
    """`loupe serve` on a free port until its health answers 200; yields the base URL."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            loupe("serve", "--index", str(index_dir), "--port", str(port), *extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while get(url + "/api/health")[0] != 200:
            if process.poll() is not None:
                pytest.fail(f"loupe serve exited early:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"loupe serve not healthy in {STARTUP_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(url: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    """(status, headers, body); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except OSError:
        return 0, {}, b""
