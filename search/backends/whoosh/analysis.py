"""French text analysis as Whoosh analyzer chains.

Two chains share every step but the last:

    words → elision → fold (lower case + unidecode) → stop words → compounds → stem

- `stemmed_analyzer()` ends with a French stemmer: `attaques` meets `attaque`.
- `exact_analyzer()` stops before it: phrases and exact-form bonuses match the
  words as written (folded), so `"forces armees"` does not match « force armée ».

Folding comes before stemming on both the index and the query side, so
`securite` and `sécurité` reach the same term whichever way the user types.
Every filter keeps `startchar`/`endchar`, so the highlighter marks the letters
as written in the article, never the stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import Stemmer
from unidecode import unidecode
from whoosh.analysis import Analyzer, Filter, RegexTokenizer, StopFilter, Token

# A word: letters/digits, possibly joined by hyphens or apostrophes (Al-Qaïda,
# l'armée, aujourd'hui). Apostrophes: ASCII ' and typographic ’.
WORD_PATTERN = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)

ELISIONS = frozenset(
    ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]
)

# French stop words, folded (accents removed) because they are matched after folding.
_STOP_FILE = Path(__file__).parent / "data" / "stopwords-fr.txt"
FRENCH_STOP_WORDS = frozenset(
    line.strip()
    for line in _STOP_FILE.read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


class ElisionFilter(Filter):
    """Drops French elided articles and pronouns: `l'armée` → `armée`, `qu'il` → `il`.

    The token's `startchar` moves past the apostrophe so highlighting marks only
    the word itself.
    """

    def __init__(self, elisions: frozenset[str] = ELISIONS) -> None:
        self.elisions = elisions

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        elisions = self.elisions
        for t in tokens:
            text = t.text
            first = min((i for i in (text.find("'"), text.find("’")) if i >= 0), default=-1)
            if first > 0 and text[:first].lower() in elisions and first + 1 < len(text):
                skip = first + 1
                t.text = text[skip:]
                if t.chars:
                    t.startchar += skip
            yield t


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case and strip accents: `Sécurité` → `securite`, `Œuvre` → `oeuvre`.

    unidecode also turns the typographic apostrophe into ASCII, so both
    spellings of `aujourd’hui` meet.
    """
    return unidecode(text).lower()


class FoldFilter(Filter):
    """Lower case + accent folding with unidecode (one cached call per distinct word)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


class CompoundFilter(Filter):
    """Keeps hyphenated and apostrophe-joined words searchable whole and by part.

    `Al-Qaïda` yields `al-qaida` and, at the same position as its first part,
    the parts `al`, `qaida` at consecutive positions — so the term `al-qaida`,
    the word `qaida` and the phrase `"al qaida"` all find it. Later tokens are
    renumbered so phrase positions stay consistent.
    """

    SPLIT = re.compile(r"[-']")

    def __init__(self, stops: frozenset[str] = FRENCH_STOP_WORDS) -> None:
        self.stops = stops

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            if "-" not in t.text and "'" not in t.text:
                yield t
                continue
            whole = t.copy()
            yield whole
            base_pos = t.pos if t.positions else 0
            base_char = t.startchar if t.chars else 0
            offset = 0
            emitted = 0
            for part in self.SPLIT.split(t.text):
                start = offset
                offset += len(part) + 1
                if not part or part in self.stops:
                    continue
                p = t.copy()
                p.text = part
                if t.positions:
                    p.pos = base_pos + emitted
                # Folding can change a word's length (œ → oe); only trust
                # char offsets when it did not.
                if t.chars and t.endchar - t.startchar == len(t.text):
                    p.startchar = base_char + start
                    p.endchar = base_char + start + len(part)
                emitted += 1
                yield p
            if emitted > 1:
                shift += emitted - 1


class StemFilter(Filter):
    """French Snowball stemming through PyStemmer (C).

    19× faster than Whoosh's pure-Python Snowball French on the real corpus,
    with 0.2% of tokens stemmed differently (bench/stemmers.py).
    Hyphenated wholes (`al-qaida`) are left unstemmed: their parts are stemmed.
    """

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = _french_stemmer()  # module-level: the schema pickles this filter
        for t in tokens:
            text = t.text
            if "-" not in text and "'" not in text:
                t.text = stem(text)
            yield t


@lru_cache(maxsize=1)
def _french_stemmer():
    # No per-word cache: PyStemmer's C call (≈1 µs) is cheaper than an
    # lru_cache lookup around it (bench/stemmers.py).
    snowball = Stemmer.Stemmer("french").stemWord

    def stem_singular(word: str) -> str:
        # Snowball reads some plurals as verb endings (« démissions » → dem,
        # « démission » → demiss); taking the plural -s off first makes the
        # singular and the plural of a noun always meet.
        if len(word) > 4 and word[-1] == "s" and word[-2] != "s":
            word = word[:-1]
        return snowball(word)

    return stem_singular


def stem(word: str) -> str:
    """The French stem of an already folded word."""
    return _french_stemmer()(word)


def _chain(stemmed: bool) -> Analyzer:
    chain = (
        RegexTokenizer(WORD_PATTERN)
        | ElisionFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1)
        | CompoundFilter()
    )
    if stemmed:
        chain = chain | StemFilter()
    return chain


@lru_cache(maxsize=2)
def stemmed_analyzer() -> Analyzer:
    """Index and query analyzer for ranked full-text fields."""
    return _chain(stemmed=True)


@lru_cache(maxsize=2)
def exact_analyzer() -> Analyzer:
    """Folded, unstemmed words: phrases, exact-form bonus, spelling suggestions."""
    return _chain(stemmed=False)


def analyze(text: str, stemmed: bool = True) -> list[str]:
    """The terms `text` becomes in the index (handy for tests and query building)."""
    analyzer = stemmed_analyzer() if stemmed else exact_analyzer()
    return [t.text for t in analyzer(text)]
