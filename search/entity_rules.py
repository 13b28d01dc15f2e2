"""The rules that turn raw model spans into names a reader would put in a facet.

The raw model output is noisy in ways that are regular in French news copy:
determiners and titles stuck to names (« la France », « M. Fillon », « le président
Macron »), nationality adjectives taken for places (« britannique »), single
letters, « État » alone, seats of power typed as places, surnames typed as places
when the full name is a person two lines above. Each of those has a general rule
here; names the model does not know or spells many ways are the gazetteer's job.

This module holds only language: tables of French words and the rules reading
them, so that a rule can be read, tested and changed without running the model.
The one outside table is the French dictionary (`search.lexicon`), read from the
model's package files, never run. `search.entities` runs the model and calls in here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from search.article import Entity
from search.expansion.families import demonym_adjectives
from search.gazetteer import Gazetteer, fold
from search.lexicon import french_lexicon

# Bump when the rules below change, so that cached entities made by older rules miss.
RULES_VERSION = "9"
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


# ---------------------------------------------------------------------------
# Language tables: the data the rules read, apart from the rules.


def _words(block: str) -> list[str]:
    """A table written as whitespace-separated words, easier to read and edit than a list."""
    return block.split()


# A determiner is a whole word followed by a space, or an elision glued to the name.
_LOWER_DETERMINER = re.compile(r"^(?:(?:de la|du|des|de|la|le|les|aux|au)\s+|(?:de l'|d'|l')\s*)+")
_LOWER_ARTICLE = re.compile(r"^(?:(?:la|le|les)\s+|l'\s*)+")
_ANY_DETERMINER = re.compile(_LOWER_DETERMINER.pattern, re.IGNORECASE)
_POSSESSIVE = re.compile(r"^(?:son|sa|ses|leur|leurs|notre|nos|votre|vos|cet|cette|ce)\s+", re.I)
_HONORIFICS = re.compile(
    r"^(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Mr\.?|Mrs\.?|Dr\.?|Pr\.?|Me|Mgr|S\.\s?E\.|"
    r"Son Excellence|Sa Majesté|Son Altesse|Sa Sainteté|Monsieur|Madame|Mademoiselle)\s+"
)
_EX = re.compile(r"^(?:l'|l’)?ex-\s*", re.IGNORECASE)
# Words naming a function: stripped in front of a person's name, junk on their own.
_TITLE_WORDS = frozenset(
    _words("""
    président présidente vice-président vice-présidente premier première ministre
    secrétaire général générale colonel commandant capitaine lieutenant sergent
    maréchal amiral roi reine prince princesse pape cardinal archevêque évêque
    cheikh imam émir juge maire député députée sénateur sénatrice chancelier
    chancelière porte-parole ambassadeur ambassadrice docteur professeur maître
    chef dirigeant dirigeante leader opposant opposante candidat candidate
    patron patronne directeur directrice procureur procureure gouverneur
    monsieur madame mademoiselle feu saint-père d'état adjoint adjointe
    délégué déléguée haut-commissaire commissaire sultan président-directeur
    """)
)
_TITLE_COMPLEMENT = re.compile(r"^(?:de la |de l'|des |du |d'|de )\S+(?: d'\S+)? (?=[A-ZÀ-Ý])")
# Name particles keep their place inside a person's name (« de Gaulle », « Van Aert »).
_PARTICLES = frozenset(
    _words("de d' du des la le van von der den di da del della dos das al el ben bin ibn ould ag")
)
# Head nouns of institutions: a span starting with one names an organisation.
_ORG_HEADS = frozenset(
    fold(w)
    for w in _words("""
    conseil cour tribunal parquet université fédération chambre comité commission agence
    association institut ministère parti syndicat banque fondation revue journal académie
    collège lycée école hôpital CHU assemblée sénat congrès parlement gouvernement armée
    police gendarmerie service office observatoire confédération coalition
    """)
)
# Capitalised particles the model leaves out in front of a surname (« De Gendt »).
NAME_PARTICLES = frozenset(_words("De Du Van Von Der Den Di Da Del Della Dos Mac Mc Ter Ten"))
_WEEKDAYS = frozenset(_words("lundi mardi mercredi jeudi vendredi samedi dimanche"))
# Capitalised words the model often labels but that name nothing on their own.
_NOT_NAMES = frozenset(
    fold(w.replace("_", " "))
    for w in _words("""
    État États Etat Etats République Président Présidente Gouvernement Premier Ministre
    Monsieur Madame Dieu Seigneur Nord Sud Est Ouest Internet Web Président-directeur
    Constitution Brexit Ve_République IVe_République
    """)
)
# Abbreviations that are common words of news copy, not names.
_COMMON_ABBREVIATIONS = frozenset(
    _words("UTC GMT CET NDLR CDD CDI PIB AVC ADN TVA PDG SMS QG HLM RER TGV OGM VIH SIDA")
)
_PRONOUNS = frozenset(
    _words("il elle ils elles on nous vous je tu lui eux celui celle ceux celles cela ceci")
)

# Nationality and origin adjectives, masculine singular (search/data/demonyms-fr.tsv,
# shared with the query side); inflections are generated.
_DEMONYM_STEMS = demonym_adjectives()

_DEMONYM_PREFIXES = ("nord-", "sud-", "est-", "ouest-", "franco-", "anglo-", "germano-")


def _inflect(stem: str) -> set[str]:
    """Feminine and plural forms of a nationality adjective."""
    forms = {stem}
    if stem.endswith("e"):
        forms |= {stem + "s"}
    elif stem.endswith(("en", "on")):  # -ien, -éen, breton
        forms |= {stem + "s", stem + "ne", stem + "nes"}
    elif stem.endswith("s"):
        forms |= {stem + "e", stem + "es"}
    elif stem == "turc":
        forms |= {"turcs", "turque", "turques"}
    elif stem.endswith("c"):
        forms |= {stem + "s", stem + "que", stem + "ques"}
    else:
        forms |= {stem + "s", stem + "e", stem + "es"}
    return forms


_DEMONYMS = frozenset(fold(f) for stem in _DEMONYM_STEMS for f in _inflect(stem)) | {
    "suissesse",
    "suissesses",
}


_FOLDED_DEMONYM_STEMS = frozenset(fold(stem) for stem in _DEMONYM_STEMS)
# Forms that are also a country's name when capitalised.
_COUNTRY_HOMOGRAPHS = frozenset({"Suisse", "Argentine", "Bénin", "Philippines"})


def _gives_a_demonym(text: str) -> bool:
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
    if text in _COUNTRY_HOMOGRAPHS:
        return False
    key = fold(text)
    for prefix in _DEMONYM_PREFIXES:
        if key.startswith(fold(prefix)) and key[len(prefix) :] in _DEMONYMS:
            return True
    return key in _DEMONYMS


# ---------------------------------------------------------------------------
# Span normalisation: one raw mention → one entity, or nothing.

_TRAILING_DATE = re.compile(
    r"(?:\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?:\s+(?:matin|soir))?"
    r"|\s+(?:de|en|d'ici|depuis)\s+\d{4})+$"
)  # lower case only: French writes weekdays so; « Journal du Dimanche » is a name
_EDGE_JUNK = " \t\n.,;:!?\"'«»“”‘’()[]{}#*/\\|-–—…"


def _clean(text: str) -> str:
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


def _capitalised(word: str) -> bool:
    """« Azawad », « l'Azawad », « al-Ansari », « ould-Abdallah »: a name's word."""
    return _GLUED_PARTICLE.sub("", re.sub(r"^[a-zA-Z]{1,3}'", "", word))[:1].isupper()


_GLUED_PARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ben|bin|ibn|ould|ag|abu|abou)-")


def strip_determiner(
    text: str, sentence_initial: bool, gazetteer: Gazetteer, person: bool = False
) -> str:
    """« la France » → « France », « l'ONU » → « ONU ».

    A capitalised determiner in mid-sentence is part of the name (« Le Caire »,
    « Le Parisien »); at the start of a sentence it is kept only when the
    gazetteer lists the name with it (« Le Monde »). Before a person's name only
    articles go: « de Gaulle » keeps its particle.
    """
    pattern = _LOWER_ARTICLE if person else _LOWER_DETERMINER
    stripped = pattern.sub("", text)
    if stripped != text:
        return stripped or text
    if sentence_initial and not gazetteer.is_form(text):
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
        if words and words[0].lower() in _TITLE_WORDS:
            found = True
            words = words[1:]
            # « président de la République X », « ministre de l'Intérieur X »
            words = _TITLE_COMPLEMENT.sub("", " ".join(words)).split(" ")
            text = " ".join(words)
        if text == before:
            break
        text = _LOWER_ARTICLE.sub("", text) if found else text
    return text, found


def strip_leading_demonym(text: str) -> str:
    """« l'Espagnole Caroline Routier » → « Caroline Routier »."""
    words = text.split(" ")
    if len(words) > 1 and is_demonym(words[0]) and _capitalised(words[1]):
        return " ".join(words[1:])
    return text


