"""The newsroom's list of names the model gets wrong or spells many ways.

The spaCy model does not know that GSIM and JNIM are one group, that Tin Zaouatine
and Tinzaouaten are one town, or that « Daech » is an organisation rather than a
place. A small, user-editable YAML file (`corpus/entities.yml`) says so, and this
module turns it into two services: finding the aliases in raw text (so that names
the model misses are still found) and mapping any written form to one canonical
name and type (so that facets and filters gather every spelling).

Matching ignores accents, case, hyphens versus spaces, curly versus straight
apostrophes and a leading determiner or elision (« l'ONU » is « ONU »): those are
the ways the same name varies in French news copy.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from unidecode import unidecode

from search.article import ENTITY_TYPES
from search.core.french import fold as fold_text

_HYPHENS_AND_SPACES = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014_]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# A determiner or elision in front of a name is grammar, not part of the name.
_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")
_ELISION = re.compile(r"^[A-Za-z]{1,3}['\u2019]")
_LEADING_DETERMINER = re.compile(r"^(?:(?:de la|du|des|de|la|le|les)\s+|(?:de l'|d'|l')\s*)+")


class GazetteerError(ValueError):
    """A gazetteer file that cannot be used, with the file and entry at fault."""


@dataclass(frozen=True)
class GazetteerEntry:
    """One real-world entity: the name facets show, its type, the other spellings."""

    canonical: str
    type: str
    aliases: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """Every written form: the canonical name first, then the aliases."""
        return (self.canonical, *self.aliases)


@dataclass(frozen=True)
class GazetteerMatch:
    """An alias found in a text, by character offsets into that text."""

    start: int
    end: int
    entry: GazetteerEntry


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isspace() or char in "-\u2010\u2011\u2012\u2013\u2014_":
        return " "
    return unidecode(char.translate(_APOSTROPHES)).lower()


def fold(text: str) -> str:
    """A name as the gazetteer compares it: Loupe's fold (`search.core.french.fold`:
    lower case, no accents), straight apostrophes, one space for any hyphen or space run."""
    folded = fold_text(text.translate(_APOSTROPHES))
    return _HYPHENS_AND_SPACES.sub(" ", folded).strip()


def match_key(text: str) -> str:
    """The key two spellings of one name share: folded, without a leading determiner."""
    folded = fold(text).strip(" .,;:!?\"'()[]#")
    stripped = _LEADING_DETERMINER.sub("", folded)
    return stripped or folded


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold `text` char by char, remembering for each folded char where it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        origin.extend([i] * len(folded))
    return "".join(pieces), origin


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return 0 < len(letters) <= 5 and all(c.isupper() for c in letters)


def _case_allows(alias: str, written: str) -> bool:
    """Whether `written` may be read as `alias` in running text.

    Folding makes « le monde » look like « Le Monde » and « ei » like « EI »; in
    running text the capitals are what separate a name from ordinary words, so an
    acronym must be written in capitals and the capitalised words of an alias
    must be capitalised in the text (all but the head word when others follow,
    since French lowercases generic heads such as « groupe » or « coordination »).
    Aliases written in lower case in the file match whatever the case.
    """
    if _is_acronym(alias):
        return unidecode(written).isupper()
    alias_words = _WORD_SPLIT.split(alias)
    written_words = _WORD_SPLIT.split(written)
    if len(alias_words) != len(written_words):
        return any(c.isupper() for c in written) or alias == alias.lower()
    required = [i for i, a in enumerate(alias_words) if _capitalised(a)]
    if len(required) > 1 or (required and required[0] > 0):
        # The head word may be a lower-case generic noun (« coordination des
        # mouvements de l'Azawad ») or a determiner: the later capitals decide.
        required = [i for i in required if i > 0]
    return all(_capitalised(written_words[i]) for i in required)


def _capitalised(word: str) -> bool:
    """« Azawad » and « l'Azawad » are capitalised words; « groupe » is not."""
    return _ELISION.sub("", word)[:1].isupper()


