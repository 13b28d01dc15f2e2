"""Loupe itself, through its public engine API (`search.indexer`, `search.searcher`).

Imported lazily: the benchmarks must run on the baselines before the engine
exists, and must report clearly — not crash — when it does not import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bench.cache import REPO_ROOT, tree_digest
from bench.engines.base import BenchQuery, EngineUnavailable, Outcome

# queries.txt filter keys → `Filters` fields
_FILTER_FIELDS = {
    "place": "places",
    "person": "persons",
    "org": "orgs",
    "source": "sources",
}


def _api() -> tuple[Any, Any, Any]:
    try:
        from search.backends.base import Filters
        from search.indexer import index_corpus
        from search.searcher import Searcher
    except ImportError as exc:
        raise EngineUnavailable(
            f"Loupe skipped: the engine does not import yet ({exc}). "
            "It runs as soon as search.indexer and search.searcher exist."
        ) from exc
    return index_corpus, Searcher, Filters


def make_filters(filters_cls: Any, spec: dict[str, tuple[str, ...]]) -> Any:
    kwargs: dict[str, Any] = {}
    for key, values in spec.items():
        if key in _FILTER_FIELDS:
            kwargs[_FILTER_FIELDS[key]] = tuple(values)
        elif key == "from":
            kwargs["date_from"] = date.fromisoformat(values[0])
        elif key == "to":
            kwargs["date_to"] = date.fromisoformat(values[0])
        else:
            raise ValueError(f"unknown filter {key!r} in a bench query")
    return filters_cls(**kwargs)


class LoupeSession:
    def __init__(self, index_dir: Path, *, fast_path: bool = True) -> None:
        _, searcher_cls, self._filters_cls = _api()
        # The brief said `Searcher(index_dir)`; the engine grew `Searcher.open(index_dir)`
        # (Searcher itself wraps a backend). Accept both.
        opener = getattr(searcher_cls, "open", None)
        self._searcher = opener(index_dir) if callable(opener) else searcher_cls(index_dir)
        backend = getattr(self._searcher, "backend", None)
        if hasattr(backend, "fast_path"):
            backend.fast_path = fast_path  # False: Whoosh's matchers, the path before issue 13
        warm = getattr(backend, "warm", None)
        if callable(warm):
            warm()  # what `loupe serve` does at start: counted in the open time

    def search(
        self, query: BenchQuery, *, limit: int = 10, snippets: bool = True, facets: bool = False
    ) -> Outcome:
        results = self._searcher.search(
            query.text,
            filters=make_filters(self._filters_cls, query.filters),
            per_page=limit,
            with_snippets=snippets,
            with_facets=facets,
        )
        return Outcome(
            total=results.total,
            ids=[hit.id for hit in results.hits],
            snippets=sum(len(hit.snippets) for hit in results.hits),
            facets=sum(len(values) for values in (results.facets or {}).values()),
        )

    def close(self) -> None:
        close = getattr(self._searcher, "close", None)
        if callable(close):
            close()


class LoupeEngine:
    name = "loupe"
    label = "Loupe"
    supports_filters = True
    supports_facets = True
    semantic = False  # sentence vectors reorder the best results (search.semantic)

    def __init__(self) -> None:
        _api()  # fail early, with the message, if the engine is not there

    def version(self) -> str:
        import whoosh

        code = tree_digest(REPO_ROOT / "search")[:16]
        data = tree_digest(REPO_ROOT / "search" / "data", "*")[:8]  # word lists rank too
        return f"loupe {code}{data} whoosh {whoosh.versionstring()}"

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        """Options: `ner` (bool, default True), `ner_cache` (Path or None),
        `workers` (processes for NER and segment writers, default 1)."""
        index_corpus, _, _ = _api()
        ner_cache = options.get("ner_cache")
        report = index_corpus(
            corpus,
            index_dir,
            ner=bool(options.get("ner", True)),
            ner_cache=Path(str(ner_cache)) if ner_cache else None,
            progress=False,
            n_process=int(str(options.get("workers", 1))),
            semantic=bool(options.get("semantic", self.semantic)),
        )
        return int(report.indexed)

    def open(self, index_dir: Path, *, operator: str = "and") -> LoupeSession:
        # Loupe's query language fixes how words combine; `operator` is for baselines.
        return LoupeSession(index_dir)


class LoupePlainEngine(LoupeEngine):
    """Loupe on the same index, with every query run by Whoosh's pure-Python
    matchers (the vectorised path switched off): before/after in one run."""

    name = "loupe-plain"
    label = "Loupe, Whoosh matchers"

    def open(self, index_dir: Path, *, operator: str = "and") -> LoupeSession:
        return LoupeSession(index_dir, fast_path=False)


class LoupeSemanticEngine(LoupeEngine):
    """Loupe built with `--semantic`: its sentence vectors reorder the best
    lexical results (search.semantic). Its own index: the vectors live in it."""

    name = "loupe-semantic"
    label = "Loupe + sentence vectors"
    semantic = True

    def version(self) -> str:
        return super().version() + " semantic"
