"""The rules that turn raw model spans into names a reader would put in a facet.

The raw model output is noisy in ways that are regular in French news copy:
determiners and titles stuck to names (« la France », « M. Fillon »), nationality
adjectives taken for places (« britannique »), « État » alone, surnames typed as
places when the full name is a person two lines above. Each is one small named
rule, applied in a declared order like the analysis chain: `MENTION_RULES` to
each span (`search.mention_rules`), then `ARTICLE_RULES` to make an article's
entities agree with each other.

The words the rules read are in `search/data/entity-words.yml`; text editing is
in `search.entity_text`, what-kind-of-name predicates in `search.entity_kinds`,
patterns on the raw text in `search.entity_spans` (run by `search.entities`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from search.article import Entity
from search.entity_text import capitalised
from search.entity_words import NAME_PARTICLES, is_demonym
from search.gazetteer import Gazetteer, fold
from search.mention_rules import (
    CLEANING,
    Draft,
    Mention,
    MentionRule,
    adjective_of_origin,
    clean_edges,
    code,
    country_ministry,
    determiner,
    event,
    gazetteer_form,
    gazetteer_name,
    gazetteer_type,
    generic_head,
    generic_tail,
    institution_head,
    junk,
    known_label,
    leading_nationality,
    minister_title,
    organisation_word,
    overrun,
    partitive_is_not_a_person,
    person_title,
    place_acronym,
    place_heads,
    road,
    state_of_a_place,
    title_of_a_body,
)

# Bump when the rules change, so that cached entities made by older rules miss.
RULES_VERSION = "17"
__all__ = ["NAME_PARTICLES", "RULES_VERSION", "Mention", "is_demonym", "resolve"]

# The declared order: each rule sees what the ones before it made of the span.
MENTION_RULES: tuple[MentionRule, ...] = (
    clean_edges, generic_head, gazetteer_form,
    determiner, minister_title, state_of_a_place, person_title, title_of_a_body,
    leading_nationality,
    partitive_is_not_a_person, place_heads, generic_tail, overrun,
    country_ministry, road, junk, gazetteer_name, adjective_of_origin,
    gazetteer_type, known_label, code, event, place_acronym,
    institution_head, organisation_word,
)  # fmt: skip


def normalise(
    mention: Mention, gazetteer: Gazetteer, rules: Iterable[MentionRule] = MENTION_RULES
) -> Entity | None:
    """Turn one raw span into an entity (text as written, type, canonical), or drop it."""
    draft = Draft(mention, gazetteer, mention.text, mention.label)
    for rule in rules:
        if draft.known and rule.__name__ in CLEANING:
            continue
        outcome = rule(draft)
        if not isinstance(outcome, Draft):
            return outcome
    return Entity(draft.text, draft.label, draft.text)


_LIST_SEPARATOR = re.compile(r"\s+[-–—/]\s+|\s*;\s*")


def split_mention(mention: Mention) -> list[Mention]:
    """« Albanie - Suisse » (a match, a list) is two names, not one."""
    parts = [p for p in _LIST_SEPARATOR.split(mention.text) if p.strip()]
    if len(parts) < 2:
        return [mention]
    head, *rest = parts
    return [replace(mention, text=head)] + [Mention(p, mention.label) for p in rest]


def complete_person_names(entities: list[Entity], gazetteer: Gazetteer) -> list[Entity]:
    """« Froome » typed as a place after « Christopher Froome » is the same person.

    News copy names a person in full once, then by surname; the model often
    mislabels the bare surname. Any one-word entity that is the surname of a
    full name in the same article becomes that person, with the full name as
    canonical form (the gazetteer's word wins when it knows the name).
    """
    full_names: dict[str, str] = {}
    for e in entities:
        words = e.text.split(" ")
        if e.type == "PER" and len(words) > 1 and capitalised(words[0]):
            full_names.setdefault(fold(words[-1]), e.canonical)
    result = []
    for e in entities:
        key = fold(e.text)
        if " " not in key and key in full_names and gazetteer.lookup(e.text) is None:
            e = Entity(e.text, "PER", full_names[key])
        result.append(e)
    return result


def vote_types(entities: list[Entity], gazetteer: Gazetteer) -> list[Entity]:
    """One name, one type within an article: the type the model gave most often.

    The model labels the same word differently from one sentence to the next
    (« Instagram » ORG here, LOC there); the article is about one thing.
    Ties go to the first mention; the gazetteer's types are not put to the vote.
    MISC is the model's « some name » and loses to any definite type.
    """
    votes: dict[str, Counter[str]] = {}
    for e in entities:
        votes.setdefault(fold(e.text), Counter())[e.type] += 1
    for ballot in votes.values():
        if len(ballot) > 1:
            ballot.pop("MISC", None)
    result = []
    for e in entities:
        winner = votes[fold(e.text)].most_common(1)[0][0]
        if winner != e.type and gazetteer.lookup(e.text) is None:
            e = Entity(e.text, winner, e.canonical)
        result.append(e)
    return result


ArticleRule = Callable[[list[Entity], Gazetteer], list[Entity]]
ARTICLE_RULES: tuple[ArticleRule, ...] = (complete_person_names, vote_types)


def resolve(
    mentions: Iterable[Mention],
    gazetteer: Gazetteer,
    skip: frozenset[str] = frozenset(),
) -> list[Entity]:
    """All the entities of one article, normalised, made consistent and deduplicated.

    `skip` names rules to leave out (mention or article rules, by function name):
    the evaluation measures each rule's gain by running without it.
    """
    rules = [r for r in MENTION_RULES if r.__name__ not in skip]
    parts = (
        part
        for m in mentions
        for part in (split_mention(m) if "split_mention" not in skip else [m])
    )
    entities = [e for part in parts if (e := normalise(part, gazetteer, rules)) is not None]
    for rule in ARTICLE_RULES:
        if rule.__name__ not in skip:
            entities = rule(entities, gazetteer)
    return list(dict.fromkeys(entities))
