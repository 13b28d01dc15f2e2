"""Running one measurement in a fresh Python process.

Peak memory is only meaningful per process: building four indexes one after
another in one interpreter would report the largest of them for all four, and
leftovers (caches, fragmented heaps) of one system would slow the next. So the
harness runs each build and each query session as `python -m bench.<module>
--child SPEC`, and the child prints one JSON line, last on stdout, tagged below.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
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


class TreePeak:
    """The peak of the RSS summed over this process and all its descendants,
    sampled every `interval` seconds while the block runs.

    `peak_rss_mb` can only bound a build whose workers run beside the main
    process; this reads what they hold together (`/proc/<pid>/status`), so a
    helper process that starts after the others have ended is not counted as
    if they overlapped. A sample may miss a peak shorter than `interval`."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self.samples: list[tuple[float, float]] = []  # (perf_counter, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            mb = _tree_rss_kb(os.getpid()) / 1024
            self.samples.append((time.perf_counter(), mb))
            self.peak_mb = max(self.peak_mb, mb)
            if self._stop.wait(self.interval):
                return

    def peak_between(self, start: float, end: float) -> float:
        """The peak of the samples taken between two `time.perf_counter()` times."""
        return max((mb for t, mb in self.samples if start <= t <= end), default=0.0)


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0")), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


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
