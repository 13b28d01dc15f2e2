"""Names found by pattern in the raw text, whatever the model says about them.

The model misses names headed by a lower-case word (« l'armée syrienne »,
« ministère de la Justice », « université de Duke ») and reads « ministre de
l'Intérieur » as a person's title. These patterns give character spans with a
type; `search.entities` lays them over the model's spans, as it does the
gazetteer's aliases. Each pattern is one named rule in `SPAN_RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search.entity_words import INSTITUTION_HEAD_WORDS, NAMED_PLACE_HEAD_WORDS, is_demonym

Span = tuple[int, int, str]

_COMPLEMENT = r"(?:de la |de l'|de l’|des |du |de |d'|d’)"
# A lower-case French word: every accented letter of the language, « ç » of
# « français » included (without it « ministre français de … » went unread).
LOWER_WORD = r"[a-zàâçéèêëîïôûùüÿœ-]+"
# A lower-case word after the head that is not a preposition (checked as a demonym).
_ADJECTIVE = r"(?!(?:de|du|des|d)\b)(" + LOWER_WORD + ")"
# A portfolio: capitalised words, each with the lower-case adjectives French puts
# after it (« Affaires étrangères », « Coopération internationale », « Santé
# publique », « Forces armées »), joined by « et » or commas with their
# complements (« Affaires étrangères et de la Coopération internationale »).
_ADJECTIVE_AFTER = (
    r"(?:publics|d'urgence|d’urgence|[a-zéèêëïîôûç]+(?:ales?|aux|ères?|iques?|elles?|aires?"
    r"|ées?|iennes?|ennes?|ives?|ieure?s?|eures?))"
)
_PORTFOLIO_ADJECTIVE = r"(?: " + _ADJECTIVE_AFTER + r")"
# « État-major général des forces armées », « Commandement des opérations spéciales »:
# a military staff, named by a capitalised head, its adjectives and complements.
_STAFF = re.compile(
    r"\b(?:[ÉE]tat-major|Commandement)(?: général| "
    + _ADJECTIVE_AFTER
    + r"| "
    + _COMPLEMENT
    + r"[\w’'-]+)*"
)
_PORTFOLIO = (
    r"((?:[A-ZÀ-Ý][\w'’-]+" + _PORTFOLIO_ADJECTIVE + r"{0,2}"
    r"(?: (?:et |, )(?:de la |de l'|de l’|des |du |de |d'|d’)?)?)+)"
)
# « le ministre de l'Intérieur », « ministre malien des Affaires étrangères »: the
# portfolio names the ministry; the minister is a person named elsewhere.
_MINISTER_PORTFOLIO = re.compile(
    r"\bministre (?:" + _ADJECTIVE + r" )?(de la |de l'|de l’|des |du |de |d'|d’)" + _PORTFOLIO
)
# « l'armée syrienne »: a national army, kept when the model tags it (a span rule
# adding every one was measured to lose on 4 of 5 held-out folds: the gold names
# a national army about half the time).
ARMY = re.compile(r"\barmée (" + LOWER_WORD + ")")
# « ministère de la Justice » is a name as a whole; « ministère russe de la Défense »
# is not (the adjective sits inside), there the portfolio alone names the ministry.
_MINISTRY = re.compile(r"\bministère (?:" + _ADJECTIVE + r" )?" + _COMPLEMENT + _PORTFOLIO)
# « l'agence TASS », « le quotidien Libération », « la chaîne Al Jazeera »: a name
# after the common noun of a medium is that medium, an organisation; after
# that of a platform (« le réseau social Twitter », « la messagerie Signal ») it
# is a service, MISC. Neither is a place (the model reads « Télégram » as one).
# A medium's noun after « de » is the trade of the noun before it (« l'homme de
# radio Jean-Christophe Averty », « l'animatrice de télévision Julie Snyder »):
# the name is a person's, left to the model; « station de radio » and « chaîne
# de télévision » still name a medium.
_MEDIUM = re.compile(
    r"\b(?<!\bde )(?<!\bd')(?:(agence de presse|station de radio|chaîne de télévision|agence|"
    r"journal|quotidien|hebdomadaire|magazine|radio|télévision|"
    r"chaîne)|réseau social|messagerie|application|plateforme|compte|canal) "
    r"([A-ZÀ-Ý][\w'’-]*(?: [A-ZÀ-Ý][\w'’-]*)*)"
)
# « université de Duke », « diocèse de Moosonee », « académie de Grenoble »: a
# lower-case institution head (the institution_heads table) and a name; the
# model tags the place or the founder inside, the reader means the institution.
_INSTITUTION = re.compile(
    r"\b(?:"
    + "|".join(sorted(INSTITUTION_HEAD_WORDS, key=len, reverse=True))
    + r") (?:"
    + _ADJECTIVE
    + r" )?(?:"
    + _COMPLEMENT
    + r")?"
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


def minister_portfolio(text: str) -> list[Span]:
    """« ministre de l'Intérieur »: the portfolio names the ministry.

    The span starts at « ministre »: the mention rule `minister_title` then names
    the entity by its portfolio, with the whole ministry as canonical name
    (« ministre malien des Affaires étrangères et de la Coopération internationale »
    → « ministère des Affaires étrangères et de la Coopération internationale »).
    """
    return [
        (m.start(), m.end(3), "ORG")
        for m in _MINISTER_PORTFOLIO.finditer(text)
        if m.group(1) is None or is_demonym(m.group(1))
    ]


def ministry(text: str) -> list[Span]:
    """« ministère de la Justice » whole; « ministère russe de la Défense »: the portfolio."""
    found = []
    for m in _MINISTRY.finditer(text):
        if m.group(1) is None:
            found.append((m.start(), m.end(2), "ORG"))
        elif is_demonym(m.group(1)):
            found.append((m.start(2), m.end(2), "ORG"))
    return found


def posted_body(text: str) -> list[Span]:
    """« Mission de l'Union africaine en Somalie »: a body named with where it serves."""
    return [(m.start(), m.end(), "ORG") for m in _POSTED_BODY.finditer(text)]


