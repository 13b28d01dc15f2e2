"""Incremental `loupe index` on a real OpenSearch node: after adding, changing,
removing and renaming files, the live index answers as a full rebuild of the
same folder does (same ids, paths, checksums, entities; same hits and facets)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from search.indexer import index_corpus
from search.searcher import Searcher

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
HTML = sorted((REPO / "corpus" / "html").glob("*.html"))
RECORDS = (REPO / "corpus" / "wikinews-winer.jsonl").read_text("utf-8").splitlines()
QUERIES = ["securite", "Mali", "attaque", "président", "élections", "football"]


def backend_for(url: str, name: str):
    from search.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(url, index_name=name)
    for index in [*backend.generations(), f"{name}-manifests"]:
        backend.client.indices.delete(index=index, ignore_unavailable=True)
    return backend


def snapshot(backend) -> dict:
    searcher = Searcher(backend)
    articles = {
        a.id: (a.path, a.checksum, sorted((e.type, e.canonical) for e in a.entities))
        for a in backend.all_articles()
    }
    searches = {}
    for q in QUERIES:
        r = searcher.search(q, per_page=100, with_snippets=False)
        facets = {f: sorted((v.value, v.count) for v in vs) for f, vs in r.facets.items()}
        searches[q] = (r.total, sorted(h.id for h in r.hits), facets)
    return {"articles": articles, "searches": searches}


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for p in HTML[:10]:
        shutil.copy(p, folder / p.name)
    (folder / "depeches.jsonl").write_text("\n".join(RECORDS[:15]) + "\n", "utf-8")
    return folder


def test_updates_on_opensearch_match_a_full_rebuild(opensearch_url, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    live = backend_for(opensearch_url, "loupe-incr")
    options = {"ner": True, "ner_cache": tmp_path / "ner.sqlite"}
    first = index_corpus(corpus, tmp_path / "ix", backend=live, **options)
    assert first.mode == "full" and first.indexed == 25
    generation = live.current_generation()

    def check() -> None:
        fresh = backend_for(opensearch_url, "loupe-fresh")
        index_corpus(corpus, tmp_path / "ix-fresh", backend=fresh, full=True, **options)
        assert snapshot(live) == snapshot(fresh)

    shutil.copy(HTML[30], corpus / HTML[30].name)
    page = corpus / HTML[0].name
    page.write_text(
        page.read_text("utf-8").replace("<p>", "<p>Emmanuel Macron est à Bamako. ", 1), "utf-8"
    )
    lines = RECORDS[:15] + RECORDS[40:42]
    record = json.loads(lines[2])
    record["title"] += " : Ségolène Royal à Tombouctou"
    lines[2] = json.dumps(record, ensure_ascii=False)
    (corpus / "depeches.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (corpus / HTML[4].name).unlink()
    report = index_corpus(corpus, tmp_path / "ix", backend=live, **options)
    assert report.mode == "incremental"
    assert (report.added, report.updated, report.removed) == (3, 2, 1)
    assert live.current_generation() == generation, "updated in place, behind the same alias"
    check()

    (corpus / HTML[1].name).rename(corpus / ("z-" + HTML[1].name))
    report = index_corpus(corpus, tmp_path / "ix", backend=live, **options)
    assert report.mode == "incremental" and (report.added, report.removed) == (1, 1)
    check()

    report = index_corpus(corpus, tmp_path / "ix", backend=live, **options)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == 27
