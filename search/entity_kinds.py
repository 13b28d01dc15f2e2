"""What kind of thing a cleaned name is: nothing, an event, an organisation, a venue.

Predicates over the text of one name, read by the mention rules of
`search.entity_rules`. They look at the words of the name (a club word, an
event word, a building) and at the French dictionary, never at the model.
"""

from __future__ import annotations

import re

from search.entity_spans import ARMY
from search.entity_text import capitalised
from search.entity_words import (
    COMMON_ABBREVIATIONS,
    DOCUMENT_HEADS,
    EVENT_WORDS,
    MOVEMENT_HEADS,
    NOT_NAMES,
    ORG_HEADS,
    ORG_WORDS,
    PRONOUNS,
    VENUE_WORDS,
    WEEKDAYS,
    gives_a_demonym,
    is_demonym,
)
from search.gazetteer import fold
from search.lexicon import french_lexicon

# Letters then digits, or letters, a hyphen and digits: codes, not organisations.
CODE = re.compile(r"^[A-Z]{1,4}(?:-?\d{3,}|-\d{1,3})[a-z]*$")
ACRONYM = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý0-9&\-]{1,7}$")
ROAD = re.compile(r"[ADMN]\d{1,4}")
# « Ligue 1 », « Ligue des champions », « Ligue Europa », « Fédérale 1 »: divisions.
_LEAGUE = re.compile(r"^(?:Ligue|Fédérale|Nationale|Division|Pro)\s+(?:\d|des champions|Europa)")


# « D8 », « M6 », « 2F »: one letter and a digit, the shape of a channel's or a
# firm's name; as an organisation it is a name, whatever « one letter » says.
_LETTER_AND_DIGIT = re.compile(r"[A-Z]\d{1,2}|\d[A-Z]")


def names_an_organisation_by_its_shape(text: str) -> bool:
    """Names the model types ORG that the junk tests would drop for their shape.

    « Le Parisien », « au Parisien »: a capitalised demonym in the singular that
    the model reads as an organisation names a newspaper (the plural, « les
    Tutsis », stays a people); « D8 », « 2F »: a letter and a digit. Held-out
    folds of issue 15: the three were gold ORG each time junk dropped them."""
    if _LETTER_AND_DIGIT.fullmatch(text):
        return True
    singular = not text.endswith(("s", "x"))
    return singular and capitalised(text) and " " not in text and is_demonym(text)


def is_junk(
    text: str, sentence_initial: bool, stop_words: frozenset[str], initial_only: bool = False
) -> bool:
    """Spans that name nothing: letters alone, numbers, adjectives, common words.

    A word seen only at sentence starts and found in the French dictionary
    (« Rappelons », « Cinéma ») is a common word; one seen inside a sentence
    with its capital (« Paris ») is a name even though « paris » is a word.
    """
    letters = sum(c.isalpha() for c in text)
    if letters < 2:
        return True
    key = fold(text)
    words = text.split(" ")
    if len(words) == 1:
        if not any(c.isupper() for c in text):
            return True  # « français », « armée »: a name has a capital
        if key in PRONOUNS or key in WEEKDAYS:
            return True
        if sentence_initial and (key in stop_words or (key.endswith("ment") and len(key) > 6)):
            return True
        if initial_only and text in french_lexicon() and not gives_a_demonym(text):
            return True
    if key in NOT_NAMES or text in COMMON_ABBREVIATIONS:
        return True
    if is_demonym(text):
        return True
    if ARMY.fullmatch(text) and is_demonym(words[1]):
        return False  # « armée syrienne »: a national army is an organisation
    return not any(capitalised(w) or any(c.isupper() for c in w) for w in words)


def names_a_venue(text: str) -> bool:
    """« Beacon Theatre », « Grande Mosquée de Paris », « Stade de Reims »: an organisation."""
    words = text.split(" ")
    return len(words) > 1 and any(w[:1].isupper() and fold(w) in VENUE_WORDS for w in words)


def names_an_organisation(text: str) -> bool:
    """A word inside the name says organisation, whatever type the model gave."""
    words = re.split(r"[ -]", text)
    if len(words) > 1 and any(w in ORG_WORDS for w in words):
        return True
    return len(words) > 1 and fold(words[0]) in MOVEMENT_HEADS


def names_an_event(text: str) -> bool:
    """A competition or festival names an event (MISC), not an organisation."""
    if _LEAGUE.match(text):
        return True
    words = text.split(" ")
    if fold(words[0]) in ORG_HEADS or names_an_organisation(text):
        return False  # « Fédération internationale de triathlon » organises the event
    if words[0] in DOCUMENT_HEADS and len(words) > 1:
        return True  # « Pacte de stabilité et de croissance », « Légion d'honneur »
    # The event word heads the name or closes it, with its capital (« Ironman
    # France », « Xterra Triathlon »), not a common word inside (« examens et concours »).
    return any(w[:1].isupper() and fold(w) in EVENT_WORDS for w in {words[0], words[-1]})
