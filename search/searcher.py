"""The one engine call every surface uses: `Searcher.search(...)` → `Results`.

The CLI, the HTML pages and the JSON API all come through here, so a query
means the same thing everywhere. This layer validates what a user can get
wrong (page, size, sort, query length) with `QueryError`, parses the query
language, and leaves retrieval to whichever backend is configured.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from search.article import Article
from search.backends import open_backend
from search.backends.base import Backend
from search.core.model import (
    SORTS,
    FacetValue,
    Filters,
    Hit,
    IndexMissing,
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
from search.expansion.families import load_tables
from search.expansion.questions import without_question_words
from search.marking import mark_sections
from search.query import QueryError, parse, to_text
from search.relaxation import corrections, message, relaxations
from search.reprints import ReprintStore, load_store
from search.reprints.similar import Comparison, Neighbour, Similar
from search.semantic import Reranker, load_table, spelled_out


@dataclass(frozen=True)
class Limits:
    per_page: int = MAX_PER_PAGE
    window: int = MAX_RESULT_WINDOW
    query_length: int = MAX_QUERY_LENGTH
    time_limit: float = DEFAULT_TIME_LIMIT


@dataclass
class HitGroup:
    """A hit and the reprints of its text found on the same page, under it."""

    head: Hit
    reprints: list[Hit] = field(default_factory=list)


MAX_REPRINTS_SHOWN = 50  # a wire story in 300 outlets: the page lists the earliest 50
MAX_NEIGHBOURS = 20


class Searcher:
    def __init__(
        self, backend: Backend, limits: Limits | None = None, index_dir: Path | None = None
    ) -> None:
        self.backend = backend
        self.limits = limits or Limits()
        # where the reprint stores live (search.reprints); None: no reprint answers
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self._reprints: tuple[str, ReprintStore | None] | None = None

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
        return cls(engine, Limits(**limits), index_dir=index_dir)

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
        request = self._with_semantic(request, query)
        results = self.backend.search(request)
        if not relax or results.partial:
            return results
        if results.total == 0 and request.page == 1:
            return self._relaxed(query, request, results)
        if results.suggestion:
            return self._corrected(query, request, results)
        return results

    def _relaxed(self, typed: str, request: SearchRequest, empty: Results) -> Results:
        """The first relaxation that finds something, or the empty results.

        Relaxing loosens the words only: when the filters alone already match
        no article, no spelling or fuzzier word can help, and trying each step
        (fuzzy matching scans the vocabulary) would only make the reader wait."""
        if not request.filters.is_empty() and not self._filters_match(request):
            return empty
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

    def _filters_match(self, request: SearchRequest) -> bool:
        alone = replace(
            request, query=None, page=1, per_page=1, with_snippets=False, with_facets=False
        )
        return self.backend.search(alone).total > 0

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

    def _with_semantic(self, request: SearchRequest, typed: str) -> SearchRequest:
        """The request with its semantic reordering when the index has vectors
        (built with `--semantic`, search.semantic) and results go by relevance."""
        if self.index_dir is None or request.sort != "relevance" or request.query is None:
            return request
        table = load_table(self.index_dir)
        if table is None:
            return request
        text = spelled_out(typed, self.backend.gazetteer())
        return replace(request, rerank=Reranker(table, text))

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
        node = without_question_words(parse(query or "", max_length=self.limits.query_length))
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

    def warm(self, threads: int = 1) -> None:
        """Open what searches read before the first request (a server at start):
        a backend without such a step, or without an index yet, is left as is."""
        warm = getattr(self.backend, "warm", None)
        if callable(warm):
            # Without an index the pages say so; the first build is opened on use.
            with contextlib.suppress(IndexMissing):
                warm(threads)
        # The word-family tables and the reprint store (a results page groups
        # reprints): 0.45 s a worker's first page paid at 100,000 articles.
        load_tables()
        with contextlib.suppress(IndexMissing):
            self.reprint_store()

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

    # -- reprints (search.reprints) ----------------------------------------------------
    def generation(self) -> str:
        """The live generation's name, as cheaply as the backend can say it."""
        for name in ("generation", "current_generation"):
            method = getattr(self.backend, name, None)
            if callable(method):
                found = method()
                if found:
                    return found
        return self.stats().generation

    def reprint_store(self) -> ReprintStore | None:
        """The live generation's reprint store, loaded once per generation."""
        if self.index_dir is None:
            return None
        generation = self.generation()
        cached = self._reprints
        if cached is None or cached[0] != generation:
            cached = (generation, load_store(self.index_dir, generation))
            self._reprints = cached  # one assignment: threads see either pair whole
        return cached[1]

    def similar(self, article_id: str, neighbours: int = 5) -> Similar | None:
        """The article's reprints (same text, with overlap and shared passages) and
        its topical neighbours (the engine's more-like-this), kept apart: no
        reprint is listed as a neighbour. None when the article is unknown."""
        if not 0 <= neighbours <= MAX_NEIGHBOURS:
            raise QueryError(f"le nombre d'articles proches va de 0 à {MAX_NEIGHBOURS}")
        article = self.get(article_id)
        if article is None:
            return None
        store = self.reprint_store()
        found = Similar(article_id, available=store is not None)
        reprint_ids = store.reprints_of(article_id) if store is not None else []
        if reprint_ids:
            found.count = len(reprint_ids)
            dated = [i for i in [article_id, *reprint_ids] if store.members[i].published]
            first = min(dated, key=store.order_key) if dated else None
            found.first_known, found.this_is_first = first, first == article_id
            found.first_inferred = bool(first and store.members[first].inferred)
            comparison = Comparison(article, store)
            for other_id in reprint_ids[:MAX_REPRINTS_SHOWN]:
                other = self.get(other_id)
                if other is not None:  # gone since the store was written
                    found.reprints.append(comparison.reprint(other, first))
        if neighbours:
            exclude = set(reprint_ids)
            wanted = neighbours + min(len(exclude), MAX_REPRINTS_SHOWN)
            for hit in self.backend.more_like(article, wanted):
                if hit.id not in exclude and hit.id != article_id:
                    found.neighbours.append(
                        Neighbour(hit.id, hit.title, hit.source, hit.published, hit.score)
                    )
            found.neighbours = found.neighbours[:neighbours]
        return found

    def group_reprints(self, hits: list[Hit]) -> list[HitGroup]:
        """Hits of one reprint cluster collapsed under the earliest of them, the group
        where its best-ranked member stood; other hits untouched. Totals and facets
        still count articles: only the listing is grouped."""
        store = self.reprint_store()
        groups: list[HitGroup] = []
        by_cluster: dict[int, HitGroup] = {}
        for hit in hits:
            cluster = store.cluster_of(hit.id) if store is not None else None
            if cluster is None:
                groups.append(HitGroup(hit))
                continue
            key = id(cluster)
            if key not in by_cluster:
                by_cluster[key] = HitGroup(hit)
                groups.append(by_cluster[key])
            else:
                by_cluster[key].reprints.append(hit)
        for group in by_cluster.values():
            members = sorted([group.head, *group.reprints], key=_earliest_first)
            group.head, group.reprints = members[0], members[1:]
        return groups


def _earliest_first(hit: Hit) -> tuple:
    return (hit.published is None, hit.published or "", hit.id)
