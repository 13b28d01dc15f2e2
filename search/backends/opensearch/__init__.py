"""The scale-out backend: the same `Article`s and query tree, served by OpenSearch.

Whoosh needs nothing but a folder; when a corpus outgrows one machine the same
requests run here, on an existing distributed engine. One module a job:

- `mapping`: the index settings — French analysis from OpenSearch's own filters
  (elision, lowercase, asciifolding, folded stop words, plural -s, Snowball
  French), so any stock OpenSearch 2.x node can serve it — and the fields;
- `documents`: an `Article` to the indexed document and back;
- `querying`: the query tree to query DSL, with the Whoosh backend's ranking rules
  (search/backends/whoosh/querying.py), so that a query ranks alike on both
  engines, gazetteer names expanded to every spelling;
- `highlight`: snippets from OpenSearch's highlighter, each with its section;
- `backend`: `OpenSearchBackend`, builds (a new generation, then one alias
  switch) and searches.

Configuration: `OpenSearchBackend(url)`, or `OpenSearchBackend.from_env()`
which reads `LOUPE_OPENSEARCH_URL` (default `http://127.0.0.1:9200`).
"""

from search.backends.opensearch.backend import OpenSearchBackend, url_from_env

__all__ = ["OpenSearchBackend", "url_from_env"]
