"""Article text → words with their character offsets → hashed word shingles.

Reprint detection compares *wording*, not topics: the text is folded (case and
accents, so a reprint that lost its accents still matches) but neither stemmed
nor stripped of stop words — « les forces armées » and « la force armée » are
two different sentences for a copy editor. Each word keeps its offsets in the
article body, so shared passages can be pointed at in the original text.

Shingles are hashed with datasketch's `sha1_hash32`, the hash its MinHash uses,
so the same 32-bit values serve the exact overlap counts and the signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from datasketch.hashfunc import sha1_hash32

from search.analysis import fold
from search.article import Article

# Measured with `python -m bench.reprints --sweep`: 3-word shingles keep
# rewritten reprints (5–15 % of words changed) above the threshold where
# 5-word shingles lose them, and still tell same-topic articles apart.
SHINGLE_SIZE = 3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Word:
    folded: str
    start: int  # offsets in the text the word was read from
    end: int


def words(text: str) -> list[Word]:
    """The words of `text`, folded, with their offsets in `text` itself."""
    return [Word(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def reprint_text(article: Article) -> str:
    """What is compared: the body, without the title (a reprint rewrites headlines)."""
    return article.body


def shingle_hashes(folded: list[str], size: int = SHINGLE_SIZE) -> np.ndarray:
    """The distinct hashes of every run of `size` consecutive words, sorted (uint32)."""
    if len(folded) < size:
        return np.empty(0, dtype=np.uint32)
    grams = {" ".join(folded[i : i + size]) for i in range(len(folded) - size + 1)}
    return np.unique(np.fromiter((sha1_hash32(g.encode()) for g in grams), dtype=np.uint32))


def article_shingles(article: Article, size: int = SHINGLE_SIZE) -> np.ndarray:
    return shingle_hashes([w.folded for w in words(reprint_text(article))], size)
