"""Article text → words with their character offsets → hashed word shingles.

Reprint detection compares *wording*, not topics: the text is folded (case and
accents, so a reprint that lost its accents still matches) but neither stemmed
nor stripped of stop words — « les forces armées » and « la force armée » are
two different sentences for a copy editor. Each word keeps its offsets in the
article body, so shared passages can be pointed at in the original text.

Shingles are hashed to 32 bits with `zlib.crc32` (stable across processes,
unlike `hash()`): the same values serve the exact overlap counts and, through
datasketch's own random permutations, the MinHash signatures. datasketch's
default `sha1_hash32` gives the same clusters and took 40 % of the shingling
time (profiled on the bundled corpus).
"""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple

import numpy as np

from search.article import Article
from search.core.french import fold

# Measured with `python -m bench.reprints --sweep`: 3-word shingles keep
# rewritten reprints (5–15 % of words changed) above the threshold where
# 5-word shingles lose them, and still tell same-topic articles apart.
SHINGLE_SIZE = 3
_WORD = re.compile(r"\w+")


class Word(NamedTuple):
    """A tuple, not a dataclass: « Même texte ailleurs » makes one per word of up
    to 50 articles, and a frozen dataclass took three times as long to build."""

    folded: str
    start: int  # offsets in the text the word was read from
    end: int


def words(text: str) -> list[Word]:
    """The words of `text`, folded, with their offsets in `text` itself.

    Each word is `fast_fold(word)`; the table is filled once for the whole text,
    then each word is only translated (the page's reprints are words() of up to
    50 articles: per-word table checks were half of « Même texte ailleurs »)."""
    table = _fold_table(text)
    if all(_IN_PLACE.get(ord(c)) for c in set(_NON_ASCII.findall(text))):
        # every word character folds to one word character (and characters between
        # words stay between words): fold the text once, the words are in place
        folded = text.translate(_IN_PLACE).lower()
        return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    return [
        Word(m.group().translate(table).lower(), m.start(), m.end()) for m in _WORD.finditer(text)
    ]


def reprint_text(article: Article) -> str:
    """What is compared: the body, without the title (a reprint rewrites headlines)."""
    return article.body


def shingle_hashes(folded: list[str], size: int = SHINGLE_SIZE) -> np.ndarray:
    """The distinct hashes of every run of `size` consecutive words, sorted (uint32)."""
    if len(folded) < size:
        return np.empty(0, dtype=np.uint32)
    grams = {" ".join(folded[i : i + size]) for i in range(len(folded) - size + 1)}
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FOLDED: dict[int, str] = {}  # code point → unidecode's ASCII for it, filled as met


def fast_fold(text: str) -> str:
    """`search.analysis.fold(text)`, character by character as unidecode works, but
    with each non-ASCII character looked up once per process: unidecode's own loop
    over every character cost as much as reading the corpus."""
    return text.translate(_fold_table(text)).lower()


# code point → one character standing for it in place: its fold for a word
# character folding to one word character, a space for a character between
# words; "" for a word character whose fold is longer (« œ » → « oe »)
_IN_PLACE: dict[int, str] = {}


def _fold_table(text: str) -> dict[int, str]:
    """The translation table, holding every non-ASCII character of `text`."""
    for char in set(_NON_ASCII.findall(text)):
        if ord(char) not in _FOLDED:
            folded = fold(char)
            _FOLDED[ord(char)] = folded
            if not _WORD.fullmatch(char):
                _IN_PLACE[ord(char)] = " "
            elif len(folded) == 1 and _WORD.fullmatch(folded):
                _IN_PLACE[ord(char)] = folded
            else:
                _IN_PLACE[ord(char)] = ""
    return _FOLDED


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded, without offsets (what shingles are made of)."""
    return _WORD.findall(fast_fold(text))


def article_shingles(article: Article, size: int = SHINGLE_SIZE) -> np.ndarray:
    return shingle_hashes(folded_words(reprint_text(article)), size)
