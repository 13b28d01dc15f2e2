"""Corpus folder → Articles → entities → a new index generation, with a report.

The pipeline is a chain of generators, so a corpus of any size streams
through in constant memory: read (readers) → drop duplicates → annotate
entities (NER cache first, spaCy only for misses) → write (backend). The
backend holds the build lock while it consumes the chain and only switches
the live index once everything is written.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from inspect import signature
from pathlib import Path
from typing import TYPE_CHECKING

from search import reprints
from search.article import Article
from search.readers import CorpusError, Note, Skipped, read_corpus

if TYPE_CHECKING:
    from search.backends.base import Backend

BUNDLED_GAZETTEER = Path(__file__).resolve().parent.parent / "corpus" / "entities.yml"


class EmptyCorpus(CorpusError):
    """The folder holds no readable article: nothing would be indexed.

    `report` says what was skipped instead, so the user learns why."""

    def __init__(self, message: str, report: IndexReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class StrictFailure(CorpusError):
    """`--strict` was asked and something was skipped: the live index is kept.

    `report` names the files at fault."""

    def __init__(self, message: str, report: IndexReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class IndexReport:
    corpus: str
    index: str
    indexed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (what, reason)
    entities: Counter = field(default_factory=Counter)  # type → mentions kept
    ner_cached: int = 0
    ner_computed: int = 0
    elapsed: float = 0.0
    generation: str | None = None
    reprint_clusters: int = 0  # clusters of near-duplicate articles (search.reprints)
    reprint_seconds: float = 0.0  # time spent finding them, after the backend build

    @property
    def ok(self) -> bool:
        return not self.skipped


def find_gazetteer(corpus: Path, explicit: Path | None = None) -> Path | None:
    """The corpus's own `entities.yml`, else the bundled one."""
    if explicit is not None:
        return explicit
    own = corpus / "entities.yml"
    if own.is_file():
        return own
    return BUNDLED_GAZETTEER if BUNDLED_GAZETTEER.is_file() else None


def index_corpus(
    corpus: Path,
    index_dir: Path,
    *,
    ner: bool = True,
    ner_cache: Path | None = None,
    gazetteer: Path | None = None,
    progress: bool = False,
    max_bytes: int = 20 * 2**20,
    n_process: int = 1,
    wait: bool = False,
    strict: bool = False,
    on_article: Callable[[Article], None] | None = None,
    backend: Backend | None = None,
) -> IndexReport:
    """Build a new generation of the index from the folder `corpus`.

    The articles go to `backend` when one is given (an `OpenSearchBackend`, say),
    else to the Whoosh index in `index_dir`: either way the same readers, the same
    duplicate rules and the same NER cache feed it, so both engines index the
    same `Article`s. `index_dir` also holds the NER cache unless `ner_cache`
    says otherwise.

    Raises CorpusError when the folder is missing, EmptyCorpus when nothing in
    it could be read (the previous index, if any, stays live in both cases).
    """
    from search.gazetteer import Gazetteer

    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.exists():
        raise CorpusError(f"le dossier {corpus} n'existe pas")
    if not corpus.is_dir():
        raise CorpusError(f"{corpus} n'est pas un dossier")
    if backend is None:
        from search.backends.whoosh import WhooshBackend

        backend = WhooshBackend(index_dir)
    report = IndexReport(corpus=str(corpus), index=_describe(backend, index_dir))

    gaz_path = find_gazetteer(corpus, gazetteer)
    gaz = Gazetteer.load(gaz_path) if gaz_path else Gazetteer([])
    articles: Iterable[Article] = _unique(read_corpus(corpus, max_bytes=max_bytes), report)
    extractor = None
    if ner:
        from search.entities import EntityExtractor
        from search.ner_cache import NerCache

        cache = NerCache(ner_cache or index_dir / "ner-cache.sqlite")
        extractor = EntityExtractor(gaz, cache=cache, n_process=n_process)
        articles = extractor.annotate(articles)
    articles = _counted(articles, report, progress, on_article)
    shingles = reprints.Collector()
    articles = shingles.tap(articles)

    guarded = _refuse_empty(articles, corpus, report, strict)
    backend.build(guarded, **_build_options(backend, gazetteer=gaz, wait=wait))
    report.generation = backend.stats().generation
    _update_reprints(index_dir, report, shingles)
    if extractor is not None:
        report.ner_cached, report.ner_computed = extractor.hits, extractor.misses
    report.elapsed = time.perf_counter() - started
    return report


def _update_reprints(index_dir: Path, report: IndexReport, shingles: reprints.Collector) -> None:
    """Near-duplicate clusters for the generation just switched to (a full build:
    no previous store). The incremental build calls `update_for_generation` with
    the previous generation, the articles it added and the ids it removed."""
    started = time.perf_counter()
    store = reprints.update_for_generation(index_dir, report.generation, shingles.drain())
    report.reprint_clusters = len(store.clusters())
    report.reprint_seconds = time.perf_counter() - started


def _describe(backend: Backend, index_dir: Path) -> str:
    """Where the articles went, for the report: a folder, or a cluster's alias."""
    url, name = getattr(backend, "url", None), getattr(backend, "index_name", None)
    return f"{url} (alias {name})" if url and name else str(index_dir)


def _build_options(backend: Backend, **options: object) -> dict[str, object]:
    """The build options this backend takes: Whoosh keeps the gazetteer with each
    generation (to expand names in queries) and can wait for a concurrent build;
    a cluster needs neither, and `Backend.build` only promises the articles."""
    accepted = signature(backend.build).parameters
    return {name: value for name, value in options.items() if name in accepted}


def _unique(outcomes, report: IndexReport) -> Iterator[Article]:
    """Articles once each: the first of a repeated id or a repeated text wins."""
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for item in outcomes:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        if isinstance(item, Note):
            report.notes.append(item)
            continue
        article: Article = item
        where = article.path or article.id
        if article.id in seen_ids:
            report.duplicates.append(
                (where, f"identifiant {article.id} déjà lu dans {seen_ids[article.id]}")
            )
            continue
        if article.checksum in seen_text:
            report.duplicates.append(
                (where, f"même texte que l'article {seen_text[article.checksum]}")
            )
            continue
        seen_ids[article.id] = where
        seen_text[article.checksum] = article.id
        yield article


def _counted(articles, report: IndexReport, progress: bool, on_article) -> Iterator[Article]:
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="indexation", unit=" art.", dynamic_ncols=True, leave=False)
    try:
        for article in articles:
            report.indexed += 1
            report.entities.update(e.type for e in article.entities)
            if on_article is not None:
                on_article(article)
            if bar is not None:
                bar.update(1)
            yield article
    finally:
        if bar is not None:
            bar.close()


def _refuse_empty(
    articles: Iterable[Article], corpus: Path, report: IndexReport, strict: bool
) -> Iterator[Article]:
    """Fail the build (so the live index stays) when the corpus yields nothing,
    or, in strict mode, when anything was skipped."""
    n = 0
    for article in articles:
        n += 1
        yield article
    if n == 0:
        raise EmptyCorpus(f"aucun article lisible dans {corpus}", report)
    if strict and report.skipped:
        raise StrictFailure(
            f"{len(report.skipped)} fichier(s) ignoré(s) et --strict demandé : index inchangé",
            report,
        )
