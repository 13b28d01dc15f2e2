"""What every benchmarked engine provides, and the shapes it exchanges.

Kept deliberately small: building from a corpus folder, opening a long-lived
session, and answering one query with or without snippets/facets. Anything
richer would tempt the harness into comparing features instead of speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

_CLAUSE = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


class EngineUnavailable(Exception):
    """The engine cannot run here (not installed, not written yet); the harness
    prints the message and goes on with the others."""


@dataclass(frozen=True)
class BenchQuery:
    """A query as a user types it, plus filters only Loupe understands."""

    text: str
    kind: str = "words"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def clauses(self) -> list[tuple[str, bool]]:
        """The query split into (text, is_phrase): quoted phrases stay whole."""
        out: list[tuple[str, bool]] = []
        for m in _CLAUSE.finditer(self.text):
            if m.group(1) is not None:
                if m.group(1).strip():
                    out.append((m.group(1).strip(), True))
            else:
                out.append((m.group(2), False))
        return out

    def terms(self) -> list[tuple[str, bool]]:
        """Like `clauses`, but bare words split into their word characters:
        `l'armée` → `l`, `armée`; `al-Nusra` → `al`, `Nusra`. Engines without a
        query parser of their own get what their tokenizer would have made, and
        no punctuation that their syntax could misread."""
        out: list[tuple[str, bool]] = []
        for text, is_phrase in self.clauses():
            if is_phrase:
                out.append((text, True))
            else:
                out.extend((w, False) for w in _WORD.findall(text))
        return out


@dataclass
class Outcome:
    """What one query returned: enough to check systems answer comparably."""

    total: int
    ids: list[str]
    snippets: int = 0  # number of snippets produced (0 when not asked)
    facets: int = 0  # number of facet values produced (Loupe only)


class Session(Protocol):
    def search(
        self, query: BenchQuery, *, limit: int = 10, snippets: bool = True, facets: bool = False
    ) -> Outcome: ...

    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    label: str  # how tables name it
    supports_filters: bool
    supports_facets: bool

    def version(self) -> str:
        """Library versions + engine source: part of every cache key."""

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        """Index every article of `corpus` into `index_dir`; return how many."""

    def open(self, index_dir: Path, *, operator: str = "and") -> Session:
        """A session answering queries, `operator` joining the query's words."""
