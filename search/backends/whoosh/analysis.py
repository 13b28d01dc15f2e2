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

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import (
    Analyzer,
    CompositeAnalyzer,
    Filter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.formats import Format, Frequency, Positions
from whoosh.system import pack_uint

from search.core.french import (
    COMPOUND_SPLIT,
    ELISIONS,
    STOP_WORDS,
    WORD_PATTERN,
    TokenRow,
    elision_length,
    fold,
    is_compound,
    stem,
    token_rows,
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


def _chain(stemmed: bool) -> CompositeAnalyzer:
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


class FrenchAnalyzer(CompositeAnalyzer):
    """The chain above, with a fast path for what indexing and plain queries ask.

    Whoosh runs an analyzer as nested generators, one per filter, and a field
    written twice (`text` stemmed, `text_exact` folded, the same string) is
    analysed twice: that was a third of a segment writer's time. Here the
    common call — positions and offsets, stop words removed — reads
    `search.core.french.token_rows`, which analyses a text once for both
    chains, each spelling once per process, and remembers the last text, so
    the second field of a pair costs a walk over a list. Any other call
    (original text kept, stop words kept, morphology off, offsets shifted) goes
    through the filters. Both give the same tokens (tests/test_core.py)."""

    def __init__(self, stemmed: bool) -> None:
        super().__init__(_chain(stemmed))
        self.stemmed = stemmed

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        if (
            keeporiginal
            or not removestops
            or start_pos
            or start_char
            or not tokenize
            or (kwargs.keys() - {"boosts"})
        ):
            return super().__call__(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        return self._fast(value, positions, chars, mode, kwargs)

    def _fast(self, value: str, positions: bool, chars: bool, mode: str, kwargs) -> Iterator[Token]:
        column = 1 if self.stemmed else 0
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        token.boost, token.stopped = 1.0, False
        for row in _rows(value):
            token.text = row[column]
            if positions:
                token.pos = row[2]
            if chars:
                token.startchar, token.endchar = row[3], row[4]
            yield token


_last: tuple[str, list[TokenRow]] = ("", [])  # the last text analysed and its rows


def _rows(value: str) -> list[TokenRow]:
    """`token_rows(value)`, remembered for the next call: a document's `text`
    and `text_exact` (and title, headings) are the same string, analysed in turn."""
    global _last
    last = _last  # one read: another thread may replace it meanwhile
    if last[0] is value or last[0] == value:
        return last[1]
    rows = token_rows(value)
    _last = (value, rows)
    return rows


class FrenchFrequency(Frequency):
    """Whoosh's term-frequency format; for a `FrenchAnalyzer` over a string, the
    counts come straight from the text's token rows (`collections.Counter`)
    instead of one token object and two dictionary updates per word. Same
    values, same order (first occurrence), same encoding."""

    def word_values(self, value, analyzer, **kwargs):
        column = _fast_column(value, analyzer, kwargs)
        if column is None:
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        counts = Counter([row[column] for row in _rows(value)])
        return ((w, n, n * boost, pack_uint(n)) for w, n in counts.items())


class FrenchPositions(Positions):
    """Whoosh's positions format, fed from the token rows like `FrenchFrequency`."""

    def word_values(self, value, analyzer, **kwargs):
        column = _fast_column(value, analyzer, kwargs)
        if column is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        positions: dict[str, list[int]] = {}
        for row in _rows(value):
            found = positions.get(row[column])
            if found is None:
                positions[row[column]] = [row[2]]
            else:
                found.append(row[2])
        for w, where in positions.items():
            yield (w, len(where), len(where) * boost, self.encode(where))


def french_format(format_: Format) -> Format:
    """The fast twin of a text field's Whoosh format (same boost)."""
    if type(format_) is Positions:
        return FrenchPositions(field_boost=format_.field_boost)
    if type(format_) is Frequency:
        return FrenchFrequency(field_boost=format_.field_boost)
    return format_


def _fast_column(value, analyzer, kwargs) -> int | None:
    """The token rows' column to index (0 folded, 1 stemmed) when the fast path
    gives what Whoosh's would: a French analyzer, a string, nothing but the
    indexing mode asked; else None."""
    if not isinstance(analyzer, FrenchAnalyzer) or not isinstance(value, str):
        return None
    if kwargs.keys() - {"mode", "boosts"} or kwargs.get("mode", "index") != "index":
        return None
    return 1 if analyzer.stemmed else 0


@lru_cache(maxsize=2)
def stemmed_analyzer() -> Analyzer:
    """Index and query analyzer for ranked full-text fields."""
    return FrenchAnalyzer(stemmed=True)


@lru_cache(maxsize=2)
def exact_analyzer() -> Analyzer:
    """Folded, unstemmed words: phrases, exact-form bonus, spelling suggestions."""
    return FrenchAnalyzer(stemmed=False)


def analyze(text: str, stemmed: bool = True) -> list[str]:
    """The terms `text` becomes in the index (handy for tests and query building)."""
    analyzer = stemmed_analyzer() if stemmed else exact_analyzer()
    return [t.text for t in analyzer(text)]
