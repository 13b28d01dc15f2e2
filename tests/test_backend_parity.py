"""The JSON API answers the same way whichever backend serves it.

The design promises that nothing above `backends/` knows which engine answers.
These tests hold it to that: the same test corpus (`conftest.write_test_corpus`,
NER included) goes through the same `index_corpus` pipeline into Whoosh and
into a real OpenSearch node, a Flask app is built over each from configuration
alone (`LOUPE_BACKEND`, `LOUPE_OPENSEARCH_URL`, `LOUPE_OPENSEARCH_INDEX`), and
the core of the API tests runs against both. Each response is checked against
the OpenAPI document, and, where the two engines must agree (the shape of every
response, filter counts, stored articles, entity lists), against each other.

The OpenSearch half is marked `opensearch` and skips only when java or mvn is
missing; it shares the session's one node with test_opensearch_backend.py.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from api_checks import check, search
from conftest import HOSTILE_ID, HOSTILE_WORD, OPENSEARCH_SKIP_REASON, SEED_ID, opensearch_app_for

from search.analysis import fold

NEVER_BUILT_ALIAS = "loupe-parity-never-built"

OPENSEARCH = pytest.param(
    "opensearch",
    marks=[
        pytest.mark.opensearch,
        pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or ""),
    ],
)
BACKENDS = ["whoosh", OPENSEARCH]
both_backends = pytest.mark.parametrize("api", BACKENDS, indirect=True)


def opensearch_only(test):
    """For the tests comparing the two backends: they need the node."""
    skip = pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or "")
    return pytest.mark.opensearch(skip(test))


# -- fixtures ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def apps(app, opensearch_app) -> dict[str, Any]:
    return {"whoosh": app, "opensearch": opensearch_app}


@pytest.fixture()
def api(request):
    """A test client over the backend named by the parameter."""
    name = "app" if request.param == "whoosh" else "opensearch_app"
    return request.getfixturevalue(name).test_client()


@pytest.fixture()
def empty_api(request, tmp_path):
    """A client whose backend holds no index: a Whoosh folder never built, or an
    OpenSearch alias never built."""
    from web import create_app

    if request.param == "whoosh":
        return create_app({"TESTING": True, "LOUPE_INDEX": str(tmp_path / "none")}).test_client()
    url = request.getfixturevalue("opensearch_url")
    return opensearch_app_for(url, NEVER_BUILT_ALIAS, tmp_path).test_client()


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys in order and value types, list items
    merged. `null` stands for any type (an unknown date, no suggestion)."""
    if isinstance(value, dict):
        if value and set(value) <= {"PER", "ORG", "LOC", "MISC"}:
            # a hit's entities by type: which types an article holds is data, not shape
            return {"<type>": shape([name for names in value.values() for name in names])}
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = [shape(item) for item in value]
        distinct = [s for i, s in enumerate(shapes) if s is not None and s not in shapes[:i]]
        return ["list", *distinct[:1]]
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def same_shape(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_shape(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return a[0] == b[0] and (len(a) < 2 or len(b) < 2 or same_shape(a[1], b[1]))
    return a == b


# -- the two backends against each other -------------------------------------------------
SHAPE_URLS = [
    "/api/search?q=Tinzawaten",
    "/api/search?q=président&per_page=20",
    "/api/search?q=&place=France&sort=newest",
    "/api/search?q=gouvernemnt&relax=0",  # the suggestion on an empty page
    "/api/search?q=mali&page=999&per_page=10",
    "/api/search?q=mali&sort=x",
    f"/api/articles/{SEED_ID}",
    "/api/articles/no-such-article",
    "/api/entities?type=LOC&limit=5",
    "/api/entities?prefix=etats",
    "/api/entities?type=per",
    "/api/suggest?q=mal",
    "/api/health",
    "/api/nothing/here",
]


@pytest.mark.parametrize("url", SHAPE_URLS)
@opensearch_only
def test_every_endpoint_answers_with_the_same_status_and_shape_on_both_backends(apps, url):
    answers = {name: app.test_client().get(url) for name, app in apps.items()}
    whoosh, opensearch = answers["whoosh"], answers["opensearch"]
    assert whoosh.status_code == opensearch.status_code, url
    assert whoosh.mimetype == opensearch.mimetype == "application/json"
    a, b = shape(whoosh.get_json()), shape(opensearch.get_json())
    assert same_shape(a, b), f"{url}\nwhoosh:     {a}\nopensearch: {b}"


@opensearch_only
def test_a_query_that_finds_nothing_is_relaxed_alike_on_both_backends(apps):
    bodies = {
        name: app.test_client().get("/api/search?q=gouvernemnt").get_json()
        for name, app in apps.items()
    }
    assert bodies["whoosh"]["relaxed"] is not None
    assert bodies["whoosh"]["relaxed"] == bodies["opensearch"]["relaxed"]
    assert bodies["whoosh"]["total"] == bodies["opensearch"]["total"] > 0


@pytest.mark.parametrize(("param", "facet"), [("place", "places"), ("person", "persons")])
@opensearch_only
def test_entity_filters_select_the_same_articles_on_both_backends(apps, param, facet):
    whoosh, opensearch = (apps[n].test_client() for n in ("whoosh", "opensearch"))
    for value in search(whoosh, q="", per_page=100)["facets"][facet][:5]:
        params = {"q": "", "per_page": 100, param: value["value"]}
        a, b = search(whoosh, **params), search(opensearch, **params)
        assert a["total"] == b["total"] == value["count"], value
        assert {h["id"] for h in a["hits"]} == {h["id"] for h in b["hits"]}


@opensearch_only
def test_an_alias_filters_as_its_canonical_name_on_both_backends(apps):
    for name, app in apps.items():
        client = app.test_client()
        by_alias = search(client, q="", per_page=100, org="UNESCO")
        by_name = search(client, q="", per_page=100, org="Unesco")
        assert by_alias["total"] == by_name["total"] > 0, name
        assert {h["id"] for h in by_alias["hits"]} == {h["id"] for h in by_name["hits"]}


@opensearch_only
def test_whole_corpus_count_and_stored_articles_are_identical_on_both_backends(apps):
    whoosh, opensearch = (apps[n].test_client() for n in ("whoosh", "opensearch"))
    assert search(whoosh, q="")["total"] == search(opensearch, q="")["total"]
    for article_id in (SEED_ID, HOSTILE_ID):
        url = f"/api/articles/{article_id}"
        assert whoosh.get(url).get_json() == opensearch.get(url).get_json()


@opensearch_only
def test_entity_lists_are_identical_on_both_backends(apps):
    whoosh, opensearch = (apps[n].test_client() for n in ("whoosh", "opensearch"))
    for query in ("type=LOC&limit=10", "type=PER&limit=10", "type=ORG&limit=10"):
        a = whoosh.get(f"/api/entities?{query}").get_json()["entities"]
        b = opensearch.get(f"/api/entities?{query}").get_json()["entities"]
        # one name in two spellings (« UNESCO », « Unesco ») is one entity on both;
        # which spelling is shown may differ, so names are compared folded
        assert [(fold(e["value"]), e["count"]) for e in a] == [
            (fold(e["value"]), e["count"]) for e in b
        ]


# -- the API's core, run on each backend --------------------------------------------------
@both_backends
def test_search_finds_the_seed_article_first_with_a_marked_snippet(api):
    body = search(api, q="Tinzawaten")
    assert body["hits"][0]["id"] == SEED_ID
    snippets = body["hits"][0]["snippets"]
    assert snippets and any("<mark>" in s["html"] for s in snippets)
    assert all(set(s) == {"html", "section"} for s in snippets)


@both_backends
def test_search_response_keys_and_facets_are_the_documented_ones(api):
    body = search(api, q="président")
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
    assert body["total"] > 0 and body["partial"] is False


@both_backends
@pytest.mark.parametrize(("param", "facet", "entity_type"), [
    ("person", "persons", "PER"),
    ("org", "orgs", "ORG"),
    ("place", "places", "LOC"),
    ("source", "sources", None),
])  # fmt: skip
def test_filter_narrows_hits_to_the_facet_count(api, param, facet, entity_type):
    broad = search(api, q="", per_page=100)
    value = broad["facets"][facet][0]
    narrowed = search(api, q="", per_page=100, **{param: value["value"]})
    assert narrowed["total"] == value["count"] < broad["total"]
    for hit in narrowed["hits"]:
        if entity_type:
            assert value["value"] in hit["entities"].get(entity_type, [])
        else:
            assert hit["source"] == value["value"]


@both_backends
def test_date_range_keeps_only_articles_published_within_it(api):
    body = search(api, q="", per_page=100, **{"from": "2017-01-01", "to": "2017-12-31"})
    assert 0 < body["total"] < search(api, q="")["total"]
    assert all("2017-01-01" <= h["published"] <= "2017-12-31" for h in body["hits"])


@both_backends
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_order_hits_by_publication_date(api, sort):
    body = search(api, q="", sort=sort, per_page=50)
    dates = [h["published"] for h in body["hits"] if h["published"]]
    assert dates == sorted(dates, reverse=sort == "newest") and len(set(dates)) > 5


@both_backends
def test_pages_do_not_overlap_and_share_the_total(api):
    first = search(api, q="france", per_page=5, page=1)
    second = search(api, q="france", per_page=5, page=2)
    assert first["total"] == second["total"] > 5
    assert (first["page"], second["page"], second["per_page"]) == (1, 2, 5)
    assert len(first["hits"]) == 5
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@both_backends
def test_misspelled_word_gets_a_suggestion(api):
    assert search(api, q="gouvernemnt")["suggestion"] == "gouvernement"


@both_backends
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "mali", "page": "0"}, "invalid_query"),
        ({"q": "mali", "page": "abc"}, "invalid_parameter"),
        ({"q": "mali", "page": "5000", "per_page": "100"}, "invalid_query"),
        ({"q": "mali", "from": "2024-02-01", "to": "2024-01-01"}, "invalid_query"),
        ({"q": "mali", "sort": "x"}, "invalid_query"),
        ({"q": "mali AND OR niger"}, "invalid_query"),
        ({"q": "*"}, "invalid_query"),
    ],
)
def test_malformed_query_or_parameter_is_a_400_with_a_json_error(api, params, code):
    body = search(api, 400, **params)
    assert body["error"]["code"] == code and body["error"]["message"]


