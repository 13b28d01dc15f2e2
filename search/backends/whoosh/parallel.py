"""A full build on every core: worker processes that each write one Whoosh segment.

Analysing and writing postings is most of a build without NER (a profile of
2,000 articles: 33 % analysis in `add_document`, 30 % sorting and encoding
postings at commit, 15 % the fast path's columns, 11 % reading files), and
all of it runs in pure Python under one interpreter lock. So the parent keeps
what must see every article in order — reading, duplicates, entity keys, the
display names, the reprint shingles and the acronyms — and hands the Whoosh
documents, in chunks, round robin, to worker processes. Each worker writes a
complete one-segment index of its own under the generation folder
(`part-<k>/`), and the columns of that segment for the fast path
(`fastpath/<segment id>/`, the layout `build_fast_path` reads); the parent
then moves the segments' files into the generation and commits one table of
contents that lists them all (`bounded_merge`-free: a full build keeps one
segment per worker, well under the segment cap). Whoosh's own `MpWriter` was
rejected for the reasons `search.ner_pool` gives; this pool follows the same
rules:

  * a worker that dies (killed, out of memory) or fails is noticed at the next
    exchange, and the build stops with one clear line (`WorkerDied`), the
    live generation untouched (the building folder is removed by the caller);
  * workers ignore SIGINT (Ctrl-C reaches the parent, which stops them) and
    ask the kernel to kill them with their parent (no orphan after SIGKILL);
  * workers are spawned, not forked: they inherit no open file, in particular
    not the build lock.

Documents reach the index in chunks dealt round robin, so document numbers
follow chunks rather than reading order: nothing in Loupe depends on that
order (ties in ranking are broken by score, then by what is found first).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as windex

from search.backends.whoosh.fastpath import FAST_DIR
from search.backends.whoosh.postings import chunked_writer
from search.backends.whoosh.segments import WRITE_LOCK
from search.backends.whoosh.store import checkpoint
from search.worker_processes import WorkerDied, become_worker, signals_held, stop_processes

# Documents per chunk: large enough that queue traffic is a small cost, small
# enough to keep both workers busy until the end of the stream.
CHUNK_DOCS = 250
# Below this many documents a build stays in one process: starting the workers
# (a second or two each, importing Whoosh and Loupe) would cost more than it saves.
PARALLEL_FROM = 3_000
PARALLEL_FROM_ENV = "LOUPE_PARALLEL_FROM"  # a deployment (or a test) may move the threshold
# Chunks waiting per worker: the parent reads ahead this far, no further
# (memory stays bounded whatever the corpus size).
QUEUED_CHUNKS = 2
WRITER_LIMIT_MB = 128  # each worker's posting buffer before it spills a run to disk
POLL_SECONDS = 0.5  # how often a blocked exchange looks whether the workers still live
STARTUP_SECONDS = 120.0  # a worker not running by then is reported, not waited for
PART_PREFIX = "part-"


@dataclass(frozen=True)
class Part:
    """What a worker wrote: its index folder and how many documents it holds."""

    folder: str
    documents: int


def _writer_main(folder: str, part: str, inbox, outbox, limitmb: int) -> None:
    """A worker: documents from `inbox` into a fresh index in `part`, then its
    fast-path columns into the generation `folder`; reports on `outbox`."""
    become_worker()
    outbox.put(("ready", part, 0))  # unpickled and running: the parent may be stopped now
    try:
        ix = windex.open_dir(part)
        writer = chunked_writer(ix, limitmb=limitmb, compound=False)
        written = 0
        while True:
            chunk = inbox.get()
            if chunk is None:
                break
            for document in chunk:
                writer.add_document(**document)
            written += len(chunk)
            checkpoint("segment-writer")
        if not written:  # a stream shorter than the workers: this one has no segment
            writer.cancel()
            outbox.put(("done", part, 0))
            return
        writer.commit()  # writes the segment's columns too (column_tap)
        for columns in (Path(part) / FAST_DIR).iterdir():  # where the generation reads them
            target = Path(folder) / FAST_DIR / columns.name
            shutil.rmtree(target, ignore_errors=True)
            columns.rename(target)
        outbox.put(("done", part, written))
    except BaseException as exc:  # reported, then the worker ends
        outbox.put(("error", part, f"{type(exc).__name__}: {exc}"))


def parallel_threshold() -> int:
    """PARALLEL_FROM, or the whole number `LOUPE_PARALLEL_FROM` gives."""
    raw = os.environ.get(PARALLEL_FROM_ENV, "").strip()
    return int(raw) if raw.isdigit() else PARALLEL_FROM


class SegmentWriters:
    """Worker processes writing one segment each into the generation `folder`.

    `write(documents)` consumes the stream of Whoosh documents; `parts()`
    waits for the workers and returns what each wrote; `close()` stops them
    whatever they are doing (every exit path calls it: use `with`)."""

    def __init__(self, folder: Path, schema, workers: int, limitmb: int = WRITER_LIMIT_MB) -> None:
        self.folder = Path(folder)
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = []
        self._processes = []
        self._done: dict[str, Part] = {}
        self._ready: set[str] = set()
        (self.folder / FAST_DIR).mkdir(exist_ok=True)
        for k in range(workers):
            part = self._part(k)
            part.mkdir()
            windex.create_in(str(part), schema)
            inbox = context.Queue(maxsize=QUEUED_CHUNKS)
            self._inboxes.append(inbox)
            self._processes.append(
                context.Process(
                    target=_writer_main,
                    args=(str(self.folder), str(part), inbox, self._outbox, limitmb),
                    name=f"loupe-segment-writer-{k}",
                    daemon=True,
                )
            )
        # Ctrl-C and SIGTERM wait until every worker runs: a worker still
        # unpickling its queues when the parent exits finds their semaphores
        # gone and prints a traceback over the build's one-line message.
        try:
            with signals_held():
                for process in self._processes:
                    process.start()
                self._await_ready()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> SegmentWriters:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, documents: Iterable[dict], chunk_docs: int = CHUNK_DOCS) -> int:
        """Deal the documents to the workers in chunks; returns how many were sent."""
        sent = 0
        turn = 0
        chunk: list[dict] = []
        for document in documents:
            chunk.append(document)
            if len(chunk) == chunk_docs:
                self._send(turn % len(self._inboxes), chunk)
                sent += len(chunk)
                turn += 1
                chunk = []
        if chunk:
            self._send(turn % len(self._inboxes), chunk)
            sent += len(chunk)
        return sent

    def parts(self) -> list[Part]:
        """Tell every worker the stream ended, wait for each to finish its
        segment, in worker order."""
        for k in range(len(self._inboxes)):
            self._send(k, None)
        while len(self._done) < len(self._processes):
            self._take(self._receive())
        return [self._done[str(self._part(k))] for k in range(len(self._processes))]

    def close(self) -> None:
        """Stop the workers now (after `parts()` they have already ended)."""
        stop_processes(self._processes)
        for q in (*self._inboxes, self._outbox):
            q.cancel_join_thread()  # never block an exit on a queue a dead worker left full
            q.close()

    def _part(self, k: int) -> Path:
        return self.folder / f"{PART_PREFIX}{k}"

    def _send(self, k: int, chunk: list[dict] | None) -> None:
        while True:
            self._check_alive()
            try:
                self._inboxes[k].put(chunk, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _receive(self) -> tuple[str, str, object]:
        while True:
            try:
                return self._outbox.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_alive()

    def _await_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(self._ready) < len(self._processes):
            if time.monotonic() > deadline:
                raise WorkerDied(
                    "un processus d'écriture de l'index n'a pas démarré : "
                    "indexation abandonnée, index inchangé"
                )
            self._take(self._receive())

    def _take(self, message: tuple[str, str, object]) -> None:
        kind, part, value = message
        if kind == "ready":
            self._ready.add(part)
            return
        if kind == "error":
            raise WorkerDied(
                f"un processus d'écriture de l'index a échoué ({value}) : "
                "indexation abandonnée, index inchangé"
            )
        self._done[part] = Part(part, int(value))

    def _check_alive(self) -> None:
        """A worker ends only after reporting: one that ended without a report
        was killed; one that reported an error stops the build with it."""
        for k, p in enumerate(self._processes):
            if p.is_alive() or str(self._part(k)) in self._done:
                continue
            try:  # its last words are in the pipe once it has exited
                while True:
                    self._take(self._outbox.get(timeout=0.1))
            except queue.Empty:
                pass
            if str(self._part(k)) not in self._done:
                raise WorkerDied(
                    "un processus d'écriture de l'index s'est arrêté brutalement "
                    f"(code {p.exitcode}) : indexation abandonnée, index inchangé"
                )


def adopt_parts(ix: windex.Index, parts: list[Part]) -> int:
    """Move the workers' segments into `ix` (the generation's index) and
    commit one table of contents listing them; returns the document count."""
    folder = Path(ix.storage.folder)
    segments = []
    for part in parts:
        if not part.documents:
            shutil.rmtree(part.folder)
            continue
        sub = windex.open_dir(part.folder)
        with sub.reader() as reader:
            segments.extend(seg.segment() for seg, _ in reader.leaf_readers())
        sub.close()
        for f in Path(part.folder).iterdir():
            if f.is_file() and f.name.startswith("MAIN_") and f.name != WRITE_LOCK:
                f.rename(folder / f.name)  # segment files: named by segment id, no clash
        shutil.rmtree(part.folder)
    writer = ix.writer()
    writer.commit(mergetype=lambda _writer, existing: [*existing, *segments])
    return sum(s.doc_count_all() for s in segments)


def leading(
    items: Iterable, count: int, eager: Callable[[], bool] | None = None
) -> tuple[list, Iterator, bool]:
    """The first `count` items of a stream, the rest of it, and whether the
    build goes parallel: the stream holds more than `count` items, or `eager()`
    turned true on the way (asked after each item: the items come slowly, from
    worker processes this one mostly waits for, so writers pay at any size)."""
    it = iter(items)
    head = []
    for item in it:
        head.append(item)
        if len(head) > count or (eager is not None and eager()):
            return head, it, True
    return head, it, False
