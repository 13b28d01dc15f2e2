"""Entities already found, kept on disk by article checksum.

Running the French model is by far the slowest step of an index build; an
unchanged article should never pay for it twice. Rows are keyed by the content
checksum *and* a fingerprint of what produced them (model name and version,
gazetteer content, normalisation rules), so a new model or an edited gazetteer
simply misses instead of serving stale entities.

SQLite gives atomic transactions: a build killed half-way leaves every committed
batch usable and no half-written row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from search.article import Entity

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    checksum TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    entities TEXT NOT NULL,
    PRIMARY KEY (checksum, fingerprint)
) WITHOUT ROWID
"""
# SQLite limits the number of parameters of one statement; stay well below.
_CHUNK = 500


class NerCache:
    """A persistent map (checksum, fingerprint) → entities, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.execute(_SCHEMA)

    def get_many(self, checksums: Iterable[str], fingerprint: str) -> dict[str, list[Entity]]:
        """Cached entities of those checksums made under `fingerprint`; misses are absent."""
        wanted = list(dict.fromkeys(checksums))
        found: dict[str, list[Entity]] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT checksum, entities FROM entities "
                f"WHERE fingerprint = ? AND checksum IN ({marks})",
                [fingerprint, *chunk],
            )
            for checksum, payload in rows:
                found[checksum] = [Entity(*item) for item in json.loads(payload)]
        return found

    def put_many(self, items: Iterable[tuple[str, list[Entity]]], fingerprint: str) -> None:
        """Store (checksum, entities) pairs in one transaction: all of them or none."""
        rows = [
            (
                checksum,
                fingerprint,
                json.dumps([[e.text, e.type, e.canonical] for e in ents], ensure_ascii=False),
            )
            for checksum, ents in items
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?, ?)", rows)

    def prune(self, keep_fingerprint: str) -> int:
        """Drop rows made under any other fingerprint; they can never hit again."""
        with self._db:
            cursor = self._db.execute(
                "DELETE FROM entities WHERE fingerprint != ?", (keep_fingerprint,)
            )
        return cursor.rowcount

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM entities").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> NerCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
