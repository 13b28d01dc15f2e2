"""Search backends behind one small interface (see `base.Backend`).

`open_backend` is the only place that knows which engines exist; everything
above it asks for a backend by name and speaks `SearchRequest`/`Results`.
"""

from __future__ import annotations

import os
from pathlib import Path

from search.backends.base import Backend

BACKENDS = ("whoosh", "opensearch")


def open_backend(
    kind: str = "whoosh",
    *,
    index_dir: Path | None = None,
    opensearch_url: str | None = None,
    opensearch_index: str = "loupe",
) -> Backend:
    if kind == "whoosh":
        from search.backends.whoosh import WhooshBackend

        if index_dir is None:
            raise ValueError("the Whoosh backend needs an index folder")
        return WhooshBackend(Path(index_dir))
    if kind == "opensearch":
        from search.backends.opensearch import OpenSearchBackend

        url = opensearch_url or os.environ.get("LOUPE_OPENSEARCH_URL")
        if not url:
            raise ValueError(
                "the OpenSearch backend needs --opensearch-url or LOUPE_OPENSEARCH_URL"
            )
        return OpenSearchBackend(url, index_name=opensearch_index)
    raise ValueError(f"unknown backend {kind!r}: choose one of {', '.join(BACKENDS)}")
