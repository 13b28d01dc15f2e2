"""Segment writers write their sorted runs in chunks (search/backends/whoosh/
postings.py): the segment they write is Whoosh's own, posting for posting."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as windex

from search.article import Article
from search.backends.whoosh.postings import ChunkedPostingPool, chunked_writer
from search.backends.whoosh.schema import build_schema, to_document
from search.readers import read_corpus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    articles = [a for a in read_corpus(ROOT / "corpus") if isinstance(a, Article)][:400]
    return [to_document(a, lambda _canonical: []) for a in articles]


def _write(folder: Path, documents: list[dict], chunked: bool) -> dict:
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema())
    options = {"limitmb": 1, "compound": False}  # 1 MB: the pool writes many runs
    writer = chunked_writer(ix, **options) if chunked else ix.writer(**options)
    assert isinstance(writer.pool, ChunkedPostingPool) is chunked
    for document in documents:
        writer.add_document(**document)
    runs = len(writer.pool.runs)
    writer.commit()
    postings = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            postings[field, term] = list(zip(matcher.all_ids(), strict=False))
            if reader.schema[field].format.supports("positions"):
                postings[field, term, "positions"] = [
                    tuple(m.value_as("positions")) for m in _each(reader.postings(field, term))
                ]
    ix.close()
    return {"runs": runs, "postings": postings}


def _each(matcher):
    while matcher.is_active():
        yield matcher
        matcher.next()


def test_chunked_runs_write_whooshs_own_segment(documents, tmp_path):
    plain = _write(tmp_path / "plain", documents, chunked=False)
    chunked = _write(tmp_path / "chunked", documents, chunked=True)
    assert chunked["runs"] == plain["runs"] > 3  # runs were written, and merged
    assert chunked["postings"] == plain["postings"]
    assert len(plain["postings"]) > 10_000
