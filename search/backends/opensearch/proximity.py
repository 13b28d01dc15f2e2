"""Where the typed words stand in the best candidates, for `search.proximity`.

The rule counts windows in the Whoosh backend's numbering: the words of title,
headings, body and the names' other spellings one after the other, stop words
left out. OpenSearch numbers differently — a stop word keeps its position,
each value of a multi-valued field starts 100 positions on — so the term
vectors of the candidates' exact fields (`_mtermvectors`, computed from the
source: no term vectors are stored) are renumbered: a field's positions, all
terms together, by rank, each field after the previous ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.proximity import Positions, word_weight

# the exact fields holding what Whoosh's `text_exact` holds, in its order
FIELDS = ("title.exact", "headings.exact", "body.exact", "names")


def positions_of(client: Any, index: str, ids: list[str], words: list[str]) -> dict[str, Positions]:
    """Each candidate's positions of each word (in `words` order)."""
    if not ids:
        return {}
    resp = client.mtermvectors(
        index=index,
        body={
            "ids": ids,
            "parameters": {
                "fields": list(FIELDS),
                "positions": True,
                "offsets": False,
                "payloads": False,
                "term_statistics": False,
                "field_statistics": False,
            },
        },
    )
    return {doc["_id"]: renumbered(doc.get("term_vectors") or {}, words) for doc in resp["docs"]}


def word_weights(client: Any, index: str, words: list[str]) -> list[float]:
    """Each word's `word_weight` from its document frequency in `text.exact`
    (what Whoosh's `text_exact` holds) and the number of articles: one request,
    a `filters` aggregation of one bucket a word."""
    buckets = {str(i): {"term": {"text.exact": w}} for i, w in enumerate(words)}
    resp = client.search(
        index=index,
        body={
            "size": 0,
            "track_total_hits": True,
            "query": {"match_all": {}},
            "aggs": {"df": {"filters": {"filters": buckets}}},
        },
    )
    documents = resp["hits"]["total"]["value"]
    counts = resp["aggregations"]["df"]["buckets"]
    return [word_weight(counts[str(i)]["doc_count"], documents) for i in range(len(words))]


def renumbered(vectors: dict[str, Any], words: Sequence[str]) -> Positions:
    """The words' positions in one document's term vectors, counted as Whoosh
    counts them (see the module's docstring)."""
    wanted = {w: i for i, w in enumerate(words)}
    found: list[list[int]] = [[] for _ in words]
    offset = 0
    for name in FIELDS:
        terms = (vectors.get(name) or {}).get("terms") or {}
        every = sorted({t["position"] for info in terms.values() for t in info.get("tokens", [])})
        rank = {p: offset + r for r, p in enumerate(every)}
        for word, i in wanted.items():
            for token in (terms.get(word) or {}).get("tokens", []):
                found[i].append(rank[token["position"]])
        offset += len(every)
    return found
