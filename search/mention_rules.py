"""The mention rules: one raw span → one entity, or nothing, one small rule at a time.

A mention rule takes a `Draft` (the span's text and type so far) and returns
the draft to go on, an `Entity` (decided) or None (not a name). Rules marked
`cleaning` run only for spans the gazetteer did not recognise up front. The
order they run in is declared in `search.entity_rules.MENTION_RULES`; each can
be called alone on a draft (tests do) or left out of the chain (the held-out
measure of each rule's gain does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from search import entity_text as txt
from search.article import Entity
from search.entity_kinds import (
    ACRONYM,
    CODE,
    ROAD,
    is_junk,
    names_a_venue,
    names_an_event,
    names_an_organisation,
    names_an_organisation_by_its_shape,
)
from search.entity_spans import LOWER_WORD
from search.entity_words import (
    INSTITUTION_HEADS,
    NAMED_PLACE_HEADS,
    ORG_HEADS,
    is_adjective_of_origin,
    is_demonym,
    names_a_place,
    stop_words,
)
from search.gazetteer import Gazetteer, GazetteerEntry, fold

ENTITY_LABELS = {"PER", "ORG", "LOC", "MISC"}


@dataclass(frozen=True)
class Mention:
    """One span as the gazetteer or the model labelled it, before normalisation."""

    text: str
    label: str
    sentence_initial: bool = False
    # Every occurrence of the text in the article opens a sentence: its capital
    # may be the sentence's, not a name's.
    initial_only: bool = False


@dataclass
class Draft:
    """A span on its way through the mention rules."""

    mention: Mention
    gazetteer: Gazetteer
    text: str
    label: str
    entry: GazetteerEntry | None = None
    known: bool = False  # the gazetteer knew the span before any cleaning
    titled: bool = False  # a title or honorific stood before the name


Outcome = Draft | Entity | None
MentionRule = Callable[[Draft], Outcome]
CLEANING: set[str] = set()


def cleaning(rule: MentionRule) -> MentionRule:
    """Mark a rule that spans already known to the gazetteer skip."""
    CLEANING.add(rule.__name__)
    return rule


# « le groupe Wagner », « l'organisation État islamique »: the name is what follows.
_GENERIC_HEAD = re.compile(
    r"^(?:(?i:(?:le |l')?(?:groupe|organisation)\s+)|(?:(?:le |la |l')?(?:ONG|association|"
    r"agence|syndicat|collectif|société|compagnie|fondation|mouvement|journal|quotidien|"
    r"hebdomadaire|magazine|chaîne|radio|entreprise|banque|cabinet|laboratoire|firme|"
    r"constructeur|opérateur|site|éditions|maison d'édition|club|parti)\s+))(?=[A-ZÀ-Ý])"
)
# « mer du Japon », « lac Louise »: the lower-case generic word before a place is not its name.
_LOWERCASE_PLACE_HEAD = re.compile(
    r"^(?:[a-zàâçéèêëîïôûùüÿœ-]+ )+(?:(?:de la|de l'|des|du|de|d')\s*)?(?=[A-ZÀ-Ý])"
)
_GENERIC_TAIL = re.compile(r"\s+(?:du pays|de la ville|de la région|de l'État)$")
_MINISTRY_OF_A_COUNTRY = re.compile(
    r"^ministère (" + LOWER_WORD + r") (?:de la |de l'|des |du |de |d')([A-ZÀ-Ý].+)$"
)
# « l'État de Victoria », « l'État de l'Ohio », « État du Kerala »: a state named by
# its place. French writes the polity « État » with its capital; « l'état de
# l'Union » (a speech, a condition) is lower case.
_STATE_OF = re.compile(r"^[ÉE]tat (?:de la |de l'|du |des |de |d')\s*([A-ZÀ-Ý].*)$")
# What is left of « président du Sénat », « Haut-Commissaire des Nations unies
# aux droits de l'homme » once the title is stripped: a complement, then a name.
# « d' » is left out: « M. d'Ormesson » is a person's particle.
_TITLE_OF = re.compile(r"^(?:du |des |de la |de l')\s*([A-ZÀ-Ý].*)$")
# « de la Commission européenne Jean-Claude Juncker »: after the body's lower-case
# word, two or more capitalised words are the person who holds the title.
_BODY_THEN_PERSON = re.compile(
    r"^.*\b" + LOWER_WORD + r" ((?:[A-ZÀ-Ý][\w'’-]+ )+[A-ZÀ-Ý][\w'’-]+)$"
)
_PARTITIVE_NAME = re.compile(r"^(?:du|des|de la) [A-ZÀ-Ý][\w'’-]*$")
_MINISTER = re.compile(
    r"^ministre (?:" + LOWER_WORD + r" )?(?:(de la|de l'|des|du|de|d')\s*)(.+)$", re.IGNORECASE
)


def clean_edges(d: Draft) -> Outcome:
    """A name stops at a line break, edge punctuation, a date after it (« ONU lundi »)."""
    d.text = txt.clean(d.text)
    return d


def generic_head(d: Draft) -> Outcome:
    """« le groupe Wagner » → « Wagner » (not before a person's name)."""
    if d.label != "PER":
        d.text = _GENERIC_HEAD.sub("", d.text)
    return d


def gazetteer_form(d: Draft) -> Outcome:
    """A span written as the gazetteer lists it skips the cleaning rules."""
    d.entry = d.gazetteer.lookup_written(d.text) if d.gazetteer.is_form(d.text) else None
    d.known = d.entry is not None
    return d


@cleaning
def determiner(d: Draft) -> Outcome:
    """« la France » → « France », « l'ONU » → « ONU »; « Le Caire » keeps its article."""
    d.text = txt.strip_determiner(d.text, d.mention.sentence_initial, d.gazetteer, d.label == "PER")
    return d


@cleaning
def minister_title(d: Draft) -> Outcome:
    """« ministre (malien) de l'Intérieur » outside a person's span: the ministry,
    named by its portfolio, the whole ministry as canonical name; « Premier ministre
    du Canada »: the place."""
    minister = _MINISTER.match(d.text)
    if not minister or d.label == "PER":
        return d
    portfolio = txt.clean(minister.group(2))
    if not txt.capitalised(portfolio):
        return None
    if names_a_place(portfolio):
        # « Premier ministre du Canada », « ministre d'Australie-Occidentale »: the
        # head of a government, named by its country or region; the place is the name.
        entry = d.gazetteer.lookup_written(portfolio)
        return Entity(portfolio, "LOC", entry.canonical if entry else portfolio)
    complement = minister.group(1).lower()
    glue = "" if complement.endswith("'") else " "
    return Entity(portfolio, "ORG", f"ministère {complement}{glue}{portfolio}")


@cleaning
def state_of_a_place(d: Draft) -> Outcome:
    """« l'État de Victoria », « l'État de Washington »: a federated state, named
    by its place; the place is the name (a LOC), not an organisation « État de … »."""
    state = _STATE_OF.match(d.text) if d.label != "PER" else None
    if not state:
        return d
    place = txt.clean(state.group(1))
    entry = d.gazetteer.lookup_written(place)
    return Entity(place, "LOC", entry.canonical if entry else place)


@cleaning
def person_title(d: Draft) -> Outcome:
    """« le président François Hollande » → « François Hollande », a person."""
    d.text, d.titled = txt.strip_person_prefix(d.text)
    if d.titled:
        d.label = "PER"
    return d


@cleaning
def title_of_a_body(d: Draft) -> Outcome:
    """« président du Sénat », « Haut-Commissaire des Nations unies aux droits de
    l'homme »: the title is a body's, no person is named; the body is the name.
    « président de la Commission européenne Jean-Claude Juncker »: the person is."""
    body = _TITLE_OF.match(d.text) if d.titled else None
    if not body:
        return d
    holder = _BODY_THEN_PERSON.match(d.text)
    if holder:
        d.text = holder.group(1)  # the title's holder is named: a person
    else:
        d.text, d.label, d.titled = body.group(1), "ORG", False
    return d


@cleaning
def leading_nationality(d: Draft) -> Outcome:
    """« l'Espagnole Caroline Routier »: a nationality, then a person."""
    without = txt.strip_leading_demonym(d.text)
    if without != d.text and len(without.split(" ")) > 1:
        d.label = "PER"
    d.text = txt.clean(without)
    return d


@cleaning
def partitive_is_not_a_person(d: Draft) -> Outcome:
    """« du Canada », « des Nations »: a place or a body, no first name."""
    return None if d.label == "PER" and _PARTITIVE_NAME.match(d.text) else d


@cleaning
def place_heads(d: Draft) -> Outcome:
    """Places: ministries and institutions are organisations; « mer du Japon » → « Japon »;
    streets and stations keep their generic word (« gare du Nord »)."""
    if d.label != "LOC":
        return d
    if d.text.startswith("ministère "):
        d.label = "ORG"  # « ministère russe de la Défense »: the portfolio is the name
    head = fold(d.text.split(" ")[0])
    if head in INSTITUTION_HEADS or names_a_venue(d.text):
        d.label = "ORG"
    elif head not in NAMED_PLACE_HEADS:
        d.text = _LOWERCASE_PLACE_HEAD.sub("", d.text)
    return d


@cleaning
def generic_tail(d: Draft) -> Outcome:
    """« Cour constitutionnelle du pays »: the country is named elsewhere."""
    if d.label not in ("PER", "LOC"):
        d.text = _GENERIC_TAIL.sub("", d.text)
    return d


@cleaning
def overrun(d: Draft) -> Outcome:
    """« Parlement hier », « UE relative »: words of the sentence after the name
    (`entity_text.cut_overrun`); persons are left alone."""
    if d.label != "PER":
        d.text = txt.cut_overrun(d.text)
    return d


@cleaning
def country_ministry(d: Draft) -> Outcome:
    """« ministère turc des Affaires étrangères » → « Affaires étrangères »."""
    if d.label not in ("PER", "LOC"):
        ministry = _MINISTRY_OF_A_COUNTRY.match(d.text)
        if ministry and is_demonym(ministry.group(1)):
            d.text = ministry.group(2)
    return d


@cleaning
def road(d: Draft) -> Outcome:
    """« A8 », « N7 »: a road, not a code."""
    return Entity(d.text, "LOC", d.text) if d.label == "LOC" and ROAD.fullmatch(d.text) else d


@cleaning
def junk(d: Draft) -> Outcome:
    """Spans that name nothing: one letter, a pronoun, a weekday, a demonym, a common
    word at a sentence start, « État » alone. An organisation whose shape alone
    looks like junk (« Le Parisien », « D8 ») is kept."""
    if d.label == "ORG" and names_an_organisation_by_its_shape(d.text):
        return d
    initial = d.mention.sentence_initial and not d.titled
    return None if is_junk(d.text, initial, stop_words(), initial and d.mention.initial_only) else d


@cleaning
def gazetteer_name(d: Draft) -> Outcome:
    """The cleaned span looked up in the gazetteer (« l'ONU » → « ONU »)."""
    d.entry = d.gazetteer.lookup_written(d.text)
    return d


@cleaning
def adjective_of_origin(d: Draft) -> Outcome:
    """« héraultais »: an adjective of origin is neither a place nor an organisation."""
    unknown_place_or_org = d.entry is None and d.label in ("LOC", "ORG")
    if d.label == "ORG" and names_an_organisation_by_its_shape(d.text):
        return d  # « Le Parisien »: a newspaper
    return None if unknown_place_or_org and is_adjective_of_origin(d.text) else d


def gazetteer_type(d: Draft) -> Outcome:
    """A name the gazetteer knows takes its type and canonical name, whatever the model said."""
    return Entity(d.text, d.entry.type, d.entry.canonical) if d.entry is not None else d


def known_label(d: Draft) -> Outcome:
    """Only PER, ORG, LOC and MISC are entities (a guard on the model's labels)."""
    return d if d.label in ENTITY_LABELS else None


def code(d: Draft) -> Outcome:
    """« UZ224 », « ATR-42 », « UTC-5 »: a flight, a model, a time zone."""
    return None if CODE.match(d.text) else d


def event(d: Draft) -> Outcome:
    """« Ligue des champions », « Ironman de Kona »: an event, not its organiser."""
    return Entity(d.text, "MISC", d.text) if d.label != "PER" and names_an_event(d.text) else d


def place_acronym(d: Draft) -> Outcome:
    """Place acronyms are the gazetteer's: an unknown one the model calls a place is a code."""
    return None if ACRONYM.match(d.text) and d.label == "LOC" else d


def institution_head(d: Draft) -> Outcome:
    """« Cour suprême », « université de Kutch »: the head noun says what it is."""
    if fold(d.text.split(" ")[0]) in ORG_HEADS and d.label != "PER":
        d.label = "ORG"
    return d


def organisation_word(d: Draft) -> Outcome:
    """« Amiens SC », « Sony Pictures », « Ahrar al-Cham »: a word says organisation."""
    if names_an_organisation(d.text):
        d.label = "ORG"
    return d
