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

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    stream_template,
    url_for,
)

from search.batch import FORMATS as BATCH_FORMATS
from search.batch import BatchError, BatchInput, BatchLimits, BatchRunner, read_batch, write_rows
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
from web.chart import MEASURES, bar_chart
from web.context import get_searcher
from web.errors import error_response
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
BATCH_ENDPOINTS = ("investigate.batch_api", "investigate.batch_page")
BATCH_TYPES = ("text/plain", "text/csv", "multipart/form-data", "application/x-www-form-urlencoded")


@bp.record_once
def _body_limits(state) -> None:
    """The batch routes take a body: up to the batch limit, the rest of the app none."""
    limits = state.app.config.setdefault("LOUPE_BATCH_LIMITS", BatchLimits())
    body_limits = dict(state.app.config.get("LOUPE_BODY_LIMITS", {}))
    # a multipart upload carries its own headers and boundaries: a little room for them
    body_limits.update({e: limits.max_bytes + 64 * 1024 for e in BATCH_ENDPOINTS})
    state.app.config["LOUPE_BODY_LIMITS"] = body_limits


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


def axis_name(interval: str) -> Callable[[Point], str]:
    """Short x-axis labels: « juillet 2012 », « 2016-W01 », « 04/01/2016 »."""
    if interval == "month":
        return lambda point: month_fr(point.period)
    if interval == "week":
        return lambda point: point.period
    return lambda point: point.start.strftime("%d/%m/%Y")


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

    chart = bar_chart(
        series, measure, bar_href, period_name(series.interval), axis_name(series.interval)
    )
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


# -- batch search --------------------------------------------------------------------------
def batch_limits() -> BatchLimits:
    return current_app.config["LOUPE_BATCH_LIMITS"]


def _size(limits: BatchLimits) -> str:
    return f"{limits.max_bytes / 2**20:g} Mo"


@bp.errorhandler(413)
def _batch_too_large(_exc):
    limits = batch_limits()
    return error_response(
        413,
        f"lot trop volumineux : {_size(limits)} au plus ({limits.max_lines} lignes) ; "
        "découpez la liste",
    )


class UnsupportedType(Exception):
    pass


def batch_bytes() -> bytes:
    """The list as sent: a raw TXT/CSV body, an uploaded file, or the pasted text."""
    mimetype = request.mimetype
    if mimetype in ("text/plain", "text/csv"):
        return request.get_data(cache=False)
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            return upload.read()
        return (request.form.get("lines") or "").encode("utf-8")
    raise UnsupportedType(mimetype)


def _read_request_batch() -> BatchInput:
    return read_batch(batch_bytes(), batch_limits())


@bp.post("/api/batch")
def batch_api():
    fmt = choice_param(request.args, "format", ("json", *BATCH_FORMATS)) or "json"
    bom = choice_param(request.args, "bom", ("0", "1")) == "1"
    limits = batch_limits()
    try:
        batch = _read_request_batch()
    except UnsupportedType:
        return error_response(
            415,
            f"type de contenu « {request.mimetype or 'absent'} » non accepté : "
            f"{', '.join(BATCH_TYPES)}",
        )
    except BatchError as exc:
        return error_response(400, str(exc), "invalid_batch", limits=limits.describe())
    runner = BatchRunner(get_searcher(), limits)
    if fmt != "json":
        body = chunked(write_rows(runner.run(batch), batch, fmt, bom), current_app.logger, "lot")
        response = Response(body, content_type=CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="loupe-lot.{fmt}"'
        return response
    rows = [row.to_json() for row in runner.run(batch)]
    cut = batch.not_run
    return jsonify(
        {
            "limits": limits.describe(),
            "mode": batch.mode,
            "encoding": batch.encoding,
            "notes": batch.notes,
            "lines": len(batch.lines) + (cut.count if cut else 0),
            "rows": rows,
            "not_run": None if cut is None else vars(cut),
        }
    )


@bp.get("/batch")
def batch_form():
    return render_template("batch.html", params=SearchParams(), limits=batch_limits(), rows=None)


@bp.post("/batch")
def batch_page():
    limits = batch_limits()
    try:
        batch = _read_request_batch()
    except UnsupportedType:
        return error_response(415, "envoyez le formulaire de la page Lot")
    except BatchError as exc:
        page = render_template(
            "batch.html", params=SearchParams(), limits=limits, rows=None, error=str(exc)
        )
        return page, 400
    runner = BatchRunner(get_searcher(), limits)
    if request.form.get("format") == "csv":
        body = chunked(
            write_rows(runner.run(batch), batch, "csv", bom=True), current_app.logger, "lot"
        )
        response = Response(body, content_type=CONTENT_TYPES["csv"])
        response.headers["Content-Disposition"] = 'attachment; filename="loupe-lot.csv"'
        return response
    # Streamed: each row reaches the browser as soon as it is found, which is the
    # page's progress (no JavaScript needed); the table is sortable with it.
    return Response(
        stream_template(
            "batch.html",
            params=SearchParams(),
            limits=limits,
            batch=batch,
            rows=runner.run(batch),
            not_run=batch.not_run,
            search_url=url_for("pages.search"),
        )
    )
