"""Request parameters → the engine's `Filters`, sort and page, and back to links.

The HTML page and the JSON API read exactly the same parameters through this
module, so `/search?…` and `/api/search?…` always mean the same search
(Datasette's rule: every page has a JSON twin). Checks here are only about
*shape* — a date that is not a date, a number that is not a number; the
engine (`Searcher.request`) owns the limits (page ≥ 1, per_page ≤ 100, known
sort) and raises `QueryError` for them, so there is one rule, not two.

The same dataclass also builds the links of the results page (add or remove a
facet filter, change page or sort), which keeps those links in the one
parameter vocabulary. No Flask in here: it works on any multi-dict.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol
from urllib.parse import urlencode

from search.core.entity_types import ENTITY_PARAMS as core_entity_params
from search.core.model import Filters

DEFAULT_PER_PAGE = 10
MAX_VALUES_PER_FILTER = 10
MAX_FILTER_VALUE_LENGTH = 200
MAX_PARAM_LENGTH = 1_000
# Ids are opaque: a file name with spaces, accents or quotes, a record's own id
# with slashes. The readers refuse only control characters and over 200 characters.
ARTICLE_ID = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits: `\d` takes "１" and "٣" too

# `reprints=`: the results page groups reprints of one text (default) or lists all
REPRINT_DISPLAY = ("grouped", "all")
# URL parameter → `Filters` field, in the order links are written.
FILTER_PARAMS = {"person": "persons", "org": "orgs", "place": "places", "source": "sources"}
# Entity type (as stored on articles and in hits) → URL parameter.
ENTITY_PARAMS = core_entity_params
# Facet name in `Results.facets` → URL parameter.
FACET_PARAMS = {"persons": "person", "orgs": "org", "places": "place", "sources": "source"}


class BadParameter(ValueError):
    """A parameter whose shape is wrong: answered with 400 and this message."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class MultiArgs(Protocol):
    """What a request's arguments offer (werkzeug's MultiDict does)."""

    def get(self, key: str, default=None): ...

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class SearchParams:
    """One search as the user asked for it, before the engine validates it."""

    q: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    reprints: str = "grouped"  # REPRINT_DISPLAY: reprints under their earliest hit, or all
    relax: bool = True  # loosen a query that finds nothing (search.relaxation)

    @property
    def is_empty(self) -> bool:
        """Nothing to search: no words and no filter."""
        return not self.q.strip() and self.filters.is_empty()

    # -- back to a URL ---------------------------------------------------------
    def pairs(self) -> list[tuple[str, str]]:
        """The parameters that reproduce this search, defaults left out."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for param, attr in FILTER_PARAMS.items():
            out.extend((param, v) for v in getattr(self.filters, attr))
        if self.filters.date_from:
            out.append(("from", self.filters.date_from.isoformat()))
        if self.filters.date_to:
            out.append(("to", self.filters.date_to.isoformat()))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.per_page != DEFAULT_PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        if self.page != 1:
            out.append(("page", str(self.page)))
        if self.reprints != "grouped":
            out.append(("reprints", self.reprints))
        if not self.relax:
            out.append(("relax", "0"))
        return out

    def query_string(self) -> str:
        return urlencode(self.pairs())

    # -- variations, for links ---------------------------------------------------
    def with_query(self, q: str) -> SearchParams:
        return replace(self, q=q, page=1, relax=True)

    def exactly(self, q: str) -> SearchParams:
        """`q` searched as typed, without relaxation (the link above relaxed results)."""
        return replace(self, q=q, page=1, relax=False)

    def with_page(self, page: int) -> SearchParams:
        return replace(self, page=page)

    def with_sort(self, sort: str) -> SearchParams:
        return replace(self, sort=sort, page=1)

    def has_filter(self, param: str, value: str) -> bool:
        return value in getattr(self.filters, FILTER_PARAMS[param])

    def with_filter(self, param: str, value: str) -> SearchParams:
        """This search narrowed by one more value (back to page 1: the old page may not exist)."""
        attr = FILTER_PARAMS[param]
        current = getattr(self.filters, attr)
        if value in current:
            return replace(self, page=1)
        return replace(self, filters=replace(self.filters, **{attr: (*current, value)}), page=1)

    def without_filter(self, param: str, value: str) -> SearchParams:
        attr = FILTER_PARAMS[param]
        kept = tuple(v for v in getattr(self.filters, attr) if v != value)
        return replace(self, filters=replace(self.filters, **{attr: kept}), page=1)

    def with_month(self, month: str) -> SearchParams:
        """Restricted to one month, `YYYY-MM` as the month facet gives it."""
        first, last = month_bounds(month)
        return replace(self, filters=replace(self.filters, date_from=first, date_to=last), page=1)

    def with_reprints(self, display: str) -> SearchParams:
        """The same page with reprints grouped under their earliest hit, or listed apart."""
        return replace(self, reprints=display)

    def without_dates(self) -> SearchParams:
        return replace(self, filters=replace(self.filters, date_from=None, date_to=None), page=1)


def parse_search(args: MultiArgs) -> SearchParams:
    """Read `q`, `person`, `org`, `place`, `source`, `from`, `to`, `sort`, `page`,
    `per_page`, `reprints`, `relax`; unknown parameters are ignored. Raises BadParameter."""
    q = text_param(args, "q")
    values = {attr: filter_values(args, param) for param, attr in FILTER_PARAMS.items()}
    filters = Filters(
        **values,
        date_from=date_param(args, "from"),
        date_to=date_param(args, "to"),
    )
    return SearchParams(
        q=q,
        filters=filters,
        sort=text_param(args, "sort") or "relevance",
        page=int_param(args, "page", 1),
        per_page=int_param(args, "per_page", DEFAULT_PER_PAGE),
        reprints=choice_param(args, "reprints", REPRINT_DISPLAY) or "grouped",
        relax=relax_param(args),
    )


def relax_param(args: MultiArgs) -> bool:
    """`relax=0` asks for the query exactly as typed, even when it finds nothing."""
    raw = (args.get("relax") or "").strip().lower()
    if raw in ("", "1", "true", "oui"):
        return True
    if raw in ("0", "false", "non"):
        return False
    raise BadParameter("relax", f"« relax » vaut 0 ou 1, pas « {raw[:40]} »")


def text_param(args: MultiArgs, name: str, max_length: int = MAX_PARAM_LENGTH) -> str:
    """A single text value, stripped; too long is refused rather than cut (a cut
    query would silently search for something else)."""
    value = (args.get(name) or "").strip()
    if len(value) > max_length:
        raise BadParameter(name, f"« {name} » trop long : {max_length} caractères au plus")
    return value


def filter_values(args: MultiArgs, name: str) -> tuple[str, ...]:
    """A repeatable filter: blank values dropped, duplicates once, bounded."""
    values: list[str] = []
    for raw in args.getlist(name):
        value = " ".join(raw.split())
        if not value or value in values:
            continue
        if len(value) > MAX_FILTER_VALUE_LENGTH:
            raise BadParameter(
                name, f"valeur de « {name} » trop longue : {MAX_FILTER_VALUE_LENGTH} caractères"
            )
        values.append(value)
    if len(values) > MAX_VALUES_PER_FILTER:
        raise BadParameter(
            name, f"trop de valeurs pour « {name} » : {MAX_VALUES_PER_FILTER} au plus"
        )
    return tuple(values)


def int_param(
    args: MultiArgs,
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadParameter(name, f"« {name} » doit être un nombre entier, pas « {raw[:40]} »")
    value = int(raw)
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise BadParameter(name, f"« {name} » va de {minimum} à {maximum}")
    return value


def date_param(args: MultiArgs, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            name, f"« {name} » : date attendue au format AAAA-MM-JJ, pas « {raw[:40]} »"
        ) from None


def choice_param(args: MultiArgs, name: str, choices: Iterable[str]) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise BadParameter(name, f"« {name} » : choisir parmi {', '.join(allowed)}")
    return raw


def month_bounds(month: str) -> tuple[date, date]:
    """`2024-08` → (2024-08-01, 2024-08-31)."""
    year, mon = (int(part) for part in month.split("-")[:2])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def is_article_id(value: str) -> bool:
    return ARTICLE_ID.fullmatch(value) is not None


def entity_links(entities: Mapping[str, list[str]]) -> list[tuple[str, str, str]]:
    """`(param, type, name)` for the entities a filter can be built from."""
    return [
        (ENTITY_PARAMS[type_], type_, name)
        for type_ in ENTITY_PARAMS
        for name in entities.get(type_, [])
    ]
