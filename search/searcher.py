"""The one engine call every surface uses: `Searcher.search(...)` → `Results`.

The CLI, the HTML pages and the JSON API all come through here, so a query
means the same thing everywhere. This layer validates what a user can get
wrong (page, size, sort, query length) with `QueryError`, parses the query
language, and leaves retrieval to whichever backend is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from search.article import Article
from search.backends import open_backend
from search.backends.base import Backend
from search.core.model import (
    SORTS,
    FacetValue,
    Filters,
    IndexStats,
    Relaxation,
    Results,
    SearchRequest,
)
from search.core.ranking import (  # noqa: F401 - MAX_PER_PAGE… re-exported for older imports
    DEFAULT_TIME_LIMIT,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MAX_RESULT_WINDOW,
)
from search.marking import mark_sections
from search.query import QueryError, parse, to_text
from search.relaxation import corrections, message, relaxations


@dataclass(frozen=True)
class Limits:
    per_page: int = MAX_PER_PAGE
    window: int = MAX_RESULT_WINDOW
    query_length: int = MAX_QUERY_LENGTH
    time_limit: float = DEFAULT_TIME_LIMIT


class Searcher:
    def __init__(self, backend: Backend, limits: Limits | None = None) -> None:
        self.backend = backend
        self.limits = limits or Limits()

    @classmethod
    def open(
        cls,
        index_dir: Path,
        *,
        backend: str = "whoosh",
        opensearch_url: str | None = None,
        opensearch_index: str | None = None,
        **limits,
    ) -> Searcher:
        """A searcher over the configured backend: by default the Whoosh index in
        `index_dir` (the embedded default), else the one `open_backend` names."""
        engine = open_backend(
            backend,
            index_dir=index_dir,
            opensearch_url=opensearch_url,
            opensearch_index=opensearch_index,
        )
        return cls(engine, Limits(**limits))

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        *,
        with_snippets: bool = True,
        with_facets: bool = True,
        facet_limit: int = 10,
        relax: bool = True,
    ) -> Results:
        """Search; with `relax`, a query that finds nothing is loosened step by
        step (search.relaxation) and `Results.relaxed` says what was searched."""
        request = self.request(
            query,
            filters,
            sort,
            page,
            per_page,
            with_snippets=with_snippets,
            with_facets=with_facets,
            facet_limit=facet_limit,
        )
        results = self.backend.search(request)
        if not relax or results.partial:
            return results
        if results.total == 0 and request.page == 1:
            return self._relaxed(query, request, results)
        if results.suggestion:
            return self._corrected(query, request, results)
        return results

    def _relaxed(self, typed: str, request: SearchRequest, empty: Results) -> Results:
        """The first relaxation that finds something, or the empty results."""
        for step, looser in relaxations(request.query, empty.suggestion):
            found = self.backend.search(replace(request, query=looser))
            if found.total:
                shown = to_text(looser)
                found.relaxed = Relaxation(
                    typed.strip(), shown, step, message(typed.strip(), shown)
                )
                found.suggestion = empty.suggestion  # for the typed query, as without relaxing
                return found
        return empty

    def _corrected(self, typed: str, request: SearchRequest, results: Results) -> Results:
        """A word no article holds (the backend then suggests a spelling): the
        query with that word corrected, when it finds at least as much."""
        corrected = corrections(request.query, results.suggestion or "")
        if corrected is None:
            return results
        found = self.backend.search(replace(request, query=corrected))
        if found.total < results.total:
            return results
        shown = to_text(corrected)
        found.relaxed = Relaxation(
            typed.strip(), shown, "corrected", message(typed.strip(), shown, found_any=True)
        )
        found.suggestion = results.suggestion
        return found

    def request(
        self,
        query: str,
        filters: Filters | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        **options,
    ) -> SearchRequest:
        """Validate and parse: every user mistake becomes a `QueryError` here."""
        filters = filters or Filters()
        if sort not in SORTS:
            raise QueryError(f"tri inconnu « {sort} » : choisir parmi {', '.join(SORTS)}")
        if page < 1:
            raise QueryError("la page commence à 1")
        if not 1 <= per_page <= self.limits.per_page:
            raise QueryError(f"le nombre de résultats par page va de 1 à {self.limits.per_page}")
        if page * per_page > self.limits.window:
            raise QueryError(
                f"au-delà de {self.limits.window} résultats, affinez la recherche plutôt que de "
                "paginer"
            )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise QueryError("la date de début est postérieure à la date de fin")
        node = parse(query or "", max_length=self.limits.query_length)
        if node is None and (query or "").strip() and filters.is_empty():
            shown = query.strip()[:80]
            raise QueryError(f"rien à chercher dans « {shown} » : tapez au moins un mot")
        return SearchRequest(
            query=node,
            filters=filters,
            sort=sort,
            page=page,
            per_page=per_page,
            time_limit=self.limits.time_limit,
            **options,
        )

    def get(self, article_id: str) -> Article | None:
        return self.backend.get(article_id)

    def entities(
        self, type_: str | None = None, prefix: str = "", limit: int = 50
    ) -> list[FacetValue]:
        return self.backend.entities(type_, prefix, limit)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        return self.backend.suggest(prefix, limit)

    def stats(self) -> IndexStats:
        return self.backend.stats()

    def mark(self, article: Article, query: str) -> list[tuple[str | None, str]]:
        """The article's sections as `(heading, html)` with the query's words marked.

        Needs no backend: marking compares the article's words with the query's
        stems, the way every backend analyses French (see `search.marking`).
        """
        return mark_sections(article.sections, query)
