"""Corpus folder → Articles: the walker, and the outcomes it reports.

A corpus folder is whatever someone saved: pages, text files, JSON dumps,
notices, the odd PDF renamed `.txt`, a file in cp1252, a link that loops. The
indexer wants one stream in which every file either became articles or has a
precise reason why not, and in which no broken file stops the rest. So the
walker yields, in a deterministic order, `Article`s, `Skipped` (with the reason,
and the line for JSON lines) and `Note`s (read, but with something to know).

Duplicates are not handled here: the same article in two files is two readings,
and the indexer decides which to keep.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search.article import Article
from search.readers.encoding import decode
from search.readers.errors import ReaderError
from search.readers.html import parse_html
from search.readers.jsonl import read_json, read_jsonl, read_jsonl_line
from search.readers.text import parse_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CorpusError",
    "Note",
    "ReadOutcome",
    "ReaderError",
    "Skipped",
    "corpus_files",
    "read_corpus",
    "read_file",
]

DEFAULT_MAX_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Skipped:
    """A file (or one record of it, at `line`) that gave no article, and why."""

    path: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Note:
    """Something worth knowing about a file that was read anyway (an encoding fallback)."""

    path: str
    message: str


ReadOutcome = Article | Skipped | Note


class CorpusError(Exception):
    """The corpus as a whole cannot be read (no such folder): nothing to walk."""


Parser = Callable[[str, Path], Iterable[Article | ReaderError]]


def _single(parse: Callable[[str, Path], Article]) -> Parser:
    return lambda text, path: [parse(text, path)]


FORMATS: dict[str, Parser] = {
    ".html": _single(parse_html),
    ".htm": _single(parse_html),
    ".txt": _single(parse_text),
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
}
# JSON lines are exports of many articles: read line by line, so the size
# limit applies to each record and memory stays flat whatever the file's size.
STREAMED = (".jsonl", ".ndjson")
# Files that travel with a corpus but are about it, not in it.
_NOT_ARTICLES = ("notice", "readme", "licence", "license", "copying", "changelog")


def is_article_file(name: str) -> bool:
    """Whether the walker reads a file of this name (by extension, minus notices)."""
    stem, suffix = os.path.splitext(name.lower())
    return suffix in FORMATS and not stem.startswith(_NOT_ARTICLES)


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:.1f}".removesuffix(".0") + " MB"
    if n >= 2**10:
        return f"{n / 2**10:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def unreadable_reason(error: OSError) -> str:
    """The reason a file that cannot be opened is skipped (permissions, I/O)."""
    if isinstance(error, PermissionError):
        return "unreadable: permission denied"
    return f"unreadable: {(error.strerror or str(error)).lower()}"


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadOutcome]:
    """Read one file: its articles, or a Skipped saying why not, plus any Note.

    Never raises for a bad file: every failure becomes a `Skipped`.
    """
    path = Path(path)
    name = str(path)
    parse = FORMATS.get(path.suffix.lower())
    if parse is None:
        yield Skipped(name, f"unsupported file type '{path.suffix or path.name}'")
        return
    if path.is_symlink() and not path.exists():
        yield Skipped(name, f"broken symlink to {os.readlink(path)}")
        return
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO named `.txt` would block the walk forever on open().
            yield Skipped(name, "not a regular file")
            return
        size = info.st_size
        if path.suffix.lower() in STREAMED:
            yield from _read_lines(path, max_bytes)
            return
        if size > max_bytes:
            yield Skipped(name, f"larger than {_size(max_bytes)} limit ({_size(size)})")
            return
        with path.open("rb") as f:
            # Read one byte past the limit: a file may grow between stat and read.
            data = f.read(max_bytes + 1)
    except OSError as e:
        yield Skipped(name, unreadable_reason(e))
        return
    if len(data) > max_bytes:
        yield Skipped(name, f"larger than {_size(max_bytes)} limit")
        return
    if not data.strip():
        yield Skipped(name, "empty file")
        return
    try:
        decoded = decode(data)
    except ReaderError as e:
        yield Skipped(name, e.reason)
        return
    if decoded.fallback:
        yield Note(name, f"not valid UTF-8, read as {decoded.encoding}")
    if not decoded.text.strip():
        yield Skipped(name, "empty file")
        return
    try:
        for item in parse(decoded.text, path):
            if isinstance(item, ReaderError):
                yield Skipped(name, item.reason, item.line)
            else:
                yield item
    except ReaderError as e:
        yield Skipped(name, e.reason, e.line)
    except Exception as e:  # noqa: BLE001 — a reader bug on one odd file must not stop the walk
        yield Skipped(name, f"reader failed: {type(e).__name__}: {e}")


def _read_lines(path: Path, max_bytes: int) -> Iterator[ReadOutcome]:
    """A JSON-lines file, one record at a time (size limit and encoding per record)."""
    name = str(path)
    noted = False
    decoded_any = False
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if len(raw) > max_bytes:
                yield Skipped(name, f"record larger than {_size(max_bytes)} limit", number)
                continue
            if not raw.strip():
                continue
            try:
                decoded = decode(raw)
            except ReaderError as e:
                if not decoded_any:  # binary from the start: not JSON lines at all
                    yield Skipped(name, e.reason)
                    return
                yield Skipped(name, f"{e.reason} at line {number}", number)
                continue
            decoded_any = True
            if decoded.fallback and not noted:
                noted = True
                message = f"not valid UTF-8 (from line {number}), read as {decoded.encoding}"
                yield Note(name, message)
            item = read_jsonl_line(decoded.text, number, path)
            if isinstance(item, ReaderError):
                yield Skipped(name, item.reason, item.line)
            else:
                yield item
    if not decoded_any:
        yield Skipped(name, "empty file")


def read_corpus(folder: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadOutcome]:
    """Walk `folder` recursively, in name order, and read every article file in it.

    Symlinks are followed, but each real directory is entered once (a link back
    to a parent would otherwise loop forever) and each real file read once.
    Hidden entries (`.git`, `.DS_Store`) and files of other types are passed
    over silently. Raises CorpusError only if `folder` is not a readable folder.
    """
    for item in corpus_files(folder):
        if isinstance(item, Path):
            yield from read_file(item, max_bytes=max_bytes)
        else:
            yield item


def corpus_files(folder: str | Path) -> Iterator[Path | Skipped | Note]:
    """The article files `read_corpus` would read, in its order, without reading them.

    An incremental build lists the folder this way and reads only the files
    that changed; the walk's own outcomes (unreadable folder, symlink loop,
    same file twice) come in the same stream, where `read_corpus` reports them.
    """
    root = Path(folder)
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus path is not a folder: {root}")
    yield from _walk(root, visited_dirs={}, read_files={})


def _walk(
    directory: Path,
    *,
    visited_dirs: dict[Path, Path],
    read_files: dict[Path, Path],
) -> Iterator[Path | Skipped | Note]:
    real = directory.resolve()
    if real in visited_dirs:
        first = visited_dirs[real]
        yield Note(str(directory), f"symlink loop: same folder as {first}, not read again")
        return
    visited_dirs[real] = directory
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Skipped(str(directory), unreadable_reason(e))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, visited_dirs=visited_dirs, read_files=read_files)
            continue
        if not is_article_file(entry.name):
            continue
        real_file = path.resolve()
        if real_file in read_files:
            yield Note(str(path), f"same file as {read_files[real_file]}, not read again")
            continue
        read_files[real_file] = path
        yield path
