"""Segment writers write their sorted runs in chunks (search/backends/whoosh/
postings.py): the segment they write is Whoosh's own, posting for posting."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.formats import Frequency, Positions

from search.article import Article
from search.backends.whoosh.analysis import FrenchFrequency, FrenchPositions
from search.backends.whoosh.field_lengths import FieldLengths
from search.backends.whoosh.postings import ChunkedPostingPool, chunked_writer
from search.backends.whoosh.schema import build_schema, to_document
from search.readers import read_corpus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    articles = [a for a in read_corpus(ROOT / "corpus") if isinstance(a, Article)][:400]
    return [to_document(a, lambda _canonical: []) for a in articles]


def _whooshs_formats():
    """Loupe's schema with Whoosh's own formats on the text fields."""
    schema = build_schema()
    for name in schema.names():
        field = schema[name]
        if isinstance(field.format, FrenchPositions):
            field.format = Positions(field_boost=field.format.field_boost)
        elif isinstance(field.format, FrenchFrequency):
            field.format = Frequency(field_boost=field.format.field_boost)
    return schema


def _write(
    folder: Path, documents: list[dict], chunked: bool, schema=None, limitmb: float = 1
) -> dict:
    folder.mkdir()
    ix = windex.create_in(str(folder), schema or build_schema())
    options = {"limitmb": limitmb, "compound": False}  # 1 MB: the pool writes many runs
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
            postings[field, term] = [(m.id(), m.weight(), m.value()) for m in _each(matcher)]
            info = reader.term_info(field, term)  # its lengths come from field_lengths
            postings[field, term, "info"] = (
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.doc_frequency(),
            )
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


@pytest.mark.parametrize(
    ("limitmb", "runs"),
    [
        (1, range(4, 128)),  # several runs, merged
        (0.02, range(129, 100_000)),  # more runs than are merged at once: Whoosh's reduce_to
        (512, range(0, 1)),  # everything in memory: no run at all
    ],
)
def test_chunked_runs_write_whooshs_own_segment(documents, tmp_path, limitmb, runs):
    plain = _write(tmp_path / "plain", documents, chunked=False, limitmb=limitmb)
    chunked = _write(tmp_path / "chunked", documents, chunked=True, limitmb=limitmb)
    assert chunked["runs"] == plain["runs"]
    assert chunked["runs"] in runs
    assert chunked["postings"] == plain["postings"]
    assert len(plain["postings"]) > 10_000


def test_text_fields_index_what_whooshs_formats_index(documents, tmp_path):
    """The text fields count and place their terms from the token rows
    (analysis.FrenchFrequency/FrenchPositions): the same postings, weights and
    encoded positions as Whoosh's own formats over the same analyzer."""
    french = _write(tmp_path / "french", documents, chunked=True)
    whooshs = _write(tmp_path / "whoosh", documents, chunked=True, schema=_whooshs_formats())
    assert french["postings"] == whooshs["postings"]
    assert any(field == "text_exact" for field, *_ in french["postings"])


def test_field_lengths_read_once_answer_as_whooshs_reader(documents, tmp_path):
    """The commit reads each field's lengths once (field_lengths): the same
    answer as Whoosh's per-document reader for every document and field."""
    _write(tmp_path / "ix", documents, chunked=True)
    ix = windex.open_dir(str(tmp_path / "ix"))
    with ix.reader() as reader:
        ((segreader, _),) = reader.leaf_readers()
        pdr = segreader._perdoc
        table = FieldLengths(pdr)
        checked = 0
        for field in ix.schema.names():
            for docnum in range(segreader.doc_count_all()):
                assert table.doc_field_length(docnum, field) == pdr.doc_field_length(
                    docnum, field
                ), (field, docnum)
                checked += 1
        assert checked > 5_000
