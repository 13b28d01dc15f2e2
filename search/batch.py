"""Batch search: a list of names or queries in, one row of findings per line out.

A journalist arrives with a list — a leaked roster, every spelling of the armed
groups of a region — and asks which names appear, where, when and with whom.
Batch tools fail them in known ways (ICIJ Datashare's users: one malformed
line fails the whole batch, commas silently become phrases, « Data too
large », no way to just paste). Here:

- each line is read on its own: a line that cannot be searched (malformed,
  empty, too long) gets its own `error` row and the rest runs;
- a plain list is one Loupe query per line, as typed (commas are punctuation,
  never a hidden operator); a file whose first line is a CSV header with a
  `query` column is read with the csv module (quoted commas and newlines
  inside fields, `;` or tab separators, `label` and filter columns);
- limits — lines per batch, characters per line, time per query, total time —
  are stated with every answer, and what they cut is reported, never dropped;
- each row says which of the gazetteer's other spellings were found.

Everything goes through `Searcher`, so a line means exactly what it means in
the search box; the surfaces (CLI, page, API) only read input and write rows.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from search.batch_input import (
    FILTER_COLUMNS,
    BatchError,
    BatchInput,
    BatchLimits,
    BatchLine,
    NotRun,
    read_batch,
)
from search.core.model import Results
from search.export import NAME_SEPARATOR, neutralise, snippet_text
from search.gazetteer import Gazetteer, fold
from search.names import NameRun, with_names
from search.query import And, Node, Not, Or, Phrase, QueryError, Term, Words, parse
from search.searcher import Searcher

__all__ = [
    "FORMATS",
    "BatchError",
    "BatchInput",
    "BatchLimits",
    "BatchLine",
    "BatchRow",
    "BatchRunner",
    "NotRun",
    "read_batch",
    "write_rows",
]

MAX_FORMS_CHECKED = 24  # spellings of the query's names looked for, per line


@dataclass
class Hit:
    id: str
    title: str
    published: str | None
    source: str | None
    snippet: str


@dataclass
class BatchRow:
    line: int
    query: str
    label: str
    status: str  # "ok" or "error"
    error: str = ""
    total: int = 0
    first: str | None = None  # first and last publication date among the matches
    last: str | None = None
    aliases: list[str] = field(default_factory=list)  # other spellings found
    sources: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    partial: bool = False
    took_ms: float = 0.0
    search: str = ""  # the full search, as the results page's query string

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "query": self.query,
            "label": self.label,
            "status": self.status,
            "error": self.error,
            "total": self.total,
            "first": self.first,
            "last": self.last,
            "aliases": self.aliases,
            "sources": self.sources,
            "persons": self.persons,
            "orgs": self.orgs,
            "places": self.places,
            "hits": [vars(h) for h in self.hits],
            "partial": self.partial,
            "took_ms": self.took_ms,
            "search": self.search,
        }


# -- running ------------------------------------------------------------------------------
class BatchRunner:
    """Runs lines through one `Searcher` with the batch's time limit per query."""

    def __init__(self, searcher: Searcher, limits: BatchLimits | None = None) -> None:
        self.limits = limits or BatchLimits()
        self.searcher = Searcher(
            searcher.backend, replace(searcher.limits, time_limit=self.limits.time_per_query)
        )
        gazetteer = getattr(searcher.backend, "gazetteer", None)
        self.gazetteer: Gazetteer | None = gazetteer() if callable(gazetteer) else None
        self._form_counts: dict[tuple, int] = {}

    def run(self, batch: BatchInput) -> Iterator[BatchRow]:
        """One row per line, in order; past the total time the remaining lines get
        an error row each (nothing is left out silently). Lines past the batch's
        line limit are `batch.not_run` (see `not_run_row`)."""
        started = time.perf_counter()
        for item in batch.lines:
            elapsed = time.perf_counter() - started
            if self.limits.total_time and elapsed > self.limits.total_time:
                yield BatchRow(
                    item.line,
                    item.query,
                    item.label,
                    "error",
                    f"non exécutée : temps total du lot dépassé ({self.limits.total_time:g} s)",
                )
                continue
            yield self.run_line(item)

    @staticmethod
    def not_run_row(batch: BatchInput) -> BatchRow | None:
        """The lines the limits left out, as one error row (CSV and JSON lines end with it)."""
        cut = batch.not_run
        if cut is None:
            return None
        return BatchRow(
            cut.from_line,
            "",
            "",
            "error",
            f"lignes {cut.from_line} à {cut.to_line} non exécutées ({cut.count}) : {cut.reason}",
        )

    def run_line(self, item: BatchLine) -> BatchRow:
        row = BatchRow(item.line, item.query, item.label, "ok", search=search_link(item))
        if item.error:
            row.status, row.error, row.search = "error", item.error, ""
            return row
        started = time.perf_counter()
        try:
            results = self.searcher.search(
                item.query,
                item.filters,
                per_page=max(self.limits.top_hits, 1),
                facet_limit=self.limits.top_facets,
            )
            first, last, dates_cut = self._date_range(item)
            searched = time.perf_counter() - started
            row.aliases = self._aliases(item)
        except QueryError as exc:
            where = f" (colonne {exc.position + 1})" if exc.position is not None else ""
            row.status, row.error = "error", f"requête mal formée{where} : {exc.message}"
            row.search = ""
            return row
        self._fill(row, results)
        row.first, row.last = first, last
        row.took_ms = round((time.perf_counter() - started) * 1000, 1)
        if results.partial or dates_cut or searched > self.limits.time_per_query:
            row.partial = True
            row.status = "error"
            row.error = (
                f"temps dépassé ({self.limits.time_per_query:g} s par requête) : "
                f"résultats partiels, au moins {row.total} articles"
            )
        return row

    def _fill(self, row: BatchRow, results: Results) -> None:
        row.total = results.total
        facets = results.facets
        row.sources = [v.value for v in facets.get("sources", [])]
        row.persons = [v.value for v in facets.get("persons", [])]
        row.orgs = [v.value for v in facets.get("orgs", [])]
        row.places = [v.value for v in facets.get("places", [])]
        row.hits = [
            Hit(
                h.id,
                h.title,
                h.published.isoformat() if h.published else None,
                h.source,
                snippet_text(h),
            )
            for h in results.hits[: self.limits.top_hits]
        ]

    def _date_range(self, item: BatchLine) -> tuple[str | None, str | None, bool]:
        backend = self.searcher.backend
        if not hasattr(backend, "date_counts"):
            return None, None, False
        counts = backend.date_counts(self.searcher.request(item.query, item.filters, per_page=1))
        if not counts.per_day:
            return None, None, counts.partial
        return min(counts.per_day).isoformat(), max(counts.per_day).isoformat(), counts.partial

    def _aliases(self, item: BatchLine) -> list[str]:
        """Other spellings of the line's gazetteer names found among its matches.

        Each spelling is looked for as an exact phrase within the line's own
        search (`(query) AND "spelling"`), counted only; identical checks are
        shared across the batch (a roster names the same groups many times).
        """
        node = parse(item.query, max_length=self.limits.max_line_chars)
        if self.gazetteer is None or node is None:
            return []
        typed = fold(item.query)
        found: list[str] = []
        for forms in names_in(node, self.gazetteer):
            # A line that is just one spelling of the name matches every article
            # any spelling matches: each spelling alone is then enough to check.
            alone = typed in {fold(f) for f in forms}
            for form in forms[:MAX_FORMS_CHECKED]:
                clean = form.replace('"', " ").strip()
                if not clean or fold(clean) in typed or clean in found:
                    continue
                if self._form_count(item, clean, alone) > 0:
                    found.append(clean)
        return found

    def _form_count(self, item: BatchLine, form: str, alone: bool) -> int:
        check = f'"{form}"' if alone else f'({item.query}) AND "{form}"'
        key = (check, item.filters)
        if key not in self._form_counts:
            try:
                results = self.searcher.search(
                    check, item.filters, per_page=1, with_snippets=False, with_facets=False
                )
                self._form_counts[key] = results.total
            except QueryError:
                self._form_counts[key] = 0
        return self._form_counts[key]