@pytest.mark.parametrize("empty_api", BACKENDS, indirect=True)
def test_search_and_health_without_an_index_are_503_json_errors(empty_api):
    body = check(empty_api.get("/api/search?q=mali"), "/api/search", 503)
    assert body["error"]["code"] == "index_unavailable"
    assert check(empty_api.get("/api/health"), "/api/health", 503)["status"] == "unavailable"


@both_backends
def test_article_comes_with_its_sections_entities_and_inferred_date(api):
    body = check(api.get(f"/api/articles/{SEED_ID}"), "/api/articles/{id}", 200)
    assert body["id"] == SEED_ID and len(body["sections"]) >= 2
    assert any(s["heading"] for s in body["sections"])
    assert {"PER", "LOC"} <= {e["type"] for e in body["entities"]}
    assert (body["published"], body["published_inferred"]) == ("2024-08-01", True)


@both_backends
@pytest.mark.parametrize("article_id", ["no-such-article", "-starts-with-dash", "a b"])
def test_unknown_or_invalid_article_id_is_a_404_json_error(api, article_id):
    body = check(api.get(f"/api/articles/{article_id}"), "/api/articles/{id}", 404)
    assert body["error"]["code"] == "not_found"


@both_backends
def test_entities_of_one_type_come_most_frequent_first(api):
    body = check(api.get("/api/entities?type=LOC&limit=5"), "/api/entities", 200)
    counts = [e["count"] for e in body["entities"]]
    assert 0 < len(counts) <= 5 and counts == sorted(counts, reverse=True)
    assert body["entities"][0]["value"] == "France"


