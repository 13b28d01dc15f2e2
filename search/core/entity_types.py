"""Entity types and the names Loupe gives them in indexes, filters, queries and pages.

One table per use, all keyed by the model's types (`PER`, `ORG`, `LOC`,
`MISC`): every backend names its fields from `ENTITY_FIELDS`, the web its
parameters from `ENTITY_PARAMS` and its headings from `ENTITY_LABELS`.
"""

from __future__ import annotations

from collections.abc import Iterable

from search.article import ENTITY_TYPES, Entity

# Type → index field and facet name (facets, filters, `loupe stats`).
ENTITY_FIELDS = {"PER": "persons", "ORG": "orgs", "LOC": "places", "MISC": "misc"}
# The types listed by name (facets, /api/entities, autocomplete, name keys).
LISTED_TYPES = ("PER", "ORG", "LOC")
# Type → query field prefix role and filter parameter (`personne:`/`person=`).
ENTITY_PARAMS = {"PER": "person", "ORG": "org", "LOC": "place"}
# Type → heading on the pages (French).
ENTITY_LABELS = {"PER": "Personnes", "ORG": "Organisations", "LOC": "Lieux", "MISC": "Divers"}
# Any of these names a type: the type itself, its field, its parameter.
TYPE_ALIASES = {
    **{t: t for t in ENTITY_TYPES},
    **{f: t for t, f in ENTITY_FIELDS.items()},
    **{p: t for t, p in ENTITY_PARAMS.items()},
}


def listed_types(type_: str | None) -> tuple[str, ...]:
    """The types an entity listing covers: all listed types for None, the type a
    name stands for (`PER`, `persons`, `person`), none for anything else."""
    if type_ is None:
        return LISTED_TYPES
    found = TYPE_ALIASES.get(type_)
    return (found,) if found in LISTED_TYPES else ()


def group_entities(entities: Iterable[Entity]) -> dict[str, list[str]]:
    """Type → the canonical names of those entities, in order of first mention, once each."""
    grouped: dict[str, list[str]] = {}
    for entity in entities:
        names = grouped.setdefault(entity.type, [])
        if entity.canonical not in names:
            names.append(entity.canonical)
    return grouped
