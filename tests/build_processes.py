"""Helpers for tests that stop a `loupe index` run and look for what it left.

A build's worker processes (NER pool, segment writers) must end with it: these
read /proc to find a build's children and whether they still live, and check
that a stopped build said one clean line and left the live index as it was.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from search.backends.whoosh import store

REPO = Path(__file__).resolve().parents[1]
RECORDS = (REPO / "corpus" / "wikinews-winer.jsonl").read_text("utf-8").splitlines()


def corpus_of(folder: Path, n: int) -> Path:
    """A folder holding the first `n` bundled WiNER articles as one JSON-lines file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "depeches.jsonl").write_text("\n".join(RECORDS[:n]) + "\n", "utf-8")
    return folder


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(c) for c in text.split()]
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def assert_stopped_cleanly(
    proc: subprocess.Popen, workers: list[int], index: Path, live: str | None, says: str = ""
) -> None:
    """The build ended with one « Erreur : » line (containing `says`), no
    traceback, no worker left alive, the live generation unchanged and no
    half-built generation left behind."""
    out, err = proc.communicate(timeout=120)
    assert proc.returncode in (1, 130), err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Erreur : "), err
    assert "Traceback" not in err
    assert says in err, err
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "no orphan worker"
    assert store.current_generation(index) == live
    assert not list(index.glob("*.building"))
