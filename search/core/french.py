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


def tokens(text: str, stemmed: bool = False, keep_stops: bool = False) -> Iterator[Token]:
    """The chain above over `text`, with positions and character offsets.

    `keep_stops` keeps stop words (with their positions), for marking every
    word of an article; the index never holds them.
    """
    pos = -1  # positions count kept words; the first keeps its place among all words
    for raw, m in enumerate(WORD_PATTERN.finditer(text)):
        word, start = m.group(), m.start()
        skip = elision_length(word)
        word, start = word[skip:], start + skip
        folded = fold(word)
        if folded in STOP_WORDS and not keep_stops:
            continue
        end = m.end()
        pos = raw if pos < 0 else pos
        if not is_compound(folded):
            yield Token(stem(folded) if stemmed else folded, pos, start, end)
            pos += 1
            continue
        yield Token(folded, pos, start, end)
        # Folding can change a word's length (œ → oe); only trust part offsets
        # when it did not.
        offsets_hold = end - start == len(folded)
        emitted, offset = 0, 0
        for part in COMPOUND_SPLIT.split(folded):
            part_start = offset
            offset += len(part) + 1
            if not part or part in STOP_WORDS:
                continue
            span = (start + part_start, start + part_start + len(part)) if offsets_hold else None
            s, e = span or (start, end)
            yield Token(stem(part) if stemmed else part, pos + emitted, s, e)
            emitted += 1
        pos += max(emitted, 1)


def analyze(text: str, stemmed: bool = True) -> list[str]:
    """The terms `text` becomes in the index."""
    return [t.text for t in tokens(text, stemmed=stemmed)]