def _strip_trailing_lowercase(text: str) -> str:
    """A person's name ends on a capitalised word: « Fillon a » → « Fillon »."""
    words = text.split(" ")
    while len(words) > 1 and not _capitalised(words[-1]):
        words.pop()
    while len(words) > 1 and words[-1].lower() in _PARTICLES:
        words.pop()
    return " ".join(words)


# « le groupe Wagner », « l'organisation État islamique »: the name is what follows.
_GENERIC_HEAD = re.compile(
    r"^(?:(?i:(?:le |l')?(?:groupe|organisation)\s+)|(?:(?:le |la |l')?(?:ONG|association|"
    r"agence|syndicat|collectif|société|compagnie|fondation|mouvement|journal|quotidien|"
    r"hebdomadaire|magazine|chaîne|radio|entreprise|banque|cabinet|laboratoire|firme|"
    r"constructeur|opérateur|site|éditions|maison d'édition|club|parti)\s+))(?=[A-ZÀ-Ý])"
)
# « mer du Japon », « lac Louise », « îles de Faial »: the proper name is the place
# name; the lower-case generic word before it is not (as « président » before a person).
_LOWERCASE_PLACE_HEAD = re.compile(
    r"^(?:[a-zàâçéèêëîïôûùüÿœ-]+ )+(?:(?:de la|de l'|des|du|de|d')\s*)?(?=[A-ZÀ-Ý])"
)
# French streets, squares and stations carry their generic word in the name
# (« place de la Concorde », « gare du Nord », « rue de Rivoli »): kept whole.
_NAMED_PLACE_HEADS = frozenset(
    fold(w)
    for w in _words("""
    place rue avenue boulevard quai pont gare vallée île allée impasse chaussée
    square esplanade parvis
    """)
)
# Lower-case heads that make the whole span an institution the model took for
# a place (« diocèse de Moosonee », « académie de Grenoble »).
_INSTITUTION_HEADS = frozenset(
    fold(w) for w in _words("diocèse académie comité observatoire université")
)
# « Cour constitutionnelle du pays »: the country is named elsewhere, not in the name.
_GENERIC_TAIL = re.compile(r"\s+(?:du pays|de la ville|de la région|de l'État)$")
_MINISTRY_OF_A_COUNTRY = re.compile(
    r"^ministère ([a-zéèëï-]+) (?:de la |de l'|des |du |de |d')([A-ZÀ-Ý].+)$"
)
_PARTITIVE_NAME = re.compile(r"^(?:du|des|de la) [A-ZÀ-Ý][\w'’-]*$")
_ROAD = re.compile(r"[ADMN]\d{1,4}")
_SURNAME_INITIAL = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ'’-]+ [A-ZÀ-Ý]\.$")
# Buildings that are run as institutions: the news names the house, not the spot.
_VENUE_WORDS = frozenset(
    fold(w)
    for w in _words("""
    Hôtel Hotel Théâtre Theatre Theater Opéra Arena Stade Stadium Centre Center
    Mosquée Musée Museum Casino
    """)
)


