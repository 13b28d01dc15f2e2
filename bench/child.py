"""Running one measurement in a fresh Python process.

Peak memory is only meaningful per process: building four indexes one after
another in one interpreter would report the largest of them for all four, and
leftovers (caches, fragmented heaps) of one system would slow the next. So the
harness runs each build and each query session as `python -m bench.<module>
--child SPEC`, and the child prints one JSON line, last on stdout, tagged below.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any

TAG = "BENCH-RESULT "


def peak_rss_mb(workers: int = 1) -> float:
    """This process's peak RSS, or a child's if larger (spaCy may fork workers).

    With `workers` > 1 processes running side by side (Loupe's NER pool, its
    segment writers), the peak is bounded by this process's own plus
    `workers` times the largest child's: that sum is reported (an upper bound,
    the children's peaks need not coincide)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if workers > 1 and children:
        return (own + workers * children) / 1024
    return max(own, children) / 1024  # Linux reports KiB


def emit(result: dict[str, Any]) -> None:
    print(TAG + json.dumps(result), flush=True)


def run(module: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run `python -m module --child SPEC`; its result, or an `error` saying why not."""
    cmd = [sys.executable, "-m", module, "--child", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(TAG):
            return json.loads(line[len(TAG) :])
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return {"error": f"exit {proc.returncode}: {lines[-1].strip() if lines else 'no output'}"}
