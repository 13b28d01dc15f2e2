"""French and ISO dates, as they appear in metadata and in running text.

Articles often carry their date only in prose (« ce jeudi 01 août 2024 »), and a
date filter is useless for articles without one. This module turns the forms a
French newsroom writes into `datetime.date`, and finds every full date in a text
so that a reader can infer when an article was published.
"""

from __future__ import annotations

import re
from datetime import date

from search.core.french import fold

# The twelve months as written, January first (dates shown to readers use these).
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Keys are accent-folded and lower-cased: « août », « aout » and « Août » meet here.
MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}

# Month names with and without accents, longest first so « juillet » wins over « juil ».
_MONTH_WORDS = sorted(
    {*MONTHS, "février", "févr", "fév", "août", "décembre", "déc"}, key=len, reverse=True
)
_MONTH = "|".join(_MONTH_WORDS)

_FRENCH = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:er|ᵉʳ)?\s+(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_ISO_PREFIX = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)(?![\d])")
_NUMERIC = re.compile(r"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>\d{4})\b")

# A news corpus has no article from before the printing press or after the
# next century; outside this window a match is a number that looks like a date.
_YEARS = range(1500, 2200)


def _make(year: str, month: int, day: str) -> date | None:
    try:
        value = date(int(year), month, int(day))
    except ValueError:  # « 31 février 2024 »: a typo, not a date
        return None
    return value if value.year in _YEARS else None


def _month_number(word: str) -> int:
    return MONTHS[fold(word)]


def find_dates(text: str) -> list[tuple[int, date]]:
    """Every full date (day, month and year) in `text`, with its offset, in text order.

    Partial dates (« juillet 2024 », « le 27 ») are left out: they would make an
    inferred publication date look more precise than the text is.
    """
    found: list[tuple[int, date]] = []
    for m in _FRENCH.finditer(text):
        value = _make(m["year"], _month_number(m["month"]), m["day"])
        if value:
            found.append((m.start(), value))
    for m in _ISO.finditer(text):
        value = _make(m["year"], int(m["month"]), m["day"])
        if value:
            found.append((m.start(), value))
    for m in _NUMERIC.finditer(text):
        value = _make(m["year"], int(m["month"]), m["day"])
        if value:
            found.append((m.start(), value))
    found.sort(key=lambda pair: pair[0])
    return found


def latest_date(text: str) -> date | None:
    """The latest full date in `text`: the best guess for when it was written.

    An article reports events up to the day it is published, so the latest date
    it mentions is a lower bound on, and usually equal to, its publication date.
    """
    dates = [value for _, value in find_dates(text)]
    return max(dates) if dates else None


def parse_date(value: str | None) -> date | None:
    """A date from a metadata value: ISO date or datetime, « 1er août 2024 », 01/08/2024.

    Returns None for anything else, so that a bad value in one file's metadata
    falls back to the next source of a date instead of failing the article.
    """
    if not value:
        return None
    value = value.strip()
    # The date as the publisher wrote it, before any time or zone: converting
    # « 2012-05-22T00:30+02:00 » to UTC would move the article to the day before.
    iso = _ISO_PREFIX.match(value)
    if iso:
        return _make(iso["year"], int(iso["month"]), iso["day"])
    found = find_dates(value)
    return found[0][1] if found else None