def _names_a_venue(text: str) -> bool:
    """« Beacon Theatre », « Grande Mosquée de Paris », « Stade de Reims »: an organisation."""
    words = text.split(" ")
    return len(words) > 1 and any(w[:1].isupper() and fold(w) in _VENUE_WORDS for w in words)


_MINISTER = re.compile(r"^ministre (?:(de la|de l'|des|du|de|d')\s*)(.+)$", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý0-9&\-]{1,7}$")


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
        if key in _PRONOUNS or key in _WEEKDAYS:
            return True
        if sentence_initial and (key in stop_words or (key.endswith("ment") and len(key) > 6)):
            return True
        if initial_only and text in french_lexicon() and not _gives_a_demonym(text):
            return True
    if key in _NOT_NAMES or text in _COMMON_ABBREVIATIONS:
        return True
    if is_demonym(text):
        return True
    if _ARMY.fullmatch(text) and is_demonym(words[1]):
        return False  # « armée syrienne »: a national army is an organisation
    return not any(_capitalised(w) or any(c.isupper() for c in w) for w in words)


def normalise(mention: Mention, gazetteer: Gazetteer, stop_words: frozenset[str]) -> Entity | None:
    """Turn one raw span into an entity (text as written, type, canonical), or drop it."""
    label = mention.label
    if _SURNAME_INITIAL.match(mention.text.strip()):
        label = "PER"  # « Karabatic L. »: a team sheet's surname and initial
    text = _clean(mention.text)
    if label != "PER":
        text = _GENERIC_HEAD.sub("", text)
    entry = gazetteer.lookup_written(text) if gazetteer.is_form(text) else None
    if entry is None:
        text = strip_determiner(text, mention.sentence_initial, gazetteer, label == "PER")
        minister = _MINISTER.match(text)
        if minister and label != "PER":
            portfolio = _clean(minister.group(2))
            if not _capitalised(portfolio):
                return None
            return Entity(portfolio, "ORG", f"ministère {minister.group(1)} {portfolio}")
        text, titled = strip_person_prefix(text)
        if titled:
            label = "PER"
        without_demonym = strip_leading_demonym(text)
        if without_demonym != text and len(without_demonym.split(" ")) > 1:
            label = "PER"  # « l'Espagnole Caroline Routier »: a nationality, then a person
        text = _clean(without_demonym)
        if label == "PER":
            text = _strip_trailing_lowercase(text)
            if _PARTITIVE_NAME.match(text):
                return None  # « du Canada », « des Nations »: a place or a body, no first name
        elif label == "LOC":
            if text.startswith("ministère "):
                label = "ORG"  # « ministère russe de la Défense »: the portfolio is the name
            head = fold(text.split(" ")[0])
            if head in _INSTITUTION_HEADS or _names_a_venue(text):
                label = "ORG"
            elif head not in _NAMED_PLACE_HEADS:
                text = _LOWERCASE_PLACE_HEAD.sub("", text)
        else:
            # A nationality after the name stays: « ministère de l'Intérieur turc » is
            # not the French one, and « Réserve fédérale américaine » is one name.
            text = _GENERIC_TAIL.sub("", text)
            ministry = _MINISTRY_OF_A_COUNTRY.match(text)
            if ministry and is_demonym(ministry.group(1)):
                text = ministry.group(2)  # « ministère turc des Affaires étrangères »
        if label == "LOC" and _ROAD.fullmatch(text):
            return Entity(text, "LOC", text)  # « A8 », « N7 »: a road, not a code
        initial = mention.sentence_initial and not titled
        if is_junk(text, initial, stop_words, initial and mention.initial_only):
            return None
        entry = gazetteer.lookup_written(text)
        if entry is None and label in ("LOC", "ORG") and _adjective_of_origin(text):
            return None
    if entry is not None:
        return Entity(text, entry.type, entry.canonical)
    if label not in ENTITY_LABELS:
        return None
    if _CODE.match(text):
        return None  # « UZ224 », « ATR-42 », « UTC-5 »: a flight, a model, a time zone
    if label != "PER" and _names_an_event(text):
        return Entity(text, "MISC", text)  # « Ligue des champions », « Ironman de Kona »
    if _ACRONYM.match(text) and label == "LOC":
        # Place acronyms (USA, RDC, EAU) are the gazetteer's: an unknown all-capitals
        # word the model calls a place is a code, a series or a programme (« WTS »).
        return None
    if _ACRONYM.match(text) and label == "PER":
        label = "ORG"  # in news copy an all-capitals word is almost always an organisation
    elif fold(text.split(" ")[0]) in _ORG_HEADS and label != "PER":
        label = "ORG"  # « Cour suprême », « université de Kutch »: the head noun says what it is
    elif _names_an_organisation(text):
        label = "ORG"
    return Entity(text, label, text)


