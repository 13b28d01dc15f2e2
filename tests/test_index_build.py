"""Building the Whoosh index: atomic switch, failures that lose nothing, the build lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from search.article import Article, Section
from search.backends.whoosh import WhooshBackend, store
from search.backends.whoosh.store import IndexBusy
from search.indexer import EmptyCorpus, index_corpus
from search.readers import CorpusError
from search.searcher import Searcher

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_ca1515ff46768185.txt"


def make_article(i: int, word: str = "sécurité") -> Article:
    return Article(
        id=f"a{i}",
        title=f"Article {i} sur la {word}",
        sections=[Section(None, f"Texte numéro {i} qui parle de {word} au Mali.")],
    )


def test_build_then_search_finds_the_articles(tmp_path):
    backend = WhooshBackend(tmp_path / "ix")
    assert backend.build(make_article(i) for i in range(5)) == 5
    results = Searcher(backend).search("securite")
    assert results.total == 5


def test_failed_build_leaves_the_previous_index_searchable(tmp_path):
    root = tmp_path / "ix"
    backend = WhooshBackend(root)
    backend.build(make_article(i, "sécurité") for i in range(3))
    first = store.current_generation(root)

    def broken():
        yield make_article(10, "inondation")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        backend.build(broken())
    assert store.current_generation(root) == first
    assert Searcher(WhooshBackend(root)).search("securite").total == 3
    assert Searcher(WhooshBackend(root)).search("inondation").total == 0
    assert not list(root.glob("*.building")), "the failed build's folder is removed"


def test_a_new_generation_is_picked_up_without_reopening(tmp_path):
    root = tmp_path / "ix"
    backend = WhooshBackend(root)
    backend.build(make_article(i, "sécurité") for i in range(2))
    searcher = Searcher(backend)
    assert searcher.search("inondation").total == 0
    WhooshBackend(root).build(make_article(i, "inondation") for i in range(4))
    assert searcher.search("inondation").total == 4


def test_old_generations_are_pruned_but_the_previous_one_is_kept(tmp_path):
    root = tmp_path / "ix"
    for n in range(4):
        WhooshBackend(root).build(make_article(i) for i in range(n + 1))
    gens = [p for p in root.glob("gen-*") if p.is_dir()]
    assert len(gens) == store.KEEP_GENERATIONS


def test_an_orphan_generation_never_outlives_the_one_that_served(tmp_path):
    """A build killed between its rename and the switch leaves a complete,
    never-served generation; the next build keeps the one that was serving."""
    root = tmp_path / "ix"
    WhooshBackend(root).build(make_article(i) for i in range(2))
    serving = store.current_generation(root)
    orphan = root / "gen-29991231T235959-1-000001"  # sorts after every real name
    orphan.mkdir()
    (orphan / "meta.json").write_text("{}", encoding="utf-8")
    WhooshBackend(root).build(make_article(i) for i in range(3))
    names = {p.name for p in root.glob("gen-*") if p.is_dir()}
    assert names == {serving, store.current_generation(root)}


def test_second_build_on_the_same_folder_is_refused_while_one_runs(tmp_path):
    root = tmp_path / "ix"
    with store.build_lock(root), pytest.raises(IndexBusy, match="already building"):
        WhooshBackend(root).build(make_article(i) for i in range(2))


def test_killed_build_leaves_no_stale_lock_and_the_old_index_serving(tmp_path):
    root = tmp_path / "ix"
    WhooshBackend(root).build(make_article(i) for i in range(3))
    first = store.current_generation(root)
    script = textwrap.dedent(
        f"""
        import time
        from search.article import Article, Section
        from search.backends.whoosh import WhooshBackend
        def slow():
            for i in range(10_000):
                yield Article(id=f"k{{i}}", title="t", sections=[Section(None, "inondation")])
                if i == 5:
                    print("started", flush=True)
                    time.sleep(60)
        WhooshBackend({str(root)!r}).build(slow())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    assert list(root.glob("*.building")), "the build writes beside the live index"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store.current_generation(root) == first
    assert Searcher(WhooshBackend(root)).search("securite").total == 3
    # the next build takes the lock at once and cleans the stale folder
    started = time.monotonic()
    WhooshBackend(root).build(make_article(i, "inondation") for i in range(2))
    assert time.monotonic() - started < 30
    assert not list(root.glob("*.building"))
    assert Searcher(WhooshBackend(root)).search("inondation").total == 2


def test_missing_corpus_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="n'existe pas"):
        index_corpus(tmp_path / "nowhere", tmp_path / "ix", ner=False)


def test_empty_corpus_keeps_the_previous_index(tmp_path):
    root = tmp_path / "ix"
    WhooshBackend(root).build(make_article(i) for i in range(2))
    first = store.current_generation(root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyCorpus, match="aucun article"):
        index_corpus(empty, root, ner=False)
    assert store.current_generation(root) == first


def test_duplicate_articles_are_indexed_once_and_reported(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (corpus / "seed.txt").write_text(text, encoding="utf-8")
    (corpus / "copy.txt").write_text(text, encoding="utf-8")
    report = index_corpus(corpus, tmp_path / "ix", ner=False)
    assert report.indexed == 1
    assert len(report.duplicates) == 1
    assert "même texte" in report.duplicates[0][1]


def test_seed_is_found_by_unaccented_and_variant_queries(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "000_ca1515ff46768185.txt").write_text(SEED.read_text("utf-8"), "utf-8")
    (corpus / "other.txt").write_text("Un article sur la pêche en Bretagne.\n", "utf-8")
    index_corpus(corpus, tmp_path / "ix", ner=False)
    searcher = Searcher.open(tmp_path / "ix")
    hits = searcher.search("securite").hits
    assert [h.id for h in hits] == ["000_ca1515ff46768185"]
    assert any("<mark>sécurité</mark>" in s.html for s in hits[0].snippets)
    assert searcher.search("Tinzawaten").hits[0].id == "000_ca1515ff46768185"
