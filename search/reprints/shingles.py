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

import codecs
import re
import zlib
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from search.article import Article
from search.core.french import fold
from search.reprints.distinct import distinct

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

    The words by one `findall`, only those with a non-ASCII character folded
    through the table, and the offsets from a numpy pass over the code points
    (word character or not: the runs the word pattern matches): « Même texte ailleurs » reads
    up to 50 articles, and a match object and a tuple per word were most of
    its time at 100,000 articles."""
    table = _fold_table(text)
    found = _WORD.findall(text)
    folded = [w.lower() if w.isascii() else w.translate(table).lower() for w in found]
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    is_word = _IS_WORD[np.minimum(points, _BEYOND)]
    beyond = points >= _BEYOND
    if beyond.any():  # rare: characters past the table, looked at one by one
        wordy = [ord(c) for c in set(text) if ord(c) >= _BEYOND and _WORD.fullmatch(c)]
        is_word[beyond] = np.isin(points[beyond], wordy)
    edges = np.diff(np.concatenate([[False], is_word, [False]]).astype(np.int8))
    starts = np.flatnonzero(edges == 1).tolist()
    return Spans(folded, starts, np.flatnonzero(edges == -1).tolist())


def words(text: str) -> list[Word]:
    """The words of `text`, folded, with their offsets in `text` itself."""
    return [Word(*w) for w in zip(*word_spans(text), strict=True)]


def reprint_text(article: Article) -> str:
    """What is compared: the body, without the title (a reprint rewrites headlines)."""
    return article.body


def shingle_hashes(folded: Sequence[str] | Sequence[bytes], size: int = SHINGLE_SIZE) -> np.ndarray:
    """The distinct hashes of every run of `size` consecutive words, sorted (uint32).

    A run's hash is the CRC-32 of its words joined by single spaces, so folded
    words given as `str` or as ASCII `bytes` give the same values."""
    words = [w.encode() for w in folded] if folded and isinstance(folded[0], str) else folded
    if len(words) < size:
        return np.empty(0, dtype=np.uint32)
    runs = map(b" ".join, zip(*(words[k:] for k in range(size)), strict=False))  # shifted copies
    return distinct(np.fromiter(map(zlib.crc32, runs), dtype=np.uint32))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FOLDED: dict[int, str] = {}  # code point → unidecode's ASCII for it, filled as met


def fast_fold(text: str) -> str:
    """`search.analysis.fold(text)`, character by character as unidecode works, but
    with each non-ASCII character looked up once per process: unidecode's own loop
    over every character cost as much as reading the corpus."""
    return text.translate(_fold_table(text)).lower()


# code point → the word pattern matches it: ASCII set here, the rest filled as met
# (the Basic Multilingual Plane; the last cell stands for everything beyond it)
_BEYOND = 0xFFFF
_IS_WORD = np.zeros(_BEYOND + 1, dtype=bool)
_IS_WORD[:256] = _ASCII_WORD


def _fold_table(text: str) -> dict[int, str]:
    """The translation table, holding every non-ASCII character of `text`."""
    for char in set(_NON_ASCII.findall(text)):
        if ord(char) not in _FOLDED:
            if ord(char) < _BEYOND:
                _IS_WORD[ord(char)] = bool(_WORD.fullmatch(char))
            _FOLDED[ord(char)] = fold(char)
    return _FOLDED


def _fold_unencodable(error: UnicodeError) -> tuple[str, int]:
    """The `loupe-fold` encoding error handler: a run of non-ASCII characters
    becomes its folded ASCII spelling (the same table as `fast_fold`)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    table = _fold_table(run)
    return "".join([table[ord(c)] for c in run]), error.end


codecs.register_error("loupe-fold", _fold_unencodable)

# byte → itself when the word pattern matches it in ASCII text, else a space
_WORD_OR_SPACE = bytes(c if _ASCII_WORD[c] and c < 128 else 32 for c in range(256))


def folded_ascii_words(text: str) -> list[bytes]:
    """The words of `text`, folded as `fast_fold` folds them, as ASCII bytes (what
    shingles are made of). The text is encoded to ASCII, its few non-ASCII runs
    folded by an error handler (news text is mostly ASCII, so the folding table
    is consulted per accented run rather than per character), then split where
    the word pattern would: half the CPU of folding every character, and
    shingling was the largest part of what reprint detection adds to a build."""
    ascii_text = text.encode("ascii", "loupe-fold").lower()
    return ascii_text.translate(_WORD_OR_SPACE).split()


def article_shingles(article: Article, size: int = SHINGLE_SIZE) -> np.ndarray:
    return shingle_hashes(folded_ascii_words(reprint_text(article)), size)
