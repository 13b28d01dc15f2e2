"""A name typed in a transliteration the gazetteer does not list still reaches its entry.

The gazetteer lists the spellings French news uses (« Front al-Nosra »,
« Jabhat al-Nosra »); a journalist reading English wires types « Front
al-Nusra ». Folding and stemming do not join them, so the query was read as
two common words and the entity's key and aliases were never searched (q030:
the Front national's articles ranked first, on « front »).

The lookup below compares names by their transliteration key
(`search.variants.name_key`), loosened by one more choice on which Arabic
transliterations disagree: the vowel written o or u (Nosra/Nusra,
Oussama/Usama, Mossoul/Mosul). It answers only for names of two parts or
more (one word is too short a key: « Mali », « mule »), and only when a single
entry has that key; the exact spellings are always looked up first (`with_names`).
"""

from __future__ import annotations

import re
from weakref import WeakKeyDictionary

from search.gazetteer import Gazetteer, GazetteerEntry
from search.variants import name_key

MIN_NAME_PARTS = 2  # « al-Nusra », « Front al-Nusra »: a key long enough to trust
_PARTS = re.compile(r"[^\W_]+")

# Per gazetteer (each generation holds its own): loose key → its only entry,
# or None when several entries share the key (ambiguous: no answer).
_BY_LOOSE_KEY: WeakKeyDictionary[Gazetteer, dict[str, GazetteerEntry | None]] = WeakKeyDictionary()


def loose_key(text: str) -> str:
    """`name_key` with the vowels o and u made one: « al-Nosra » and « al-Nusra » meet."""
    return name_key(text).replace("o", "u")


def transliterated_forms(gazetteer: Gazetteer, text: str) -> list[str]:
    """Every spelling (canonical first) of the one gazetteer entry whose
    spellings share `text`'s loose key; [] for a one-part name, an unknown or
    an ambiguous key."""
    if len(_PARTS.findall(text)) < MIN_NAME_PARTS:
        return []
    key = loose_key(text)
    if not key:
        return []
    entry = _keys_of(gazetteer).get(key)
    return list(entry.forms) if entry is not None else []


def _keys_of(gazetteer: Gazetteer) -> dict[str, GazetteerEntry | None]:
    keys = _BY_LOOSE_KEY.get(gazetteer)
    if keys is None:
        keys = {}
        for entry in gazetteer.entries:
            for form in entry.forms:
                if len(_PARTS.findall(form)) < MIN_NAME_PARTS:
                    continue
                key = loose_key(form)
                if key:
                    other = keys.get(key, entry)
                    keys[key] = entry if other is entry else None
        _BY_LOOSE_KEY[gazetteer] = keys
    return keys
