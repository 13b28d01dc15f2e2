"""SQLite FTS5: the "just use SQLite" alternative every search project is asked about.

`unicode61 remove_diacritics 2` folds accents (so `securite` finds « sécurité »)
but does not stem. Every word is sent as a quoted FTS5 string, so user input can
never be read as FTS5 syntax (`-`, `:`, `NEAR`, `*`…).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.cache import file_digest
from bench.corpora import iter_docs
from bench.engines.base import BenchQuery, Outcome

DB_NAME = "fts.sqlite3"


def fts5_string(text: str) -> str:
    """`text` as an FTS5 string literal: a phrase of whatever tokens it holds."""
    return '"' + text.replace('"', '""') + '"'


def match_expression(query: BenchQuery, operator: str) -> str:
    joiner = " OR " if operator == "or" else " AND "
    return joiner.join(fts5_string(text) for text, _ in query.terms())


class Fts5Session:
    def __init__(self, index_dir: Path, operator: str) -> None:
        self._con = sqlite3.connect(index_dir / DB_NAME, check_same_thread=False)
        self._operator = operator

    def search(
        self, query: BenchQuery, *, limit: int = 10, snippets: bool = True, facets: bool = False
    ) -> Outcome:
        expr = match_expression(query, self._operator)
        if not expr:
            return Outcome(0, [])
        snippet = "snippet(docs, 2, '<mark>', '</mark>', '…', 24)" if snippets else "NULL"
        try:
            rows = self._con.execute(
                f"SELECT id, {snippet} FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?",
                (expr, limit),
            ).fetchall()
            total = self._con.execute(
                "SELECT count(*) FROM docs WHERE docs MATCH ?", (expr,)
            ).fetchone()[0]
        except sqlite3.OperationalError:  # e.g. a clause with no token at all
            return Outcome(0, [])
        return Outcome(total=total, ids=[r[0] for r in rows], snippets=sum(1 for r in rows if r[1]))

    def close(self) -> None:
        self._con.close()


class Fts5:
    name = "fts5"
    label = "SQLite FTS5"
    supports_filters = False
    supports_facets = False

    def version(self) -> str:
        return f"sqlite {sqlite3.sqlite_version} {file_digest(Path(__file__))[:12]}"

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        index_dir.mkdir(parents=True, exist_ok=True)
        path = index_dir / DB_NAME
        path.unlink(missing_ok=True)
        con = sqlite3.connect(path)
        con.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        with con:
            cur = con.executemany(
                "INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
                ((d.id, d.title, d.body) for d in iter_docs(corpus)),
            )
            n = cur.rowcount
        # One merged b-tree, as a read-only index should be before it is served.
        with con:
            con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        con.close()
        return n

    def open(self, index_dir: Path, *, operator: str = "and") -> Fts5Session:
        return Fts5Session(index_dir, operator)
