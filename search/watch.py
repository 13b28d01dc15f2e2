"""`loupe index --watch`: keep the index in step with a folder that keeps changing.

Every `interval` seconds the folder is compared with the live generation's
manifest and what changed is applied as one incremental update (see
search.incremental), so a burst of 5,000 new files is one update, not 5,000.
Debounce: a file modified less than `settle` seconds ago is left for a later
round, so a file rewritten a hundred times in a second is read once, complete,
after it stops changing. Memory stays bounded whatever arrives: an update holds
at most `incremental.MAX_HELD` articles and larger changes are built in full,
streamed.

SIGTERM (or Ctrl-C) stops the watcher between updates: an update under way is
finished (a second signal abandons it, the live generation untouched), then
the loop ends. `loupe serve` opens each new generation on its next request.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from search.indexer import IndexReport


@dataclass
class WatchStop:
    """Set by the first SIGTERM/SIGINT; a second one interrupts the update itself."""

    event: threading.Event
    updating: bool = False

    def request(self, signum, _frame) -> None:
        if self.event.is_set() and self.updating:
            raise KeyboardInterrupt(signal.Signals(signum).name)
        self.event.set()


def watch(
    run_update: Callable[[float], IndexReport],
    on_report: Callable[[IndexReport], None],
    *,
    interval: float,
    settle: float,
    on_error: Callable[[Exception], None],
    rounds: int | None = None,
) -> int:
    """Apply the folder's changes every `interval` seconds until stopped.

    `run_update(settle)` runs one incremental `index_corpus`; `on_report` gets
    the report of every round that changed the index; `on_error` gets an error
    that failed one round (the next round tries again). Returns the number of
    rounds run."""
    stop = WatchStop(threading.Event())
    previous = {s: signal.signal(s, stop.request) for s in (signal.SIGTERM, signal.SIGINT)}
    done = 0
    try:
        while not stop.event.is_set() and (rounds is None or done < rounds):
            stop.updating = True
            try:
                report = run_update(settle)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 — one failed round must not end the watch
                on_error(exc)
            else:
                if report.mode == "full" or report.added or report.updated or report.removed:
                    on_report(report)
            finally:
                stop.updating = False
            done += 1
            _sleep_unless(stop.event, interval)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return done


def _sleep_unless(event: threading.Event, seconds: float) -> None:
    """Sleep in short steps, so that a signal's flag ends the wait at once."""
    end = time.monotonic() + seconds
    while not event.is_set() and (left := end - time.monotonic()) > 0:
        time.sleep(min(0.1, left))
