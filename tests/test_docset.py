"""Filters in the Whoosh backend: the document set computed once per search must
select exactly what the filter selects, in every segment of an index on disk, and
date ranges read as month terms must select what one numeric range selects."""

from __future__ import annotations

from datetime import date, timedelta

from whoosh import fields, index
from whoosh import query as wq

from search.article import Article, Section
from search.backends.whoosh import WhooshBackend
from search.backends.whoosh.docset import DocSetQuery
from search.backends.whoosh.querying import _date_range, date_filter


def test_a_doc_set_selects_what_its_filter_selects_across_segments(tmp_path):
    schema = fields.Schema(place=fields.ID(stored=True), n=fields.NUMERIC(stored=True))
    ix = index.create_in(str(tmp_path), schema)
    for batch in range(3):  # three commits without merging: three segments
        writer = ix.writer()
        for i in range(10):
            writer.add_document(place="mali" if (batch + i) % 3 == 0 else "niger", n=i)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        mali = wq.Term("place", "mali")
        docset = DocSetQuery(searcher, mali)
        expected = sorted(searcher.docs_for_query(mali))
        assert docset.docnums == expected
        assert sorted(searcher.docs_for_query(wq.And([wq.Every(), docset]))) == expected
        hits = searcher.search(wq.And([wq.NumericRange("n", 0, 4), docset]), limit=None)
        assert {h["place"] for h in hits} == {"mali"}
        assert len(hits) == len([d for d in expected if searcher.stored_fields(d)["n"] <= 4])


def test_month_terms_select_the_same_articles_as_the_date_range(tmp_path):
    """Whole months are read as `months` terms, the edges as ranges: the same
    articles as one range over `published`, whatever the bounds."""
    first = date(2016, 12, 20)
    articles = [
        Article(
            id=f"d{i}",
            title=f"Dépêche {i}",
            sections=[Section(None, "Texte.")],
            published=first + timedelta(days=2 * i),
        )
        for i in range(60)
    ]
    backend = WhooshBackend(tmp_path / "ix")
    backend.build(iter(articles))
    searcher = backend._generation().searcher()
    bounds = [date(2016, 12, 1), date(2016, 12, 31), date(2017, 1, 1), date(2017, 1, 15)]
    bounds += [date(2017, 1, 31), date(2017, 2, 1), date(2017, 2, 28), date(2017, 3, 3)]
    for start in bounds:
        for end in bounds:
            by_months = set(searcher.docs_for_query(date_filter(start, end)))
            by_range = set(searcher.docs_for_query(_date_range(start, end)))
            assert by_months == by_range, (start, end)
    assert isinstance(date_filter(date(2017, 1, 1), date(2017, 2, 28)), wq.Or)
