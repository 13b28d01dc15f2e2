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
    opensearch_index: str | None = None,
) -> Backend:
    """The backend called `kind`, configured from arguments, else the environment.

    OpenSearch reads `LOUPE_OPENSEARCH_URL` (one URL, or several separated by
    commas for a multi-node cluster), `LOUPE_OPENSEARCH_INDEX` (the alias,
    default `loupe`), `LOUPE_OPENSEARCH_SHARDS`/`_REPLICAS` (used by the next
    build) and `LOUPE_OPENSEARCH_CA_CERTS` (a CA bundle for `https://` URLs):
    a deployment changes clusters without changing code.
    """
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
        options: dict[str, object] = {
            "shards": int(os.environ.get("LOUPE_OPENSEARCH_SHARDS", "1")),
            "replicas": int(os.environ.get("LOUPE_OPENSEARCH_REPLICAS", "0")),
        }
        ca_certs = os.environ.get("LOUPE_OPENSEARCH_CA_CERTS")
        if ca_certs:
            options.update(ca_certs=ca_certs, verify_certs=True)
        name = opensearch_index or os.environ.get("LOUPE_OPENSEARCH_INDEX") or "loupe"
        return OpenSearchBackend(url, index_name=name, **options)
    raise ValueError(f"unknown backend {kind!r}: choose one of {', '.join(BACKENDS)}")