@both_backends
def test_entities_prefix_ignores_accents_and_case(api):
    body = check(api.get("/api/entities?prefix=etats"), "/api/entities", 200)
    assert "États-Unis" in [e["value"] for e in body["entities"]]


@both_backends
def test_suggest_completes_names_and_words(api):
    body = check(api.get("/api/suggest?q=mal"), "/api/suggest", 200)
    assert "Mali" in body["suggestions"]
    for suggestion in body["suggestions"]:
        assert any(fold(word).startswith("mal") for word in suggestion.split()), suggestion
    assert len(api.get("/api/suggest?q=ma&limit=2").get_json()["suggestions"]) <= 2
    assert check(api.get("/api/suggest?q=m"), "/api/suggest", 200)["suggestions"] == []


@both_backends
def test_health_reports_the_generation_and_article_count(api):
    body = check(api.get("/api/health"), "/api/health", 200)
    assert body["status"] == "ok" and body["articles"] >= 40 and body["generation"]


@both_backends
def test_hostile_article_is_found_alone_with_escaped_snippets_and_its_date(api):
    body = search(api, q=HOSTILE_WORD)
    assert [h["id"] for h in body["hits"]] == [HOSTILE_ID]
    hit = body["hits"][0]
    assert date.fromisoformat(hit["published"]) == date(2024, 8, 2)
    for snippet in hit["snippets"]:
        assert "<" not in snippet["html"].replace("<mark>", "").replace("</mark>", "")
    assert any("&lt;script&gt;" in s["html"] for s in hit["snippets"])


