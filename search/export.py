"""A search's complete result set, streamed as CSV or JSON lines.

A journalist takes results into a spreadsheet: every hit, not the first page,
in the search's own order and with its filters. Rows are produced one at a
time from the backend's iterator (`Backend.iter_hits`), so 100,000 rows never
sit in memory, and a consumer that stops reading (a client that hangs up)
stops the work: the generators are closed and nothing more is read.

CSV is meant for spreadsheets, which execute a cell that begins with `=`,
`+`, `-`, `@`, a tab or a carriage return as a formula (OWASP « CSV
injection »): such text is neutralised with a leading apostrophe. JSON lines
are for programs and keep the exact text.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Iterator

from search.core.model import Filters, Hit
from search.searcher import Searcher

FORMATS = ("csv", "jsonl")
CSV_COLUMNS = (
    "id",
    "title",
    "published",
    "source",
    "url",
    "score",
    "snippet",
    "persons",
    "orgs",
    "places",
    "misc",
)
# Entity type on hits → CSV column (several names in one cell, joined by « ; »).
ENTITY_COLUMNS = {"PER": "persons", "ORG": "orgs", "LOC": "places", "MISC": "misc"}
NAME_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"
PAGE_SIZE = 100  # pages asked of a backend that cannot stream its hits

_TAG = re.compile(r"</?mark>")


def snippet_text(hit: Hit) -> str:
    """The hit's best snippet as plain text (the engine's HTML unescaped, marks dropped)."""
    if not hit.snippets:
        return ""
    return html.unescape(_TAG.sub("", hit.snippets[0].html))


def neutralise(value: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate (OWASP CSV injection)."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def hit_row(hit: Hit) -> dict[str, object]:
    """One hit as a flat record: the JSON lines object, and the CSV row before quoting."""
    return {
        "id": hit.id,
        "title": hit.title,
        "published": hit.published.isoformat() if hit.published else None,
        "source": hit.source,
        "url": hit.url,
        "score": hit.score,
        "snippet": snippet_text(hit),
        "entities": hit.entities,
    }


def csv_cells(hit: Hit) -> list[str]:
    row = hit_row(hit)
    cells = [row[c] for c in CSV_COLUMNS if c in row and c != "entities"]
    names = [NAME_SEPARATOR.join(hit.entities.get(t, [])) for t in ENTITY_COLUMNS]
    return [neutralise("" if v is None else str(v)) for v in (*cells, *names)]


def csv_lines(hits: Iterable[Hit], bom: bool = False) -> Iterator[str]:
    """The header, then one CSV record per hit (a record may hold quoted newlines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield (UTF8_BOM if bom else "") + _drain(buffer)
    for hit in hits:
        writer.writerow(csv_cells(hit))
        yield _drain(buffer)


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    for hit in hits:
        yield json.dumps(hit_row(hit), ensure_ascii=False) + "\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_hits(
    searcher: Searcher,
    query: str,
    filters: Filters | None = None,
    sort: str = "relevance",
) -> Iterator[Hit]:
    """Every hit of the search, in its order, one at a time.

    The query is validated here, eagerly — a malformed one raises `QueryError`
    before anything is streamed, so an HTTP answer can still be a 400.
    """
    request = searcher.request(query, filters, sort, page=1, per_page=1)
    backend = searcher.backend
    if hasattr(backend, "iter_hits"):
        return backend.iter_hits(request)
    return _paged_hits(searcher, query, filters, sort)


def _paged_hits(
    searcher: Searcher, query: str, filters: Filters | None, sort: str
) -> Iterator[Hit]:
    """For a backend without `iter_hits`: page after page, up to the result window."""
    page = 1
    while page * PAGE_SIZE <= searcher.limits.window:
        results = searcher.search(query, filters, sort, page, PAGE_SIZE, with_facets=False)
        yield from results.hits
        if page * PAGE_SIZE >= results.total or not results.hits:
            return
        page += 1


def export_lines(
    searcher: Searcher,
    query: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    fmt: str = "csv",
    bom: bool = False,
) -> Iterator[str]:
    """`export_hits` written as `fmt` (validated, like the query, before any line)."""
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu « {fmt} » : choisir parmi {', '.join(FORMATS)}")
    hits = export_hits(searcher, query, filters, sort)
    return csv_lines(hits, bom=bom) if fmt == "csv" else jsonl_lines(hits)
