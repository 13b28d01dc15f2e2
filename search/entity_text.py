"""Editing a span's text into the name it holds: what surrounds a name in French copy.

Determiners and elisions (« la France », « l'ONU »), titles and honorifics
(« M. Fillon », « le président Macron »), a nationality before a name
(« l'Espagnole Caroline Routier »), a date or a stray bracket after it. Each
function takes text and gives text: no model, no type decisions.
"""

from __future__ import annotations

import re

from search.entity_words import TITLE_WORDS, TRAILING_WORDS, is_demonym
from search.gazetteer import Gazetteer
from search.lexicon import Lexicon, french_lexicon

# A determiner is a whole word followed by a space, or an elision glued to the name.
LOWER_DETERMINER = re.compile(r"^(?:(?:de la|du|des|de|la|le|les|aux|au)\s+|(?:de l'|d'|l')\s*)+")
LOWER_ARTICLE = re.compile(r"^(?:(?:la|le|les)\s+|l'\s*)+")
_ANY_DETERMINER = re.compile(LOWER_DETERMINER.pattern, re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(?:son|sa|ses|leur|leurs|notre|nos|votre|vos|cet|cette|ce)\s+", re.I)
_HONORIFICS = re.compile(
    r"^(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Mr\.?|Mrs\.?|Dr\.?|Pr\.?|Me|Mgr|S\.\s?E\.|"
    r"Son Excellence|Sa Majesté|Son Altesse|Sa Sainteté|Monsieur|Madame|Mademoiselle)\s+"
)
_EX = re.compile(r"^(?:l'|l’)?ex-\s*", re.IGNORECASE)
# « de la République », « de l'Intérieur »: one word after the preposition, never
# an article (« de la Commission européenne Jean-Claude Juncker » is not « de » + « la »).
_TITLE_COMPLEMENT = re.compile(
    r"^(?:de la |de l'|des |du |d'|de )(?!(?:la|le|les|l')\s)\S+(?: d'\S+)? (?=[A-ZÀ-Ý])"
)
_TRAILING_DATE = re.compile(
    r"(?:(?<!\sdu)\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?:\s+(?:matin|soir))?"
    r"|\s+(?:de|en|d'ici|depuis)\s+\d{4})+$"
)  # lower case only: French writes weekdays so; « Journal du Dimanche » is a name,
# and so is « Journal du dimanche »: after « du » a weekday is a title's, not a date
_EDGE_JUNK = " \t\n.,;:!?\"'«»“”‘’()[]{}#*/\\|-–—…"
_GLUED_PARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ben|bin|ibn|ould|ag|abu|abou)-")


def clean(text: str) -> str:
    """One line, straight apostrophes, no edge punctuation, no date or stray bracket after."""
    # A name does not run over a line break: the rest is the next heading or paragraph.
    text = text.strip().split("\n")[0]
    text = re.sub(r"\s+", " ", text.replace("’", "'")).strip(_EDGE_JUNK)
    # « ONU lundi », « Agence du service civique de 2013 »: a date after the name.
    text = _TRAILING_DATE.sub("", text)
    text = re.sub(r"'s$", "", text)
    text = re.sub(r"(?:\s+(?:et|de|du|des|de la|d'|l'))+$", "", text).strip(_EDGE_JUNK)
    # A closing bracket or quote with no opener inside the span is the model's overrun.
    if text.count("(") < text.count(")") or text.count("(") > text.count(")"):
        text = text.split("(")[0].split(")")[0].strip(_EDGE_JUNK)
    return text


def capitalised(word: str) -> bool:
    """« Azawad », « l'Azawad », « al-Ansari », « ould-Abdallah »: a name's word."""
    return _GLUED_PARTICLE.sub("", re.sub(r"^[a-zA-Z]{1,3}'", "", word))[:1].isupper()


