"""Where the typed words stand in the best candidates, for `search.proximity`.

`text_exact` holds every word of the text (title, headings, body, the names'
other spellings, in that order) with its position, stop words left out: the
numbering `search.proximity` counts windows in. One postings matcher a typed
word, walked once over the candidates in document order (`skip_to`).

Reading positions is Whoosh's Python decoding, the window's whole cost
(profiled: ≈ 9 ms of an 11 ms long query at 10,000 articles when every
candidate was visited). So when the generation's fast path is there, its
document columns say first which candidates hold which words: only the
candidates holding two or more typed words can stand in a window, and each
matcher skips straight to the candidates that hold its word.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from whoosh.searching import Searcher

from search.proximity import Positions

FIELD = "text_exact"


def positions_of(
    searcher: Searcher,
    docnums: list[int],
    words: list[str],
    holders: Callable[[str], np.ndarray] | None = None,
) -> dict[int, Positions]:
    """Each candidate's positions of each word (in `words` order) in `text_exact`;
    `holders(word)`, if given, the sorted docnums holding the word (fast path)."""
    ordered = sorted(docnums)
    found: dict[int, list[list[int]]] = {d: [[] for _ in words] for d in ordered}
    if holders is None:
        visits = [ordered for _ in words]
    else:
        candidates = np.asarray(ordered, dtype=np.int64)
        holding = [_held(candidates, holders(word)) for word in words]
        worth = np.sum(holding, axis=0) >= 2  # a word alone stands in no window
        visits = [candidates[held & worth].tolist() for held in holding]
    for i, word in enumerate(words):
        if not visits[i] or (FIELD, word) not in searcher.reader():
            continue
        matcher = searcher.postings(FIELD, word)
        for d in visits[i]:
            if matcher.is_active() and matcher.id() < d:
                matcher.skip_to(d)
            if not matcher.is_active():
                break
            if matcher.id() == d:
                found[d][i] = list(matcher.value_as("positions"))
    return found


def _held(candidates: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of the sorted `candidates` are in `docs` (a term's docnums, in
    postings order, i.e. sorted): one binary search a candidate, where
    `np.isin` would sort the whole postings list (a common word at 100,000
    articles: tens of thousands of documents)."""
    if not len(docs):
        return np.zeros(len(candidates), dtype=bool)
    at = np.searchsorted(docs, candidates)
    return docs[np.minimum(at, len(docs) - 1)] == candidates
