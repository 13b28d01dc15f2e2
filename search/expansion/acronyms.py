"""Acronyms: when a query word may be read as one, and which ones the corpus defines.

A gazetteer alias such as « UN » (Organisation des Nations unies) must not turn
the French « d'un » into a search for the UN: folding hides the capitals that
tell an acronym from a function word. `typed_as_acronym` keeps the capitals'
say on the query side, as `Gazetteer.lookup_written` does for article text.

News copy defines its acronyms where it first uses them — « le Conseil de
sécurité des Nations unies (CSNU) », « l'OMS (Organisation mondiale de la
santé) » — so a reader typing « CSNU » can be led to articles that only spell
it out. `AcronymLearner` reads those definitions while the index is built; the
pairs are stored with the generation and merged, below the newsroom's own
gazetteer and a curated list of common French news acronyms, into the
gazetteer queries are expanded with (`with_acronyms`).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from unidecode import unidecode

from search.article import Article
from search.core.french import STOP_WORDS
from search.gazetteer import Gazetteer, GazetteerEntry, GazetteerError, match_key

CURATED_FILE = Path(__file__).resolve().parent.parent / "data" / "acronyms-fr.tsv"
MAX_ACRONYM_LETTERS = 8
MAX_EXPANSION_WORDS = 12
# Words an expansion may hold without their initial being in the acronym.
_SMALL_WORDS = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "la",
        "le",
        "les",
        "l",
        "et",
        "en",
        "à",
        "a",
        "au",
        "aux",
        "pour",
        "sur",
        "sous",
        "par",
        "dans",
        "of",
        "the",
        "and",
        "for",
        "on",
    ]
)
_ELISION = re.compile(r"^[A-Za-z]{1,5}['’ʼ]")
# « Nom développé (ACR) » and « ACR (Nom développé) »: what the brackets hold.
_BRACKETS = re.compile(r"\(([^()\n]{2,160})\)")
_ACRONYM_TOKEN = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý0-9&\-.]{1,12}$")
_WORD = re.compile(r"[\w’'-]+", re.UNICODE)
# Where a definition cannot reach across: end of a sentence or a clause.
_CLAUSE_END = re.compile(r"[.;:!?«»\"\n]")


def is_acronym(form: str) -> bool:
    """« ONU », « CNDD-FDD », « U23 »: capitals (and digits), 2 to 8 letters, no space."""
    if " " in form.strip():
        return False
    letters = [c for c in form if c.isalpha()]
    return 2 <= len(letters) <= MAX_ACRONYM_LETTERS and all(c.isupper() for c in letters)


def typed_as_acronym(text: str, alone: bool) -> bool:
    """Whether query words `text` may be read as an acronym alias.

    In capitals (« ONU », « l'ONU »), always; in lower case, only a word of its
    own (`alone`: not elided, not part of a longer run, not after a function
    word — the caller's `search.names.after_function_word`) that is not a
    function word itself — « otan » yes, « d'un », « un » or « le sud » never.
    A capital initial alone (« Onu », « Otan ») is the French press's own
    spelling of an acronym, so it counts as one when standing alone; « Sud »
    in « Corée du Sud » follows a function word, so it does not.
    """
    core = _ELISION.sub("", text.strip())
    letters = [c for c in core if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    if not alone or core != text.strip() or " " in core:
        return False
    return unidecode(core).lower() not in STOP_WORDS


def only_acronyms_spell(text: str, forms: Iterable[str]) -> bool:
    """Whether every form of an entry that `text` matches is an acronym: then the
    case of what was typed decides (`typed_as_acronym`)."""
    key = match_key(text)
    spelled = [f for f in forms if match_key(f) == key]
    return bool(spelled) and all(is_acronym(f) for f in spelled)


# ---------------------------------------------------------------------------
# Learning definitions from the corpus


def _initials(words: list[str]) -> tuple[str, str]:
    """Initials of every word, and of the words that are not small words; a
    hyphenated word gives one initial per part (Saint-Germain → SG)."""
    every, content = [], []
    for word in words:
        bare = _ELISION.sub("", word)
        for part in re.split(r"[-‐‑]", bare):
            if not part:
                continue
            initial = unidecode(part[0]).upper()
            every.append(initial)
            if part.lower() not in _SMALL_WORDS:
                content.append(initial)
    return "".join(every), "".join(content)


def _letters(acronym: str) -> str:
    return "".join(c for c in unidecode(acronym).upper() if c.isalpha())


def _spells(words: list[str], acronym: str) -> bool:
    every, content = _initials(words)
    target = _letters(acronym)
    return len(target) >= 2 and target in (every, content)


def _clean_expansion(words: list[str]) -> str:
    """The expansion without a leading determiner or elision (« l'Organisation » →
    « Organisation »), as written otherwise."""
    while words and words[0].lower() in _SMALL_WORDS:
        words = words[1:]
    if words:
        words = [_ELISION.sub("", words[0]), *words[1:]]
    return " ".join(words)


def find_definitions(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs a text defines with brackets, either order."""
    found: list[tuple[str, str]] = []
    for m in _BRACKETS.finditer(text):
        inside = m.group(1).strip()
        if _ACRONYM_TOKEN.match(inside) and is_acronym(inside):
            # « … Nations unies (CSNU) »: the shortest run of words before the
            # brackets, within the clause, whose initials spell the acronym.
            before = text[max(0, m.start() - 300) : m.start()]
            clause = _CLAUSE_END.split(before)[-1]
            words = _WORD.findall(clause)[-MAX_EXPANSION_WORDS:]
            for start in range(len(words) - 1, -1, -1):
                span = words[start:]
                if span[0].lower() in _SMALL_WORDS or not span[0][:1].isalpha():
                    continue
                if _spells(span, inside):
                    expansion = _clean_expansion(span)
                    if len(expansion.split()) >= 2:
                        found.append((inside, expansion))
                    break
        else:
            # « l'OMS (Organisation mondiale de la santé) »: the word before the
            # brackets is the acronym, the brackets spell it out.
            head = _WORD.findall(text[max(0, m.start() - 40) : m.start()])
            if not head:
                continue
            acronym = _ELISION.sub("", head[-1])
            words = _WORD.findall(inside)
            if (
                is_acronym(acronym)
                and 2 <= len(words) <= MAX_EXPANSION_WORDS
                and _spells(words, acronym)
            ):
                found.append((acronym, _clean_expansion(words)))
    return found


class AcronymLearner:
    """Collects the definitions of a corpus while it is indexed; `pairs()` gives
    each acronym with its most frequent expansion."""

    def __init__(self) -> None:
        self._seen: dict[str, Counter[str]] = defaultdict(Counter)

    def observe(self, text: str) -> None:
        for acronym, expansion in find_definitions(text):
            self._seen[acronym][expansion] += 1

    def observing(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Pass `articles` through, reading each one's definitions on the way."""
        for article in articles:
            self.observe(article.full_text)
            yield article

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((a, c.most_common(1)[0][0]) for a, c in self._seen.items())


def pairs_to_json(pairs: Iterable[tuple[str, str]]) -> str:
    """What is stored with a generation: [[acronym, expansion], …]."""
    return json.dumps([list(p) for p in pairs], ensure_ascii=False)


def pairs_from_json(text: str | None) -> list[tuple[str, str]]:
    """The stored pairs; none when absent or unreadable (an older generation)."""
    try:
        rows = json.loads(text or "[]")
        return [(str(a), str(x)) for a, x in rows]
    except (ValueError, TypeError):
        return []


# ---------------------------------------------------------------------------
# Curated list and the merged gazetteer


@lru_cache(maxsize=1)
def curated_acronyms() -> tuple[tuple[str, str, str], ...]:
    """(acronym, expansion, type) from the bundled list of common French news acronyms."""
    rows = []
    for line in CURATED_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        acronym, expansion, *rest = (cell.strip() for cell in line.split("\t"))
        rows.append((acronym, expansion, rest[0] if rest and rest[0] else "ORG"))
    return tuple(rows)


def with_acronyms(
    gazetteer: Gazetteer,
    learned: Iterable[tuple[str, str]] = (),
    curated: Iterable[tuple[str, str, str]] | None = None,
) -> Gazetteer:
    """The gazetteer, plus acronym ↔ expansion pairs it does not already settle.

    Precedence: the newsroom's gazetteer, then the curated list, then what the
    corpus defines. A pair whose acronym is already a known spelling is left
    out (the gazetteer says what that acronym means); a pair whose expansion is
    a known name adds the acronym to that entry; any other becomes a new entry.
    """
    curated = curated_acronyms() if curated is None else curated
    entries = list(gazetteer.entries)
    index_of = {match_key(f): i for i, e in enumerate(entries) for f in e.forms}
    added = 0
    pairs = [(a, x, t) for a, x, t in curated] + [(a, x, "ORG") for a, x in learned]
    for acronym, expansion, entity_type in pairs:
        acronym_key, expansion_key = match_key(acronym), match_key(expansion)
        if not acronym_key or not expansion_key or acronym_key in index_of:
            continue
        at = index_of.get(expansion_key)
        if at is None:
            entries.append(GazetteerEntry(expansion, entity_type, (acronym,)))
            at = len(entries) - 1
            index_of[expansion_key] = at
        else:
            entry = entries[at]
            entries[at] = GazetteerEntry(entry.canonical, entry.type, (*entry.aliases, acronym))
        index_of[acronym_key] = at
        added += 1
    if not added:
        return gazetteer
    try:
        return Gazetteer(entries, source=f"{gazetteer.source} + acronymes")
    except GazetteerError:  # two spellings colliding once folded: keep the newsroom's list
        return gazetteer
