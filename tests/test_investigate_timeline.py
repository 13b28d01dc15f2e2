"""Attention over time (issue 17.2, 19): /api/timeline and the results page's chart,
on the real index and app."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest

from search.timeline import auto_interval, period_label
from web.params import month_bounds


def timeline(client, status: int = 200, **params) -> dict:
    response = client.get("/api/timeline", query_string=params)
    assert response.status_code == status, response.data[:300]
    return response.get_json()


@pytest.mark.parametrize(
    "params", [{"q": "france"}, {"q": "président"}, {"q": "", "place": "France"}, {"q": "mali"}]
)
def test_monthly_counts_equal_the_month_facet_and_sum_to_the_total(client, params):
    (series,) = timeline(client, **params, interval="month")["series"]
    search = client.get("/api/search", query_string={**params, "per_page": 1}).get_json()
    # the page's facet shows 10 months; every month's count is asked month by month
    by_month = {p["period"]: p["count"] for p in series["points"] if p["count"]}
    for month, count in by_month.items():
        first, last = month_bounds(month)
        narrowed = client.get(
            "/api/search",
            query_string={**params, "from": first.isoformat(), "to": last.isoformat()},
        ).get_json()
        assert narrowed["total"] == count, month
    top_months = {f["value"]: f["count"] for f in search["facets"]["months"]}
    assert all(by_month[m] == c for m, c in top_months.items())
    assert sum(by_month.values()) + series["undated"] == series["total"] == search["total"]


def test_share_is_the_count_over_every_article_of_the_period(client):
    data = timeline(client, q="france", interval="month")
    everything = timeline(client, q="", interval="month")
    all_counts = {p["period"]: p["count"] for p in everything["series"][0]["points"]}
    for point in data["series"][0]["points"]:
        if point["count"]:
            assert point["share"] == round(point["count"] / all_counts[point["period"]], 6)
            assert 0 < point["share"] <= 1


def test_comparing_two_queries_gives_two_series_over_the_same_periods(client):
    data = timeline(client, q="france", compare="président")
    first, second = data["series"]
    assert (first["query"], second["query"]) == ("france", "président")
    assert [p["period"] for p in first["points"]] == [p["period"] for p in second["points"]]
    assert sum(p["count"] for p in second["points"]) + second["undated"] == second["total"]


def test_short_range_is_drawn_by_day_and_a_year_by_week(client):
    day = timeline(client, q="", **{"from": "2016-08-01", "to": "2016-08-31"})
    assert day["interval"] == "day" and len(day["series"][0]["points"]) == 31
    week = timeline(client, q="", **{"from": "2016-01-01", "to": "2016-12-31"})
    assert week["interval"] == "week"
    assert {p["period"][:4] for p in week["series"][0]["points"]} <= {"2015", "2016"}
    weekly = sum(p["count"] for p in week["series"][0]["points"])
    daily = sum(
        p["count"]
        for p in timeline(
            client, q="", interval="day", **{"from": "2016-01-01", "to": "2016-12-31"}
        )["series"][0]["points"]
    )
    assert weekly == daily == week["series"][0]["total"]


def test_periods_are_labelled_and_chosen_by_span():
    from datetime import date

    assert period_label(date(2024, 8, 1), "week") == "2024-W31"
    assert period_label(date(2024, 8, 1), "month") == "2024-08"
    assert auto_interval(date(2024, 1, 1), date(2024, 2, 15)) == "day"
    assert auto_interval(date(2024, 1, 1), date(2024, 11, 15)) == "week"
    assert auto_interval(date(2012, 1, 1), date(2024, 11, 15)) == "month"


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"q": "mali", "interval": "year"}, "interval"),
        ({"q": "mali", "interval": "Month"}, "interval"),
        ({"q": "mali", "from": "2024-02-30"}, "from"),
        ({"q": "mali", "from": "２０２４-01-01"}, "from"),
        ({"q": "mali", "format": "xml"}, "format"),
        ({"q": "mali", "compare": ["a", "b", "c", "d", "e"]}, "compare"),
        ({"q": "mali", "compare": "x" * 1001}, "compare"),
    ],
)
def test_bad_timeline_parameters_are_400_json_errors(client, params, parameter):
    error = timeline(client, status=400, **params)["error"]
    assert error["code"] == "invalid_parameter" and error["parameter"] == parameter


def test_too_many_periods_and_malformed_compare_are_explained(client):
    error = timeline(client, status=400, q="", interval="day")["error"]
    assert "trop de périodes" in error["message"]
    error = timeline(client, status=400, q="mali", compare="titre:")["error"]
    assert error["code"] == "invalid_query"


def test_series_csv_download(client):
    response = client.get("/api/timeline?q=france&compare=président&format=csv&bom=1")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert {r["query"] for r in rows} == {"france", "président"}
    json_points = timeline(client, q="france", compare="président")["series"]
    assert len(rows) == sum(len(s["points"]) for s in json_points)


# -- the results page ---------------------------------------------------------------------
def bars(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" class="bar-link"><rect class="bar bar--(\d)"', html)


def test_results_page_draws_the_chart_with_a_table_twin(client):
    html = client.get("/search?q=france").data.decode()
    drawn = bars(html)
    data = timeline(client, q="france")
    counts = [p["count"] for p in data["series"][0]["points"] if p["count"]]
    assert len(drawn) == len(counts) and {s for _, s in drawn} == {"0"}
    table = html[html.index('<details class="timeline-table">') :]
    table = table[: table.index("</details>")]
    cells = [int(n) for n in re.findall(r"<tr><th scope=\"row\">[^<]+</th><td>(\d+)</td>", table)]
    assert sum(cells) == sum(counts) and Counter(c for c in cells if c) == Counter(counts)


def test_results_page_compares_two_series_and_bars_link_to_their_period(client):
    html = client.get("/search?q=france&compare=président").data.decode()
    drawn = bars(html)
    assert {s for _, s in drawn} == {"0", "1"}
    href = next(h for h, s in drawn if s == "1").replace("&amp;", "&")
    assert "q=pr%C3%A9sident" in href and "from=" in href and "to=" in href
    narrowed = client.get(href)
    assert narrowed.status_code == 200
    assert "depuis le" in narrowed.data.decode()


def test_results_page_share_measure_and_bad_compare_keep_the_page(client):
    share = client.get("/search?q=france&measure=share").data.decode()
    assert "part de tous les articles de la période" in share
    bad = client.get("/search?q=france&compare=titre:")
    assert bad.status_code == 200 and 'class="timeline-error"' in bad.data.decode()


def test_hostile_article_is_inert_in_the_chart(client):
    from conftest import HOSTILE_WORD

    html = client.get(f"/search?q={HOSTILE_WORD}&compare=<script>alert(1)</script>").data.decode()
    section = html[html.index('<section class="timeline"') :]
    section = section[: section.index("</section>")]
    assert "<script>" not in section and "&lt;script&gt;" in section


def test_undated_articles_are_counted_apart_not_fatal(tmp_path):
    """An article without a date holds the column's out-of-range default: the day
    table must read it as undated (it once broke every timeline of such an index)."""
    import json

    from search.indexer import index_corpus
    from web import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [
        {"id": "sans-date", "title": "Sans date", "text": "dépêche glorbulante sans date"},
        {"id": "datee", "title": "Datée", "date": "2020-03-04", "text": "dépêche glorbulante"},
    ]
    (corpus / "x.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    index_corpus(corpus, tmp_path / "index", ner=False)
    client = create_app({"TESTING": True, "LOUPE_INDEX": str(tmp_path / "index")}).test_client()
    (series,) = timeline(client, q="glorbulante")["series"]
    assert (series["total"], series["undated"]) == (2, 1)
    assert [(p["period"], p["count"]) for p in series["points"]] == [("2020-03-04", 1)]
    (row,) = client.post("/api/batch", data="glorbulante", content_type="text/plain").get_json()[
        "rows"
    ]
    assert (row["total"], row["first"], row["last"]) == (2, "2020-03-04", "2020-03-04")
    # Sorting by date on the fast path reads the same column: as Whoosh sorts it.
    from search.backends.whoosh import WhooshBackend
    from search.searcher import Searcher

    index = tmp_path / "index"
    for sort in ("newest", "oldest"):
        fast, plain = (
            Searcher(WhooshBackend(index, fast_path=f)).search("glorbulante", sort=sort)
            for f in (True, False)
        )
        assert [h.id for h in fast.hits] == [h.id for h in plain.hits], sort
