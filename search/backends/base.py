"""The interface every backend implements.

Nothing above `backends/` (searcher, CLI, web) knows which engine answers: they
speak in `SearchRequest` and `Results` (the domain model, `search.core.model`),
never in Whoosh or OpenSearch objects. The model's names are re-exported here
so that older imports (`from search.backends.base import Filters`) still work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from search.article import Article
from search.core.model import (  # noqa: F401 - re-exported for older imports
    FACET_FIELDS,
    SORTS,
    DateCounts,
    FacetValue,
    Filters,
    Hit,
    IndexBusy,
    IndexMissing,
    IndexStats,
    Relaxation,
    Results,
    SearchRequest,
    Snippet,
    distinct_suggestions,
)
from search.expansion.acronyms import AcronymLearner
from search.gazetteer import Gazetteer


class Backend(Protocol):
    def build(
        self,
        articles: Iterable[Article],
        gazetteer: Gazetteer | None = None,
        wait: bool = False,
        acronyms: AcronymLearner | None = None,
    ) -> int:
        """Index all articles into a fresh generation and switch to it atomically.

        `gazetteer` is kept with the generation: queries are expanded with the
        aliases the documents were indexed with. `wait`: when another build holds
        the index, wait for it instead of failing with `IndexBusy`. `acronyms`
        reads the articles as they stream in; its pairs are kept with the
        generation too (search.expansion.acronyms).
        """

    def search(self, request: SearchRequest) -> Results: ...

    def get(self, article_id: str) -> Article | None: ...

    def all_articles(self) -> Iterable[Article]:
        """Every article of the live generation (for `loupe export`)."""

    def more_like(self, article: Article, limit: int) -> list[Hit]:
        """Articles about the same thing (the engine's « more like this »)."""

    def entities(self, type_: str | None, prefix: str, limit: int) -> list[FacetValue]: ...

    def suggest(self, prefix: str, limit: int) -> list[str]: ...

    def stats(self) -> IndexStats: ...

    # -- investigating (search/export.py, timeline.py, batch.py use them when present)
    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of `request` in its order, one at a time (full exports)."""

    def date_counts(self, request: SearchRequest | None) -> DateCounts:
        """Matches per publication day, without reading hits (None: the whole index)."""

    def gazetteer(self) -> Gazetteer | None:
        """The gazetteer the live generation was built with."""
