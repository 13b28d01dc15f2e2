"""Investigating at scale: full exports, attention over time, batch search.

Thin routes over `search.export`, `search.timeline` and `search.batch`: they
read parameters (`web.params`), call the library, and choose how the answer
is sent — streamed CSV or JSON lines, a JSON series, a page. Errors raised
before the first byte (a malformed query, a bad parameter) are ordinary 400s
through `web.errors`; once streaming has begun, an interrupted client closes
the generators and the work stops there (logged with the rows sent).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request, url_for

from search.export import FORMATS, export_lines
from web import get_searcher
from web.params import SearchParams, choice_param, parse_search

bp = Blueprint("investigate", __name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
CHUNK_CHARS = 32 * 1024  # rows are gathered into chunks of about this size
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


def chunked(lines: Iterable[str], logger: logging.Logger, what: str) -> Iterator[str]:
    """`lines` in chunks of ~32 KB; a client that hangs up closes `lines` at once."""
    sent = 0
    buffer: list[str] = []
    size = 0
    finished = False
    try:
        for line in lines:
            buffer.append(line)
            size += len(line)
            sent += 1
            if size >= CHUNK_CHARS:
                yield "".join(buffer)
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer)
        finished = True
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
        if not finished:
            logger.info("%s interrompu par le client après %d lignes", what, sent)


@bp.app_template_global()
def export_href(params: SearchParams, fmt: str = "csv") -> str:
    """The complete result set of the page's search, as a spreadsheet-ready download."""
    pairs = [(k, v) for k, v in params.pairs() if k not in ("page", "per_page")]
    pairs += [("format", fmt)] + ([("bom", "1")] if fmt == "csv" else [])
    return url_for("investigate.export") + "?" + urlencode(pairs)


def download_name(query: str, extension: str) -> str:
    stem = _UNSAFE_FILENAME.sub("-", query.strip())[:40].strip("-") or "articles"
    return f"loupe-{stem}.{extension}"


@bp.get("/api/export")
def export():
    params = parse_search(request.args)
    fmt = choice_param(request.args, "format", FORMATS) or "csv"
    bom = choice_param(request.args, "bom", ("0", "1")) == "1"
    lines = export_lines(get_searcher(), params.q, params.filters, params.sort, fmt, bom=bom)
    body = chunked(lines, current_app.logger, "export")
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(params.q, fmt)}"'
    )
    return response
