"""How values read in French on the pages: dates, months, counts, entity types.

Kept as Jinja filters so templates say `{{ hit.published | date_fr }}` and
stay free of formatting logic; the functions are plain and testable alone.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

from search.core.entity_types import ENTITY_LABELS
from search.readers.dates import MONTH_NAMES

MONTHS = MONTH_NAMES

ENTITY_TYPES = ENTITY_LABELS  # type → heading, for the templates


def date_fr(value: date | None) -> str:
    """`2024-08-01` → « 1er août 2024 »."""
    if value is None:
        return "date inconnue"
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def month_fr(value: str) -> str:
    """The month facet's `2024-08` → « août 2024 » (left as is if it is not a month)."""
    try:
        year, month = (int(p) for p in value.split("-")[:2])
        return f"{MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return value


def number_fr(value: int) -> str:
    """`12345` → « 12 345 » (narrow no-break space, French typography)."""
    return f"{value:,}".replace(",", "\u202f")


def is_web_url(value: str | None) -> bool:
    """Only http(s) URLs become links: `javascript:` and friends stay text."""
    if not value:
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


_LICENCE = re.compile(r"\s*(?P<licence>[^()]+?)\s*\((?P<who>[^;()]+?)\s+text\b")


def attribution_fr(license: str | None) -> str | None:
    """`CC BY 2.5 (Wikinews text; attribution: …)` → « Texte : Wikinews, CC BY 2.5 ».

    Other forms are shown as given, so an unusual licence is never hidden.
    """
    if not license:
        return None
    match = _LICENCE.match(license)
    if match:
        return f"Texte : {match['who']}, {match['licence']}"
    return f"Licence : {license}"


def engine_html(value: str) -> Markup:
    """Trust HTML built by the engine (snippets, marked sections): escaped text plus
    `<mark>`. The only values Loupe's templates do not autoescape."""
    return Markup(value)


def init_app(app: Flask) -> None:
    app.add_template_filter(date_fr)
    app.add_template_filter(month_fr)
    app.add_template_filter(number_fr)
    app.add_template_filter(attribution_fr)
    app.add_template_filter(engine_html)
    app.add_template_global(is_web_url)
    app.add_template_global(ENTITY_TYPES, "ENTITY_TYPES")
