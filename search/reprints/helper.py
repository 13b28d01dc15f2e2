"""A second process for the two heavy steps of a large reprint build.

After a full build's segment writers have ended, the reprint store is built by
the main process while the other core idles: at 100,000 articles, MinHash
signatures and the exact check of every candidate pair were 26 of its 33 s
(profiled). Both split cleanly by rows: the helper signs the second half of
the articles while the main process signs the first, then counts the shared
shingles of the second half of the candidate pairs while the main process
counts the first. The results are the same arrays, in the same order, as one
process computes (tests/test_reprint_banding.py).

The helper reads every compared article's shingles from one file the main
process writes once (`signatures.write_rows`: end to end, with their lengths),
and gets its tasks and sends its results over a pipe. It follows the rules of
every Loupe worker process (`search.worker_processes`): spawned, not forked;
dies with its parent; leaves Ctrl-C to it; a helper that dies is reported as
`WorkerDied` and the build stops with the live index untouched.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import numpy as np

from search.reprints.banding import shared_counts
from search.reprints.signatures import signatures_of, write_rows
from search.worker_processes import WorkerDied, become_worker, signals_held, stop_processes

# Below this many compared articles one process does it all: starting the
# helper (importing numpy and datasketch) and writing the shingles out would
# cost about what it saves.
SPLIT_FROM = 20_000
STARTUP_SECONDS = 120.0


def _helper_main(conn, flat_path: str, lengths_path: str, num_perm: int, seed: int) -> None:
    become_worker()
    flat, lengths = np.load(flat_path), np.load(lengths_path)
    bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    rows = [flat[bounds[k] : bounds[k + 1]] for k in range(len(lengths))]
    conn.send(("ready", None))
    while True:
        task = conn.recv()
        if task is None:
            break
        kind, argument = task
        try:
            if kind == "sign":
                lo, hi = argument
                conn.send(("signed", signatures_of(rows[lo:hi], num_perm, seed)))
            else:
                conn.send(("shared", shared_counts(rows, argument)))
        except Exception as err:  # said by the main process, in one line
            conn.send(("error", f"{type(err).__name__}: {err}"))
    conn.close()


class Helper:
    """One helper process over the rows written to `folder` (a context manager:
    the process is stopped on every exit path)."""

    def __init__(self, folder: Path, rows: list[np.ndarray], params) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        flat, lengths = folder / "rows.npy", folder / "lengths.npy"
        write_rows(flat, rows)
        np.save(lengths, np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows)))
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_helper_main,
            args=(child, str(flat), str(lengths), params.num_perm, params.seed),
            name="loupe-reprints",
            daemon=True,
        )
        with signals_held():
            self._process.start()
        child.close()
        self._ready = False

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc) -> None:
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._process.join(timeout=5)
        stop_processes([self._process])
        self._conn.close()

    def sign(self, lo: int, hi: int) -> Callable[[], np.ndarray]:
        """Start signing rows lo..hi; the returned call waits for the signatures."""
        return self._ask(("sign", (lo, hi)))

    def share(self, pairs: np.ndarray) -> Callable[[], np.ndarray]:
        """Start counting the shared shingles of `pairs` (rows of the written file)."""
        return self._ask(("share", pairs))

    def _ask(self, task) -> Callable[[], np.ndarray]:
        self._wait_ready()
        try:
            self._conn.send(task)
        except OSError as err:  # a broken pipe: the helper is gone
            raise self._died() from err
        return self._answer

    def _wait_ready(self) -> None:
        if not self._ready:
            if not self._conn.poll(STARTUP_SECONDS):
                raise WorkerDied("le processus auxiliaire des reprises n'a pas démarré")
            self._answer()
            self._ready = True

    def _died(self) -> WorkerDied:
        self._process.join(timeout=1)
        return WorkerDied(
            "le processus auxiliaire des reprises s'est arrêté "
            f"(code {self._process.exitcode}) : index inchangé"
        )

    def _answer(self) -> np.ndarray:
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError) as err:
            raise self._died() from err
        if kind == "error":
            raise WorkerDied(f"le processus auxiliaire des reprises a échoué : {value}")
        return value
