"""Entities already found, kept on disk by article checksum.

Running the French model is by far the slowest step of an index build; an
unchanged article should never pay for it twice. Rows are keyed by the content
checksum *and* a fingerprint of what produced them (model name and version,
gazetteer content, normalisation rules), so a new model or an edited gazetteer
simply misses instead of serving stale entities.

SQLite gives atomic transactions: a build killed half-way leaves every committed
batch usable and no half-written row; WAL mode lets searches and other builds
read while one writes, and a busy timeout makes a second writer wait its turn.

Growth is bounded: each row remembers the day it was last written or hit, and
`prune_unused` drops, at most once a day, the rows no article of the index
holds any more and that nobody used for `MAX_AGE_DAYS` (a cache shared by two
corpora, or an edit undone, keeps its rows that long).
"""

from __future__ import annotations

import json
import sqlite3
import time
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
_STATE = "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
# SQLite limits the number of parameters of one statement; stay well below.
_CHUNK = 500
MAX_AGE_DAYS = 30


def _today() -> int:
    return int(time.time() // 86_400)


class NerCache:
    """A persistent map (checksum, fingerprint) → entities, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.execute(_SCHEMA)
            self._db.execute(_STATE)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(entities)")}
            if "used" not in columns:  # a cache from before pruning: every row counts as new
                self._db.execute(
                    f"ALTER TABLE entities ADD COLUMN used INTEGER NOT NULL DEFAULT {_today()}"
                )

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
        self._touch(found, fingerprint)
        return found

    def _touch(self, checksums: Iterable[str], fingerprint: str) -> None:
        """Mark hit rows as used today (one write per row per day at most)."""
        today = _today()
        rows = [(today, c, fingerprint, today) for c in checksums]
        if rows:
            with self._db:
                self._db.executemany(
                    "UPDATE entities SET used = ? WHERE checksum = ? AND fingerprint = ? "
                    "AND used < ?",
                    rows,
                )

    def put_many(self, items: Iterable[tuple[str, list[Entity]]], fingerprint: str) -> None:
        """Store (checksum, entities) pairs in one transaction: all of them or none."""
        rows = [
            (
                checksum,
                fingerprint,
                json.dumps([[e.text, e.type, e.canonical] for e in ents], ensure_ascii=False),
                _today(),
            )
            for checksum, ents in items
        ]
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO entities (checksum, fingerprint, entities, used) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )

    def prune(self, keep_fingerprint: str) -> int:
        """Drop rows made under any other fingerprint; they can never hit again."""
        with self._db:
            cursor = self._db.execute(
                "DELETE FROM entities WHERE fingerprint != ?", (keep_fingerprint,)
            )
        return cursor.rowcount

    def prune_unused(
        self, keep: Iterable[str], max_age_days: int = MAX_AGE_DAYS, force: bool = False
    ) -> int:
        """Drop rows whose checksum is not in `keep` (the index's articles) and
        that were not used for `max_age_days`. Runs at most once a day unless
        `force`. Returns the number of rows dropped."""
        today = _today()
        last = self._db.execute("SELECT value FROM state WHERE key = 'pruned'").fetchone()
        if not force and last is not None and int(last[0]) >= today:
            return 0
        with self._db:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (checksum TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM keep")
            self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((c,) for c in keep))
            cursor = self._db.execute(
                "DELETE FROM entities WHERE used < ? "
                "AND checksum NOT IN (SELECT checksum FROM keep)",
                (today - max_age_days,),
            )
            self._db.execute("INSERT OR REPLACE INTO state VALUES ('pruned', ?)", (str(today),))
        return cursor.rowcount

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM entities").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> NerCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
