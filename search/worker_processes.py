"""What every worker process Loupe starts does first: stop with its build.

A build's worker processes (the NER pool, the segment writers) must never
outlive it: Ctrl-C is the parent's to handle (it stops the workers itself),
and a parent killed outright (SIGKILL, out of memory) must take its workers
with it, or they would hold memory and files with nobody to read their work.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1


class WorkerDied(RuntimeError):
    """A worker process ended without answering: the build stops, the index is kept."""


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the parent still terminates its workers on every exit path


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def become_worker() -> None:
    """Die with the parent and leave SIGINT (Ctrl-C) to it; take SIGTERM again
    (held while the parent started this process, see `signals_held`)."""
    die_with_parent()
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():
        os._exit(1)  # the parent died while this process started: nobody to work for
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while worker processes start.

    A spawned worker unpickles its queues while it starts; if the build stops
    then, their semaphores are gone and the half-started worker prints a
    traceback over the build's one-line message. So a stop signal that
    arrives meanwhile is noted and delivered again, to the usual handler, as
    soon as the workers run: masked in this thread (and in the children,
    which inherit the mask and release it in `become_worker`), and caught by
    a noting handler in case the kernel hands it to another thread."""
    received: list[int] = []
    previous_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for signum in STOP_SIGNALS:
            previous_handlers[signum] = signal.signal(
                signum, lambda number, _frame: received.append(number)
            )
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        if received:
            os.kill(os.getpid(), received[0])  # now, to the handler the build set


def stop_processes(processes) -> None:
    """Terminate started worker processes, then kill any that outlive 5 s."""
    started = [p for p in processes if p.pid is not None]
    for p in started:
        if p.is_alive():
            p.terminate()
    for p in started:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
            p.join()


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
