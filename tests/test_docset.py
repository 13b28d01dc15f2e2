"""The filter document set the Whoosh backend computes once per search: it must
select exactly what the filter selects, in every segment of an index on disk."""

from __future__ import annotations

from whoosh import fields, index
from whoosh import query as wq

from search.backends.whoosh.docset import DocSetQuery


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