# Endings of French adjectives of origin (« héraultais », « strasbourgeoise », « azéri »).
_ORIGIN_ENDING = re.compile(r"(?:ais|ois|ien|een|ain|an|in|on|ard|i|ite|ote)(?:e|ne)?s?$")


def _adjective_of_origin(text: str) -> bool:
    """One word, an adjective the dictionary knows, ending like a demonym: who, not where."""
    return (
        " " not in text
        and "-" not in text
        and text not in _COUNTRY_HOMOGRAPHS
        and _ORIGIN_ENDING.search(fold(text)) is not None
        and french_lexicon().is_adjective(text)
    )


# Letters then digits, or letters, a hyphen and digits: codes, not organisations.
_CODE = re.compile(r"^[A-Z]{1,4}(?:-?\d{3,}|-\d{1,3})[a-z]*$")
# Words that make a name an organisation wherever they sit in it: sports clubs
# (« Amiens SC », « Stade de Reims », « Paris Saint-Germain » is the gazetteer's),
# companies (« Aspin Kemp and Associates », « Sony Pictures »).
_ORG_WORDS = frozenset(
    _words("""
    FC AC SC RC HB AS OGC ASM OM OL SCO AJ USM CF CD SV VfB VfL BSC
    Handball Basket Volley Rugby Football Futsal Olympique Racing Sporting Athletic
    Inc Inc. Ltd Ltd. SA SAS SARL GmbH AG Corp Corp. Corporation Company Co. Group Groupe
    Holding Holdings Airlines Airways Associates Records Entertainment Pictures Studios
    Motors Bank Technologies Telecom Télécom Media Médias Éditions Editions
    """)
)
# Heads of Arabic, Persian and Urdu names of movements and armed groups
# (« Ahrar al-Cham », « Jaych al-Islam », « Tehrik-e-Taliban »): the model,
# reading them as places, types them LOC.
_MOVEMENT_HEADS = frozenset(
    fold(w)
    for w in _words("""
    Ahrar Ansar Ansar-al Jaych Jaysh Jaish Jaïch Jund Harakat Hizb Hezb Liwa Kataëb
    Kataib Jabhat Jamaat Jamaa Jemaah Tehrik Tehreek Asaïb Asaib Saraya Fatah Tanzim
    """)
)


