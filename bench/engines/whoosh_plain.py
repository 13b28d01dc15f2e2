"""Plain Whoosh: what a developer gets with Whoosh's defaults and nothing French.

The baseline Loupe must beat on relevance (it is the same library) and must not
fall far behind on speed. Defaults on purpose: StandardAnalyzer (English stop
words, no folding, no stemming), one writer, compound segments, BM25F.
"""

from __future__ import annotations

from pathlib import Path

import whoosh
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup

from bench.cache import file_digest
from bench.corpora import iter_docs
from bench.engines.base import BenchQuery, Outcome


def schema() -> Schema:
    return Schema(id=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True))


class WhooshSession:
    def __init__(self, index_dir: Path, operator: str) -> None:
        self._ix = index.open_dir(str(index_dir))
        self._searcher = self._ix.searcher()
        group = OrGroup if operator == "or" else AndGroup
        self._parser = MultifieldParser(["title", "body"], self._ix.schema, group=group)

    def search(
        self, query: BenchQuery, *, limit: int = 10, snippets: bool = True, facets: bool = False
    ) -> Outcome:
        results = self._searcher.search(self._parser.parse(query.text), limit=limit)
        ids: list[str] = []
        n_snippets = 0
        for hit in results:
            ids.append(hit["id"])
            if snippets and hit.highlights("body", top=3):
                n_snippets += 1
        # The exact total is what a results page shows; it costs a second pass.
        return Outcome(total=len(results), ids=ids, snippets=n_snippets)

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()


class WhooshPlain:
    name = "whoosh"
    label = "Whoosh default"
    supports_filters = False
    supports_facets = False

    def version(self) -> str:
        return f"whoosh {whoosh.versionstring()} {file_digest(Path(__file__))[:12]}"

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(index_dir), schema())
        writer = ix.writer()
        n = 0
        for doc in iter_docs(corpus):
            writer.add_document(id=doc.id, title=doc.title, body=doc.body)
            n += 1
        writer.commit()
        ix.close()
        return n

    def open(self, index_dir: Path, *, operator: str = "and") -> WhooshSession:
        return WhooshSession(index_dir, operator)
