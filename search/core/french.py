"""French, as Loupe reads it: the tables and rules every engine is built from.

    words → elision → fold (lower case + unidecode) → stop words → compounds → stem

- words: letters and digits, possibly joined by hyphens or apostrophes
  (`Al-Qaïda`, `l'armée`, `aujourd'hui`);
- elision: `l'`, `d'`, `qu'`, `jusqu'`… are dropped (`l'armée` → `armée`);
- fold: lower case, no accents, no ligatures (`Sécurité` → `securite`,
  `Œuvre` → `oeuvre`), on the index and the query side alike, so that
  `securite` and `sécurité` reach the same term;
- stop words: one folded list (`data/stopwords-fr.txt`), chosen by measured
  relevance (`python -m bench.relevance`), used by every engine;
- compounds: a hyphenated word is kept whole and by part (`al-qaida`, `al`,
  `qaida`), parts that are stop words dropped;
- stem: the plural -s taken off, then Snowball French (PyStemmer); hyphenated
  wholes stay unstemmed, their parts are stemmed.

`tokens(text)` runs the chain in plain Python with character offsets (the
article page marks words with it); the Whoosh analyzer
(`backends/whoosh/analysis.py`) and the OpenSearch mapping
(`backends/opensearch/mapping.py`) are built from these same tables, and a test
(`tests/test_core.py`) checks that they produce these same tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import Stemmer
from unidecode import unidecode

# A word: letters/digits, possibly joined by hyphens or apostrophes (Al-Qaïda,
# l'armée, aujourd'hui). Apostrophes: ASCII ' and typographic ’.
WORD_PATTERN = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)

# Elided articles and pronouns, dropped with their apostrophe.
ELISIONS = frozenset(
    ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]
)

# French stop words, folded (accents removed) because they are matched after folding.
STOP_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "stopwords-fr.txt"
STOP_WORDS = frozenset(
    line.strip()
    for line in STOP_WORDS_FILE.read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

# Where a compound splits into parts (after folding, apostrophes are ASCII).
COMPOUND_SPLIT = re.compile(r"[-']")
# The plural rule before Snowball: words of five letters or more ending in one -s.
PLURAL_MIN_LENGTH = 5


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case and strip accents: `Sécurité` → `securite`, `Œuvre` → `oeuvre`.

    unidecode also turns the typographic apostrophe into ASCII, so both
    spellings of `aujourd’hui` meet. It maps what OpenSearch's `asciifolding`
    maps (ø, ł, ß…), which plain Unicode decomposition does not.
    """
    return unidecode(text).lower()


def elision_length(word: str) -> int:
    """How many leading characters of `word` are an elision and its apostrophe (0 if none)."""
    first = min((i for i in (word.find("'"), word.find("’")) if i >= 0), default=-1)
    if first > 0 and word[:first].lower() in ELISIONS and first + 1 < len(word):
        return first + 1
    return 0


def strip_elision(word: str) -> str:
    """`l'armée` → `armée`, `qu'il` → `il`; other words unchanged."""
    return word[elision_length(word) :]


def is_compound(folded: str) -> bool:
    """A hyphenated or apostrophe-joined word, kept whole beside its parts."""
    return "-" in folded or "'" in folded


def _french_stemmer():
    # No per-word cache: PyStemmer's C call (≈1 µs) is cheaper than an
    # lru_cache lookup around it (bench/stemmers.py).
    snowball = Stemmer.Stemmer("french").stemWord

    def stem_singular(word: str) -> str:
        # Snowball reads some plurals as verb endings (« démissions » → dem,
        # « démission » → demiss); taking the plural -s off first makes the
        # singular and the plural of a noun always meet.
        if len(word) >= PLURAL_MIN_LENGTH and word[-1] == "s" and word[-2] != "s":
            word = word[:-1]
        return snowball(word)

    return stem_singular


# The French stem of an already folded word (one C call per word, no wrapper).
stem = _french_stemmer()


def stem_token(folded: str) -> str:
    """What the stemmed chain indexes for one folded token (compound wholes as they are)."""
    return folded if is_compound(folded) else stem(folded)


def is_stop_word(text: str) -> bool:
    """True when every word of `text` is a stop word (a query of only those finds nothing)."""
    words = [fold(strip_elision(w)) for w in WORD_PATTERN.findall(text)]
    return bool(words) and all(w in STOP_WORDS for w in words)


@dataclass
class Token:
    """One indexed term: its text, position, and the characters it came from."""

    text: str
    pos: int
    start: int
    end: int


class _Word(NamedTuple):
    """What the chain makes of one word as the text spells it (cached: a news
    archive repeats the same few hundred thousand spellings millions of times)."""

    skip: int  # characters of the elision and its apostrophe
    folded: str
    stop: bool
    stemmed: str  # `stem_token(folded)`
    # a compound's parts that are indexed: (part, its stem, offset in `folded`)
    parts: tuple[tuple[str, str, int], ...] | None


@lru_cache(maxsize=200_000)  # as `fold`'s: a long-running server marks pages with it too
def _word(raw: str) -> _Word:
    skip = elision_length(raw)
    folded = fold(raw[skip:])
    stop = folded in STOP_WORDS  # kept only when asked (`keep_stops`), then read as any word
    if not is_compound(folded):
        return _Word(skip, folded, stop, stem(folded), None)
    parts, offset = [], 0
    for part in COMPOUND_SPLIT.split(folded):
        if part and part not in STOP_WORDS:
            parts.append((part, stem(part), offset))
        offset += len(part) + 1
    return _Word(skip, folded, stop, folded, tuple(parts))


# (folded, stemmed, position, start, end): one indexed term in both chains
TokenRow = tuple[str, str, int, int, int]


def token_rows(text: str, keep_stops: bool = False) -> list[TokenRow]:
    """The chain over `text`, both ends at once: each term folded and stemmed,
    with its position and character offsets. The stemmed chain's tokens are the
    folded chain's with the text stemmed, so an index that holds both (phrases
    and ranking) analyses its text once."""
    rows: list[TokenRow] = []
    pos = -1  # positions count kept words; the first keeps its place among all words
    for raw, m in enumerate(WORD_PATTERN.finditer(text)):
        word = _word(m.group())
        if word.stop and not keep_stops:
            continue
        start, end = m.start() + word.skip, m.end()
        pos = raw if pos < 0 else pos
        if word.parts is None:
            rows.append((word.folded, word.stemmed, pos, start, end))
            pos += 1
            continue
        rows.append((word.folded, word.folded, pos, start, end))
        # Folding can change a word's length (œ → oe); only trust part offsets
        # when it did not.
        offsets_hold = end - start == len(word.folded)
        for emitted, (part, stemmed, offset) in enumerate(word.parts):
            if offsets_hold:
                rows.append(
                    (part, stemmed, pos + emitted, start + offset, start + offset + len(part))
                )
            else:
                rows.append((part, stemmed, pos + emitted, start, end))
        pos += max(len(word.parts), 1)
    return rows


def tokens(text: str, stemmed: bool = False, keep_stops: bool = False) -> Iterator[Token]:
    """The chain above over `text`, with positions and character offsets.

    `keep_stops` keeps stop words (with their positions), for marking every
    word of an article; the index never holds them.
    """
    for folded, stemmed_text, pos, start, end in token_rows(text, keep_stops):
        yield Token(stemmed_text if stemmed else folded, pos, start, end)


def analyze(text: str, stemmed: bool = True) -> list[str]:
    """The terms `text` becomes in the index."""
    return [t.text for t in tokens(text, stemmed=stemmed)]
