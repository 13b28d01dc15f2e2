"""Loupe's query language → a backend-neutral tree.

A journalist types French: words, "exact phrases", AND/OR/NOT (ET/OU/SAUF),
-word, parentheses, field prefixes (titre:, section:, personne:, org:, lieu:,
source:), prefix* and word~. This module turns that text into the small tree
below; each backend translates the tree into its own queries. Nothing here
knows Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass

# Neutral field names used in the tree (backends map them to their fields).
FIELDS = ("title", "headings", "person", "org", "place", "source")


class QueryError(ValueError):
    """A query that cannot be read; says what is wrong and where (0-based column)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    """One word as typed (not analysed: backends analyse with their own chain)."""

    text: str
    field: str | None = None  # one of FIELDS, or None for all text fields
    prefix: bool = False  # word*
    fuzzy: bool = False  # word~


@dataclass(frozen=True)
class Phrase:
    """Words that must stand together, in order, matched on unstemmed folded forms."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Words:
    """Juxtaposed items with no operator: rank those holding all first, still match most."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Phrase | Words | And | Or | Not