def strip_determiner(
    text: str, sentence_initial: bool, gazetteer: Gazetteer, person: bool = False
) -> str:
    """« la France » → « France », « l'ONU » → « ONU ».

    A capitalised determiner in mid-sentence is part of the name (« Le Caire »,
    « Le Parisien »); at the start of a sentence it is kept only when the
    gazetteer lists the name with it (« Le Monde »). Before a person's name only
    lower-case articles go: « de Gaulle » keeps its particle, and « Le Pen » or
    « La Fontaine » opening a sentence keep theirs.
    """
    pattern = LOWER_ARTICLE if person else LOWER_DETERMINER
    stripped = pattern.sub("", text)
    if stripped != text:
        return stripped or text
    if sentence_initial and not person and not gazetteer.is_form(text):
        stripped = _ANY_DETERMINER.sub("", text)
        if stripped and stripped[0].isupper():
            return stripped
    return text


def strip_person_prefix(text: str) -> tuple[str, bool]:
    """« M. Fillon » → « Fillon », « le président François Hollande » → « François Hollande ».

    Returns the name and whether a title or honorific was found (it makes the
    span a person whatever the model said). A title with no name after it gives "".
    """
    found = False
    while True:
        before = text
        text = _POSSESSIVE.sub("", text)
        text = _EX.sub("", text)
        honorific = _HONORIFICS.sub("", text)
        if honorific != text:
            found, text = True, honorific
        words = text.split(" ")
        if words and words[0].lower() in TITLE_WORDS:
            found = True
            words = words[1:]
            # « président de la République X », « ministre de l'Intérieur X »
            words = _TITLE_COMPLEMENT.sub("", " ".join(words)).split(" ")
            text = " ".join(words)
        if text == before:
            break
        text = LOWER_ARTICLE.sub("", text) if found else text
    return text, found


def strip_leading_demonym(text: str) -> str:
    """« l'Espagnole Caroline Routier » → « Caroline Routier »."""
    words = text.split(" ")
    if len(words) > 1 and is_demonym(words[0]) and capitalised(words[1]):
        return " ".join(words[1:])
    return text


_ACRONYM_WORD = re.compile(r"^[A-ZÀ-Ý]{2,}[0-9]*$")


def cut_overrun(text: str) -> str:
    """« Parlement hier », « UE relative »: the name ended before.

    The model runs a name on into the lower-case words of the sentence. Cut
    clause adverbs at the end (the trailing_words table), then lower-case words
    after a leading acronym (an acronym takes no adjective: « AMISOM
    burundaise »). A nationality after a capitalised word is not cut: it is
    part of names as often as not (« Commission européenne »). A name never
    runs on into « de » and a verb in the infinitive: « Église catholique de
    tenter de convaincre » is « Église catholique », and neither into a present
    participle: « Nations unies visant douze personnalités » is « Nations unies ».
    """
    words = _before_a_verb(text.split(" "))
    while len(words) > 1 and words[-1] in TRAILING_WORDS:
        words.pop()
    if len(words) > 1 and _ACRONYM_WORD.match(words[0]) and all(w.islower() for w in words[1:]):
        words = words[:1]
    return " ".join(words)


def _before_a_verb(words: list[str]) -> list[str]:
    """The words before « de tenter », « d'accepter », « visant »: a name's
    complement is a noun, and a name does not go on into a participle."""
    lexicon = french_lexicon()
    for i, word in enumerate(words[1:], start=1):
        if _is_present_participle(word, lexicon):
            return words[:i]
        if word == "de" and i + 1 < len(words) and lexicon.is_infinitive(words[i + 1]):
            return words[:i]
        if word.startswith("d'") and lexicon.is_infinitive(word[2:]):
            return words[:i]
    return words


def _is_present_participle(word: str, lexicon: Lexicon) -> bool:
    """« visant », « demandant »: a known form ending in -ant that is no lemma itself
    (« indépendant », « militant », « suivant » are words of names and stay)."""
    return (
        len(word) > 4
        and word.endswith("ant")
        and word.islower()
        and word not in lexicon.lemmas
        and word in lexicon
    )
