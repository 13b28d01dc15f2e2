"""Facet counts over a whole result set, from a per-generation table.

For each facet field, the table lists every document's keys (read once from
the keyword fields' postings when a generation is first searched). Counting
a result set is then one pass over its document numbers — no stored-field
reads, no re-scoring — and the same set also gives the exact total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.reading import IndexReader

from search.backends.base import FacetValue

# Result facet name → keyword field in the schema.
FACET_SOURCES = {
    "persons": "persons",
    "orgs": "orgs",
    "places": "places",
    "sources": "sources",
    "months": "months",
}


class FacetTable:
    def __init__(self, reader: IndexReader, display: dict[str, dict[str, str]]) -> None:
        self.display = display
        self.doc_keys: dict[str, list[tuple[str, ...]]] = {}
        n = reader.doc_count_all()
        for facet, field in FACET_SOURCES.items():
            per_doc: list[list[str]] = [[] for _ in range(n)]
            if field in reader.indexed_field_names():
                for term in reader.lexicon(field):
                    key = term.decode("utf-8") if isinstance(term, bytes) else term
                    for docnum in reader.postings(field, term).all_ids():
                        per_doc[docnum].append(key)
            self.doc_keys[facet] = [tuple(k) for k in per_doc]
        self.doc_frequency = {
            facet: Counter(k for keys in table for k in keys)
            for facet, table in self.doc_keys.items()
        }

    def count(self, docnums: Iterable[int], limit: int) -> dict[str, list[FacetValue]]:
        docnums = list(docnums)
        out: dict[str, list[FacetValue]] = {}
        for facet, table in self.doc_keys.items():
            counter: Counter[str] = Counter()
            for d in docnums:
                keys = table[d]
                if keys:
                    counter.update(keys)
            names = self.display.get(facet, {})
            if facet == "months":
                top = sorted(counter.items(), reverse=True)[:limit]
            else:
                top = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            out[facet] = [FacetValue(names.get(k, k), c) for k, c in top]
        return out
