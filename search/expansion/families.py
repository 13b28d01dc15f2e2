"""Word families across parts of speech: « malienne » ↔ Mali, « arrêter » ↔ « arrestation ».

Stemming joins the forms of one word (« attaques », « attaque »), and Snowball
also joins many derivations that keep their root (« manifester »,
« manifestation »). What it cannot join is a family whose root changes: a
nationality and its country (« ivoirien », Côte d'Ivoire; « britannique »,
Royaume-Uni), a verb and its noun (« élire », « élection »; « naître »,
« naissance »). Two data files bridge them:

- `search/data/demonyms-fr.tsv`: nationality adjectives and their places (also
  the entity rules' list of demonyms, see `demonym_adjectives`);
- `search/data/derivations-fr.tsv`: verb, action noun, agent noun and
  relational adjective families whose members stem apart, generated from the
  French model's lemma tables by `scripts/build_derivations.py`.

Lookups take a word as typed (any case, accents or not) and answer with words
to search as well, each a different stem from the typed one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from unidecode import unidecode

from search.core.french import stem

DATA = Path(__file__).resolve().parent.parent / "data"
DEMONYM_FILE = DATA / "demonyms-fr.tsv"
DERIVATION_FILE = DATA / "derivations-fr.tsv"


def _fold(text: str) -> str:
    return unidecode(text).lower().strip()


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def inflect(adjective: str) -> set[str]:
    """Feminine and plural forms of a nationality adjective (« malien » → « maliennes »)."""
    forms = {adjective}
    if adjective.endswith("e"):
        forms |= {adjective + "s"}
    elif adjective.endswith(("en", "on")):  # -ien, -éen, breton
        forms |= {adjective + "s", adjective + "ne", adjective + "nes"}
    elif adjective.endswith("s"):
        forms |= {adjective + "e", adjective + "es"}
    elif adjective == "turc":
        forms |= {"turcs", "turque", "turques"}
    elif adjective.endswith("c"):
        forms |= {adjective + "s", adjective + "que", adjective + "ques"}
    else:
        forms |= {adjective + "s", adjective + "e", adjective + "es"}
    return forms


@lru_cache(maxsize=1)
def demonym_adjectives() -> list[str]:
    """Every nationality or origin adjective of the table, masculine singular."""
    return [row[0] for row in _rows(DEMONYM_FILE)]


@lru_cache(maxsize=1)
def _demonym_tables() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(folded inflected adjective → place, folded place → adjectives)."""
    place_of: dict[str, str] = {}
    adjectives_of: dict[str, list[str]] = {}
    for row in _rows(DEMONYM_FILE):
        adjective, place = row[0], row[1] if len(row) > 1 else ""
        if not place:
            continue
        for form in inflect(adjective):
            place_of.setdefault(_fold(form), place)
        adjectives_of.setdefault(_fold(place), []).append(adjective)
    return place_of, adjectives_of


def place_of(word: str) -> str | None:
    """« maliennes » → « Mali », « ivoirien » → « Côte d'Ivoire »; None for other words."""
    return _demonym_tables()[0].get(_fold(word))


def adjectives_of(place: str) -> list[str]:
    """« Mali » → [« malien »] (masculine singular: the stem reaches the other forms)."""
    return list(_demonym_tables()[1].get(_fold(place), []))


def load_tables() -> None:
    """Read the data files now (a server at start), not in its first query."""
    demonym_adjectives()
    _demonym_tables()
    _derivations()


@lru_cache(maxsize=1)
def _derivations() -> dict[str, tuple[str, ...]]:
    """Stem of a member → the other members of its family (one family a line).

    Keyed by the index's stem, so any inflection finds the family
    (« présidentielles » → « président »)."""
    related: dict[str, list[str]] = {}
    for row in _rows(DERIVATION_FILE):
        members = [m for m in row if m]
        for m in members:
            key = stem(_fold(m))
            others = related.setdefault(key, [])
            others.extend(o for o in members if stem(_fold(o)) != key and o not in others)
    return {k: tuple(v) for k, v in related.items() if v}


def derived(word: str) -> tuple[str, ...]:
    """Members of the word's derivational family: « élire » → (« élection », « électeur »)."""
    return _derivations().get(stem(_fold(word)), ())
