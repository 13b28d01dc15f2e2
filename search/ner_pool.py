"""The French model on every core: worker processes that find entity mentions.

spaCy's own `n_process` hangs for good when one of its workers dies (the
parent waits on a queue nobody fills) and leaves its children behind on
Ctrl-C; an index build must instead stop cleanly whatever happens. So the
pool is a `ProcessPoolExecutor` Loupe owns:

  * a worker that dies (killed, out of memory) breaks the pool: the build
    fails at once with one clear line (`WorkerDied`), the live index untouched;
  * workers ignore SIGINT: Ctrl-C reaches the parent, which stops the pool
    and terminates the workers in `close()`;
  * each worker asks the kernel (PR_SET_PDEATHSIG) to be killed with its
    parent, so even a SIGKILLed build leaves no orphan;
  * workers are spawned, not forked: they inherit no open file, in particular
    not the build lock, which would otherwise outlive a killed parent.

Workers return raw mentions; the rules (`entity_rules.resolve`) and the cache
stay in the parent, so the result is the same whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from search.entity_rules import Mention
from search.worker_processes import WorkerDied, become_worker, signals_held, stop_processes


class MentionFinder(Protocol):
    """What a worker runs: the extractor's raw mentions of each text."""

    def mentions(self, texts: list[str]) -> list[list[Mention]]: ...


# Articles per task: small enough to balance the workers, big enough for spaCy's batching.
TASK_ARTICLES = 16
STARTUP_SECONDS = 120  # a worker not running by then never will (spawn, imports)

_worker_extractor = None  # the EntityExtractor of this worker process


def _init_worker(make_extractor: Callable[[], MentionFinder], ready) -> None:
    global _worker_extractor
    become_worker()
    ready.release()  # running: from now on the build may stop without a half-started worker
    _worker_extractor = make_extractor()  # loads the model now, not in the first task


def _worker_mentions(texts: list[str]) -> list[list[Mention]]:
    assert _worker_extractor is not None, "worker not initialised"
    return _worker_extractor.mentions(texts)


class NerPool:
    """Worker processes running the model; `mentions(texts)` as EntityExtractor has it."""

    def __init__(self, make_extractor: Callable[[], MentionFinder], workers: int) -> None:
        """`make_extractor` (picklable: a module-level function or a partial of
        one) builds each worker's extractor, with the parent's gazetteer, model
        and weights; the pool itself knows nothing of spaCy."""
        self.workers = workers
        context = multiprocessing.get_context("spawn")
        self._ready = context.Semaphore(0)  # released once by each worker that runs
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(make_extractor, self._ready),
        )
        self._processes: dict = {}  # pid → Process, kept: a broken pool forgets them
        self._running = 0  # workers known to have started

    def mentions(self, texts: list[str]) -> list[list[Mention]]:
        """The raw mentions of each text, computed across the workers, in order."""
        return self.collect(self.submit(texts))

    def submit(self, texts: list[str]) -> list[Future]:
        """Send `texts` to the workers now; `collect` waits for their answers."""
        # The executor starts its workers in the first calls to `submit`. Ctrl-C
        # and SIGTERM wait until they run (as for the segment writers): a
        # worker still unpickling its queues when the parent exits finds their
        # semaphores gone and prints a traceback over the build's one line.
        with signals_held():
            tasks = [
                self._executor.submit(_worker_mentions, texts[i : i + TASK_ARTICLES])
                for i in range(0, len(texts), TASK_ARTICLES)
            ]
            self._processes.update(getattr(self._executor, "_processes", None) or {})
            self._await_running()
        return tasks

    def _await_running(self) -> None:
        """Wait until every worker started so far has run `_init_worker`'s first lines."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while self._running < len(self._processes):
            if self._ready.acquire(timeout=0.2):
                self._running += 1
            elif getattr(self._executor, "_broken", False) or time.monotonic() > deadline:
                self.close()
                raise WorkerDied(
                    "un processus de reconnaissance d'entités n'a pas démarré : "
                    "indexation abandonnée, index inchangé"
                )

    def collect(self, tasks: list[Future]) -> list[list[Mention]]:
        found: list[list[Mention]] = []
        try:
            for task in tasks:
                found.extend(task.result())
        except BrokenProcessPool as exc:
            self.close()
            raise WorkerDied(
                "un processus de reconnaissance d'entités s'est arrêté brutalement "
                "(tué ou à court de mémoire) : indexation abandonnée, index inchangé"
            ) from exc
        return found

    def close(self) -> None:
        """Stop the workers now, whatever they are doing (every exit path calls this)."""
        self._processes.update(getattr(self._executor, "_processes", None) or {})
        processes = list(self._processes.values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        stop_processes(processes)
