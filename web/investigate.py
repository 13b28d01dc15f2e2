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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from search.export import FORMATS, export_lines
from search.query import QueryError
from search.timeline import (
    INTERVALS,
    MAX_SERIES,
    Point,
    build_timeline,
    timeline_csv,
    timeline_to_json,
)
from web import get_searcher
from web.chart import MEASURES, bar_chart
from web.formatting import date_fr, month_fr
from web.params import (
    MAX_PARAM_LENGTH,
    BadParameter,
    MultiArgs,
    SearchParams,
    choice_param,
    parse_search,
)

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


# -- attention over time -------------------------------------------------------------------
def compare_params(args: MultiArgs) -> list[str]:
    """The queries to draw beside `q` (`compare`, repeatable): blank and repeated dropped."""
    values: list[str] = []
    for raw in args.getlist("compare"):
        value = raw.strip()
        if not value or value in values:
            continue
        if len(value) > MAX_PARAM_LENGTH:
            raise BadParameter(
                "compare", f"« compare » trop long : {MAX_PARAM_LENGTH} caractères au plus"
            )
        values.append(value)
    if len(values) > MAX_SERIES - 1:
        raise BadParameter("compare", f"« compare » : {MAX_SERIES - 1} recherches au plus")
    return values


@bp.get("/api/timeline")
def timeline():
    params = parse_search(request.args)
    compare = compare_params(request.args)
    interval = choice_param(request.args, "interval", INTERVALS)
    fmt = choice_param(request.args, "format", ("json", "csv")) or "json"
    bom = choice_param(request.args, "bom", ("0", "1")) == "1"
    series = build_timeline(get_searcher(), [params.q, *compare], params.filters, interval)
    if fmt == "csv":
        response = Response(timeline_csv(series, bom=bom), content_type=CONTENT_TYPES["csv"])
        name = download_name(params.q, "csv").replace("loupe-", "loupe-chronologie-", 1)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return jsonify({"query": params.q, **timeline_to_json(series)})


def period_name(interval: str) -> Callable[[Point], str]:
    def name(point: Point) -> str:
        if interval == "month":
            return month_fr(point.period)
        if interval == "week":
            return f"semaine du {date_fr(point.start)}"
        return date_fr(point.start)

    return name


def _page_href(params: SearchParams, extra: list[tuple[str, str]]) -> str:
    pairs = params.pairs() + extra
    return url_for("pages.search") + "?" + urlencode(pairs)


@bp.app_template_global()
def timeline_panel(params: SearchParams) -> dict:
    """What the results page's chart shows: the series, the bars, the links — or
    the error that stopped them (the page itself still answers)."""
    args = request.args
    try:
        compare = compare_params(args)
        interval = choice_param(args, "interval", INTERVALS)
        measure = choice_param(args, "measure", MEASURES) or "count"
        series = build_timeline(get_searcher(), [params.q, *compare], params.filters, interval)
    except (BadParameter, QueryError) as exc:
        return {"error": exc.message}
    kept = [("compare", c) for c in compare]
    keep_interval = [("interval", interval)] if interval else []

    def bar_href(index: int, point: Point) -> str:
        query = series.series[index].query
        narrowed = replace(
            params,
            q=query,
            filters=replace(params.filters, date_from=point.start, date_to=point.end),
            page=1,
        )
        return _page_href(narrowed, [])

    chart = bar_chart(series, measure, bar_href, period_name(series.interval))
    base = replace(params, page=1)
    measure_links = {
        m: _page_href(base, [*kept, *keep_interval, *([("measure", m)] if m != "count" else [])])
        for m in MEASURES
    }
    interval_links = {
        i: _page_href(base, [*kept, ("interval", i), *_measure_pair(measure)]) for i in INTERVALS
    }
    removals = {
        c: _page_href(
            base,
            [*[("compare", o) for o in compare if o != c], *keep_interval, *_measure_pair(measure)],
        )
        for c in compare
    }
    csv_pairs = [(k, v) for k, v in params.pairs() if k not in ("page", "per_page", "sort")]
    csv_href = (
        url_for("investigate.timeline")
        + "?"
        + urlencode(
            [*csv_pairs, *kept, ("interval", series.interval), ("format", "csv"), ("bom", "1")]
        )
    )
    return {
        "error": None,
        "timeline": series,
        "chart": chart,
        "measure": measure,
        "compare": compare,
        "period_name": period_name(series.interval),
        "measure_links": measure_links,
        "interval_links": interval_links,
        "removals": removals,
        "csv_href": csv_href,
        "hidden": [*[(k, v) for k, v in params.pairs() if k != "page"], *kept, *keep_interval],
    }


def _measure_pair(measure: str) -> list[tuple[str, str]]:
    return [("measure", measure)] if measure != "count" else []