# Words that make a name a competition or an event, not its organiser.
_EVENT_WORDS = frozenset(
    fold(w)
    for w in _words("""
    Ironman Marathon Semi-marathon Triathlon Duathlon Championnat Championnats
    Championship Championships Coupe Cup Trophée Trophy Tournoi Open Masters Series
    Rallye Festival Biennale Salon Concours Eurovision Awards Olympiades
    Starligue
    """)
)
# Texts, plans and honours: named things that are neither bodies nor places.
_DOCUMENT_HEADS = frozenset(
    _words("""
    Pacte Plan Traité Accord Accords Loi Charte Protocole Directive Règlement Légion
    Médaille Record Devise Symbole
    """)
)
# « Ligue 1 », « Ligue des champions », « Ligue Europa », « Fédérale 1 »: divisions.
_LEAGUE = re.compile(r"^(?:Ligue|Fédérale|Nationale|Division|Pro)\s+(?:\d|des champions|Europa)")


def _names_an_event(text: str) -> bool:
    """A competition or festival names an event (MISC), not an organisation."""
    if _LEAGUE.match(text):
        return True
    words = text.split(" ")
    if fold(words[0]) in _ORG_HEADS or _names_an_organisation(text):
        return False  # « Fédération internationale de triathlon » organises the event
    if words[0] in _DOCUMENT_HEADS and len(words) > 1:
        return True  # « Pacte de stabilité et de croissance », « Légion d'honneur »
    # The event word heads the name or closes it, with its capital (« Ironman
    # France », « Xterra Triathlon »), not a common word inside (« examens et concours »).
    return any(w[:1].isupper() and fold(w) in _EVENT_WORDS for w in {words[0], words[-1]})


