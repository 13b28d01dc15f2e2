"""Batch search (issue 17.1, 19): one row per line, on the real index, app and CLI."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from click.testing import CliRunner

from search.batch import BatchLimits
from search.cli import EXIT_SKIPPED, main
from search.searcher import Searcher

# 60 fuzzy words: expanding them (a Levenshtein automaton each) and scoring them
# costs tens of times what a one-word line costs; the timed test sets its limit
# between the two, measured on the same machine at the same moment.
SLOW_LINE = " OR ".join(
    f"{w}~"
    for w in [
        "armee",
        "malienne",
        "attaque",
        "president",
        "gouvernement",
        "election",
        "ministre",
        "francais",
        "politique",
        "economie",
        "securite",
        "militaire",
        "terroriste",
        "frontiere",
        "population",
        "manifestation",
        "parlement",
        "opposition",
        "presidentielle",
        "democratie",
        "elections",
        "candidat",
        "victoire",
        "defaite",
        "journaliste",
        "conference",
        "negociation",
        "agriculture",
        "entreprise",
        "chomage",
        "education",
        "universite",
        "hopital",
        "epidemie",
        "vaccination",
        "tribunal",
        "justice",
        "condamnation",
        "enquete",
        "policier",
        "gendarmerie",
        "incendie",
        "inondation",
        "tempete",
        "secheresse",
        "pollution",
        "energie",
        "nucleaire",
        "petrole",
        "transport",
        "aeroport",
        "commerce",
        "exportation",
        "industrie",
        "syndicat",
        "greve",
        "retraite",
        "salaire",
        "budget",
        "deficit",
    ]
)


def timed_app_client(test_index, time_per_query: float):
    """The app with a short time per query, a small line limit and the real index,
    warmed: the good lines' tables (gazetteer, derivations, acronyms) are open,
    as a batch meets them after its first line."""
    from web import create_app

    limits = BatchLimits(max_lines=50, time_per_query=time_per_query)
    app = create_app(
        {"TESTING": True, "LOUPE_INDEX": str(test_index), "LOUPE_BATCH_LIMITS": limits}
    )
    client = app.test_client()
    client.get("/api/search?q=mali")
    client.post("/api/batch", data="\n".join(GOOD_LINES), content_type="text/plain")
    return client


GOOD_LINES = ["Tinzawaten", "mali", "président"]


@pytest.fixture(scope="module")
def timed_client(test_index):
    return timed_app_client(test_index, 0.1)


def line_costs(test_index) -> tuple[float, float]:
    """Seconds the slowest good line and the slow line take here, now (best of 3)."""
    searcher = Searcher.open(test_index)
    for line in GOOD_LINES:
        searcher.search(line)

    def best(line: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            searcher.search(line)
            times.append(time.perf_counter() - started)
        return min(times)

    return max(best(line) for line in GOOD_LINES), best(SLOW_LINE)


def post_batch(client, body: str | bytes, status: int = 200, **query) -> dict:
    response = client.post(
        "/api/batch",
        data=body.encode("utf-8") if isinstance(body, str) else body,
        content_type="text/plain",
        query_string=query,
    )
    assert response.status_code == status, response.data[:500]
    return response.get_json()


def total_of(client, **params) -> int:
    return client.get("/api/search", query_string=params).get_json()["total"]


def test_each_line_gets_its_own_row_with_the_right_status(test_index):
    fast, slow = line_costs(test_index)
    assert slow > 8 * fast, (fast, slow)  # the slow line is slow by design
    limit = float(f"{(fast * slow) ** 0.5:.3g}")  # a wide margin on both sides
    timed_client = timed_app_client(test_index, limit)
    lines = ["Tinzawaten", "mali", "titre:", "", "a" * 5000, SLOW_LINE, "président"]
    data = post_batch(timed_client, "\n".join(lines) + "\n")
    rows = data["rows"]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error", "error", "error", "ok"]
    assert "requête mal formée" in rows[2]["error"] and "titre:" in rows[2]["error"]
    assert "ligne vide" in rows[3]["error"]
    assert "5000 caractères, 1000 au plus" in rows[4]["error"]
    assert f"temps dépassé ({limit:g} s par requête)" in rows[5]["error"] and rows[5]["partial"]
    assert rows[1]["total"] == total_of(timed_client, q="mali") > 0
    assert rows[6]["total"] == total_of(timed_client, q="président") > 0
    assert all(r["error"] == "" for r in rows if r["status"] == "ok")
    assert data["limits"]["time_per_query_s"] == limit and data["not_run"] is None


def test_rows_carry_dates_sources_co_occurring_names_hits_and_a_link(client):
    (row,) = post_batch(client, "président")["rows"]
    oldest = client.get("/api/search?q=président&sort=oldest&per_page=1").get_json()
    newest = client.get("/api/search?q=président&sort=newest&per_page=1").get_json()
    assert row["first"] == oldest["hits"][0]["published"]
    assert row["last"] == newest["hits"][0]["published"]
    page = client.get("/api/search?q=président&per_page=3").get_json()
    assert [h["id"] for h in row["hits"]] == [h["id"] for h in page["hits"]]
    assert all(h["snippet"] and "<mark>" not in h["snippet"] for h in row["hits"])
    assert row["persons"] == [f["value"] for f in page["facets"]["persons"][:5]]
    assert row["sources"] == [f["value"] for f in page["facets"]["sources"][:5]]
    assert row["search"] == "q=pr%C3%A9sident"


def test_aliases_found_are_reported_and_only_those(client, app):
    (row,) = post_batch(client, "Tinzawaten")["rows"]
    assert row["status"] == "ok" and row["total"] >= 1
    forms = app.extensions["loupe.searcher"].backend.gazetteer().variants("Tinzawaten")
    assert "Tinzaouaten" in row["aliases"]
    for form in forms:
        if form.lower() == "tinzawaten":
            continue
        found = total_of(client, q=f'"{form}"') > 0
        assert (form in row["aliases"]) == found, form


def test_csv_output_opens_in_the_csv_module_with_accents_and_bom(client):
    response = client.post(
        "/api/batch?format=csv&bom=1", data="président\nélection\ntitre:\n", content_type="text/csv"
    )
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert [r["query"] for r in rows] == ["président", "élection", "titre:"]
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    for column in ("line", "query", "status", "error", "total", "first", "last", "aliases"):
        assert column in rows[0]
    assert any("é" in r["persons"] + r["places"] + r["top_hits"] for r in rows)


def test_jsonl_output_is_one_row_per_line(client):
    body = "mali\n\nfrance\n\n\n"
    response = client.post("/api/batch?format=jsonl", data=body, content_type="text/plain")
    assert response.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in response.data.decode().splitlines()]
    assert [(r["line"], r["status"]) for r in rows] == [(1, "ok"), (2, "error"), (3, "ok")]
    notes = post_batch(client, body)["notes"]
    assert notes == ["2 ligne(s) vide(s) en fin de fichier ignorée(s)"]


def test_csv_with_header_quoted_commas_newlines_filters_in_cp1252(client):
    text = (
        'query;label;place\r\n"Wagner, Africa Corps";groupe armé;\r\n'
        'président;"une étiquette\r\nsur deux lignes";France\r\n'
        "élection;ligne 5;\r\n"
    )
    data = post_batch(client, text.encode("cp1252"))
    assert data["mode"] == "csv" and data["encoding"] == "cp1252" and data["notes"]
    rows = data["rows"]
    assert [r["line"] for r in rows] == [2, 3, 5]
    assert rows[0]["query"] == "Wagner, Africa Corps"  # a comma is never a hidden operator
    assert rows[0]["total"] == total_of(client, q="Wagner, Africa Corps")
    assert rows[1]["label"] == "une étiquette\nsur deux lignes"
    assert rows[1]["total"] == total_of(client, q="président", place="France")
    assert rows[2]["query"] == "élection" and rows[2]["status"] == "ok"


def test_csv_row_with_a_bad_date_or_extra_cells_fails_alone(client):
    text = "query,from\nmali,2024-02-30\nmali,2016-01-01,oops\nmali,2016-01-01\n"
    rows = post_batch(client, text)["rows"]
    assert [r["status"] for r in rows] == ["error", "error", "ok"]
    assert "date attendue" in rows[0]["error"] and "de trop" in rows[1]["error"]
    assert rows[2]["total"] == total_of(client, q="mali", **{"from": "2016-01-01"})


def test_100000_lines_run_up_to_the_limit_and_report_the_rest(timed_client):
    body = "\n".join(f"mali {i}" for i in range(100_000))
    data = post_batch(timed_client, body)
    assert len(data["rows"]) == 50 and data["lines"] == 100_000
    assert data["not_run"] == {
        "from_line": 51,
        "to_line": 100_000,
        "count": 99_950,
        "reason": "limite de 50 lignes par lot : découpez la liste",
    }
    csv_text = timed_client.post(
        "/api/batch?format=csv", data=body, content_type="text/plain"
    ).data.decode()
    last = list(csv.DictReader(io.StringIO(csv_text, newline="")))[-1]
    assert last["status"] == "error" and "lignes 51 à 100000 non exécutées" in last["error"]


def test_a_line_with_64_operators_runs_and_65_terms_is_explained(client):
    ok = " OR ".join(["mali"] * 64)
    too_many = " OR ".join(["mali"] * 65)
    rows = post_batch(client, f"{ok}\n{too_many}\n")["rows"]
    assert rows[0]["status"] == "ok" and rows[0]["total"] == total_of(client, q="mali")
    assert rows[1]["status"] == "error" and "trop de termes : 65, 64 au plus" in rows[1]["error"]


def test_total_time_limit_reports_every_line_it_cut(test_index):
    from web import create_app

    limits = BatchLimits(total_time=0.001)
    app = create_app(
        {"TESTING": True, "LOUPE_INDEX": str(test_index), "LOUPE_BATCH_LIMITS": limits}
    )
    rows = post_batch(app.test_client(), "mali\nfrance\nprésident\n")["rows"]
    assert rows[0]["status"] == "ok"
    assert [r["status"] for r in rows[1:]] == ["error", "error"]
    assert all("temps total du lot dépassé" in r["error"] for r in rows[1:])


# -- refusals of the input as a whole ------------------------------------------------------
def test_a_50_mb_upload_is_a_413_stating_the_limit(client):
    big = b"mali\n" * (10 * 1024 * 1024)
    response = client.post("/api/batch", data=big, content_type="text/plain")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large" and "2 Mo au plus" in error["message"]
    upload = client.post(
        "/api/batch",
        data={"file": (io.BytesIO(big), "liste.txt")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 413 and upload.is_json


@pytest.mark.parametrize(
    "body, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "pas un fichier texte"),
        (b"query,label\n", "en-tête seul"),
        (b"query;label\r\n\r\n", "en-tête seul"),
        (b"", "fichier vide"),
        (b"\n\n  \n", "fichier vide"),
    ],
    ids=["binary", "header-only", "header-only-semicolon", "empty", "blank"],
)
def test_unusable_input_is_a_400_with_the_limits(client, body, message):
    error = post_batch(client, body, status=400)["error"]
    assert error["code"] == "invalid_batch" and message in error["message"]
    assert error["limits"]["max_lines"] == 1000


@pytest.mark.parametrize("content_type", ["application/json", "image/png", ""])
def test_wrong_content_type_is_a_415_json_error(client, content_type):
    response = client.post("/api/batch", data=b"mali", content_type=content_type or None)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_get_on_the_batch_api_is_a_405(client):
    response = client.get("/api/batch")
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


# -- the page, without JavaScript ----------------------------------------------------------
def test_page_runs_a_pasted_list_and_links_each_row_to_its_search(client):
    form = client.get("/batch").data.decode()
    assert 'name="lines"' in form and 'type="file"' in form and "1000 lignes par lot" in form
    response = client.post(
        "/batch", data={"lines": "Tinzawaten\ntitre:\nmali"}, content_type="multipart/form-data"
    )
    html = response.data.decode()
    assert response.status_code == 200 and html.count('class="batch-row ') == 3
    assert "batch-row--error" in html and "Tinzaouaten" in html
    assert 'href="/search?q=Tinzawaten"' in html
    assert client.get("/search?q=Tinzawaten").status_code == 200


def test_page_upload_and_csv_download(client):
    upload = client.post(
        "/batch",
        data={"file": (io.BytesIO("président\nélection\n".encode("cp1252")), "liste.txt")},
        content_type="multipart/form-data",
    )
    assert upload.data.decode().count('class="batch-row ') == 2
    download = client.post(
        "/batch", data={"lines": "mali", "format": "csv"}, content_type="multipart/form-data"
    )
    assert download.mimetype == "text/csv" and download.data.startswith(b"\xef\xbb\xbf")


def test_page_refuses_a_binary_upload_with_a_message(client):
    response = client.post(
        "/batch",
        data={"file": (io.BytesIO(b"\x00\x01\x02" * 100), "x.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "pas un fichier texte" in response.data.decode()


def test_hostile_article_is_inert_in_batch_rows(client):
    from conftest import HOSTILE_ID, HOSTILE_WORD, SCRIPT

    (row,) = post_batch(client, HOSTILE_WORD)["rows"]
    assert row["hits"][0]["id"] == HOSTILE_ID and row["hits"][0]["title"].startswith(SCRIPT)
    html = client.post(
        "/batch", data={"lines": f"{HOSTILE_WORD}\n{SCRIPT}"}, content_type="multipart/form-data"
    ).data.decode()
    table = html[html.index("<table") :]
    assert SCRIPT not in table and "&lt;script&gt;" in table


# -- the CLI -------------------------------------------------------------------------------
def test_cli_batch_writes_a_row_per_line(test_index, tmp_path):
    listing = tmp_path / "liste.txt"
    listing.write_text("Tinzawaten\n\ntitre:\nprésident\n", "utf-8")
    out = tmp_path / "rows.csv"
    args = ["batch", str(listing), "--index", str(test_index), "--format", "csv", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"), newline="")))
    assert [r["status"] for r in rows] == ["ok", "error", "error", "ok"]
    assert "Tinzaouaten" in rows[0]["aliases"]
    assert "2 lignes ok, 2 en erreur" in result.output


def test_cli_batch_reports_lines_past_the_limit_and_refuses_binary(test_index, tmp_path):
    listing = tmp_path / "long.txt"
    listing.write_text("\n".join(f"mali {i}" for i in range(100_000)), "utf-8")
    args = ["batch", str(listing), "--index", str(test_index), "--max-lines", "5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_SKIPPED
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6 and "lignes 6 à 100000 non exécutées (99995)" in rows[-1]["error"]
    assert "non exécutées" in result.stderr
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02" * 50)
    refused = CliRunner().invoke(main, ["batch", str(binary), "--index", str(test_index)])
    assert refused.exit_code == 1 and "pas un fichier texte" in refused.output
