"""Attention over time: how many articles match a query per month, week or day,
as a count and as a share of everything published in that period.

Raw counts rise with the archive's own volume (more articles in 2017 than in
2012); dividing by all articles of the period — Media Cloud's normalisation —
shows attention rather than supply. Both come from per-day counts the backend
gives without reading any hit (`Backend.date_counts`: the Whoosh day table);
this module buckets them into periods, fills the empty ones so several series
line up, and bounds the number of periods. A backend without day counts is
read from its month facet, which supports the month interval only.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from search.core.model import DateCounts, Filters
from search.export import neutralise
from search.query import QueryError
from search.searcher import Searcher

INTERVALS = ("month", "week", "day")
MAX_PERIODS = 400  # bars a chart can show and a reader can compare
MAX_SERIES = 5  # the query and four to compare with
DAY_SPAN = 62  # up to two months: one bar a day
WEEK_SPAN = 371  # up to a year: one bar a week
MONTH_FACET_LIMIT = 100_000


@dataclass(frozen=True)
class Point:
    period: str  # 2024-08, 2024-W31 or 2024-08-01
    start: date
    end: date  # last day of the period
    count: int
    share: float  # count / every article published in the period (0 when none)


@dataclass(frozen=True)
class Series:
    query: str
    total: int  # every match, dated or not
    undated: int
    partial: bool
    points: list[Point]


@dataclass(frozen=True)
class Timeline:
    interval: str
    series: list[Series]


def period_start(day: date, interval: str) -> date:
    if interval == "month":
        return day.replace(day=1)
    if interval == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks begin on Monday
    return day


def next_period(start: date, interval: str) -> date:
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=7 if interval == "week" else 1)


def period_label(start: date, interval: str) -> str:
    if interval == "month":
        return start.strftime("%Y-%m")
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def auto_interval(first: date, last: date) -> str:
    """Months, unless the range is short enough for weeks (a year) or days (two months)."""
    span = (last - first).days + 1
    if span <= DAY_SPAN:
        return "day"
    if span <= WEEK_SPAN:
        return "week"
    return "month"


def bucket(per_day: dict[date, int], interval: str) -> Counter[date]:
    counts: Counter[date] = Counter()
    for day, n in per_day.items():
        counts[period_start(day, interval)] += n
    return counts


def date_counts(searcher: Searcher, query: str | None, filters: Filters) -> DateCounts:
    """Per-day counts of a query's matches (None: the whole index), validated as a search."""
    backend = searcher.backend
    request = None if query is None else searcher.request(query, filters, per_page=1)
    if hasattr(backend, "date_counts"):
        return backend.date_counts(request)
    # A backend without day counts: its month facet, every month, dated on the 1st.
    results = searcher.search(
        query or "",
        None if query is None else filters,
        per_page=1,
        with_snippets=False,
        facet_limit=MONTH_FACET_LIMIT,
    )
    per_day = {
        date.fromisoformat(v.value + "-01"): v.count for v in results.facets.get("months", [])
    }
    dated = sum(per_day.values())
    return DateCounts(per_day, results.total - dated, results.total, results.partial)


def build_timeline(
    searcher: Searcher,
    queries: list[str],
    filters: Filters | None = None,
    interval: str | None = None,
) -> Timeline:
    """One series per query over the same periods; `interval` None chooses by the range.

    The range is the filters' dates when given (within the index's own dates),
    else from the first to the last dated match of any series. Raises
    `QueryError` for a malformed query or too many periods.
    """
    filters = filters or Filters()
    if interval is not None and interval not in INTERVALS:
        raise QueryError(
            f"intervalle inconnu « {interval} » : choisir parmi {', '.join(INTERVALS)}"
        )
    if not 1 <= len(queries) <= MAX_SERIES:
        raise QueryError(f"de 1 à {MAX_SERIES} recherches à comparer")
    if interval in ("week", "day") and not hasattr(searcher.backend, "date_counts"):
        raise QueryError("ce moteur ne donne les dates que par mois : intervalle « month »")
    counts = [date_counts(searcher, q, filters) for q in queries]
    everything = date_counts(searcher, None, Filters())
    first, last = _range(counts, everything, filters)
    if first is None or last is None:
        chosen = interval or "month"
        empty = [_series(q, c, [], chosen, Counter()) for q, c in zip(queries, counts, strict=True)]
        return Timeline(chosen, empty)
    chosen = interval or auto_interval(first, last)
    starts = _periods(first, last, chosen)
    totals = bucket(everything.per_day, chosen)
    return Timeline(
        chosen,
        [_series(q, c, starts, chosen, totals) for q, c in zip(queries, counts, strict=True)],
    )


def _range(
    counts: list[DateCounts], everything: DateCounts, filters: Filters
) -> tuple[date | None, date | None]:
    days = [d for c in counts for d in c.per_day]
    if not days:
        return None, None
    first, last = min(days), max(days)
    if filters.date_from or filters.date_to:
        known = list(everything.per_day)
        first = max(filters.date_from or min(known), min(known))
        last = min(filters.date_to or max(known), max(known))
        first, last = min(first, min(days)), max(last, max(days))
    return first, last


def _periods(first: date, last: date, interval: str) -> list[date]:
    start, end = period_start(first, interval), period_start(last, interval)
    starts = []
    while start <= end:
        starts.append(start)
        if len(starts) > MAX_PERIODS:
            raise QueryError(
                f"trop de périodes (plus de {MAX_PERIODS}) : choisissez un intervalle plus "
                "large ou restreignez les dates"
            )
        start = next_period(start, interval)
    return starts


def _series(
    query: str, counts: DateCounts, starts: list[date], interval: str, totals: Counter[date]
) -> Series:
    mine = bucket(counts.per_day, interval)
    points = []
    for start in starts:
        n, all_n = mine.get(start, 0), totals.get(start, 0)
        end = next_period(start, interval) - timedelta(days=1)
        share = round(n / all_n, 6) if all_n else 0.0
        points.append(Point(period_label(start, interval), start, end, n, share))
    return Series(query, counts.total, counts.undated, counts.partial, points)


def timeline_to_json(timeline: Timeline) -> dict:
    return {
        "interval": timeline.interval,
        "series": [
            {
                "query": s.query,
                "total": s.total,
                "undated": s.undated,
                "partial": s.partial,
                "points": [
                    {
                        "period": p.period,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "count": p.count,
                        "share": p.share,
                    }
                    for p in s.points
                ],
            }
            for s in timeline.series
        ],
    }


CSV_COLUMNS = ("query", "period", "start", "end", "count", "share")


def timeline_csv(timeline: Timeline, bom: bool = False) -> Iterator[str]:
    """The series in long form, one row per query and period (queries neutralised
    like any exported cell: a query may begin with « - »)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in timeline.series:
        for p in s.points:
            writer.writerow(
                [neutralise(s.query), p.period, p.start, p.end, p.count, f"{p.share:.6f}"]
            )
    yield ("\ufeff" if bom else "") + buffer.getvalue()
