"""`loupe` commands through click's runner, on a real index built from real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bundled import SEED_ID, write_sample
from click.testing import CliRunner

from search.cli import EXIT_SKIPPED, main


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("corpus"), every=40)


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("index")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(index_dir), "--no-ner"])
    assert result.exit_code == 0, result.output
    return index_dir


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_index_prints_a_summary(corpus, tmp_path):
    result = run("index", str(corpus), "--index", str(tmp_path / "ix"), "--no-ner")
    assert result.exit_code == 0, result.output
    assert "articles indexés" in result.output
    assert "durée" in result.output


def test_index_of_a_missing_folder_fails_in_one_line(tmp_path):
    result = run("index", str(tmp_path / "absent"), "--index", str(tmp_path / "ix"), "--no-ner")
    assert result.exit_code == 1
    assert "n'existe pas" in result.output
    assert "Traceback" not in result.output


def test_index_of_an_empty_folder_fails_in_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("index", str(tmp_path / "empty"), "--index", str(tmp_path / "ix"), "--no-ner")
    assert result.exit_code == 1
    assert "aucun article lisible" in result.output


def test_index_reports_skipped_files_and_exit_status_says_so(corpus, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text((corpus / f"{SEED_ID}.txt").read_text("utf-8"), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    result = run("index", str(folder), "--index", str(tmp_path / "ix"), "--no-ner")
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "empty.txt" in result.output
    assert "1 articles indexés" in result.output


def test_strict_index_refuses_to_switch_when_a_file_is_skipped(corpus, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text((corpus / f"{SEED_ID}.txt").read_text("utf-8"), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    result = run("index", str(folder), "--index", str(tmp_path / "ix"), "--no-ner", "--strict")
    assert result.exit_code == 1
    assert "--strict" in result.output
    assert run("stats", "--index", str(tmp_path / "ix")).exit_code == 1


def test_search_finds_the_seed_without_accents(index):
    result = run("search", "securite", "--index", str(index))
    assert result.exit_code == 0, result.output
    assert SEED_ID in result.output


def test_search_json_has_the_documented_shape(index):
    result = run("search", "Tinzawaten", "--index", str(index), "--json")
    data = json.loads(result.output)
    assert data["total"] >= 1
    hit = data["hits"][0]
    assert hit["id"] == SEED_ID
    assert {"id", "title", "score", "published", "source", "url", "snippets"} <= set(hit)
    assert hit["published"] == "2024-08-01"
    assert any("<mark>" in s["html"] for s in hit["snippets"])


def test_elided_and_unaccented_queries_give_the_same_top_results(index):
    a = json.loads(run("search", "l'armée malienne", "--index", str(index), "--json").output)
    b = json.loads(run("search", "armee", "malienne", "--index", str(index), "--json").output)
    assert [h["id"] for h in a["hits"][:5]] == [h["id"] for h in b["hits"][:5]]


def test_malformed_query_is_a_clear_error(index):
    result = run("search", "personne:", "--index", str(index))
    assert result.exit_code == 2
    assert "requête mal formée" in result.output
    assert "Traceback" not in result.output


def test_search_without_index_says_so(tmp_path):
    result = run("search", "mali", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "loupe index" in result.output


def test_bad_date_option_is_refused(index):
    result = run("search", "mali", "--index", str(index), "--from", "hier")
    assert result.exit_code == 2
    assert "AAAA-MM-JJ" in result.output


def test_stats_counts_articles(index):
    result = run("stats", "--index", str(index))
    assert result.exit_code == 0
    assert "articles :" in result.output


def test_export_writes_one_json_line_per_article(index):
    result = run("export", "--index", str(index), "--json")
    lines = [json.loads(line) for line in result.output.splitlines()]
    stats = run("stats", "--index", str(index)).output
    count = int(
        next(line for line in stats.splitlines() if line.startswith("articles")).split(":")[1]
    )
    assert len(lines) == count
    seed = next(a for a in lines if a["id"] == SEED_ID)
    assert [s["heading"] for s in seed["sections"]][1:] == [
        "La présence des services secrets ukrainiens au Mali",
        "Echange téléphonique entre le ministre des étrangères de Russie et son homologue du Mali",
    ]
    assert {"id", "title", "published", "source", "url", "sections", "entities"} <= set(seed)
