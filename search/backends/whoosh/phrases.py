"""Quoted phrases on the fast path: candidates from the columns, positions checked once.

Whoosh matches a phrase with span matchers: an intersection matcher walks
every document holding all the words, builds span objects for each position
of each word and compares them pairwise, in pure Python — 100–350 ms for
« "Union européenne" » at 100,000 articles. Here the documents holding every
word come from the fast path's columns (a numpy intersection), and only their
positions are read: one block of a word's postings is decoded at a time and
each candidate's positions are checked for the run `p, p+1, …` — the match
Whoosh's `Phrase(slop=1)` makes (an ordered span of distance 1 between each
word and the next), so the documents found are the same. Scores are not
computed here: a phrase scores as the sum of its words' BM25F (Whoosh's
intersection of term matchers), which the columns already give.
"""

from __future__ import annotations

import time

import numpy as np
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.searching import Searcher


class PhraseTimeCut(Exception):
    """The deadline passed while positions were read."""


def phrase_documents(
    searcher: Searcher,
    field: str,
    words: list[str],
    candidates: np.ndarray,
    deadline: float = float("inf"),
) -> np.ndarray:
    """The global document numbers among `candidates` (sorted, every one
    holding every word) where `words` stand next to each other, in order."""
    if not len(candidates) or not words:
        return np.zeros(0, dtype=np.int64)
    if len(words) == 1:
        return candidates
    found: list[np.ndarray] = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        count = reader.doc_count_all()
        lo, hi = np.searchsorted(candidates, [offset, offset + count])
        local = candidates[lo:hi] - offset
        if not len(local):
            continue
        decode = reader.schema[field].format.decoder("positions")
        per_word = [_positions(reader, field, w, local, decode, deadline) for w in words]
        keep = np.zeros(len(local), dtype=bool)
        for i in range(len(local)):
            runs = per_word[0][i]
            for k in range(1, len(words)):
                following = per_word[k][i]
                runs = {p for p in runs if p + k in following}
                if not runs:
                    break
            keep[i] = bool(runs)
        found.append(local[keep].astype(np.int64) + offset)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _positions(reader, field: str, word: str, local: np.ndarray, decode, deadline: float):
    """The positions of `word` in each document of `local` (all hold it), read
    block by block from the segment's postings."""
    matcher = reader.postings(field, word)
    while isinstance(matcher, WrappingMatcher):  # deletions filtered: the raw postings
        matcher = matcher.child  # (a deleted candidate is dropped by the caller's live mask)
    out: list[set[int]] = []
    j = 0
    n = len(local)
    while j < n:
        if time.perf_counter() > deadline:
            raise PhraseTimeCut
        matcher.skip_to(int(local[j]))  # loads the block holding it
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._values is None:
            matcher._read_values()
        ids = np.asarray(matcher._ids)
        last = int(ids[-1])
        k = int(np.searchsorted(local, last, side="right"))
        where = np.searchsorted(ids, local[j:k])
        values = matcher._values
        out.extend(set(decode(values[i])) for i in where.tolist())
        j = k
        if j < n:
            if not matcher.is_active():  # every candidate holds the word: cannot happen
                raise LookupError(f"{word!r} missing from a candidate's postings")
            matcher._next_block()
    return out
