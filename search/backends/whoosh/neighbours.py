"""« Articles proches » on the generation's columns: Whoosh's `more_like`, vectorised.

Whoosh's `Searcher.more_like` picks the article's key terms (Bo1 over the
stemmed `text` field: a term weighs more the more often the article uses it
and the rarer it is in the collection), ORs them with their Bo1 weights as
boosts and runs that query through its pure-Python matchers. Profiled on the
bench's 10k index (`Searcher.similar`, 200 articles), the matchers were 70 %
of the call and the key terms 12 % (a term-dictionary read per distinct word,
twice: `in` then `frequency`); both grow with the postings, so with the corpus.

Here the same two steps run on the fast path (`fastpath.py`):

- the key terms: the text is analysed by the field's own analyzer (the same
  stems Whoosh weighs), each stem's collection frequency is the sum of its
  `tf` column across segments — Whoosh's `frequency`, read from the columns in
  one vectorised lookup per segment — and Bo1 scores them as `classify.Bo1Model`;
- the query: the same `Or` of boosted `Term`s, scored by the `Executor`
  (BM25F, Whoosh's formula) and the top k taken by `top_k`, the article itself
  masked out as Whoosh's `mask={docnum}` does.

Same terms, same weights, same scores up to float addition order: the
neighbours are Whoosh's (tests/test_reprints_fastpath.py compares them).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search.backends.whoosh.fastpath import Executor, FastPath, term_hash, top_k

FIELD = "text"


def collection_frequencies(fast: FastPath, field: str, words: list[str]) -> np.ndarray:
    """Each word's total weight in `field` over every document of every segment
    (Whoosh's `IndexReader.frequency`); 0 for a word the index does not hold."""
    keys = np.array([term_hash(w) for w in words], dtype=np.int64)
    totals = np.zeros(len(words))
    if not len(keys):
        return totals
    for (_, columns), per_term in zip(fast.segments, _term_totals(fast, field), strict=True):
        column = columns[field]
        if not len(column.keys):
            continue
        at = np.searchsorted(column.keys, keys)
        inside = at < len(column.keys)
        found = np.zeros(len(keys), dtype=bool)
        found[inside] = column.keys[at[inside]] == keys[inside]
        totals[found] += per_term[np.asarray(column.cols)[at[found]]]
    return totals


_TOTALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TOTALS_LOCK = threading.Lock()


def _term_totals(fast: FastPath, field: str) -> list[np.ndarray]:
    """Per segment, each column's summed weights (a term's collection frequency
    in that segment), computed once per generation: summing a common word's
    postings at every request grew with the corpus."""
    with _TOTALS_LOCK:
        cached = _TOTALS.setdefault(fast, {})
        if field not in cached:
            cached[field] = [_column_totals(columns[field]) for _, columns in fast.segments]
        return cached[field]


def _column_totals(column) -> np.ndarray:
    ptr = np.asarray(column.ptr)
    totals = np.zeros(max(len(ptr) - 1, 0))
    filled = ptr[1:] > ptr[:-1]  # reduceat would give an empty column its next value
    if filled.any():
        totals[filled] = np.add.reduceat(np.asarray(column.tf), ptr[:-1][filled], dtype=np.float64)
    return totals


def key_terms(
    fast: FastPath, searcher: Searcher, text: str, numterms: int
) -> list[tuple[str, float]]:
    """`searcher.key_terms_from_text(FIELD, text, numterms, Bo1Model, normalize=False)`,
    with the collection frequencies read from the columns."""
    field = searcher.schema[FIELD]
    in_text: Counter[str] = Counter()
    for token_text, _, weight, _ in field.index(text):
        in_text[field.from_bytes(token_text)] += weight
    if not in_text:
        return []
    words = list(in_text)
    cf = collection_frequencies(fast, FIELD, words)
    n = searcher.reader().doc_count_all()
    top_total = sum(in_text.values())
    scored: list[tuple[float, str]] = []
    maxweight = 0.0
    for word, frequency in zip(words, cf.tolist(), strict=True):
        if frequency <= 0:  # `(fieldname, btext) in ixreader` is False
            continue
        score = _bo1(in_text[word], frequency, n, top_total)
        maxweight = max(maxweight, score)
        scored.append((score, word))
    scored = [(score / maxweight, word) for score, word in scored]
    scored.sort(key=lambda sw: (-sw[0], sw[1]))
    return [(word, score) for score, word in scored[:numterms]]


def _bo1(weight_in_top: float, weight_in_collection: float, n: int, top_total: float) -> float:
    """`whoosh.classify.Bo1Model.score`, the same operations in the same order."""
    f = weight_in_collection / n
    return weight_in_top * log((1.0 + f) / f, 2) + log(1.0 + f, 2)


def more_like(
    fast: FastPath,
    searcher: Searcher,
    docnum: int,
    text: str,
    top: int,
    numterms: int,
    B: float,
    K1: float,
) -> list[tuple[int, float]]:
    """The `top` documents most like `text` (document `docnum` left out), as
    (docnum, score), best first — Whoosh's `more_like` on the columns."""
    terms = key_terms(fast, searcher, text, numterms)
    if not terms or top <= 0:
        return []
    q = wq.Or([wq.Term(FIELD, word, boost=weight) for word, weight in terms])
    found = Executor(fast, searcher, B, K1).run(q)
    found.mask[docnum] = False
    return top_k(found.score, found.mask, top)