# « place de la République », « gare du Nord », « rue Saint-Denis »: French streets,
# squares and stations carry their lower-case generic word in the name.
_NAMED_PLACE = re.compile(
    r"\b(?:"
    + "|".join(sorted(NAMED_PLACE_HEAD_WORDS, key=len, reverse=True))
    + r") (?:"
    + _COMPLEMENT
    + r")?[A-ZÀ-Ý][\w'’-]*(?:(?: | de | du | des | d'| de la )[A-ZÀ-Ý][\w'’-]*)*"
)


def named_place(text: str) -> list[Span]:
    """« place de la République »: a street or a square is named with its generic word."""
    return [(m.start(), m.end(), "LOC") for m in _NAMED_PLACE.finditer(text)]


def military_staff(text: str) -> list[Span]:
    """« l'État-major général des forces armées »: a staff is an organisation."""
    return [(m.start(), m.end(), "ORG") for m in _STAFF.finditer(text)]


def medium(text: str) -> list[Span]:
    """« l'agence TASS »: a medium is an organisation; « le réseau social X »: a platform, MISC."""
    return [(m.start(2), m.end(2), "ORG" if m.group(1) else "MISC") for m in _MEDIUM.finditer(text)]


# « la société Garibaldi », « l'entreprise Aark Infosoft », « la banque suisse
# Reyl », « le collectif anarchiste Indecline »: a capitalised name after the
# common noun of a firm or a group (and its adjectives) is that firm; the model,
# seeing an unknown capitalised word, reads a person. « la société de Jean X »
# (after « de ») is someone's firm, not named.
_COMPANY = re.compile(
    r"\b(?:société|entreprise|firme|banque|groupe|collectif|compagnie|conglomérat)"
    r"(?: " + _ADJECTIVE + r"){0,2} (?P<name>(?:[A-ZÀ-Ý][\w'’-]*" + _PORTFOLIO_ADJECTIVE + r"?)"
    r"(?: [A-ZÀ-Ý][\w'’-]*" + _PORTFOLIO_ADJECTIVE + r"?)*)"
)


def company(text: str) -> list[Span]:
    """« la société Garibaldi », « la banque suisse Reyl »: a firm, an organisation."""
    return [(m.start("name"), m.end("name"), "ORG") for m in _COMPANY.finditer(text)]


def institution(text: str) -> list[Span]:
    """« université de Duke », « diocèse de Moosonee »: the institution, not the place inside."""
    return [
        (m.start(), m.end(), "ORG")
        for m in _INSTITUTION.finditer(text)
        if m.group(1) is None or is_demonym(m.group(1))
    ]


# Applied in this order; later spans do not replace earlier ones (see `search.entities`).
SPAN_RULES: tuple[Callable[[str], list[Span]], ...] = (
    minister_portfolio,
    ministry,
    posted_body,
    institution,
    medium,
    company,
    military_staff,
    named_place,
)


def rule_spans(
    text: str, rules: tuple[Callable[[str], list[Span]], ...] = SPAN_RULES
) -> list[Span]:
    """Character spans (start, end, label) that the span rules find in `text`."""
    return [span for rule in rules for span in rule(text)]
