"""Sentence vectors that reorder the best lexical results (search.semantic),
with the real encoder (its weights ship in its package), a real Whoosh index
on disk built by the real pipeline, and the real searcher.

Each test names one behaviour: vectors are made at index time and only for
what changed, they lift the article that means what the query means above one
that merely repeats a query word, they never add or drop a result, and an
index built without them ranks as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import OPENSEARCH_SKIP_REASON

from search.core.ranking import fuse_semantic

ARTICLES = {
    # means what the query asks; the query word once, in a longer text
    "seisme": (
        "Séisme dans les Abruzzes",
        "Une secousse a frappé le centre de l'Italie dans la nuit : le tremblement de "
        "terre a fait des dizaines de morts et détruit des villages.",
    ),
    # the query word once too, in a shorter text (BM25 prefers it), about the markets
    "bourse": (
        "La Bourse de Paris recule",
        "Nouvelle secousse sur les marchés : le CAC 40 perd 3 %.",
    ),
    "pluie": ("Météo", "De fortes pluies sont attendues sur la Bretagne ce week-end."),
}


def _write(folder: Path, articles: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"id": k, "title": t, "date": "2024-05-01", "text": x}, ensure_ascii=False)
        for k, (t, x) in articles.items()
    ]
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("semantic") / "corpus", ARTICLES)


@pytest.fixture(scope="module")
def plain_index(corpus, tmp_path_factory) -> Path:
    from search.indexer import index_corpus

    index_dir = tmp_path_factory.mktemp("plain-index")
    index_corpus(corpus, index_dir, ner=False)
    return index_dir


@pytest.fixture(scope="module")
def semantic_index(corpus, tmp_path_factory) -> Path:
    from search.indexer import index_corpus

    index_dir = tmp_path_factory.mktemp("semantic-index")
    report = index_corpus(corpus, index_dir, ner=False, semantic=True)
    assert report.semantic_encoded == len(ARTICLES)
    return index_dir


def ids(index_dir: Path, query: str, **options) -> list[str]:
    from search.searcher import Searcher

    results = Searcher.open(index_dir).search(query, with_facets=False, **options)
    return [h.id for h in results.hits]


def test_fusion_scales_both_halves_to_the_best_candidate():
    fused = fuse_semantic([10.0, 5.0], [0.2, 0.4])
    # lexical: 1 and 0.5; vectors: 0.5 and 1 (× the weight): the second catches up
    assert fused[0] > 1.0 and fused[1] > 0.5 and fused[1] - 0.5 > fused[0] - 1.0
    assert fuse_semantic([3.0], [-0.2]) == [1.0]  # a negative cosine adds nothing
    assert fuse_semantic([], []) == []


def test_index_time_vectors_one_per_article(semantic_index):
    from search.semantic import load_table

    table = load_table(semantic_index)
    assert table is not None and sorted(table.ids) == sorted(ARTICLES)
    norms = np.linalg.norm(table.vectors.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)


def test_an_index_built_without_vectors_has_none_and_ranks_lexically(plain_index):
    from search.semantic import load_table

    assert load_table(plain_index) is None
    assert ids(plain_index, "secousse tellurique")[0] == "bourse"


def test_vectors_lift_the_article_meaning_the_query_above_one_merely_sharing_its_word(
    plain_index, semantic_index
):
    query = "secousse tellurique"
    assert ids(plain_index, query)[0] == "bourse"  # lexically, the shorter text wins
    found = ids(semantic_index, query)
    assert found[0] == "seisme"
    # reordering only: the same articles are found, the total is the same
    assert sorted(found) == sorted(ids(plain_index, query))


def test_sorting_by_date_is_not_reordered(plain_index, semantic_index):
    for sort in ("newest", "oldest"):
        assert ids(semantic_index, "secousse tellurique", sort=sort) == ids(
            plain_index, "secousse tellurique", sort=sort
        )


def test_a_later_run_encodes_only_the_articles_that_changed(corpus, tmp_path):
    from search.indexer import index_corpus
    from search.semantic import load_table

    folder = _write(tmp_path / "corpus", ARTICLES)
    index_dir = tmp_path / "index"
    assert index_corpus(folder, index_dir, ner=False, semantic=True).semantic_encoded == 3
    before = load_table(index_dir)
    changed = dict(ARTICLES, pluie=("Météo", "Un grand soleil sur toute la Bretagne demain."))
    _write(folder, changed)
    report = index_corpus(folder, index_dir, ner=False, semantic=True)
    assert report.semantic_encoded == 1
    after = load_table(index_dir)
    assert sorted(after.ids) == sorted(ARTICLES)
    kept = before.vectors[before.row["seisme"]]
    assert np.array_equal(after.vectors[after.row["seisme"]], kept)
    assert not np.array_equal(
        after.vectors[after.row["pluie"]], before.vectors[before.row["pluie"]]
    )


def test_the_cli_builds_the_vectors_on_request_and_says_so(corpus, tmp_path):
    from click.testing import CliRunner

    from search.cli import main

    index_dir = tmp_path / "index"
    runner = CliRunner()
    args = ["index", str(corpus), "--index", str(index_dir), "--no-ner", "--workers", "1", "-q"]
    result = runner.invoke(main, [*args, "--semantic"])
    assert result.exit_code == 0, result.output
    assert "vecteurs de phrase : 3" in result.output
    searched = runner.invoke(main, ["search", "--index", str(index_dir), "secousse tellurique"])
    assert searched.exit_code == 0, searched.output
    assert searched.output.index("Séisme") < searched.output.index("Bourse")


@pytest.mark.opensearch
@pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or "")
def test_both_backends_reorder_alike(request, corpus, semantic_index, tmp_path):
    from search.backends.opensearch import OpenSearchBackend
    from search.indexer import index_corpus
    from search.searcher import Searcher

    backend = OpenSearchBackend(request.getfixturevalue("opensearch_url"), "loupe-semantic")
    index_dir = tmp_path / "os-index"
    report = index_corpus(corpus, index_dir, ner=False, backend=backend, semantic=True)
    assert report.semantic_encoded == len(ARTICLES)
    opensearch = Searcher(backend, index_dir=index_dir)
    for query in ("secousse tellurique", "Bourse", "pluies Bretagne"):
        found = [h.id for h in opensearch.search(query, with_facets=False).hits]
        assert found == ids(semantic_index, query), query
    assert [h.id for h in opensearch.search("secousse tellurique").hits][0] == "seisme"


def test_the_encoder_reads_a_known_acronym_spelled_out():
    from search.gazetteer import Gazetteer, GazetteerEntry
    from search.semantic import spelled_out

    gazetteer = Gazetteer([GazetteerEntry("Comité international olympique", "ORG", ("CIO",))])
    assert spelled_out("CIO Jeux olympiques", gazetteer) == (
        "CIO (Comité international olympique) Jeux olympiques"
    )
    # typed in lower case, or unknown, a word is left as typed
    assert spelled_out("le cio", gazetteer) == "le cio"
    assert spelled_out("ONU Genève", gazetteer) == "ONU Genève"
    assert spelled_out("CIO", None) == "CIO"