def _names_an_organisation(text: str) -> bool:
    """A word inside the name says organisation, whatever type the model gave."""
    words = re.split(r"[ -]", text)
    if len(words) > 1 and any(w in _ORG_WORDS for w in words):
        return True
    return len(words) > 1 and fold(words[0]) in _MOVEMENT_HEADS


_LIST_SEPARATOR = re.compile(r"\s+[-–—/]\s+|\s*;\s*")


def split_mention(mention: Mention) -> list[Mention]:
    """« Albanie - Suisse » (a match, a list) is two names, not one."""
    parts = [p for p in _LIST_SEPARATOR.split(mention.text) if p.strip()]
    if len(parts) < 2:
        return [mention]
    head, *rest = parts
    return [replace(mention, text=head)] + [Mention(p, mention.label) for p in rest]


def resolve(mentions: Iterable[Mention], gazetteer: Gazetteer) -> list[Entity]:
    """All the entities of one article, normalised, made consistent and deduplicated."""
    stop_words = _stop_words()
    entities = [
        e
        for m in mentions
        for part in split_mention(m)
        if (e := normalise(part, gazetteer, stop_words)) is not None
    ]
    entities = _complete_person_names(entities, gazetteer)
    entities = _vote_types(entities, gazetteer)
    return list(dict.fromkeys(entities))


def _vote_types(entities: list[Entity], gazetteer: Gazetteer) -> list[Entity]:
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


def _complete_person_names(entities: list[Entity], gazetteer: Gazetteer) -> list[Entity]:
    """« Froome » typed as a place after « Christopher Froome » is the same person.

    News copy names a person in full once, then by surname; the model often
    mislabels the bare surname. Any one-word entity that is the surname of a
    full name in the same article becomes that person, with the full name as
    canonical form (the gazetteer's word wins when it knows the name).
    """
    full_names: dict[str, str] = {}
    for e in entities:
        words = e.text.split(" ")
        if e.type == "PER" and len(words) > 1 and _capitalised(words[0]):
            full_names.setdefault(fold(words[-1]), e.canonical)
    result = []
    for e in entities:
        key = fold(e.text)
        if " " not in key and key in full_names and gazetteer.lookup(e.text) is None:
            e = Entity(e.text, "PER", full_names[key])
        result.append(e)
    return result


_STOP_WORDS: frozenset[str] | None = None


def _stop_words() -> frozenset[str]:
    global _STOP_WORDS
    if _STOP_WORDS is None:
        from spacy.lang.fr.stop_words import STOP_WORDS

        _STOP_WORDS = frozenset(fold(w) for w in STOP_WORDS)
    return _STOP_WORDS


