"""Loupe on its scale-out backend: the same pipeline and searcher as `loupe`, with
an OpenSearch node answering instead of the Whoosh folder.

It measures what the parity tests cannot: whether the OpenSearch mapping
(OpenSearch's own French filters, its BM25) ranks the judged queries as well as
Loupe's Whoosh analysis does. The articles go through `index_corpus` with the
same NER cache, so both systems index the very same `Article`s.

The node is the one `LOUPE_OPENSEARCH_URL` names, else one started here with
`tests/opensearch/node.py` (java and mvn needed) and stopped on `close`.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from bench.cache import REPO_ROOT, key, tree_digest
from bench.engines.base import EngineUnavailable
from bench.engines.loupe import LoupeSession

NODE_SCRIPT = REPO_ROOT / "tests" / "opensearch" / "node.py"


def load_node_helper() -> Any:
    """tests/opensearch/node.py, which builds and starts a real node (no Docker)."""
    spec = importlib.util.spec_from_file_location("loupe_opensearch_node", NODE_SCRIPT)
    if spec is None or spec.loader is None:
        raise EngineUnavailable(f"OpenSearch skipped: {NODE_SCRIPT} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OpenSearchNode:
    """A node URL for a whole bench run: the configured one, or a local node."""

    def __init__(self, heap: str = "1g", jvm_options: tuple[str, ...] | None = None) -> None:
        self.url = os.environ.get("LOUPE_OPENSEARCH_URL")
        self.started_here = self.url is None
        self._stop = None
        self.pid: int | None = None
        if self.url is None:
            helper = load_node_helper()
            missing = helper.tools_missing()
            if missing:
                raise EngineUnavailable(
                    f"OpenSearch skipped: {', '.join(missing)} not on PATH "
                    "(or set LOUPE_OPENSEARCH_URL)"
                )
            options = {} if jvm_options is None else {"jvm_options": jvm_options}
            self.url, self._stop = helper.start_node(heap=heap, **options)
            self.pid = self._stop.pid

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


class OpenSearchSession(LoupeSession):
    """`LoupeSession`'s searcher, over the OpenSearch backend."""

    def __init__(self, url: str, alias: str) -> None:
        from search.backends.base import Filters
        from search.backends.opensearch import OpenSearchBackend
        from search.searcher import Searcher

        self._searcher = Searcher(OpenSearchBackend(url, index_name=alias))
        self._filters_cls = Filters


class OpenSearchEngine:
    name = "opensearch"
    label = "Loupe on OpenSearch"
    supports_filters = True
    supports_facets = True
    remote = True  # the index lives in the node, not in a cached folder

    def __init__(self) -> None:
        try:
            import opensearchpy  # noqa: F401

            from search.backends.opensearch import OpenSearchBackend  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(f"OpenSearch skipped: {exc}") from exc
        self._node: OpenSearchNode | None = None

    @property
    def url(self) -> str:
        if self._node is None:
            self._node = OpenSearchNode()
        return str(self._node.url)

    def version(self) -> str:
        import opensearchpy

        digest = tree_digest(REPO_ROOT / "search")[:16]
        return f"loupe {digest} opensearch-py {opensearchpy.__versionstr__}"

    def alias(self, corpus_key: str) -> str:
        """One alias per (corpus, engine version): a shared cluster keeps each build."""
        return f"loupe-bench-{key([corpus_key, self.version()])}"

    def is_built(self, alias: str) -> bool:
        from search.backends.opensearch import OpenSearchBackend

        return OpenSearchBackend(self.url, index_name=alias).current_generation() is not None

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        """Options: `alias` (required), `ner`, `ner_cache` (as for Loupe);
        `index_dir` only holds the NER cache when none is given."""
        from search.backends.opensearch import OpenSearchBackend
        from search.indexer import index_corpus

        ner_cache = options.get("ner_cache")
        backend = OpenSearchBackend(self.url, index_name=str(options["alias"]))
        report = index_corpus(
            corpus,
            index_dir,
            ner=bool(options.get("ner", True)),
            ner_cache=Path(str(ner_cache)) if ner_cache else None,
            progress=False,
            backend=backend,
        )
        return int(report.indexed)

    def open(self, index_dir: Path | str, *, operator: str = "and") -> OpenSearchSession:
        """`index_dir` is the alias here; Loupe's query language fixes `operator`."""
        return OpenSearchSession(self.url, str(index_dir))

    def close(self) -> None:
        if self._node is not None:
            self._node.stop()
            self._node = None
