"""The JSON API over a real index: every endpoint, parameter and error status,
each response checked against the OpenAPI document that describes it."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from api_checks import SPEC, check, search
from conftest import HOSTILE_ID, HOSTILE_WORD, SEED_ID
from openapi_spec_validator import validate as validate_openapi

from search.analysis import fold

JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


# -- the OpenAPI document --------------------------------------------------------------
def test_openapi_document_is_a_valid_openapi_31_document(client):
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    document = served.get_json()
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def test_openapi_document_describes_every_api_route(app):
    routed = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("{article_id}", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routed == set(SPEC["paths"])


def test_openapi_search_parameters_are_the_ones_the_page_reads():
    names = {p["name"] for p in SPEC["paths"]["/api/search"]["get"]["parameters"]}
    expected = {"q", "person", "org", "place", "source", "from", "to", "sort", "page", "per_page"}
    assert names == expected | {"relax", "reprints"}


# -- /api/search -----------------------------------------------------------------------
def test_search_for_tinzawaten_returns_the_seed_article_with_a_marked_snippet(client):
    body = search(client, q="Tinzawaten")
    assert body["query"] == "Tinzawaten"
    hit = next(h for h in body["hits"] if h["id"] == SEED_ID)
    assert hit["snippets"], hit
    assert any("<mark>" in s["html"] for s in hit["snippets"])
    assert all(set(s) == {"html", "section"} for s in hit["snippets"])
    assert body["hits"][0]["id"] == SEED_ID


def test_search_response_has_exactly_the_documented_keys(client):
    body = search(client, q="président")
    assert list(body) == [
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "partial",
        "suggestion",
        "hits",
        "facets",
        "relaxed",
    ]
    assert set(body["facets"]) == {"persons", "orgs", "places", "sources", "months"}


@pytest.mark.parametrize(("param", "facet", "entity_type"), [
    ("person", "persons", "PER"),
    ("org", "orgs", "ORG"),
    ("place", "places", "LOC"),
    ("source", "sources", None),
])  # fmt: skip
def test_each_filter_parameter_narrows_to_the_facet_count(client, param, facet, entity_type):
    broad = search(client, q="", per_page=100)
    value = broad["facets"][facet][0]
    narrowed = search(client, q="", per_page=100, **{param: value["value"]})
    assert narrowed["total"] == value["count"] < broad["total"]
    for hit in narrowed["hits"]:
        if entity_type:
            assert value["value"] in hit["entities"].get(entity_type, [])
        else:
            assert hit["source"] == value["value"]


def test_repeated_filter_values_must_all_hold(client):
    places = search(client, q="", per_page=100)["facets"]["places"]
    first, second = places[0]["value"], places[1]["value"]
    both = client.get(f"/api/search?place={first}&place={second}&per_page=100")
    body = check(both, "/api/search", 200)
    assert body["total"] <= min(places[0]["count"], places[1]["count"])
    for hit in body["hits"]:
        assert {first, second} <= set(hit["entities"]["LOC"])


def test_filters_only_search_works_with_an_empty_query(client):
    body = search(client, place="France")
    assert body["total"] > 0
    assert body["query"] == ""


def test_date_range_keeps_only_articles_published_within_it(client):
    body = search(client, q="", per_page=100, **{"from": "2017-01-01", "to": "2017-12-31"})
    assert body["total"] > 0
    for hit in body["hits"]:
        assert "2017-01-01" <= hit["published"] <= "2017-12-31"
    everything = search(client, q="")["total"]
    assert body["total"] < everything


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_order_hits_by_publication_date(client, sort):
    body = search(client, q="", sort=sort, per_page=50)
    dates = [h["published"] for h in body["hits"] if h["published"]]
    assert dates == sorted(dates, reverse=sort == "newest")
    assert len(set(dates)) > 5


def test_pages_do_not_overlap_and_cover_the_total(client):
    first = search(client, q="france", per_page=5, page=1)
    second = search(client, q="france", per_page=5, page=2)
    assert first["total"] == second["total"] > 5
    assert (first["page"], second["page"], second["per_page"]) == (1, 2, 5)
    assert len(first["hits"]) == 5
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_misspelled_word_gets_a_suggestion(client):
    body = search(client, q="gouvernemnt")
    assert body["suggestion"] == "gouvernement"


def test_unknown_parameters_are_ignored(client):
    plain = search(client, q="mali")
    extra = search(client, q="mali", colour="blue", format="xml", callback="alert")
    assert [h["id"] for h in extra["hits"]] == [h["id"] for h in plain["hits"]]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "mali", "page": "-1"}, "invalid_query"),
        ({"q": "mali", "page": "0"}, "invalid_query"),
        ({"q": "mali", "page": "abc"}, "invalid_parameter"),
        ({"q": "mali", "page": "9" * 40}, "invalid_parameter"),
        ({"q": "mali", "per_page": "1000000000"}, "invalid_query"),
        ({"q": "mali", "per_page": "0"}, "invalid_query"),
        ({"q": "mali", "page": "5000", "per_page": "100"}, "invalid_query"),
        ({"q": "mali", "from": "not-a-date"}, "invalid_parameter"),
        ({"q": "mali", "to": "2024-13-45"}, "invalid_parameter"),
        ({"q": "mali", "from": "20240101"}, "invalid_parameter"),
        ({"q": "mali", "from": "2024-02-01", "to": "2024-01-01"}, "invalid_query"),
        ({"q": "mali", "sort": "x"}, "invalid_query"),
        ({"q": "mali AND OR niger"}, "invalid_query"),
        ({"q": "titre:"}, "invalid_query"),
        ({"q": "*"}, "invalid_query"),
        ({"q": "m" * 1001}, "invalid_parameter"),
        ({"person": "x" * 201}, "invalid_parameter"),
    ],
)
def test_malformed_query_or_parameter_is_a_400_with_a_json_error(client, params, code):
    body = search(client, 400, **params)
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_malformed_query_error_says_where(client):
    body = search(client, 400, q="mali AND OR niger")
    assert body["error"]["position"] == len("mali AND ")


def test_too_many_values_for_one_filter_is_a_400(client):
    query = "&".join(f"person=p{i}" for i in range(11))
    body = check(client.get(f"/api/search?{query}"), "/api/search", 400)
    assert body["error"]["parameter"] == "person"


def test_search_without_an_index_is_a_503_json_error(empty_app):
    body = check(empty_app.test_client().get("/api/search?q=mali"), "/api/search", 503)
    assert body["error"]["code"] == "index_unavailable"


# -- /api/articles/<id> ----------------------------------------------------------------
def test_article_comes_with_its_sections_and_entities(client):
    body = check(client.get(f"/api/articles/{SEED_ID}"), "/api/articles/{id}", 200)
    assert body["id"] == SEED_ID
    assert len(body["sections"]) >= 2
    assert any(s["heading"] for s in body["sections"])
    types = {e["type"] for e in body["entities"]}
    assert {"PER", "LOC"} <= types
    assert body["published"] == "2024-08-01"
    assert body["published_inferred"] is True


def test_wikinews_article_carries_its_licence(client):
    everything = search(client, q="", per_page=100)
    article_id = next(h["id"] for h in everything["hits"] if h["id"].startswith("winer-"))
    body = check(client.get(f"/api/articles/{article_id}"), "/api/articles/{id}", 200)
    assert body["license"].startswith("CC BY 2.5")


@pytest.mark.parametrize("article_id", ["no-such-article", "-starts-with-dash", "x" * 201, "a b"])
def test_unknown_or_invalid_article_id_is_a_404_json_error(client, article_id):
    body = check(client.get(f"/api/articles/{article_id}"), "/api/articles/{id}", 404)
    assert body["error"]["code"] == "not_found"


# -- /api/entities ---------------------------------------------------------------------
def test_entities_of_one_type_with_counts_most_frequent_first(client):
    body = check(client.get("/api/entities?type=LOC&limit=5"), "/api/entities", 200)
    counts = [e["count"] for e in body["entities"]]
    assert 0 < len(counts) <= 5
    assert counts == sorted(counts, reverse=True)
    assert body["entities"][0]["value"] == "France"


def test_entities_prefix_ignores_accents_and_case(client):
    body = check(client.get("/api/entities?prefix=etats"), "/api/entities", 200)
    assert "États-Unis" in [e["value"] for e in body["entities"]]
    assert body["type"] is None


@pytest.mark.parametrize(
    "query", ["type=MISC", "type=per", "limit=0", "limit=101", "limit=ten", "prefix=" + "a" * 101]
)
def test_entities_bad_parameters_are_400(client, query):
    body = check(client.get(f"/api/entities?{query}"), "/api/entities", 400)
    assert body["error"]["code"] == "invalid_parameter"


# -- /api/suggest ----------------------------------------------------------------------
def test_suggest_completes_names_and_words(client):
    body = check(client.get("/api/suggest?q=mal"), "/api/suggest", 200)
    assert "Mali" in body["suggestions"]
    for suggestion in body["suggestions"]:  # the name, or one of its words, starts so
        assert any(fold(word).startswith("mal") for word in suggestion.split()), suggestion


def test_suggest_limit_and_short_input(client):
    assert check(client.get("/api/suggest?q=ma&limit=2"), "/api/suggest", 200)["suggestions"]
    assert len(client.get("/api/suggest?q=ma&limit=2").get_json()["suggestions"]) <= 2
    assert check(client.get("/api/suggest?q=m"), "/api/suggest", 200)["suggestions"] == []
    assert check(client.get("/api/suggest"), "/api/suggest", 200)["suggestions"] == []


@pytest.mark.parametrize("query", ["q=" + "a" * 101, "q=mal&limit=0", "q=mal&limit=21"])
def test_suggest_bad_parameters_are_400(client, query):
    check(client.get(f"/api/suggest?{query}"), "/api/suggest", 400)


# -- /api/health -----------------------------------------------------------------------
def test_health_reports_the_generation_and_article_count(client):
    body = check(client.get("/api/health"), "/api/health", 200)
    assert body["status"] == "ok"
    assert body["articles"] >= 40
    assert body["generation"]


def test_health_is_503_json_when_the_index_is_missing(empty_app):
    body = check(empty_app.test_client().get("/api/health"), "/api/health", 503)
    assert body["status"] == "unavailable"


# -- protocol-level errors -------------------------------------------------------------
def test_unknown_route_under_api_is_a_404_json_error(client):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_only_get_and_head_are_accepted(client, method):
    response = getattr(client, method)("/api/search?q=mali")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/api/search?q=mali")
    assert response.status_code == 200
    assert response.data == b""


def test_query_string_beyond_4_kb_is_refused(client):
    response = client.get("/api/search?q=mali&pad=" + "x" * 5000)
    assert response.status_code == 414
    assert response.get_json()["error"]["code"] == "uri_too_long"


def test_unexpected_error_is_a_500_json_without_stack_trace(empty_app):
    def explode():
        raise RuntimeError("secret internals /etc/passwd")

    empty_app.add_url_rule("/api/explode", "explode", explode)
    response = empty_app.test_client().get("/api/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "Traceback" not in text and "secret" not in text and "RuntimeError" not in text


def test_api_responses_carry_the_security_headers(client):
    for url in ["/api/search?q=mali", "/api/nothing", f"/api/articles/{SEED_ID}"]:
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


# -- the hostile article ---------------------------------------------------------------
@pytest.mark.parametrize("url", [f"/api/search?q={HOSTILE_WORD}", f"/api/articles/{HOSTILE_ID}"])
def test_hostile_markup_appears_only_inside_json_strings(client, url):
    response = client.get(url)
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "<script>" in raw  # the data is kept as it came…
    outside_strings = JSON_STRING.sub('""', raw)
    assert "<" not in outside_strings  # …but only as string content
    assert json.loads(raw)  # and the document is still valid JSON


def test_hostile_snippets_are_escaped_html(client):
    body = search(client, q=HOSTILE_WORD)
    hit = next(h for h in body["hits"] if h["id"] == HOSTILE_ID)
    for snippet in hit["snippets"]:
        without_marks = snippet["html"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks
    assert any("&lt;script&gt;" in s["html"] for s in hit["snippets"])


def test_hostile_title_is_found_and_its_date_is_kept(client):
    body = search(client, q=HOSTILE_WORD)
    assert [h["id"] for h in body["hits"]] == [HOSTILE_ID]
    assert date.fromisoformat(body["hits"][0]["published"]) == date(2024, 8, 2)
