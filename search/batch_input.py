"""Reading a batch: a pasted list or an uploaded TXT/CSV file → the lines to run.

Each line is read on its own, so that one bad line never fails the others: a
line that cannot be searched (empty, too long, a bad date or too many cells in
its CSV record) becomes a `BatchLine` carrying its `error`. A plain list is one
Loupe query per line, as typed — a comma is punctuation, never a hidden
operator; a file whose first line is a CSV header naming a `query` column is
read with the csv module (quoted commas and newlines inside fields; `,`, `;`
or tab separators; `label` and filter columns). Only what makes the whole
input unusable (binary, empty, header only, too large) raises `BatchError`.
Lines past the batch's limit are kept as one `NotRun` report, never dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from search.core.model import Filters
from search.readers.encoding import decode
from search.readers.errors import ReaderError

HEADER_NAMES = {"query", "requete", "requête", "recherche"}
# CSV column → `Filters` field (dates apart); the same words as the page's parameters.
FILTER_COLUMNS = {"person": "persons", "org": "orgs", "place": "places", "source": "sources"}
DATE_COLUMNS = ("from", "to")
KNOWN_COLUMNS = {"query", "label", *FILTER_COLUMNS, *DATE_COLUMNS}


@dataclass(frozen=True)
class BatchLimits:
    """What one batch may ask; stated with every answer."""

    max_lines: int = 1_000
    max_line_chars: int = 1_000
    time_per_query: float = 2.0  # seconds; the search stops there (partial) and says so
    total_time: float = 120.0  # seconds for the whole batch; 0 for no limit
    max_bytes: int = 2 * 1024 * 1024
    top_hits: int = 3
    top_facets: int = 5

    def describe(self) -> dict[str, float | int]:
        return {
            "max_lines": self.max_lines,
            "max_line_chars": self.max_line_chars,
            "time_per_query_s": self.time_per_query,
            "total_time_s": self.total_time,
            "max_bytes": self.max_bytes,
        }


class BatchError(ValueError):
    """The input as a whole cannot be read (binary, empty, header only, too large)."""


@dataclass(frozen=True)
class BatchLine:
    line: int  # where the record begins in the input, from 1
    query: str
    label: str = ""
    filters: Filters = Filters()
    error: str | None = None  # known before searching (empty, too long, bad column)


@dataclass(frozen=True)
class NotRun:
    """Lines the limits left out: reported as such, never silently dropped."""

    from_line: int
    to_line: int
    count: int
    reason: str


@dataclass
class BatchInput:
    lines: list[BatchLine]
    mode: str  # "lines" or "csv"
    encoding: str
    not_run: NotRun | None = None
    notes: list[str] = field(default_factory=list)


# -- reading ------------------------------------------------------------------------------
def read_batch(data: bytes, limits: BatchLimits | None = None) -> BatchInput:
    """Bytes of a pasted list or an uploaded TXT/CSV file → the lines to run.

    Raises `BatchError` only for what makes the whole input unusable; a bad
    line becomes a `BatchLine` with its `error`.
    """
    limits = limits or BatchLimits()
    if len(data) > limits.max_bytes:
        raise BatchError(
            f"fichier trop volumineux : {len(data):,} octets, {limits.max_bytes:,} au plus".replace(
                ",", "\u202f"
            )
        )
    try:
        decoded = decode(data)
    except ReaderError as exc:
        raise BatchError(f"ce n'est pas un fichier texte ({exc}) : TXT ou CSV attendu") from None
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BatchError("fichier vide : une requête par ligne, ou un CSV avec une colonne query")
    first_line = text.lstrip("\n").split("\n", 1)[0]
    dialect = _header_dialect(first_line)
    batch = _read_lines(text, limits) if dialect is None else _read_csv(text, dialect, limits)
    batch.encoding = decoded.encoding
    if decoded.fallback:
        batch.notes.append(f"fichier lu en {decoded.encoding} (pas en UTF-8)")
    return batch


def _header_dialect(first_line: str) -> type[csv.Dialect] | csv.Dialect | None:
    """The CSV dialect when `first_line` is a header naming a query column, else None."""
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        if len(cells) > 1 and cells[0].strip().lower() in HEADER_NAMES:
            dialect = csv.excel
            return type("BatchDialect", (dialect,), {"delimiter": delimiter})
    return None


def _read_lines(text: str, limits: BatchLimits) -> BatchInput:
    raw = text.split("\n")
    if raw and raw[-1] == "":
        raw.pop()  # the final newline ends the last line, it is not an empty one
    lines = [
        _checked(number, query.strip(), "", Filters(), limits)
        for number, query in enumerate(raw, start=1)
    ]
    notes: list[str] = []
    lines = _without_trailing_blanks(lines, notes)
    return _cut(BatchInput(lines, "lines", "utf-8", notes=notes), limits)


def _read_csv(text: str, dialect, limits: BatchLimits) -> BatchInput:
    skipped = len(text) - len(text.lstrip("\n"))  # blank lines above the header
    reader = csv.reader(io.StringIO(text[skipped:], newline=""), dialect)
    header = [h.strip().lower() for h in next(reader)]
    header[0] = "query"
    notes = []
    unknown = [h for h in header if h and h not in KNOWN_COLUMNS]
    if unknown:
        notes.append(f"colonnes ignorées : {', '.join(unknown)}")
    lines: list[BatchLine] = []
    start = reader.line_num + 1 + skipped
    for record in reader:
        number, start = start, reader.line_num + 1 + skipped
        if not any(cell.strip() for cell in record):
            lines.append(BatchLine(number, "", error="ligne vide : rien à chercher"))
            continue
        cells = dict(zip(header, (c.strip() for c in record), strict=False))
        if len(record) > len(header):
            extra = len(record) - len(header)
            lines.append(
                BatchLine(
                    number,
                    cells.get("query", ""),
                    cells.get("label", ""),
                    error=f"{extra} cellule(s) de trop par rapport à l'en-tête "
                    "(une virgule dans la requête ? mettez-la entre guillemets)",
                )
            )
            continue
        try:
            filters = _filters(cells)
        except ValueError as exc:
            lines.append(
                BatchLine(number, cells.get("query", ""), cells.get("label", ""), error=str(exc))
            )
            continue
        lines.append(
            _checked(number, cells.get("query", ""), cells.get("label", ""), filters, limits)
        )
    lines = _without_trailing_blanks(lines, notes)
    if not lines:
        raise BatchError("en-tête seul : aucune requête sous la ligne d'en-tête")
    batch = BatchInput(lines, "csv", "utf-8", notes=notes)
    return _cut(batch, limits)


def _without_trailing_blanks(lines: list[BatchLine], notes: list[str]) -> list[BatchLine]:
    """Blank lines at the very end are a file's trailing newlines, not requests: dropped,
    and said so (a blank line between two queries keeps its error row)."""
    end = len(lines)
    while end and not lines[end - 1].query.strip() and lines[end - 1].filters.is_empty():
        end -= 1
    if end < len(lines):
        notes.append(f"{len(lines) - end} ligne(s) vide(s) en fin de fichier ignorée(s)")
    return lines[:end]


def _filters(cells: dict[str, str]) -> Filters:
    values = {
        attr: tuple(v.strip() for v in cells.get(column, "").split("|") if v.strip())
        for column, attr in FILTER_COLUMNS.items()
    }
    dates = {}
    for column in DATE_COLUMNS:
        raw = cells.get(column, "")
        try:
            dates[column] = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValueError(
                f"colonne « {column} » : date attendue au format AAAA-MM-JJ, pas « {raw[:40]} »"
            ) from None
    return Filters(**values, date_from=dates["from"], date_to=dates["to"])


def _checked(number: int, query: str, label: str, filters: Filters, limits: BatchLimits):
    if not query.strip() and filters.is_empty():
        return BatchLine(number, query, label, filters, "ligne vide : rien à chercher")
    if len(query) > limits.max_line_chars:
        return BatchLine(
            number,
            query[:200],
            label,
            filters,
            f"ligne trop longue : {len(query)} caractères, {limits.max_line_chars} au plus "
            "(la requête n'est pas coupée : elle chercherait autre chose)",
        )
    return BatchLine(number, query, label, filters)


def _cut(batch: BatchInput, limits: BatchLimits) -> BatchInput:
    if len(batch.lines) > limits.max_lines:
        left = batch.lines[limits.max_lines :]
        batch.not_run = NotRun(
            left[0].line,
            left[-1].line,
            len(left),
            f"limite de {limits.max_lines} lignes par lot : découpez la liste",
        )
        batch.lines = batch.lines[: limits.max_lines]
    return batch