class Gazetteer:
    """Canonical names, types and aliases, with accent- and case-insensitive lookup."""

    def __init__(self, entries: list[GazetteerEntry], source: str = "<memory>") -> None:
        self.entries: tuple[GazetteerEntry, ...] = tuple(entries)
        self.source = source
        self._by_key: dict[str, GazetteerEntry] = {}
        self._by_canonical: dict[str, GazetteerEntry] = {}
        self._forms_by_folded: dict[str, list[str]] = {}
        self._scan_forms: dict[str, list[str]] = {}
        for number, entry in enumerate(self.entries, start=1):
            for form in entry.forms:
                key = match_key(form)
                other = self._by_key.get(key)
                if other is not None and other is not entry:
                    raise GazetteerError(
                        f"{source}: entry {number} ({entry.canonical!r}): alias {form!r} "
                        f"is already an alias of {other.canonical!r}"
                    )
                self._by_key[key] = entry
                self._forms_by_folded.setdefault(fold(form), []).append(form)
                # « Canard enchaîné » is written without its article as often as with it.
                bare = _LEADING_DETERMINER.sub("", fold(form))
                if bare != fold(form) and " " in bare:
                    self._scan_forms.setdefault(bare, []).append(_strip_article(form))
            self._by_canonical[entry.canonical] = entry
        self._pattern = self._compile()

    @classmethod
    def load(cls, path: str | Path) -> Gazetteer:
        """Read a YAML file: a list under `entities:` of {canonical, type, aliases}."""
        path = Path(path)
        try:
            # libyaml's loader when present: the pure-Python one takes over a second
            # on the bundled gazetteer, paid by every `loupe index` (and each --watch round).
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except yaml.YAMLError as error:
            raise GazetteerError(f"{path}: not valid YAML: {error}") from error
        except OSError as error:
            raise GazetteerError(f"{path}: cannot be read: {error}") from error
        if data is None:
            return cls([], source=str(path))
        items = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise GazetteerError(f"{path}: expected a list under the key 'entities'")
        entries = [_parse_entry(item, number, path) for number, item in enumerate(items, 1)]
        return cls(entries, source=str(path))

    @property
    def fingerprint(self) -> str:
        """A hash of the content: a changed gazetteer must invalidate cached entities."""
        content = [[e.canonical, e.type, list(e.aliases)] for e in self.entries]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]

    def lookup(self, text: str) -> GazetteerEntry | None:
        """The entry `text` is a spelling of, or None."""
        return self._by_key.get(match_key(text))

    def lookup_written(self, text: str) -> GazetteerEntry | None:
        """The entry `text` spells when found in running text: an acronym needs its capitals.

        « Sud » in « le Sud Africain » is not the union SUD; `lookup` answers queries,
        where case means nothing, this answers for spans read in an article.
        """
        key = match_key(text)
        entry = self._by_key.get(key)
        if entry is None or unidecode(text).isupper():
            return entry
        spelled = [f for f in entry.forms if match_key(f) == key]  # never empty
        return None if all(_is_acronym(f) for f in spelled) else entry

    def is_form(self, text: str) -> bool:
        """Whether `text` is written exactly as a listed name or alias (accents and case apart).

        Unlike `lookup`, a determiner counts: « Le Monde » is a form, « monde » is not.
        """
        return fold(text) in self._forms_by_folded

    def only_with_its_article(self, text: str) -> bool:
        """Whether `text` is one word that reaches its entry only by dropping
        the leading article of every spelling (« monde » → « Le Monde »,
        « équipe » → « L'Équipe »). Running text is never scanned for such a
        bare word (`_scan_forms` keeps multi-word ones only), so a query must
        not read it as the name either: it is the common noun."""
        key = match_key(text)
        if " " in key or fold(text) in self._forms_by_folded:
            return False
        entry = self._by_key.get(key)
        return entry is not None and all(fold(form) != key for form in entry.forms)

    def canonical(self, text: str, type: str | None = None) -> str | None:
        """The canonical name for `text` (of that type, when given), or None."""
        entry = self.lookup(text)
        if entry is None or (type is not None and entry.type != type):
            return None
        return entry.canonical

    def aliases_of(self, canonical: str) -> list[str]:
        """The aliases listed for a canonical name (not the name itself); [] if unknown."""
        entry = self._by_canonical.get(canonical) or self.lookup(canonical)
        return list(entry.aliases) if entry else []

    def variants(self, text: str) -> list[str]:
        """Every spelling of the entity `text` belongs to, canonical first; [] if unknown.

        The search side expands a query for « GSIM » into all of these.
        """
        entry = self.lookup(text)
        return list(entry.forms) if entry else []

    def find(self, text: str) -> list[GazetteerMatch]:
        """Every alias written in `text`, longest first where they overlap."""
        if self._pattern is None:
            return []
        folded, origin = _fold_with_offsets(text)
        matches: list[GazetteerMatch] = []
        for found in self._pattern.finditer(folded):
            start = origin[found.start()]
            end = origin[found.end() - 1] + 1
            written = text[start:end]
            key = _HYPHENS_AND_SPACES.sub(" ", found.group())
            candidates = self._forms_by_folded.get(key) or self._scan_forms.get(key)
            if not candidates or not any(_case_allows(a, written) for a in candidates):
                continue
            matches.append(GazetteerMatch(start, end, self._by_key[match_key(candidates[0])]))
        return matches

    def _compile(self) -> re.Pattern[str] | None:
        forms = sorted({*self._forms_by_folded, *self._scan_forms}, key=len, reverse=True)
        if not forms:
            return None
        alternatives = "|".join(" +".join(map(re.escape, f.split(" "))) for f in forms)
        return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def _strip_article(form: str) -> str:
    return re.sub(r"^(?:(?:le|la|les)\s+|l['\u2019])", "", form, flags=re.IGNORECASE)


def _parse_entry(item: object, number: int, path: Path) -> GazetteerEntry:
    """Check one YAML entry, naming the file and the entry in any complaint."""
    label = f"{path}: entry {number}"
    if not isinstance(item, dict):
        raise GazetteerError(f"{label}: expected a mapping with canonical, type, aliases")
    canonical = item.get("canonical")
    if not isinstance(canonical, str) or not canonical.strip():
        raise GazetteerError(f"{label}: 'canonical' must be a non-empty string")
    label = f"{label} ({canonical!r})"
    unknown = set(item) - {"canonical", "type", "aliases"}
    if unknown:
        raise GazetteerError(f"{label}: unknown field(s) {', '.join(sorted(unknown))}")
    entity_type = item.get("type")
    if entity_type not in ENTITY_TYPES:
        raise GazetteerError(
            f"{label}: 'type' must be one of {', '.join(ENTITY_TYPES)}, got {entity_type!r}"
        )
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise GazetteerError(f"{label}: 'aliases' must be a list of non-empty strings")
    return GazetteerEntry(canonical.strip(), entity_type, tuple(a.strip() for a in aliases))
