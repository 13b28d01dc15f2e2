"""Smoke tests for the benchmark harness (bench/): its pieces run and measure
what they claim to, on a 50-article corpus, in a few seconds. The benchmarks
themselves are not tests; these only guard the harness against rot."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import corpora
from bench.corpora import corpus_stats, generate_synthetic, iter_docs
from bench.engines import get_engine
from bench.engines.base import BenchQuery
from bench.engines.fts5 import match_expression
from bench.metrics import mrr_at, ndcg_at, recall_at
from bench.query import load_bench_queries, percentile

SEED_LIKE = "Sécurité au Mali\nUne attaque près de Tinzaouaten a visé l'armée malienne.\n"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate_synthetic(50, folder / "synth.jsonl", seed=7)
    (folder / "000_example.txt").write_text(SEED_LIKE, encoding="utf-8")
    return folder


def test_synthetic_corpus_is_identical_for_the_same_seed(tmp_path: Path) -> None:
    a = generate_synthetic(50, tmp_path / "a.jsonl", seed=7).read_bytes()
    b = generate_synthetic(50, tmp_path / "b.jsonl", seed=7).read_bytes()
    c = generate_synthetic(50, tmp_path / "c.jsonl", seed=8).read_bytes()
    assert a == b
    assert a != c


def test_synthetic_corpus_folder_is_sharded_without_changing_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpora, "SHARD_SIZE", 20)
    folder = corpora.synthetic_corpus_dir(50, root=tmp_path, seed=7)
    shards = sorted(folder.iterdir())
    assert [p.name for p in shards] == ["synth-0001.jsonl", "synth-0002.jsonl", "synth-0003.jsonl"]
    whole = generate_synthetic(50, tmp_path / "whole.jsonl", seed=7).read_bytes()
    assert b"".join(p.read_bytes() for p in shards) == whole


def test_synthetic_articles_have_the_real_record_shape(tmp_path: Path) -> None:
    path = generate_synthetic(50, tmp_path / "s.jsonl", seed=7)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records[:2]] == ["synth-000001", "synth-000002"]
    assert len(records) == 50
    for r in records:
        assert r["text"].startswith(r["title"] + "\n")
        assert "2012-05-01" <= r["date"] <= "2019-01-31"
        assert r["html"].startswith("<h1>")


def test_corpus_folder_reads_jsonl_and_text_files(small_corpus: Path) -> None:
    docs = list(iter_docs(small_corpus))
    assert len(docs) == 51
    assert docs[0].id == "000_example" and docs[0].title == "Sécurité au Mali"
    assert corpus_stats(small_corpus).articles == 51


@pytest.mark.parametrize("engine_name", ["whoosh", "fts5", "tantivy"])
def test_baseline_builds_an_index_that_answers(
    engine_name: str, small_corpus: Path, tmp_path: Path
) -> None:
    engine = get_engine(engine_name)
    assert engine.build(small_corpus, tmp_path / "ix") == 51
    session = engine.open(tmp_path / "ix", operator="and")
    try:
        outcome = session.search(BenchQuery("Tinzaouaten malienne"), snippets=True)
        assert outcome.ids == ["000_example"]
        assert outcome.total == 1
        assert outcome.snippets == 1
        assert session.search(BenchQuery("zzzunknownword"), snippets=False).total == 0
    finally:
        session.close()


def test_fts5_query_cannot_inject_syntax() -> None:
    expr = match_expression(BenchQuery("l'armée NEAR -x \"a b"), "or")
    assert expr == '"l" OR "armée" OR "NEAR" OR "x" OR "a" OR "b"'


def test_ndcg_mrr_recall_match_a_hand_computed_example() -> None:
    judged = {"a": 2, "b": 1, "c": 1}
    ranked = ["x", "b", "a"]
    # DCG  = 0/log2(2) + (2^1-1)/log2(3) + (2^2-1)/log2(4) = 0.63093 + 1.5
    # IDCG = 3/log2(2) + 1/log2(3) + 1/log2(4)             = 3 + 0.63093 + 0.5
    assert ndcg_at(ranked, judged) == pytest.approx(2.13093 / 4.13093, abs=1e-5)
    assert mrr_at(ranked, judged) == 0.5
    assert recall_at(ranked, judged) == pytest.approx(2 / 3)
    assert ndcg_at(["a", "b", "c"], judged) == pytest.approx(1.0)
    # A repeated id earns nothing the second time.
    assert ndcg_at(["a", "a"], judged) == pytest.approx(3 / 4.13093, abs=1e-5)


def test_ndcg_cuts_at_k() -> None:
    judged = {"r": 1}
    assert ndcg_at([*"abcdefghij", "r"], judged, k=10) == 0.0
    assert ndcg_at([*"abcdefghi", "r"], judged, k=10) == pytest.approx(1 / math.log2(11))


def test_bench_queries_parse_kinds_and_filters() -> None:
    queries = load_bench_queries()
    assert 100 <= len(queries) <= 200  # the real mix (issue 13), every kind represented
    kinds = {q.kind for q in queries}
    assert {"entity", "long", "question", "acronym", "typo", "phrase", "filter"} <= kinds
    filtered = [q for q in queries if q.filters]
    assert filtered and all(q.kind == "filter" for q in filtered)
    assert any(q.filters.get("place") == ("Mali",) for q in filtered)


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0


def test_relevance_halves_split_the_file_by_line_parity() -> None:
    from bench.metrics import Scores
    from bench.relevance import QueryResult, format_halves

    def result(i: int, kind: str, ndcg: float) -> QueryResult:
        return QueryResult(f"q{i}", kind, "mots", [], Scores(ndcg, 0.0, 0.0))

    # lines 0 and 2 are even, 1 and 3 odd; the kinds are interleaved
    rows = [result(0, "a", 1.0), result(1, "a", 0.5), result(2, "b", 0.25), result(3, "b", 0.0)]
    table = format_halves({"loupe": rows})
    assert "| a | 2 | 1.000 / 0.500 |" in table
    assert "| b | 2 | 0.250 / 0.000 |" in table
    assert "| **all** | 4 | 0.625 / 0.250 |" in table


def test_relevance_variants_list_and_refuse_an_unknown_name(capsys) -> None:
    from bench.relevance_variants import main

    assert main(["--list"]) == 0
    listed = capsys.readouterr().out
    assert "shipped" in listed and "proximity" in listed
    with pytest.raises(SystemExit) as stopped:
        main(["--variant", "nothing-like-this"])
    assert stopped.value.code == 2
    assert "unknown variant" in capsys.readouterr().err
