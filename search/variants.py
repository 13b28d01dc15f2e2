"""A spelling-variant key for proper names, so that transliterations meet.

The same place or person reaches French news under several spellings:
Tinzaouaten, Tin Zaouatine, Tinzawaten; Poutine and Putin; Kadhafi and
Qaddafi; Tchad and Chad. Accent folding and stemming do not join them. The key
below does: it keeps a name's consonant skeleton and reduces the vowel and
digraph choices on which transliteration schemes (French, English, German)
disagree. It is computed at index time for every capitalised token and at
query time for the words typed, so it must be pure and cheap (lru_cache).

A key is deliberately lossy; the rules were tightened against the distinct
capitalised words of the Wikinews corpus (`python -m search.variants CORPUS`)
until words sharing a key were mostly genuine variants, not different names:
Niger/Nigeria, Iran/Irak, Mali/Malte and Paris/Pérou stay apart.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from search.core.french import fold

# Ordered rewrites on the folded, letters-only name. Upper-case letters stand
# for a sound already decided, so that later rules cannot rewrite it again.
_REWRITES: tuple[tuple[str, str], ...] = (
    # "ch" sounds: Tchad/Chad, Tchétchénie/Chechnya, Bachar/Bashar.
    (r"tsch|tch|sch|sh|ch", "C"),
    # "dj" sounds: Djibouti/Jibuti; the French "j" already sounds as such.
    (r"dj|dzh", "J"),
    (r"ph", "F"),
    # k written k, q, qu, ck, kh or hard c: Irak/Iraq, Kadhafi/Qaddafi, Victor/Viktor.
    (r"kh|ck|qu|q|k", "K"),
    (r"c(?=[eiy])", "S"),
    (r"c", "K"),
    (r"gh", "G"),
    (r"th", "T"),
    (r"dh", "D"),
    # French "ou" is English "u" or "w": Zaouatine/Zawaten, Poutine/Putin.
    (r"ou|oo|w", "U"),
    (r"y", "i"),
    # Diphthongs written either way: Qaïda/Qaeda, Bahreïn/Bahrain.
    (r"ae|ei", "ai"),
    # An h inside a name is silent or optional (Mohammed/Mohamed); an initial
    # one is kept: Hamad is not Ahmad, Hill is not Il.
    (r"(?<=.)h", ""),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in _REWRITES)
# Placeholders back to letters; "ch" stays two letters so that Bach is not BAC.
_SOUNDS = str.maketrans({"C": "ch"})
# Roman numerals and ordinals (XIII, XIXe) are numbers, not names: VI ≠ VIII.
_ROMAN = re.compile(r"m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})(e|er|eme)?\Z")
# "L'Allemand" at the start of a sentence is the name Allemand.
_ELISION = re.compile(r"\A(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)'(?=[a-z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"(.)\1+")
# Below this length every letter is a choice, not a transliteration variant:
# BBC/HBC, Ana/Anna, Le/Lee stay apart.
_SHORTEST_REWRITTEN = 4
# Endings: the French -ine/-ene of Poutine, Korovine, Tinzaouatene is the -in
# or -en of other spellings; only after a consonant and three letters, so
# that Plaine is not Plein, nor Chine Chen.
_ENDINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z]{2}[^aeiou])[ie]ne?\Z"), "en"),
    # Russian -ov/-off/-of: Lavrov/Lavrof, Smirnov/Smirnoff.
    (re.compile(r"(?<=[a-z]{2})o[vf]\Z"), "of"),
)


@lru_cache(maxsize=65_536)
def name_key(text: str) -> str:
    """The variant key of a name: equal for spellings of one name ("Tin
    Zaouatine", "Tinzawaten"), different for most different names.

    Each part of a compound name is rewritten on its own (a digraph never
    straddles "AP-HP"), then the parts are joined, so that spacing and hyphens
    do not matter.
    """
    folded = _ELISION.sub("", fold(text))
    parts = [_part_key(part) for part in _NOT_ALNUM.split(folded) if part]
    key = "".join(parts)
    return _DOUBLES.sub(r"\1", key) if len(parts) > 1 else key


def _part_key(part: str) -> str:
    if len(part) < _SHORTEST_REWRITTEN or _ROMAN.match(part):
        return part
    for pattern, replacement in _COMPILED:
        part = pattern.sub(replacement, part)
    key = part.translate(_SOUNDS).lower()
    if len(part) > _SHORTEST_REWRITTEN:
        # Doubled letters are a spelling choice in longer names (Rousseff,
        # Haussmann) but often the whole difference in short words (Pas/Pass).
        key = _DOUBLES.sub(r"\1", key)
    for pattern, replacement in _ENDINGS:
        key = pattern.sub(replacement, key)
    return key


def collisions(words: Iterable[str]) -> dict[str, set[str]]:
    """Keys shared by names that differ by more than case and accents: what a
    rule change must be judged on (genuine variants, or different names?)."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for word in words:
        by_key[name_key(word)].add(word)
    shared = {}
    for key, group in by_key.items():
        distinct_folded = {fold(word) for word in group}
        if len(distinct_folded) >= 2:
            shared[key] = group
    return shared


_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]*")


def capitalised_words(lines: Iterable[str]) -> set[str]:
    """Distinct capitalised words in the title and text of JSON-lines articles."""
    words: set[str] = set()
    for line in lines:
        record = json.loads(line)
        text = f"{record.get('title') or ''}\n{record.get('text') or ''}"
        words.update(w.strip("'’-") for w in _CAPITALISED.findall(text))
    return words


def _report(path: str) -> None:
    with open(path, encoding="utf-8") as corpus:
        words = capitalised_words(corpus)
    shared = collisions(words)
    print(f"{len(words)} distinct capitalised words, {len({name_key(w) for w in words})} keys")
    print(f"{len(shared)} keys shared by words differing beyond case and accents:")
    for key, group in sorted(shared.items()):
        print(f"  {key}: {', '.join(sorted(group))}")


if __name__ == "__main__":
    _report(sys.argv[1] if len(sys.argv) > 1 else "corpus/wikinews-winer.jsonl")
