"""The interface every backend implements, and the result shapes it returns.

Nothing above `backends/` (searcher, CLI, web) knows which engine answers: they
speak in `SearchRequest` and `Results`, never in Whoosh or OpenSearch objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from search.article import Article
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


class Backend(Protocol):
    def build(self, articles: Iterable[Article]) -> int:
        """Index all articles into a fresh generation and switch to it atomically."""

    def search(self, request: SearchRequest) -> Results: ...

    def get(self, article_id: str) -> Article | None: ...

    def all_articles(self) -> Iterable[Article]:
        """Every article of the live generation (for `loupe export`)."""

    def entities(self, type_: str | None, prefix: str, limit: int) -> list[FacetValue]: ...

    def suggest(self, prefix: str, limit: int) -> list[str]: ...

    def stats(self) -> IndexStats: ...
