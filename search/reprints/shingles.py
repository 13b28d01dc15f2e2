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


class Spans(NamedTuple):
    """The words of a text as parallel lists: folded words, their start and end
    offsets in the text (what `shared_passages` reads, without a tuple per word)."""

    folded: list[str]
    starts: list[int]
    ends: list[int]


_ASCII_WORD = np.zeros(256, dtype=bool)  # bytes that `\w` matches in ASCII text
for _c in b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz":
    _ASCII_WORD[_c] = True


def word_spans(text: str) -> Spans:
    """The words of `text`, folded (each one is `fast_fold(word)`), with their
    offsets in `text` itself.

    When every word character folds to word characters only (« é » → « e »,
    « œ » → « oe ») and every other character to none, the words of the folded
    text are the words of the text, in order: the folded words come from one
    `findall`, their offsets from a numpy pass over a same-length copy of the
    text where each character only says word or not. « Même texte ailleurs »
    reads up to 50 articles, and a Python object per word was most of its
    time. Otherwise (« © » → « (c) »…) word by word."""
    table = _fold_table(text)
    if all(ord(c) in _WORDS_ONLY for c in set(_NON_ASCII.findall(text))):
        folded = _WORD.findall(text.translate(_WORDS_ONLY).lower())
        marks = text.translate(_KIND).encode("ascii")
        is_word = _ASCII_WORD[np.frombuffer(marks, dtype=np.uint8)]
        edges = np.diff(np.concatenate([[False], is_word, [False]]).astype(np.int8))
        starts = np.flatnonzero(edges == 1).tolist()
        if len(starts) == len(folded):  # always, by construction
            return Spans(folded, starts, np.flatnonzero(edges == -1).tolist())
    found = list(_WORD.finditer(text))
    return Spans(
        [m.group().translate(table).lower() for m in found],
        [m.start() for m in found],
        [m.end() for m in found],
    )


def words(text: str) -> list[Word]:
    """The words of `text`, folded, with their offsets in `text` itself."""
    return [Word(*w) for w in zip(*word_spans(text), strict=True)]


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


# Non-ASCII code points, filled as met: each → « a » (a word character whose
# fold is only word characters) or a space (a character between words), one
# character for one (_KIND); and → what it stands for in the folded text, that
# fold or a space (_WORDS_ONLY). A code point in neither is folded word by word.
_KIND: dict[int, str] = {}
_WORDS_ONLY: dict[int, str] = {}


def _fold_table(text: str) -> dict[int, str]:
    """The translation table, holding every non-ASCII character of `text`."""
    for char in set(_NON_ASCII.findall(text)):
        if ord(char) not in _FOLDED:
            folded = fold(char)
            _FOLDED[ord(char)] = folded
            if not _WORD.fullmatch(char):
                _KIND[ord(char)] = " "  # _KIND first: a thread reading _WORDS_ONLY finds it
                _WORDS_ONLY[ord(char)] = " "
            elif folded.isascii() and _WORD.fullmatch(folded):
                _KIND[ord(char)] = "a"
                _WORDS_ONLY[ord(char)] = folded
    return _FOLDED


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded, without offsets (what shingles are made of)."""
    return _WORD.findall(fast_fold(text))


def article_shingles(article: Article, size: int = SHINGLE_SIZE) -> np.ndarray:
    return shingle_hashes(folded_words(reprint_text(article)), size)
