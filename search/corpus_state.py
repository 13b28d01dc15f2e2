"""What each corpus file gave at the last build, to tell what changed since.

An incremental `loupe index` must read only the files that changed. The
manifest, saved with every index generation, keeps per file its size, mtime,
SHA-256 and what reading it gave (the ids and checksums of its articles, its
skips and notes), so the next run can

  * trust a file whose size and mtime are unchanged, without opening it;
  * re-checksum it anyway when its mtime is recent or in the future: clocks
    skew, and a file rewritten within the same mtime tick keeps its size and
    mtime. The rule: a file whose mtime is no older than `SKEW_SECONDS` before
    the previous run started, or is later than now, is checksummed, and the
    checksum decides;
  * take a file whose size or mtime changed but whose bytes did not (a `touch`,
    a copy) as unchanged, after one checksum and no parsing;
  * replay the duplicate rules (first id, first text wins, in walk order) over
    every file's records, read or remembered, and so know which article each
    id is in a full rebuild of the same folder.

Files in motion: a page or text file open for writing by another process
(asked with a read lease, on Linux) or whose size or mtime moved while it was
read is skipped for this round with its reason and not remembered, so the
next run reads it again, complete. A JSON-lines dump is read line by line
even while it grows (a half-written last line is skipped as invalid JSON).
The state recorded is the one taken *before* reading, so a file that grew
while read is seen as changed, and read again, next time.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.article import Article
from search.readers import STREAMED, Note, ReadOutcome, Skipped, read_file, unreadable_reason

MANIFEST_VERSION = 1
# A file modified this close to (or after) the previous run's start is checksummed
# even when its size and mtime look unchanged.
SKEW_SECONDS = 2.0
IN_MOTION = "being written by another program: read again at the next run"
MOVED_WHILE_READ = "changed while it was read: read again at the next run"
VANISHED = "vanished before it could be read"


@dataclass
class FileState:
    """One file as the last build saw it."""

    size: int
    mtime_ns: int
    sha256: str
    records: list[tuple[str, str]] = field(default_factory=list)  # (id, checksum), file order
    skipped: list[tuple[str, int | None]] = field(default_factory=list)  # (reason, line)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> list:
        return [self.size, self.mtime_ns, self.sha256, self.records, self.skipped, self.notes]

    @classmethod
    def from_json(cls, row: list) -> FileState:
        size, mtime_ns, sha, records, skipped, notes = row
        return cls(
            size,
            mtime_ns,
            sha,
            [(i, c) for i, c in records],
            [(r, n) for r, n in skipped],
            list(notes),
        )


@dataclass
class Manifest:
    """Every file of the corpus at one build, and what the articles were indexed with."""

    settings: str  # NER fingerprint, gazetteer, schema…: a change forces a full build
    started_ns: int  # wall clock when the build listed the folder
    files: dict[str, FileState] = field(default_factory=dict)  # path → state, walk order

    def to_json(self) -> dict:
        return {
            "version": MANIFEST_VERSION,
            "settings": self.settings,
            "started_ns": self.started_ns,
            "files": {p: s.to_json() for p, s in self.files.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest | None:
        """The manifest, or None when it is missing or from another version."""
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return None
        try:
            files = {p: FileState.from_json(row) for p, row in data["files"].items()}
            return cls(data["settings"], int(data["started_ns"]), files)
        except (KeyError, TypeError, ValueError):
            return None

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def same_content(self, other: Manifest) -> bool:
        """Whether both list the same files giving the same records (dates aside):
        then a new generation would change nothing a reader sees."""
        if self.files.keys() != other.files.keys():
            return False
        return all(
            (s.sha256, s.records, s.skipped, s.notes) == (o.sha256, o.records, o.skipped, o.notes)
            for s, o in ((s, other.files[p]) for p, s in self.files.items())
        )

    def winners(self) -> dict[str, tuple[str, str]]:
        """id → (path, checksum) of the articles a build of these files indexes."""
        return resolve_duplicates(self.files.items())[0]


def resolve_duplicates(
    files: Iterable[tuple[str, FileState]],
) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """The indexer's duplicate rules over records in walk order: the first of a
    repeated id or a repeated text wins. Returns the winners (id → (path,
    checksum)) and the duplicates ((where, reason), as the report lists them)."""
    winners: dict[str, tuple[str, str]] = {}
    by_text: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    for path, state in files:
        for article_id, checksum in state.records:
            if article_id in winners:
                first = winners[article_id][0]
                duplicates.append((path, f"identifiant {article_id} déjà lu dans {first}"))
                continue
            if checksum in by_text:
                duplicates.append((path, f"même texte que l'article {by_text[checksum]}"))
                continue
            winners[article_id] = (path, checksum)
            by_text[checksum] = article_id
    return winners, duplicates


# ---------------------------------------------------------------------------
# Looking at files.


def stat_key(path: Path) -> tuple[int, int] | None:
    """(size, mtime_ns), or None if the file is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def file_sha256(path: Path) -> str | None:
    """The file's checksum; None when it is gone. Any other failure to read it
    (permissions, I/O) is raised: the file is there, and unreadable says why."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except FileNotFoundError:
        return None
    return h.hexdigest()


def open_for_writing_elsewhere(path: Path) -> bool:
    """Whether another process has `path` open for writing, on Linux.

    A read lease cannot be taken on a file someone has open for writing
    (EAGAIN); it is released at once. Where leases are not allowed (a file of
    another user, a filesystem without them) the answer is « don't know »:
    False, and the size/mtime check around the read still applies.
    """
    setlease = getattr(fcntl, "F_SETLEASE", None)
    if setlease is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.fcntl(fd, setlease, fcntl.F_RDLCK)
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EBUSY)
    else:
        fcntl.fcntl(fd, setlease, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def unchanged(path: Path, key: tuple[int, int], previous: FileState | None, since_ns: int) -> bool:
    """Whether `path` (now of `key`) still holds what `previous` recorded.

    Size and mtime equal is trusted unless the mtime is recent (within
    SKEW_SECONDS of the previous run's start) or in the future; then, and
    whenever size or mtime differ, the checksum decides."""
    if previous is None:
        return False
    size, mtime_ns = key
    suspicious = mtime_ns >= since_ns - int(SKEW_SECONDS * 1e9) or mtime_ns > time.time_ns()
    if size == previous.size and mtime_ns == previous.mtime_ns and not suspicious:
        return True
    if size != previous.size:
        return False
    try:
        return file_sha256(path) == previous.sha256
    except OSError:
        return False  # read again: the reader says why it cannot be


def read_tracked(
    path: Path, max_bytes: int, settle_ns: int = 0
) -> tuple[FileState | None, list[ReadOutcome]]:
    """Read one file and say what to remember of it.

    Returns (state, outcomes): `state` is None when the file must be read
    again next time (in motion, vanished), and then `outcomes` holds only the
    Skipped saying why. Whole-file formats are read entirely before anything
    is returned, so half a page is never indexed; JSON lines are complete or
    skipped line by line (a half-written last line is invalid JSON).
    """
    name = str(path)
    streamed = path.suffix.lower() in STREAMED
    before = stat_key(path)
    if before is None:
        return None, [Skipped(name, VANISHED)]
    if settle_ns and before[1] > time.time_ns() - settle_ns:
        return None, [Skipped(name, IN_MOTION)]
    # A JSON-lines dump may be appended to for ever by the program exporting it:
    # its complete lines are read, a half-written last one is skipped by line.
    if not streamed and open_for_writing_elsewhere(path):
        return None, [Skipped(name, IN_MOTION)]
    try:
        sha = file_sha256(path)
    except OSError as exc:  # tried again at the next run
        return None, [Skipped(name, unreadable_reason(exc))]
    if sha is None:
        return None, [Skipped(name, VANISHED)]
    outcomes = list(read_file(path, max_bytes=max_bytes))
    after = stat_key(path)
    if after is None:
        return None, [Skipped(name, VANISHED)]
    if after != before and not streamed:
        return None, [Skipped(name, MOVED_WHILE_READ)]
    # (a dump that grew while read keeps the state taken before: read again next run)
    state = FileState(before[0], before[1], sha)
    for item in outcomes:
        if isinstance(item, Article):
            state.records.append((item.id, item.checksum))
        elif isinstance(item, Skipped):
            state.skipped.append((item.reason, item.line))
        elif isinstance(item, Note):
            state.notes.append(item.message)
    return state, outcomes


def stream_tracked(
    paths: Iterable[Path | Skipped | Note], max_bytes: int, states: dict[str, FileState]
) -> Iterator[ReadOutcome]:
    """`read_corpus`'s stream for a full build, filling `states` as files are read.

    JSON-lines files are streamed (a dump of 100,000 records is not held in
    memory); their state is the one taken before reading, checked after."""
    for item in paths:
        if not isinstance(item, Path):
            yield item
            continue
        if item.suffix.lower() not in STREAMED:
            state, outcomes = read_tracked(item, max_bytes)
            if state is not None:
                states[str(item)] = state
            yield from outcomes
            continue
        yield from _stream_lines(item, max_bytes, states)


def _stream_lines(
    path: Path, max_bytes: int, states: dict[str, FileState]
) -> Iterator[ReadOutcome]:
    name = str(path)
    before = stat_key(path)
    if before is None:
        yield Skipped(name, VANISHED)
        return
    try:
        sha = file_sha256(path)
    except OSError as exc:  # tried again at the next run
        yield Skipped(name, unreadable_reason(exc))
        return
    if sha is None:
        yield Skipped(name, VANISHED)
        return
    state = FileState(before[0], before[1], sha)
    for item in read_file(path, max_bytes=max_bytes):
        if isinstance(item, Article):
            state.records.append((item.id, item.checksum))
        elif isinstance(item, Skipped):
            state.skipped.append((item.reason, item.line))
        elif isinstance(item, Note):
            state.notes.append(item.message)
        yield item
    if stat_key(path) == before:
        states[name] = state
    # else: what was read is indexed (each line complete or skipped), and the
    # file, not remembered, is read again at the next run.


def remembered_outcomes(path: str, state: FileState) -> Iterator[Skipped | Note]:
    """The skips and notes of a file not read again, for this run's report."""
    for message in state.notes:
        yield Note(path, message)
    for reason, line in state.skipped:
        yield Skipped(path, reason, line)
