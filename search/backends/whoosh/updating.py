"""Writing the next generation under the build lock: in full, or as an update.

An update starts the new generation as hard links to the live one's segments
(`segments.link_segments`), deletes the removed and changed articles by id,
adds the new and changed ones as a new segment, merges small segments within
the build, and is published exactly as a full build is: renamed, then CURRENT
switched atomically. The live generation is never written to, so a failed or
killed update leaves it serving and the next run (which cleans `.building`
folders) starts over from it.

Besides Whoosh's files a generation carries:
  meta.json            counts, display names of facet keys, file sizes (store.py)
  gazetteer.json       the gazetteer the documents were indexed with
  corpus-manifest.json what each corpus file gave (search.corpus_state)
  display-counts.json  facet key → written form → articles, so an update can
                       subtract the removed articles and keep meta.json exact
The side tables the search path builds (facet table, spelling index) are read
from the Whoosh reader when a generation is first searched, deletions
included, so they need nothing from the build.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from whoosh import index as windex

from search.article import Article
from search.backends.base import IndexStats
from search.backends.whoosh import store
from search.backends.whoosh.fastpath import build_fast_path
from search.backends.whoosh.postings import chunked_writer
from search.backends.whoosh.schema import (
    ENTITY_FIELDS,
    SCHEMA_VERSION,
    article_from_stored,
    facet_key,
    to_document,
)
from search.backends.whoosh.segments import bounded_merge, link_segments, segment_count
from search.backends.whoosh.store import (
    GAZETTEER_FILE,
    load_acronyms,
    save_acronyms,
    save_gazetteer,
)
from search.entity_keys import EntityScanner, article_entity_keys

if TYPE_CHECKING:
    from search.expansion.acronyms import AcronymLearner
    from search.gazetteer import Gazetteer


class RebuildableIndex(Protocol):
    """What a write session needs of the Whoosh backend it writes for (the
    backend imports this module, so the session names no backend class)."""

    root: Path

    def _build_locked(
        self,
        articles: Iterable[Article],
        gazetteer,
        manifest,
        acronyms=None,
        before_publish=None,
        workers: int = 1,
        eager_writers: Callable[[], bool] | None = None,
    ) -> int: ...

    def stats(self) -> IndexStats: ...


MANIFEST_FILE = "corpus-manifest.json"
DISPLAY_COUNTS_FILE = "display-counts.json"
DISPLAY_FIELDS = ("persons", "orgs", "places", "misc", "sources", "hashtags")

Display = dict[str, dict[str, Counter]]


def new_display() -> Display:
    return {f: {} for f in DISPLAY_FIELDS}


def count_display(display: Display, article: Article, sign: int = 1) -> None:
    """Add (or, with sign -1, take back) the written forms of an article's facet keys."""
    for e in article.entities:
        f = ENTITY_FIELDS.get(e.type)
        if f:
            display[f].setdefault(facet_key(e.canonical), Counter())[e.canonical] += sign
    if article.source:
        display["sources"].setdefault(facet_key(article.source), Counter())[article.source] += sign
    for h in article.hashtags:
        display["hashtags"].setdefault(facet_key(h), Counter())[h] += sign


def _positive(display: Display) -> Display:
    """Forget the forms and keys no article holds any more."""
    out = new_display()
    for f, keys in display.items():
        for key, forms in keys.items():
            kept = Counter({form: n for form, n in forms.items() if n > 0})
            if kept:
                out.setdefault(f, {})[key] = kept
    return out


def generation_meta(ix: windex.Index, display: Display, terms: int | None = None) -> dict:
    """meta.json of a generation: what `loupe stats` and the facet names read.

    Counting the distinct terms walks the merged lexicon of every segment (seconds
    at 100,000 articles), so an update passes the previous count (`terms`)
    instead: `loupe stats` shows the term count of the last full build."""
    with ix.searcher() as s:
        if terms is None:
            terms = sum(1 for _ in s.reader().lexicon("text_exact"))
        articles = s.doc_count()
    return {
        "schema": SCHEMA_VERSION,
        "articles": articles,
        "terms": terms,
        "segments": segment_count(ix),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "display": {
            f: {k: c.most_common(1)[0][0] for k, c in keys.items()} for f, keys in display.items()
        },
        "entities": {t: len(display.get(f, {})) for t, f in ENTITY_FIELDS.items()},
    }


