"""The vectorised query path (search/backends/whoosh/fastpath.py) against Whoosh itself.

A real index on disk over real articles; every query is run three ways: the
fast path, the plain path (Whoosh's matchers, `fast_path=False`), and Whoosh's
exhaustive scoring of the same query tree (`limit=None`, the all-words bonus
applied as the backend does). The fast path must give the reference's hits and
scores, and the plain path's total and facets. The plain path's own top 10 is
not the reference: Whoosh's block-quality skipping can drop the best documents
(« etats-unis » on the real corpus loses its top hit).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex
from whoosh import query as wq

from search.article import Article, Section
from search.backends.base import Filters, SearchRequest
from search.backends.whoosh import WhooshBackend, fastpath, store
from search.backends.whoosh.docset import DocSetQuery
from search.backends.whoosh.fastpath import FAST_DIR, build_fast_path
from search.backends.whoosh.postings import chunked_writer
from search.backends.whoosh.proximity import positions_of
from search.backends.whoosh.querying import Translator, filter_query
from search.backends.whoosh.schema import to_document
from search.entity_keys import EntityScanner, article_entity_keys
from search.expansion.questions import without_question_words
from search.indexer import index_corpus
from search.names import canonical_filters
from search.proximity import window_words, windowed, word_weight
from search.query import parse
from search.searcher import Limits, Searcher

REPO = Path(__file__).resolve().parent.parent
WINER = REPO / "corpus" / "wikinews-winer.jsonl"
EVERY_NTH = 4  # ≈ 300 real articles: quick to build, varied enough to rank

ALIAS_ONLY = {
    "id": "alias-only",
    "title": "Offensive dans le désert",
    "date": "2016-05-02",
    "source": "Test",
    "text": "Les combattants de Daech ont lancé une offensive. Daech revendique l'attaque.",
}

QUERIES = [
    "Mali",
    "élection présidentielle américaine",
    "etats-unis",
    "crise des migrants en Europe",
    "l'armée syrienne",
    '"Union européenne"',
    '"coup d\'État"',
    "État islamique Raqqa",
    "Daech",
    "Nations unies",
    "ONU",
    "Mali -Wagner",
    "(JNIM OR GSIM) AND Mali",
    'Wagner OU "Africa Corps"',
    "titre:Mali",
    "sécur*",
    "Tinzawatin~",
    "-Mali",
    "manifestation contre la réforme des retraites à Paris",
    "qui a gagné l'élection présidentielle américaine ?",
    "elction presidentiele",
]


def _pick(folder: Path) -> None:
    lines = WINER.read_text("utf-8").splitlines()
    picked = [line for i, line in enumerate(lines) if i % EVERY_NTH == 0 and line.strip()]
    picked.append(json.dumps(ALIAS_ONLY, ensure_ascii=False))
    (folder / "sample.jsonl").write_text("\n".join(picked) + "\n", "utf-8")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("fast-corpus")
    _pick(corpus)
    target = tmp_path_factory.mktemp("fast") / "index"
    report = index_corpus(corpus, target, ner=False)
    assert report.indexed > 200
    return target


def _generation(index: Path) -> Path:
    (gen,) = [p for p in index.iterdir() if p.name.startswith("gen-")]
    return gen


def _reference(
    backend: WhooshBackend,
    query: str,
    page: int = 1,
    per_page: int = 10,
    filters: Filters | None = None,
) -> list[tuple[str, float]]:
    """Whoosh's exhaustive scoring of Loupe's query tree, with the all-words bonus."""
    gen = backend._generation()
    searcher = gen.searcher()
    translation = Translator(searcher.reader(), gen.gazetteer()).translate(parse(query))
    q = translation.query
    fq = filter_query(canonical_filters(filters or Filters(), gen.gazetteer()))
    if fq is not None:
        q = wq.And([q, DocSetQuery(searcher, fq)])
    found = searcher.search(q, limit=None)
    top = [(hit.docnum, hit.score) for hit in found][: max(100, page * per_page)]
    if len(translation.all_words) > 1:
        top = backend._all_words_bonus(searcher, top, translation.all_words)
    # the window bonus, every candidate's positions read by Whoosh's matchers
    # (the fast path first asks its columns which candidates hold which words)
    words = window_words(without_question_words(parse(query)))
    if words:
        n = searcher.doc_count_all()
        weights = [word_weight(searcher.doc_frequency("text_exact", w), n) for w in words]
        top = windowed(top, words, weights, lambda ds: positions_of(searcher, ds, words))
    shown = top[(page - 1) * per_page : page * per_page]
    return [(searcher.stored_fields(d)["doc"]["id"], round(s, 4)) for d, s in shown]


def _compare(index: Path, queries=QUERIES, **kwargs) -> None:
    fast_backend = WhooshBackend(index)
    plain_backend = WhooshBackend(index, fast_path=False)
    # A generous limit: a loaded test machine must not turn a comparison into a partial answer.
    fast = Searcher(fast_backend, Limits(time_limit=60.0))
    plain = Searcher(plain_backend, Limits(time_limit=60.0))
    assert fast_backend._generation().fast() is not None
    for query in queries:
        # As the backend was asked: no relaxation of empty results (the reference has none).
        a = fast.search(query, relax=False, **kwargs)
        b = plain.search(query, relax=False, **kwargs)
        assert not a.partial, query
        assert a.total == b.total, query
        assert a.facets == b.facets, query
        got = [(h.id, h.score) for h in a.hits]
        if kwargs.get("sort", "relevance") == "relevance":
            expected = _reference(
                plain_backend,
                query,
                kwargs.get("page", 1),
                kwargs.get("per_page", 10),
                kwargs.get("filters"),
            )
            assert got == expected, query
        else:
            assert got == [(h.id, h.score) for h in b.hits], query


def test_fast_path_gives_whoosh_hits_scores_totals_and_facets(index):
    _compare(index)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_match_the_plain_path(index, sort):
    _compare(index, sort=sort)


def test_filters_and_later_pages_match_the_plain_path(index):
    # Whole months (month terms) and partial ones (date ranges), a source, no match at all.
    for filters in (
        Filters(sources=("Wikinews",), date_from=date(2016, 1, 1), date_to=date(2017, 6, 30)),
        Filters(date_from=date(2016, 3, 15), date_to=date(2016, 11, 2)),
        Filters(date_from=date(2017, 5, 1)),
        Filters(places=("Nulle part",)),
    ):
        _compare(index, queries=QUERIES[:8], filters=filters)
    _compare(index, queries=QUERIES[:8], page=2, per_page=5)


def test_day_counts_are_the_plain_paths_with_or_without_a_search_before(index):
    # The timeline counts the fast path's match set; after a search it reuses
    # that search's set. Either way: the plain path's counts, summing to the total.
    fast_backend = WhooshBackend(index)
    plain_backend = WhooshBackend(index, fast_path=False)
    fast = Searcher(fast_backend, Limits(time_limit=60.0))
    filters = Filters(date_from=date(2016, 3, 15), date_to=date(2017, 6, 30))
    for query in QUERIES:
        for f in (Filters(), filters):
            request = SearchRequest(query=parse(query), filters=f, time_limit=60.0)
            cold = fast_backend.date_counts(request)
            found = fast.search(query, filters=f, relax=False)
            warm = fast_backend.date_counts(request)
            plain = plain_backend.date_counts(request)
            assert cold == warm == plain, (query, f)
            assert sum(cold.per_day.values()) + cold.undated == found.total, (query, f)


def test_an_alias_is_found_as_one_entity_term(index):
    backend = WhooshBackend(index)
    gen = backend._generation()
    translation = Translator(gen.searcher().reader(), gen.gazetteer()).translate(
        parse("État islamique")
    )
    assert "entkeys:etat islamique" in str(translation.query)
    assert "Phrase" not in repr(translation.query)  # no phrase per alias any more
    hits = Searcher(backend).search("État islamique", per_page=50).hits
    assert "alias-only" in [h.id for h in hits]  # it only says « Daech »


def test_spellings_the_articles_were_scanned_for_and_never_hold_are_no_phrases(index):
    # The index holds a key for every mention of a gazetteer name in any spelling
    # (the articles were scanned for them all): a name with no key in the index
    # is written nowhere, so its other spellings cost no phrase over positions.
    backend = WhooshBackend(index)
    gen = backend._generation()
    reader = gen.searcher().reader()
    assert reader.doc_frequency("entkeys", "evgueni prigojine") == 0
    translation = gen.translator().translate(parse("Prigozhin Wagner"))
    assert "Phrase" not in repr(translation.query)
    assert "prigozhin" in repr(translation.query)  # what was typed is still searched
    # Without knowing what the articles were scanned for, the phrases stay.
    unknown = Translator(reader, gen.gazetteer()).translate(parse("Prigozhin Wagner"))
    assert "Phrase" in repr(unknown.query)
    plain = Searcher(WhooshBackend(index, fast_path=False), Limits(time_limit=60.0))
    fast = Searcher(backend, Limits(time_limit=60.0))
    for query in ("Prigozhin Wagner", "Evgueni Prigojine"):
        assert [h.id for h in fast.search(query).hits] == [h.id for h in plain.search(query).hits]


def _writable_copy(index: Path, tmp_path: Path):
    """A copy of the test index to write segments into: its folder, generation
    folder, gazetteer, entity scanner and Whoosh index."""
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    gen = _generation(copy)
    gazetteer = WhooshBackend(copy)._generation().gazetteer()
    return copy, gen, gazetteer, EntityScanner(gazetteer), windex.open_dir(str(gen))


def test_a_generation_of_several_segments_with_deletions(index, tmp_path):
    """What an incremental build makes: the first segment kept, a segment of
    changes added, deleted documents masked; only the new segment is read."""
    copy, gen, gazetteer, scanner, ix = _writable_copy(index, tmp_path)
    writer = ix.writer()
    for n in range(3):
        article = Article(
            id=f"added-{n}",
            title=f"Mali : nouvelle attaque à Tombouctou ({n})",
            sections=[Section(None, "L'armée malienne et la MINUSMA à Tombouctou, au Mali.")],
            published=date(2018, 1, 1 + n),
        )
        keys = article_entity_keys(article, scanner)
        writer.add_document(**to_document(article, gazetteer.aliases_of, keys))
    writer.delete_by_term("id", "alias-only")
    writer.commit(merge=False)
    assert len(windex.open_dir(str(gen)).reader().leaf_readers()) == 2
    assert len(build_fast_path(gen)) == 1  # the first segment's columns are kept
    elsewhere = tmp_path / "next-generation"  # an incremental build's new folder
    shutil.copytree(gen, elsewhere, ignore=shutil.ignore_patterns(FAST_DIR))
    assert len(build_fast_path(elsewhere, reuse_from=gen)) == 0  # all hard-linked
    meta = json.loads((gen / "meta.json").read_text("utf-8"))  # as `store.publish` records it
    files = {k: v for k, v in store.file_sizes(gen).items() if k != "meta.json"}
    (gen / "meta.json").write_text(json.dumps({**meta, "files": files}), "utf-8")
    _compare(copy)
    searcher = Searcher(WhooshBackend(copy), Limits(time_limit=60.0))  # not a speed test
    hits = searcher.search("Daech", per_page=50).hits
    assert "alias-only" not in [h.id for h in hits]
    assert "added-0" in [h.id for h in searcher.search("Tombouctou").hits]


def _same_columns(written: Path, segreader, tmp_path: Path) -> None:
    """The columns a commit wrote equal, file for file, those read back from the segment."""
    read_back = tmp_path / f"read-back-{written.name}"
    read_back.mkdir()
    fastpath._write_segment(segreader, read_back)
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(p.name for p in read_back.iterdir())
    for name in names:
        if name.endswith(".npy"):
            a, b = np.load(written / name), np.load(read_back / name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        else:
            assert (written / name).read_text() == (read_back / name).read_text(), name


def test_columns_written_by_the_commit_equal_those_read_back(index, tmp_path):
    """The build writes a segment's columns from the postings its commit
    encodes (column_tap); reading them back from the segment gives the same
    files — for a full build and for a commit that merges segments with
    deletions, as incremental updates do."""
    gen = _generation(index)
    with windex.open_dir(str(gen)).reader() as reader:
        for segreader, _ in reader.leaf_readers():
            _same_columns(gen / FAST_DIR / segreader.segment().segment_id(), segreader, tmp_path)
    _, gen, gazetteer, scanner, ix = _writable_copy(index, tmp_path)
    writer = ix.writer()  # Whoosh's own writer: a second segment, columns read back
    article = Article(
        id="added", title="Mali : attaque à Tombouctou", sections=[Section(None, "Au Mali.")]
    )
    writer.add_document(
        **to_document(article, gazetteer.aliases_of, article_entity_keys(article, scanner))
    )
    writer.commit(merge=False)
    build_fast_path(gen)
    writer = chunked_writer(ix)  # merges both, less a deleted article, columns tapped
    writer.delete_by_term("id", "alias-only")
    writer.commit(optimize=True)
    with windex.open_dir(str(gen)).reader() as reader:
        (only,) = [seg for seg, _ in reader.leaf_readers()]
        seg_id = only.segment().segment_id()
        assert (gen / FAST_DIR / seg_id / "format.json").is_file()
        _same_columns(gen / FAST_DIR / seg_id, only, tmp_path)
    assert not list((gen / FAST_DIR).glob("*.tapped"))


def test_document_frequencies_from_the_columns_are_whooshs(index):
    """The translator reads document frequencies (frequent words, expansions
    kept, entity keys) from the columns: the same counts as Whoosh's term info."""
    gen = WhooshBackend(index)._generation()
    fast = gen.fast()
    reader = gen.searcher().reader()
    for field in ("text", "text_exact", "entkeys"):
        words = [w for w, _ in zip(reader.lexicon(field), range(400), strict=False)]
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in words]
        assert words
        for word in [*words, "mot-absent-du-corpus"]:
            assert fast.doc_frequency(field, word) == reader.doc_frequency(field, word), word


def test_without_column_files_the_plain_path_answers(index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    shutil.rmtree(_generation(copy) / FAST_DIR)
    backend = WhooshBackend(copy)
    results = Searcher(backend).search("Mali")
    assert backend._generation().fast() is None
    assert results.total == Searcher(WhooshBackend(index)).search("Mali").total


def test_the_time_limit_cuts_a_costly_query_cleanly(index):
    costly = " OR ".join(f'"{a} {b}"' for a in ("le", "la", "les") for b in ("pays", "ville"))
    costly += " OR ma* OR pa* OR co* OR de*"
    searcher = Searcher(WhooshBackend(index), Limits(time_limit=0.0))
    results = searcher.search(costly)
    assert results.partial
    assert results.total <= Searcher(WhooshBackend(index)).search(costly).total
    assert len(results.hits) <= 10


def test_warm_opens_everything_a_search_reads(index):
    backend = WhooshBackend(index)
    backend.warm(threads=3)
    gen = backend._generation()
    assert gen._fast and gen._spelling is not None
    assert len(gen._spare) == 2  # one searcher per serving thread, opened up front
