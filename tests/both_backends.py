"""A small corpus indexed on both backends, for tests that must hold on each.

`both_backends(label, write_corpus)` returns the module-scoped fixtures a
parity test module binds to its own names: the corpus folder, its Whoosh
index, an OpenSearch searcher over the same articles (on the real node the
`opensearch_url` fixture starts), and `searcher`, parametrised over both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import OPENSEARCH_SKIP_REASON

OPENSEARCH = pytest.param(
    "opensearch",
    marks=[
        pytest.mark.opensearch,
        pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or ""),
    ],
)


def jsonl_corpus(articles: dict[str, tuple[str, str]], name: str) -> Callable[[Path], Path]:
    """A `write_corpus` for `both_backends`: the `articles` (id → (title, text)),
    all dated 2024-05-01, as one JSONL file `name`."""

    def write(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            json.dumps(
                {"id": key, "title": title, "date": "2024-05-01", "text": text},
                ensure_ascii=False,
            )
            for key, (title, text) in articles.items()
        ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    return write


def both_backends(label: str, write_corpus: Callable[[Path], Path]):
    """(backend_corpus, whoosh_index, opensearch_searcher, searcher) fixtures
    over the articles `write_corpus(folder)` writes, to be bound to those very
    names in the test module (pytest knows a fixture by the name it is bound
    to); `label` names the folders and the OpenSearch index."""

    @pytest.fixture(scope="module")
    def backend_corpus(tmp_path_factory) -> Path:
        return write_corpus(tmp_path_factory.mktemp(label) / "corpus")

    @pytest.fixture(scope="module")
    def whoosh_index(backend_corpus, tmp_path_factory) -> Path:
        from search.indexer import index_corpus

        index_dir = tmp_path_factory.mktemp(f"{label}-index")
        index_corpus(backend_corpus, index_dir, ner=False)
        return index_dir

    @pytest.fixture(scope="module")
    def opensearch_searcher(request, backend_corpus, tmp_path_factory):
        from search.backends.opensearch import OpenSearchBackend
        from search.indexer import index_corpus
        from search.searcher import Searcher

        url = request.getfixturevalue("opensearch_url")
        backend = OpenSearchBackend(url, index_name=f"loupe-{label}")
        folder = tmp_path_factory.mktemp(f"{label}-os")
        index_corpus(backend_corpus, folder, ner=False, backend=backend)
        return Searcher(backend)

    @pytest.fixture(params=["whoosh", OPENSEARCH])
    def searcher(request, whoosh_index):
        from search.searcher import Searcher

        if request.param == "whoosh":
            return Searcher.open(whoosh_index)
        return request.getfixturevalue("opensearch_searcher")

    return backend_corpus, whoosh_index, opensearch_searcher, searcher
