"""A process that indexes again reuses the model it loaded (`loupe index --watch`).

Loading the French model costs about 4.5 s; a watcher used to pay it on every
update that brought a new article. The pipeline is now kept per process (one
at a time) and shared by the extractors that follow, each with its own
gazetteer on it.
"""

from __future__ import annotations

import json
from pathlib import Path

from search import entities
from search.article import Article, Section
from search.entities import EntityExtractor, holds_model, shared_model
from search.gazetteer import Gazetteer, GazetteerEntry
from search.indexer import index_corpus

TEXT = "Les hommes de Zorglubistan ont attaqué Gao, a annoncé Emmanuel Macron à Paris."


def _article(article_id: str, text: str = TEXT) -> Article:
    return Article(id=article_id, title=article_id, sections=[Section(None, text)])


def _write(folder: Path, name: str, title: str, body: str) -> None:
    record = {"id": name, "title": title, "text": body, "date": "2021-01-05"}
    (folder / f"{name}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")


def test_extractors_of_one_process_share_one_loaded_model():
    first = EntityExtractor(Gazetteer([]))
    second = EntityExtractor(Gazetteer([]))
    assert first.nlp is second.nlp
    assert holds_model()
    assert first.model_loaded and second.model_loaded


def test_each_extractor_finds_its_own_gazetteers_names_on_the_shared_model():
    plain = EntityExtractor(Gazetteer([]))
    edited = EntityExtractor(Gazetteer([GazetteerEntry("Zorglubistan", "ORG")]))
    for _ in range(2):  # one after the other, in both orders
        assert "Zorglubistan" in {e.text for e in edited.extract(TEXT) if e.type == "ORG"}
        assert "Zorglubistan" not in {e.text for e in plain.extract(TEXT) if e.type == "ORG"}
    assert plain.nlp is edited.nlp


def test_a_second_build_in_the_same_process_does_not_load_the_model_again(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "a", "Attaque à Gao", TEXT)
    index_corpus(corpus, tmp_path / "index", ner=True, keep_model=True)  # as --watch does
    loaded = shared_model(Gazetteer([]))

    _write(corpus, "b", "Macron à Bamako", "Emmanuel Macron est arrivé à Bamako lundi.")
    report = index_corpus(corpus, tmp_path / "index", ner=True, keep_model=True)

    assert (report.added, report.ner_computed) == (1, 1)
    assert shared_model(Gazetteer([])) is loaded  # the same pipeline: no second load


def test_a_one_off_build_leaves_no_model_behind(tmp_path):
    """`loupe serve` builds a missing index, then serves for days: by default
    the model's memory goes with the build."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, "a", "Attaque à Gao", TEXT)
    EntityExtractor(Gazetteer([])).nlp  # noqa: B018 - held before the build
    report = index_corpus(corpus, tmp_path / "index", ner=True)
    assert report.ner_computed == 1
    assert not holds_model()


def test_with_the_model_held_a_small_update_stays_in_this_process():
    """Starting two workers (a process and a model load each) would cost more
    than the model that is already here: below `POOL_MIN_TEXTS_LOADED` misses
    the texts are analysed in-process, workers or not."""
    EntityExtractor(Gazetteer([])).nlp  # noqa: B018 - the process holds the model
    extractor = EntityExtractor(Gazetteer([]), n_process=2)
    count = entities.POOL_MIN_TEXTS + 10  # enough to start workers without a model here
    done = list(extractor.annotate(_article(f"a{i}", f"{TEXT} ({i})") for i in range(count)))
    extractor.close()
    assert extractor.workers_started == 0
    assert all("Paris" in {e.text for e in a.entities} for a in done)
