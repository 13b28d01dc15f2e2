"""The word tables the entity rules read, loaded from `search/data/entity-words.yml`.

The tables are language, not logic: a journalist can add a title, a club word or
a nationality to the data file without reading the rules. This module only
loads them in the form each rule compares (folded for lower-case heads, as
written where capitals matter) and derives what a table implies (the feminine
and plural forms of nationality adjectives).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import yaml

from search.expansion.families import adjectives_of, demonym_adjectives, inflect
from search.gazetteer import fold
from search.lexicon import french_lexicon

WORDS_FILE = Path(__file__).resolve().parent / "data" / "entity-words.yml"


def _load(path: Path = WORDS_FILE) -> dict[str, list[str]]:
    tables = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        name: [w.replace("_", " ") for w in str(words).split()] for name, words in tables.items()
    }


_TABLES = _load()


def _as_written(name: str) -> frozenset[str]:
    return frozenset(_TABLES[name])


def _folded(name: str) -> frozenset[str]:
    return frozenset(fold(w) for w in _TABLES[name])


# Compared as written: capitals are part of what the rule looks for.
TITLE_WORDS = _as_written("title_words")  # compared with the word in lower case
NAME_PARTICLES = _as_written("name_particles")
WEEKDAYS = _as_written("weekdays")
COMMON_ABBREVIATIONS = _as_written("common_abbreviations")
PRONOUNS = _as_written("pronouns")
ORG_WORDS = _as_written("org_words")
DOCUMENT_HEADS = _as_written("document_heads")
COUNTRY_HOMOGRAPHS = _as_written("country_homographs")
TRAILING_WORDS = _as_written("trailing_words")
# Compared folded: heads are matched whatever their case and accents.
ORG_HEADS = _folded("org_heads")
NOT_NAMES = _folded("not_names")
NAMED_PLACE_HEADS = _folded("named_place_heads")
NAMED_PLACE_HEAD_WORDS = _as_written("named_place_heads")  # for a pattern on raw text
INSTITUTION_HEADS = _folded("institution_heads")
INSTITUTION_HEAD_WORDS = _as_written("institution_heads")  # for a pattern on raw text
VENUE_WORDS = _folded("venue_words")
MOVEMENT_HEADS = _folded("movement_heads")
EVENT_WORDS = _folded("event_words")

# Nationality and origin adjectives, masculine singular: one table with the
# query side's derivations (search/data/demonyms-fr.tsv); inflections generated.
_DEMONYM_STEMS = demonym_adjectives()
_DEMONYM_PREFIXES = ("nord-", "sud-", "est-", "ouest-", "franco-", "anglo-", "germano-")


_DEMONYMS = frozenset(fold(f) for stem in _DEMONYM_STEMS for f in inflect(stem)) | {
    "suissesse",
    "suissesses",
}
_FOLDED_DEMONYM_STEMS = frozenset(fold(stem) for stem in _DEMONYM_STEMS)


def gives_a_demonym(text: str) -> bool:
    """« Japon » (japonais), « Chine » (chinois), « Paris » (parisien): a place's name,
    whatever the dictionary says « japon », « chine » or « paris » also mean."""
    base = re.sub(r"(?:es|e|s|a)$", "", fold(text))
    if len(base) < 3:
        return False
    return any(
        stem.startswith(base) and len(stem) - len(base) <= 4 for stem in _FOLDED_DEMONYM_STEMS
    )


def is_demonym(text: str) -> bool:
    """« français », « Britanniques », « sud-africaine »: who someone is, not a name."""
    if text in COUNTRY_HOMOGRAPHS:
        return False
    key = fold(text)
    for prefix in _DEMONYM_PREFIXES:
        if key.startswith(fold(prefix)) and key[len(prefix) :] in _DEMONYMS:
            return True
    return key in _DEMONYMS


# Endings of French adjectives of origin (« héraultais », « strasbourgeoise », « azéri »).
_ORIGIN_ENDING = re.compile(r"(?:ais|ois|ien|een|ain|an|in|on|ard|i|ite|ote)(?:e|ne)?s?$")


def is_adjective_of_origin(text: str) -> bool:
    """One word, an adjective the dictionary knows, ending like a demonym: who, not where."""
    return (
        " " not in text
        and "-" not in text
        and text not in COUNTRY_HOMOGRAPHS
        and _ORIGIN_ENDING.search(fold(text)) is not None
        and french_lexicon().is_adjective(text)
    )


_STOP_WORDS: frozenset[str] | None = None


def stop_words() -> frozenset[str]:
    """spaCy's French stop words, folded (loaded on first use)."""
    global _STOP_WORDS
    if _STOP_WORDS is None:
        _STOP_WORDS = frozenset(fold(w) for w in _spacy_french_stop_words())
    return _STOP_WORDS


def _spacy_french_stop_words() -> set[str]:
    """The list of `spacy.lang.fr.stop_words`, without importing `spacy.lang.fr`.

    Importing the submodule imports its package first, whose tokenizer
    exceptions compile one very large regular expression (about 2 s of CPU).
    When NER runs in worker processes, the build's main process needs only
    this list, for the rules: so the module file is run alone, by path."""
    loaded = sys.modules.get("spacy.lang.fr.stop_words")
    if loaded is not None:
        return loaded.STOP_WORDS
    spacy_spec = importlib.util.find_spec("spacy")
    if spacy_spec is None or spacy_spec.origin is None:
        raise ModuleNotFoundError("spaCy is not installed")
    path = Path(spacy_spec.origin).parent / "lang" / "fr" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("loupe_spacy_french_stop_words", path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"spaCy's French stop words not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STOP_WORDS


def names_a_place(text: str) -> bool:
    """« Canada », « Australie-Occidentale »: a country or region of the demonym table
    (or one of its parts, before a hyphen), alone (« Europe et Affaires étrangères »
    is a portfolio)."""
    if " et " in text or "," in text:
        return False
    return bool(adjectives_of(text) or adjectives_of(text.split("-")[0]))