# -- the CLI, configured for either backend -----------------------------------------------
def test_cli_asks_for_a_url_when_opensearch_is_chosen_without_one(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from search.cli import main

    monkeypatch.delenv("LOUPE_OPENSEARCH_URL", raising=False)
    result = CliRunner().invoke(main, ["search", "mali", "--backend", "opensearch"])
    assert result.exit_code == 1
    assert "LOUPE_OPENSEARCH_URL" in result.output and "Traceback" not in result.output


@opensearch_only
def test_cli_indexes_searches_counts_and_exports_through_opensearch(
    opensearch_url, test_corpus, test_index, tmp_path
):
    from click.testing import CliRunner

    from search.cli import main

    runner = CliRunner()
    target = ["--backend", "opensearch", "--opensearch-url", opensearch_url]
    target += ["--opensearch-index", "loupe-parity-cli"]
    cache = str(test_index / "ner-cache.sqlite")
    built = runner.invoke(
        main, ["index", str(test_corpus), "--index", str(tmp_path), "--ner-cache", cache, *target]
    )
    assert built.exit_code == 0, built.output
    assert f"{opensearch_url} (alias loupe-parity-cli)" in built.output

    # the environment chooses the backend just as the options do
    env = {
        "LOUPE_BACKEND": "opensearch",
        "LOUPE_OPENSEARCH_URL": opensearch_url,
        "LOUPE_OPENSEARCH_INDEX": "loupe-parity-cli",
    }
    found = runner.invoke(main, ["search", "Tinzawaten", "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["hits"][0]["id"] == SEED_ID

    stats = runner.invoke(main, ["stats", *target])
    articles = int(re.search(r"articles : (\d+)", stats.output).group(1))
    assert articles >= 40
    exported = runner.invoke(main, ["export", "--json", *target])
    lines = exported.output.splitlines()
    assert len(lines) == articles
    assert SEED_ID in {json.loads(line)["id"] for line in lines}
