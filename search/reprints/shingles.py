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

    When every word character folds to one word character (1,207 of the 1,292
    bundled articles), the text is folded once and its words are in place: the
    words by one `findall`, their offsets by a numpy pass over the bytes —
    « Même texte ailleurs » reads up to 50 articles, and a Python object per
    word was most of its time. Otherwise word by word."""
    table = _fold_table(text)
    if all(_IN_PLACE.get(ord(c)) for c in set(_NON_ASCII.findall(text))):
        folded = text.translate(_IN_PLACE).lower()  # ASCII, same length, same words
        is_word = _ASCII_WORD[np.frombuffer(folded.encode("ascii"), dtype=np.uint8)]
        edges = np.diff(np.concatenate([[False], is_word, [False]]).astype(np.int8))
        starts = np.flatnonzero(edges == 1).tolist()
        ends = np.flatnonzero(edges == -1).tolist()
        return Spans(_WORD.findall(folded), starts, ends)
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
            elif len(folded) == 1 and folded.isascii() and _WORD.fullmatch(folded):
                _IN_PLACE[ord(char)] = folded
            else:
                _IN_PLACE[ord(char)] = ""
    return _FOLDED


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded, without offsets (what shingles are made of)."""
    return _WORD.findall(fast_fold(text))


def article_shingles(article: Article, size: int = SHINGLE_SIZE) -> np.ndarray:
    return shingle_hashes(folded_words(reprint_text(article)), size)
