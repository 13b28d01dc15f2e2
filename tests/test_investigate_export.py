"""Full exports (issue 17.3, 19): every hit of a search, streamed as CSV or JSON
lines, through the API, the CLI and the results page — on the real index."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from click.testing import CliRunner

from search.cli import main
from search.export import FORMULA_STARTS, neutralise
from web import investigate


def paged_ids(client, **params) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        data = client.get("/api/search", query_string={**params, "page": page}).get_json()
        ids += [h["id"] for h in data["hits"]]
        if page * int(params.get("per_page", 10)) >= data["total"]:
            return ids
        page += 1


def exported(client, **params) -> list[dict]:
    response = client.get("/api/export", query_string={**params, "format": "jsonl"})
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.data.decode("utf-8").splitlines()]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "france"},
        {"q": "france", "sort": "newest"},
        {"q": "président", "sort": "oldest"},
        {"q": "", "place": "France"},
        {"q": "", "from": "2016-01-01", "to": "2017-12-31"},
    ],
    ids=["relevance", "newest", "oldest", "filter-only", "dates"],
)
def test_export_equals_the_paged_results_concatenated(client, params):
    expected = paged_ids(client, **params, per_page=10)
    assert len(expected) > 10  # more than one page, or the test proves little
    assert [row["id"] for row in exported(client, **params)] == expected


def test_export_csv_opens_in_the_csv_module_with_accents_and_entities(client):
    response = client.get("/api/export", query_string={"q": "président", "format": "csv"})
    assert response.mimetype == "text/csv"
    assert 'filename="loupe-pr-sident.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    total = client.get("/api/search?q=président").get_json()["total"]
    assert len(rows) == total
    assert list(rows[0]) == [
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
    ]
    assert any("é" in row["title"] for row in rows)
    assert all(row["snippet"] and "<mark>" not in row["snippet"] for row in rows)
    assert any(row["persons"] for row in rows)
    first = client.get("/api/search?q=président&per_page=1").get_json()["hits"][0]
    assert rows[0]["id"] == first["id"] and rows[0]["title"] == first["title"]


def test_export_bom_option_for_spreadsheets(client):
    plain = client.get("/api/export?q=mali&format=csv").data
    with_bom = client.get("/api/export?q=mali&format=csv&bom=1").data
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert with_bom == b"\xef\xbb\xbf" + plain
    rows = list(csv.reader(io.StringIO(with_bom.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "id"


@pytest.mark.parametrize(
    "params, code",
    [
        ({"q": "(", "format": "csv"}, "invalid_query"),
        ({"q": "mali", "format": "xlsx"}, "invalid_parameter"),
        ({"q": "mali", "bom": "yes"}, "invalid_parameter"),
        ({"q": "mali", "from": "2024-02-30"}, "invalid_parameter"),
        ({"q": "mali", "sort": "random"}, "invalid_query"),
    ],
)
def test_export_bad_parameters_are_a_400_before_any_row(client, params, code):
    response = client.get("/api/export", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_hostile_article_exports_exactly_in_json_lines_and_as_text_in_csv(client):
    from conftest import HOSTILE_ID, HOSTILE_WORD, SCRIPT

    (row,) = exported(client, q=HOSTILE_WORD)
    assert row["id"] == HOSTILE_ID and row["title"].startswith(SCRIPT)
    text = client.get("/api/export", query_string={"q": HOSTILE_WORD}).data.decode()
    (cells,) = list(csv.DictReader(io.StringIO(text, newline="")))
    assert cells["title"] == row["title"] and cells["source"] == row["source"]


def test_client_hanging_up_stops_the_export(client, monkeypatch, caplog):
    monkeypatch.setattr(investigate, "CHUNK_CHARS", 1)  # one row per chunk
    total = client.get("/api/search?q=&place=France").get_json()["total"]
    assert total > 5
    response = client.get("/api/export?place=France&format=jsonl", buffered=False)
    chunks = iter(response.response)
    received = [next(chunks) for _ in range(3)]
    with caplog.at_level(logging.INFO):
        response.close()
    assert len(received) == 3
    stopped = [r.getMessage() for r in caplog.records if "interrompu" in r.getMessage()]
    assert stopped == ["export interrompu par le client après 3 lignes"]


def test_cli_export_of_a_search_equals_the_api_export(client, test_index, tmp_path):
    target = tmp_path / "out.csv"
    args = ["export", "--index", str(test_index), "--query", "france", "--sort", "newest"]
    result = CliRunner().invoke(main, [*args, "--format", "csv", "--output", str(target)])
    assert result.exit_code == 0, result.output
    api = client.get("/api/export?q=france&sort=newest&format=csv").data
    assert target.read_bytes() == api
    stdout = CliRunner().invoke(main, [*args, "--format", "jsonl"])
    ids = [json.loads(line)["id"] for line in stdout.output.splitlines()]
    assert ids == [r["id"] for r in exported(client, q="france", sort="newest")]


@pytest.mark.parametrize(
    ("options", "params"),
    [
        (["--place", "France"], {"place": "France"}),
        (
            ["--from", "2016-01-01", "--to", "2016-12-31"],
            {"from": "2016-01-01", "to": "2016-12-31"},
        ),
        (["--place", "France", "--from", "2017-01-01"], {"place": "France", "from": "2017-01-01"}),
    ],
    ids=["place", "dates", "place-and-date"],
)
def test_cli_filters_select_what_the_api_filters_select(client, test_index, options, params):
    """`loupe search` and `loupe export` read the same filter options (one decorator)
    and select what `/api/search` selects with the same filters."""
    index = ["--index", str(test_index)]
    api = client.get("/api/search", query_string={"q": "président", "per_page": 50, **params})
    expected = [h["id"] for h in api.get_json()["hits"]]
    everything = client.get("/api/search", query_string={"q": "président"}).get_json()["total"]
    assert 0 < api.get_json()["total"] < everything  # the filters do select
    found = CliRunner().invoke(
        main, ["search", "président", *index, *options, "--limit", "50", "--json"]
    )
    assert found.exit_code == 0, found.output
    assert [h["id"] for h in json.loads(found.output)["hits"]] == expected
    exported_cli = CliRunner().invoke(
        main, ["export", *index, "--query", "président", *options, "--format", "jsonl"]
    )
    assert exported_cli.exit_code == 0, exported_cli.output
    ids = [json.loads(line)["id"] for line in exported_cli.output.splitlines()]
    assert ids == [r["id"] for r in exported(client, q="président", **params)]


def test_cli_export_keeps_the_whole_index_json_form_and_explains_misuse(test_index):
    whole = CliRunner().invoke(main, ["export", "--index", str(test_index), "--json"])
    assert whole.exit_code == 0
    assert "sections" in json.loads(whole.output.splitlines()[0])
    neither = CliRunner().invoke(main, ["export", "--index", str(test_index)])
    assert neither.exit_code == 2 and "--json" in neither.output
    bad = CliRunner().invoke(main, ["export", "--index", str(test_index), "--query", "("])
    assert bad.exit_code == 2 and "requête mal formée" in bad.output


# -- CSV injection (OWASP) on a real index whose texts begin like formulas -----------------
FORMULA_TITLES = ['=HYPERLINK("http://x")', "+33 morts", "-2 %", "@SUM(A1)", "\tTab", "\rRetour"]


@pytest.fixture(scope="module")
def formula_index(tmp_path_factory):
    from search.indexer import index_corpus

    corpus = tmp_path_factory.mktemp("formula-corpus")
    records = [
        {
            "id": f"formula-{i}",
            "title": title,
            "date": "2024-03-0" + str(i + 1),
            "source": "=cmd|' /C calc'!A0",
            "text": f"{title} — la dépêche quinquagrammaire numéro {i}.",
        }
        for i, title in enumerate(FORMULA_TITLES)
    ]
    (corpus / "formulas.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", "utf-8"
    )
    index_dir = tmp_path_factory.mktemp("formula-index") / "index"
    index_corpus(corpus, index_dir, ner=False)
    return index_dir


def test_csv_cells_that_spreadsheets_would_evaluate_are_neutralised(formula_index):
    from web import create_app

    client = create_app({"TESTING": True, "LOUPE_INDEX": str(formula_index)}).test_client()
    text = client.get("/api/export?q=quinquagrammaire&format=csv").data.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(FORMULA_TITLES)
    for row in rows:
        for column in ("title", "source", "snippet"):
            assert not row[column].startswith(FORMULA_STARTS), (column, row[column])
        assert row["source"] == "'=cmd|' /C calc'!A0"
    # the reader strips a title's outer tab or CR; the four others stay and are neutralised
    assert sorted(r["title"] for r in rows if r["title"].startswith("'")) == sorted(
        "'" + t for t in FORMULA_TITLES[:4]
    )
    jsonl = client.get("/api/export?q=quinquagrammaire&format=jsonl").data.decode("utf-8")
    titles = {json.loads(line)["title"] for line in jsonl.splitlines()}
    sources = {json.loads(line)["source"] for line in jsonl.splitlines()}
    # JSON lines keep the exact text (the reader strips outer whitespace of a title)
    assert {t.strip() for t in FORMULA_TITLES} <= {t.strip() for t in titles}
    assert sources == {"=cmd|' /C calc'!A0"}


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_neutralise_prefixes_every_formula_start(start):
    assert neutralise(start + "1+1") == "'" + start + "1+1"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Mali : attaque") == "Mali : attaque"
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("") == ""
