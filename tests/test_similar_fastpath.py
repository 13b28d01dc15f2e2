"""« Articles proches » on the fast path (search/backends/whoosh/neighbours.py)
gives Whoosh's own `more_like`: the same key terms, the same neighbours in the
same order, the same scores — on the real test index, every article of it;
and a generation without column files still answers, through Whoosh."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from whoosh import classify

from bench.reprints import load_corpus
from search.backends.whoosh import neighbours
from search.backends.whoosh.backend import MORE_LIKE_TERMS, WhooshBackend
from search.backends.whoosh.fastpath import FAST_DIR
from search.reprints.shingles import fast_fold, words
from search.searcher import Searcher


def _articles(backend: WhooshBackend):
    return sorted(backend.all_articles(), key=lambda a: a.id)


def test_key_terms_are_whooshs_bo1_terms(test_index):
    backend = WhooshBackend(test_index)
    gen = backend._generation()
    fast, searcher = gen.fast(), gen.searcher()
    assert fast is not None
    for article in _articles(backend):
        expected = searcher.key_terms_from_text(
            "text",
            article.full_text,
            numterms=MORE_LIKE_TERMS,
            model=classify.Bo1Model,
            normalize=False,
        )
        got = neighbours.key_terms(fast, searcher, article.full_text, MORE_LIKE_TERMS)
        assert [w for w, _ in got] == [w for w, _ in expected], article.id
        assert [w for _, w in got] == pytest.approx([w for _, w in expected]), article.id


def test_fast_neighbours_are_whooshs_more_like(test_index):
    fast = WhooshBackend(test_index)
    plain = WhooshBackend(test_index, fast_path=False)
    assert fast._generation().fast() is not None
    compared = 0
    for article in _articles(plain):
        expected = [(h.id, h.score) for h in plain.more_like(article, 10)]
        got = [(h.id, h.score) for h in fast.more_like(article, 10)]
        assert article.id not in [i for i, _ in got]
        assert [i for i, _ in got] == [i for i, _ in expected], article.id
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-3)
        compared += bool(expected)
    assert compared >= 40  # the test corpus's articles do have neighbours


def test_similar_keeps_reprints_out_of_fast_neighbours(test_index):
    searcher = Searcher(WhooshBackend(test_index), index_dir=test_index)
    store = searcher.reprint_store()
    assert store is not None
    for article_id in store.members:
        found = searcher.similar(article_id, neighbours=5)
        shown = {n.id for n in found.neighbours}
        assert article_id not in shown
        assert not shown & set(store.reprints_of(article_id))


def test_a_generation_without_columns_answers_through_whoosh(test_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(test_index, copy)
    backend = WhooshBackend(copy)
    shutil.rmtree(Path(backend._generation().path) / FAST_DIR)
    backend = WhooshBackend(copy)  # opened afresh: the columns are gone
    assert backend._generation().fast() is None
    reference = WhooshBackend(test_index, fast_path=False)
    articles = _articles(reference)[:10]
    for article in articles:
        expected = [h.id for h in reference.more_like(article, 5)]
        assert [h.id for h in backend.more_like(article, 5)] == expected


def _word_by_word(text: str) -> list[tuple[str, int, int]]:
    return [(fast_fold(m.group()), m.start(), m.end()) for m in re.finditer(r"\w+", text)]


def test_words_fold_each_word_as_fast_fold_does():
    text = "Œuvre d'Ærø : l'ÉTÉ à São Paulo, 3 °C, straße — fin."
    found = words(text)
    assert [tuple(w) for w in found] == _word_by_word(text)
    assert [text[w.start : w.end] for w in found][:3] == ["Œuvre", "d", "Ærø"]
    assert found[0].folded == "oeuvre"
    # folded at once when every character folds to its kind: the same words, offsets
    for other in ("L'été à Séville : « déjà » vu, naïf — ça ira, cœur.", "© AFP ½ €, 𝐀x😀b"):
        assert [tuple(w) for w in words(other)] == _word_by_word(other)


@pytest.mark.slow
def test_words_of_every_bundled_article_are_its_words_folded_one_by_one():
    for article in load_corpus():
        assert [tuple(w) for w in words(article.body)] == _word_by_word(article.body), article.id
