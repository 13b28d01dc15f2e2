"""Query words in the asker's words: what else each typed word should find.

The query language (search.query) gives a tree of what was typed; before a
backend translates a list of juxtaposed or AND-ed items, `expand_items` marks

- each run of words spelling a gazetteer name (search.names), where an
  acronym alias counts only when typed as an acronym (« ONU », not « d'un »);
- each other plain word with its related forms, as a `Related` item:
  a compound's parts (« ventes-achats » → ventes AND achats), a place's
  nationality adjective and the reverse (« malienne » ↔ Mali), a verb's
  nouns and the reverse (« élire » ↔ « élection »).

Related forms are weighted below the typed word (`weight` < 1): an article
using the asker's own word family still ranks first. Backends translate a
`Related` as « the item OR each alternative, scaled by its weight », with
their own machinery; the rules live here, once, for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from search.core.french import is_stop_word
from search.expansion.families import adjectives_of, derived, place_of
from search.expansion.nationality import own_forms
from search.gazetteer import Gazetteer
from search.names import NameRun, is_plain_word, with_names
from search.query import And, Node, Phrase, Term

COMPOUND_PARTS_WEIGHT = 0.6  # « ventes-achats » also as « ventes » AND « achats »
DEMONYM_WEIGHT = 0.5  # « malienne » also as « Mali », and the reverse
DERIVED_WEIGHT = 0.4  # « élire » also as « élection »
MAX_RELATED = 4  # alternatives per word: each costs a lookup
MAX_PLACE_WORDS = 4  # « République démocratique du Congo »
_COMPOUND_SPLIT = re.compile(r"[-‐‑/]+")


@dataclass(frozen=True)
class Related:
    """A query item and other ways of saying it, each with a weight below 1."""

    item: Node | NameRun
    alternatives: tuple[tuple[Node, float], ...]


def expand_items(
    items: Iterable[Node], gazetteer: Gazetteer | None
) -> list[Node | NameRun | Related]:
    """`items` with names marked (`with_names`) and plain words given their
    related forms; everything else as it was."""
    out: list[Node | NameRun | Related] = []
    for item in _place_runs(with_names(items, gazetteer)):
        if isinstance(item, NameRun):
            text = " ".join(t.text for t in item.words)
            alternatives = tuple(_place_alternatives([text, *item.forms]))
            out.append(Related(item, alternatives) if alternatives else item)
        elif is_plain_word(item) and not is_stop_word(item.text):  # type: ignore[union-attr]
            # A function word searches nothing, and nothing in its stead: « par »
            # shares a stem with « parer », whose family is « parage, parure ».
            assert isinstance(item, Term)
            alternatives = related_forms(item)
            out.append(Related(item, alternatives) if alternatives else item)
        else:
            out.append(item)
    return out


def _place_runs(items: list[Node | NameRun]) -> list[Node | NameRun]:
    """Runs of plain words naming a place of the demonym table that the gazetteer
    does not list (« Côte d'Ivoire »), marked as a `NameRun` of that one spelling."""
    out: list[Node | NameRun] = []
    i = 0
    while i < len(items):
        for n in range(min(MAX_PLACE_WORDS, len(items) - i), 1, -1):
            span = items[i : i + n]
            if all(is_plain_word(t) for t in span):
                text = " ".join(t.text for t in span)  # type: ignore[union-attr]
                if adjectives_of(text):
                    out.append(NameRun(tuple(span), (text,)))  # type: ignore[arg-type]
                    i += n
                    break
        else:
            out.append(items[i])
            i += 1
    return out


def related_forms(term: Term) -> tuple[tuple[Node, float], ...]:
    """The alternatives of one plain word, strongest first, at most MAX_RELATED."""
    found: list[tuple[Node, float]] = []
    parts = compound_parts(term.text)
    if parts:
        found.append((And(tuple(Term(p) for p in parts)), COMPOUND_PARTS_WEIGHT))
    else:
        found.extend(_place_alternatives([term.text]))
        found.extend((_as_node(w), DERIVED_WEIGHT) for w in derived(term.text))
    seen: set[Node] = set()
    unique = []
    for node, weight in found:
        if node not in seen and node != term:
            seen.add(node)
            unique.append((node, weight))
    # A nationality the stemmer joins with its country also on its own forms
    # (search.expansion.nationality), beyond the cap: they replace no relative.
    return tuple(unique[:MAX_RELATED]) + own_forms(term)


def compound_parts(text: str) -> list[str]:
    """« ventes-achats » → [ventes, achats]; [] for a word of one part. Elided
    words (« l'armée ») are not compounds: the analyser drops the elision."""
    parts = [p for p in _COMPOUND_SPLIT.split(text.strip("-/")) if p]
    return parts if len(parts) > 1 else []


def _place_alternatives(texts: list[str]) -> list[tuple[Node, float]]:
    """A nationality adjective's place, or a place's adjectives."""
    for text in texts:
        place = place_of(text)
        if place:
            return [(_as_node(place), DEMONYM_WEIGHT)]
        adjectives = adjectives_of(text)
        if adjectives:
            return [(_as_node(a), DEMONYM_WEIGHT) for a in adjectives]
    return []


def _as_node(text: str) -> Node:
    """One word as a term, several (« Côte d'Ivoire ») as a phrase."""
    return Phrase(text) if " " in text else Term(text)