# « le ministre de l'Intérieur »: the portfolio is the organisation (the ministry),
# the minister is a person named elsewhere.
_MINISTER_PORTFOLIO = re.compile(
    r"\bministre (de la |de l'|de l’|des |du |de |d'|d’)"
    r"((?:[A-ZÀ-Ý][\w'’-]+"
    r"(?: (?:étrangères|sociales|européennes|publics|publiques|nationale|numérique))?"
    r"(?: (?:et |, )(?:de la |de l'|des |du |de |d')?)?)+)"
)
# « l'armée syrienne »: the model tags « syrienne » or « Syrie » inside; the span
# keeps that out. It is then dropped as lower-case: keeping « armée X » as an ORG
# was measured neutral (the gold names a national army about half the time).
_ARMY = re.compile(r"\barmée ([a-zéèëï-]+)")
_COMPLEMENT = r"(?:de la |de l'|de l’|des |du |de |d'|d’)"
# A lower-case word after the head that is not a preposition (checked as a demonym).
_ADJECTIVE = r"(?!(?:de|du|des|d)\b)([a-zéèëï-]+)"
# « ministère de la Justice » is a name as a whole; « ministère russe de la Défense »
# is not (the adjective sits inside), there the portfolio alone names the ministry.
_MINISTRY = re.compile(
    r"\bministère (?:" + _ADJECTIVE + r" )?" + _COMPLEMENT + r"((?:[A-ZÀ-Ý][\w'’-]+"
    r"(?: (?:étrangères|sociales|européennes|publics|publiques|nationale|numérique|"
    r"armées|d'urgence|d’urgence))?"
    r"(?: (?:et |, )(?:de la |de l'|des |du |de |d')?)?)+)"
)
# « université de Duke », « université Harvard »: the model tags the place or the
# founder inside, the newsroom (and the reader) means the university.
_UNIVERSITY = re.compile(
    r"\buniversité (?:" + _ADJECTIVE + r" )?(?:" + _COMPLEMENT + r")?"
    r"[A-ZÀ-Ý][\w'’-]*(?:(?: | de | du | des | d'| de la )[A-ZÀ-Ý][\w'’-]*)*"
)


# « Mission de l'Union africaine en Somalie », « Ambassade d'Algérie au Canada »:
# a mission, an office or an embassy is named with where it serves; the model
# stops before « en Somalie » and types the first part MISC.
_POSTED_BODY = re.compile(
    r"\b(?:Mission|Opération|Forces?|Bureau|Ambassade|Délégation|Représentation|"
    r"Haut[- ]Commissariat|Office) " + _COMPLEMENT + r"[A-ZÀ-Ý][\w'’-]*(?: [a-zéèêï]+)? "
    r"(?:en|au|aux|à) (?:[A-ZÀ-Ý][\w'’-]*|droits de l['’]homme)"
)


def rule_spans(text: str) -> list[tuple[int, int, str]]:
    """Character spans (start, end, label) that patterns find whatever the model says.

    The model misses lower-case-headed names (« l'armée syrienne ») and reads
    « ministre de l'Intérieur » as a person's title; these patterns say what they are.
    """
    found = [(m.start(), m.end(), "ORG") for m in _ARMY.finditer(text) if is_demonym(m.group(1))]
    found += [(m.start(2), m.end(2), "ORG") for m in _MINISTER_PORTFOLIO.finditer(text)]
    for m in _MINISTRY.finditer(text):
        if m.group(1) is None:
            found.append((m.start(), m.end(2), "ORG"))
        elif is_demonym(m.group(1)):
            found.append((m.start(2), m.end(2), "ORG"))
    found += [(m.start(), m.end(), "ORG") for m in _POSTED_BODY.finditer(text)]
    found += [
        (m.start(), m.end(), "ORG")
        for m in _UNIVERSITY.finditer(text)
        if m.group(1) is None or is_demonym(m.group(1))
    ]
    return found
