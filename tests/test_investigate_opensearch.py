"""The investigation tools on a real OpenSearch node: timelines from its date
histogram, batch rows with dates and spellings, exports paged through it."""

from __future__ import annotations

import json

import pytest
from conftest import OPENSEARCH_SKIP_REASON, PARITY_ALIAS, opensearch_app_for

pytestmark = [
    pytest.mark.opensearch,
    pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or ""),
]


@pytest.fixture(scope="module")
def os_client(opensearch_built, tmp_path_factory):
    app = opensearch_app_for(opensearch_built, PARITY_ALIAS, tmp_path_factory.mktemp("unused"))
    return app.test_client()


def test_whole_index_timeline_is_the_same_on_both_backends(client, os_client):
    whoosh = client.get("/api/timeline?q=&interval=month").get_json()
    opensearch = os_client.get("/api/timeline?q=&interval=month").get_json()
    assert opensearch == whoosh


@pytest.mark.parametrize("q", ["france", "président"])
def test_opensearch_timeline_counts_equal_its_own_totals(os_client, q):
    (series,) = os_client.get("/api/timeline", query_string={"q": q}).get_json()["series"]
    total = os_client.get("/api/search", query_string={"q": q}).get_json()["total"]
    assert sum(p["count"] for p in series["points"]) + series["undated"] == series["total"]
    assert series["total"] == total > 0
    for point in series["points"]:
        if point["count"]:
            narrowed = os_client.get(
                "/api/search", query_string={"q": q, "from": point["start"], "to": point["end"]}
            ).get_json()
            assert narrowed["total"] == point["count"], point


def test_opensearch_batch_rows_have_dates_and_spellings(os_client):
    rows = os_client.post(
        "/api/batch", data="Tinzawaten\ntitre:\n", content_type="text/plain"
    ).get_json()["rows"]
    assert [r["status"] for r in rows] == ["ok", "error"]
    assert rows[0]["first"] == "2024-08-01" and "Tinzaouaten" in rows[0]["aliases"]


@pytest.mark.parametrize("params", ["q=france&sort=newest", "q=france", "q=&place=France"])
def test_opensearch_export_equals_its_pages(os_client, params):
    ids = []
    page = 1
    while True:
        data = os_client.get(f"/api/search?{params}&page={page}").get_json()
        ids += [h["id"] for h in data["hits"]]
        if page * 10 >= data["total"]:
            break
        page += 1
    assert len(ids) > 10
    lines = os_client.get(f"/api/export?{params}&format=jsonl").data.decode()
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [row["id"] for row in rows] == ids
    assert all(row["snippet"] for row in rows if params.startswith("q=france"))