def write_side_tables(folder: Path, ix: windex.Index) -> None:
    """Per-generation files derived from the committed index, for both a full
    build and an update: whatever is added here is rebuilt (or carried) with
    every generation, so an updated generation never serves a stale table.
    Nothing yet: the facet table and the spelling index are built from the
    reader when a generation is first searched."""


def save_display_counts(folder: Path, display: Display) -> None:
    data = {f: {k: dict(c) for k, c in keys.items()} for f, keys in display.items()}
    (folder / DISPLAY_COUNTS_FILE).write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def load_display_counts(folder: Path) -> Display | None:
    try:
        data = json.loads((folder / DISPLAY_COUNTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    display = new_display()
    for f, keys in data.items():
        display[f] = {k: Counter(forms) for k, forms in keys.items()}
    return display


def save_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


class WhooshWriteSession:
    """What an incremental run may do while it holds the build lock."""

    def __init__(self, backend: RebuildableIndex) -> None:
        self.backend = backend
        self.root = backend.root
        try:
            self.live = store.current_generation(self.root)
        except store.DamagedIndex:
            self.live = None  # a broken pointer: only a full build can follow

    def manifest(self) -> dict | None:
        """The live generation's corpus manifest, or None (no index, or one
        built before manifests, or damaged): then only a full build can follow."""
        if self.live is None:
            return None
        path = self.root / self.live
        meta = store.read_meta(self.root, self.live)
        if meta.get("schema") != SCHEMA_VERSION or load_display_counts(path) is None:
            return None
        try:
            store.check_files(self.root, self.live, meta)
            return json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, store.DamagedIndex):
            return None

    def rebuild(
        self,
        articles: Iterable[Article],
        gazetteer: Gazetteer,
        manifest,
        acronyms=None,
        before_publish=None,
        workers: int = 1,
        eager_writers: Callable[[], bool] | None = None,
    ) -> int:
        """A full generation (the first build, `--full`, or settings changed),
        its segments written by `workers` processes (search.backends.whoosh.parallel),
        at any size once `eager_writers()` says the articles come slowly."""
        return self.backend._build_locked(
            articles, gazetteer, manifest, acronyms, before_publish, workers, eager_writers
        )

    def update(
        self,
        articles: Iterable[Article],
        removed: Iterable[str],
        gazetteer: Gazetteer,
        manifest,
        acronyms: AcronymLearner | None = None,
        before_publish=None,
    ) -> int:
        """The live generation minus `removed` ids plus `articles`, published
        atomically. Returns the number of articles written. The acronyms the
        written articles define join those the live generation had learnt (a
        new expansion of a known acronym replaces the old one).
        `before_publish(name)`: as for `WhooshBackend.build`."""
        assert self.live is not None, "update() needs a live generation (see manifest())"
        previous = self.root / self.live
        building = store.new_building_dir(self.root)
        try:
            link_segments(previous, building)
            save_gazetteer(gazetteer, building / GAZETTEER_FILE)
            display = load_display_counts(previous) or new_display()
            ix = windex.open_dir(str(building))
            written = self._write(ix, articles, list(removed), gazetteer, display)
            build_fast_path(building, reuse_from=previous)  # new segments' columns only
            learned = dict(load_acronyms(previous))
            if acronyms is not None:
                learned.update(acronyms.pairs())
            save_acronyms(building, sorted(learned.items()))
            write_side_tables(building, ix)
            save_display_counts(building, _positive(display))
            save_manifest(building, manifest())
            previous_terms = store.read_meta(self.root, self.live).get("terms", 0)
            meta = generation_meta(ix, _positive(display), terms=previous_terms)
            if before_publish is not None:
                before_publish(store.generation_name(building))
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        store.publish(self.root, building, meta)
        return written

    @staticmethod
    def _write(ix, articles, removed: list[str], gazetteer, display: Display) -> int:
        writer = chunked_writer(ix, limitmb=256, compound=False)
        written = 0
        try:
            with ix.searcher() as s:
                for article_id in removed:
                    stored = s.document(id=article_id)
                    if stored:
                        count_display(display, article_from_stored(stored["doc"]), -1)
            for article_id in removed:
                writer.delete_by_term("id", article_id)
            scanner = EntityScanner(gazetteer)
            for article in articles:
                keys = article_entity_keys(article, scanner)
                writer.add_document(**to_document(article, gazetteer.aliases_of, keys))
                count_display(display, article)
                written += 1
            store.checkpoint("segment")
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=bounded_merge)
        return written