def names_in(node: Node, gazetteer: Gazetteer) -> list[tuple[str, ...]]:
    """The spellings (canonical first) of every gazetteer name a query names, not negated."""
    out: list[tuple[str, ...]] = []

    def walk(current: Node) -> None:
        if isinstance(current, Term):
            current = Words((current,))
        if isinstance(current, Phrase):
            forms = gazetteer.variants(current.text)
            if forms:
                out.append(tuple(forms))
        elif isinstance(current, Words | And):
            for item in with_names(current.items, gazetteer):
                if isinstance(item, NameRun):
                    out.append(item.forms)
                elif not isinstance(item, Term):  # a lone word was looked up just now
                    walk(item)
        elif isinstance(current, Or):
            for item in current.items:
                walk(item)
        elif isinstance(current, Not):
            return

    walk(node)
    return out


def search_link(item: BatchLine) -> str:
    """The line's full search as the results page's query string."""
    pairs: list[tuple[str, str]] = [("q", item.query)] if item.query else []
    for column, attr in FILTER_COLUMNS.items():
        pairs += [(column, v) for v in getattr(item.filters, attr)]
    if item.filters.date_from:
        pairs.append(("from", item.filters.date_from.isoformat()))
    if item.filters.date_to:
        pairs.append(("to", item.filters.date_to.isoformat()))
    return urlencode(pairs)


# -- writing ------------------------------------------------------------------------------
CSV_COLUMNS = (
    "line",
    "label",
    "query",
    "status",
    "error",
    "total",
    "first",
    "last",
    "aliases",
    "sources",
    "persons",
    "orgs",
    "places",
    "top_hits",
    "search",
)


def row_cells(row: BatchRow) -> list[str]:
    hits = " | ".join(f"{h.title} ({h.published or 's.d.'}) [{h.id}]" for h in row.hits)
    values = [
        row.line,
        row.label,
        row.query,
        row.status,
        row.error,
        row.total,
        row.first or "",
        row.last or "",
        NAME_SEPARATOR.join(row.aliases),
        NAME_SEPARATOR.join(row.sources),
        NAME_SEPARATOR.join(row.persons),
        NAME_SEPARATOR.join(row.orgs),
        NAME_SEPARATOR.join(row.places),
        hits,
        f"/search?{row.search}" if row.search else "",
    ]
    return [neutralise(str(v)) for v in values]


def csv_header(bom: bool = False) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return ("\ufeff" if bom else "") + buffer.getvalue()


def csv_row(row: BatchRow) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row_cells(row))
    return buffer.getvalue()


FORMATS = ("csv", "jsonl")


def write_rows(
    rows: Iterable[BatchRow], batch: BatchInput, fmt: str, bom: bool = False
) -> Iterator[str]:
    """`rows` as CSV or JSON lines, ending with the row for the lines not run, if any."""
    if fmt == "csv":
        yield csv_header(bom)
    for row in rows:
        yield csv_row(row) if fmt == "csv" else json.dumps(row.to_json(), ensure_ascii=False) + "\n"
    cut = BatchRunner.not_run_row(batch)
    if cut is not None:
        yield csv_row(cut) if fmt == "csv" else json.dumps(cut.to_json(), ensure_ascii=False) + "\n"
