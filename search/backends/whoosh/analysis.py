"""French text analysis as Whoosh analyzer chains, built from `search.core.french`.

The rules and tables (word pattern, elisions, fold, the one stop-word list,
compounds, the stemmer) are Loupe's, in `search/core/french.py`; this module
only wraps them as Whoosh filters. Two chains share every step but the last:

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

from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Analyzer, Filter, RegexTokenizer, StopFilter, Token

from search.core.french import (
    COMPOUND_SPLIT,
    ELISIONS,
    STOP_WORDS,
    WORD_PATTERN,
    elision_length,
    fold,
    is_compound,
    stem,
)

FRENCH_STOP_WORDS = STOP_WORDS  # the name this module has always exported


class ElisionFilter(Filter):
    """Drops French elided articles and pronouns: `l'armée` → `armée`, `qu'il` → `il`.

    The token's `startchar` moves past the apostrophe so highlighting marks only
    the word itself.
    """

    def __init__(self, elisions: frozenset[str] = ELISIONS) -> None:
        self.elisions = elisions

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            skip = elision_length(t.text)
            if skip:
                t.text = t.text[skip:]
                if t.chars:
                    t.startchar += skip
            yield t


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

    SPLIT = COMPOUND_SPLIT

    def __init__(self, stops: frozenset[str] = FRENCH_STOP_WORDS) -> None:
        self.stops = stops

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            if not is_compound(t.text):
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
    """French stemming (`search.core.french.stem`: plural rule, then Snowball
    through PyStemmer, 19× faster than Whoosh's pure-Python Snowball French).
    Hyphenated wholes (`al-qaida`) are left unstemmed: their parts are stemmed.
    """

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if not is_compound(text):
                t.text = stem(text)
            yield t


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
