"""The fine-tuned entity recogniser: shipped in the package, used by `loupe index`,
and part of the NER cache's key (a new model must not be served stale entities)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from search.article import Article, Section
from search.entities import EntityExtractor, load_model
from search.gazetteer import Gazetteer
from search.ner_cache import NerCache
from search.ner_model import SHIPPED_WEIGHTS, load_pipeline, weights_version

ROOT = Path(__file__).resolve().parents[1]


def test_the_fine_tuned_weights_ship_inside_the_package():
    assert SHIPPED_WEIGHTS.is_relative_to(ROOT / "search")
    files = sorted(p for p in (SHIPPED_WEIGHTS / "ner").rglob("*") if p.is_file())
    assert [p.name for p in files] == ["cfg", "model", "moves"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    meta = json.loads((SHIPPED_WEIGHTS / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == digest.hexdigest()[:12] == weights_version(SHIPPED_WEIGHTS)


def test_the_extractor_runs_the_shipped_weights_not_the_base_ones():
    shipped = (SHIPPED_WEIGHTS / "ner" / "model").read_bytes()
    assert load_model(Gazetteer([])).get_pipe("ner").model.to_bytes() == shipped
    assert load_pipeline(weights=None).get_pipe("ner").model.to_bytes() != shipped


def test_a_model_change_misses_the_ner_cache(tmp_path):
    gazetteer = Gazetteer([])
    article = Article("a", "a", [Section(None, "Emmanuel Macron est arrivé à Bamako.")])
    with NerCache(tmp_path / "ner.sqlite") as cache:
        base = EntityExtractor(gazetteer, cache=cache, weights=None)
        list(base.annotate([article]))
        tuned = EntityExtractor(gazetteer, cache=cache)
        list(tuned.annotate([article]))
        assert (tuned.hits, tuned.misses) == (0, 1)
        assert f"ner-{weights_version(SHIPPED_WEIGHTS)}" in tuned.fingerprint
        assert "ner-base" in base.fingerprint


def test_loupe_index_annotates_with_the_shipped_weights(test_index):
    with sqlite3.connect(test_index / "ner-cache.sqlite") as db:
        fingerprints = {row[0] for row in db.execute("SELECT DISTINCT fingerprint FROM entities")}
    assert fingerprints
    assert all(f"|ner-{weights_version(SHIPPED_WEIGHTS)}|" in f for f in fingerprints)
