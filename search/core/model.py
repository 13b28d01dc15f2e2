"""Loupe's domain model: what a search asks for and what it gets back.

Every layer speaks these shapes — the searcher builds a `SearchRequest`, a
backend answers `Results`, the CLI and the web render them — so none of them
needs to know which engine answered. Nothing here imports an engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from search.query import Node

FACET_FIELDS = ("persons", "orgs", "places", "sources", "months")
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class Filters:
    """Restrictions that narrow a query without changing its ranking.

    Values within one list must all hold (AND): a journalist adding a second
    person wants articles naming both.
    """

    persons: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def is_empty(self) -> bool:
        return not (
            self.persons
            or self.orgs
            or self.places
            or self.sources
            or self.date_from
            or self.date_to
        )


@dataclass(frozen=True)
class SearchRequest:
    query: Node | None
    filters: Filters = Filters()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    time_limit: float = 2.0
    with_snippets: bool = True
    with_facets: bool = True
    facet_limit: int = 10
    # Reorders the best candidates by relevance: (ids, scores) → new scores
    # (search.semantic.Reranker); None: the lexical order.
    rerank: Callable[[Sequence[str], Sequence[float]], list[float]] | None = None


@dataclass(frozen=True)
class Snippet:
    """A fragment of the article, HTML-escaped, with `<mark>` around matched words."""

    html: str
    section: str | None  # heading of the section it stands in; None for the lead


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass
class Hit:
    id: str
    title: str
    url: str | None
    source: str | None
    published: date | None
    score: float
    snippets: list[Snippet] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)  # type → canonical names


@dataclass(frozen=True)
class Relaxation:
    """The query relaxed because the one typed found nothing (search.relaxation)."""

    original: str  # as typed
    query: str  # what was searched instead, in the query language
    step: str  # corrected, any_word or fuzzy
    message: str  # « Aucun résultat pour … ; résultats pour … »


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    took_ms: float = 0.0
    partial: bool = False
    page: int = 1
    per_page: int = 10
    relaxed: Relaxation | None = None  # set when the typed query found nothing


@dataclass(frozen=True)
class DateCounts:
    """How many articles of a set were published each day (for timelines).

    `total` counts the whole set, dated or not: `sum(per_day) + undated == total`.
    """

    per_day: dict[date, int]
    undated: int
    total: int
    partial: bool = False  # the time limit cut the count short: a lower bound


@dataclass(frozen=True)
class IndexStats:
    generation: str
    articles: int
    terms: int
    entities: dict[str, int]  # type → distinct canonical entities
    built_at: str | None = None


class IndexBusy(RuntimeError):
    """Another build is writing this index: never two writers at once."""


class IndexMissing(Exception):
    """No usable index where one was expected (never built, or damaged)."""


def distinct_suggestions(texts: list[str], limit: int) -> list[str]:
    """Completions in order, each once whatever its case (« Mali » and « mali »)."""
    seen: set[str] = set()
    unique = []
    for text in texts:
        if text.lower() not in seen:
            seen.add(text.lower())
            unique.append(text)
    return unique[:limit]
