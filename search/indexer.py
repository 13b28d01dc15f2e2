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
from importlib.resources import files
from pathlib import Path

from search import reprints
from search import semantic as semantic_vectors
from search.article import Article
from search.backends import open_backend
from search.backends.base import Backend
from search.expansion.acronyms import AcronymLearner
from search.gazetteer import Gazetteer
from search.readers import CorpusError, Note, Skipped, read_corpus

# The gazetteer shipped inside the package (search/data/entities.yml, a link to
# the repository's editable corpus/entities.yml that installs as a real file):
# an installed Loupe applies it to any folder that has no gazetteer of its own.
BUNDLED_GAZETTEER = Path(str(files("search") / "data" / "entities.yml"))


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
    semantic_encoded: int = 0  # passages encoded into sentence vectors (`semantic`)
    semantic_seconds: float = 0.0
    # Incremental runs (and full ones, where everything is « added »):
    mode: str = "full"  # "full" or "incremental"
    full_reason: str | None = None  # why a full build ran when none was asked
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    files_read: int = 0
    ner_pruned: int = 0  # NER cache rows of articles long gone, dropped
    workers: int = 0  # NER worker processes used (0: none ran)
    writers: int = 0  # segment-writer processes of a parallel full build (0: none ran)
    peak_rss_mb: float = 0.0  # this process
    workers_peak_rss_mb: float = 0.0  # the largest worker process

    @property
    def ok(self) -> bool:
        return not self.skipped


@dataclass(frozen=True)
class GenerationChange:
    """What a run changed in the index, for whoever keeps tables beside it.

    Passed to `index_corpus(on_generation=…)` once the new generation is live
    (near-duplicate clusters, say, update from `added + updated` and drop
    `removed`; after a full build, `full` is True and `added` lists every id)."""

    generation: str | None
    full: bool
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]


def find_gazetteer(corpus: Path, explicit: Path | None = None) -> Path | None:
    """`--gazetteer FILE`, else the corpus's own `entities.yml`, else the bundled one."""
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
    full: bool = False,
    settle: float = 0.0,
    on_generation: Callable[[GenerationChange], None] | None = None,
    semantic: bool = False,
    keep_model: bool = False,
) -> IndexReport:
    """Build a new generation of the index from the folder `corpus`.

    The articles go to `backend` when one is given (an `OpenSearchBackend`, say),
    else to the Whoosh index in `index_dir`: either way the same readers, the same
    duplicate rules and the same NER cache feed it, so both engines index the
    same `Article`s. `index_dir` also holds the NER cache unless `ner_cache`
    says otherwise.

    When the backend keeps a corpus manifest (`backend.writing()`), only what
    changed since the live generation is read, analysed and written, unless
    `full` is asked or the settings (NER model, gazetteer, size limit) changed;
    files modified less than `settle` seconds ago wait for the next run (watch
    mode's debounce). `on_generation` is called once the new generation is live.
    `semantic`: also encode the written articles' passages into the index's
    sentence vectors (search.semantic), which then reorder its best results.
    `keep_model`: keep the NER model this build loaded in this process for the
    next build (`loupe index --watch`; `search.entities.shared_model`); by
    default its memory goes with the build (`loupe serve` builds a missing
    index, then serves for days).

    `n_process` worker processes share the work: the NER model's, and for a
    full build of more than a few thousand articles, the Whoosh segment
    writers' (search.backends.whoosh.parallel).

    Raises CorpusError when the folder is missing, EmptyCorpus when nothing in
    it could be read (the previous index, if any, stays live in both cases).
    """
    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.exists():
        raise CorpusError(f"le dossier {corpus} n'existe pas")
    if not corpus.is_dir():
        raise CorpusError(f"{corpus} n'est pas un dossier")
    if backend is None:
        backend = open_backend("whoosh", index_dir=index_dir)
    report = IndexReport(corpus=str(corpus), index=_describe(backend, index_dir))

    gaz_path = find_gazetteer(corpus, gazetteer)
    gaz = Gazetteer.load(gaz_path) if gaz_path else Gazetteer([])
    extractor = None
    if ner:
        from search.entities import EntityExtractor, release_model
        from search.ner_cache import NerCache

        cache = NerCache(ner_cache or index_dir / "ner-cache.sqlite")
        extractor = EntityExtractor(gaz, cache=cache, n_process=n_process)

    shingles = reprints.Collector(spill_dir=index_dir)  # each article's shingles, on disk
    reprint_writer = _ReprintWriter(index_dir, shingles, report, n_process)  # before the switch
    acronyms = AcronymLearner()  # the definitions the corpus gives, kept with the index
    passages: list[tuple[str, str, str]] = []  # with `semantic`: what to encode
    if semantic:
        semantic_vectors.require_encoder()  # before reading anything: say it at once

    def annotated(articles: Iterable[Article]) -> Iterator[Article]:
        if extractor is not None:
            articles = extractor.annotate(articles)
        counted = _counted(articles, report, progress, on_article)
        if semantic:
            counted = _noting(counted, passages)
        return acronyms.observing(shingles.tap(counted))

    writing = getattr(backend, "writing", None)
    previous_generation = None
    try:
        if writing is None:  # a backend without manifests: always a full build
            articles = annotated(_unique(read_corpus(corpus, max_bytes=max_bytes), report))
            guarded = _refuse_empty(articles, corpus, report, strict)
            backend.build(guarded, gazetteer=gaz, wait=wait, acronyms=acronyms)
            report.generation = backend.stats().generation
            report.added = report.indexed
            change = GenerationChange(report.generation, True, (), (), ())
        else:
            settings = _settings(extractor, gaz, max_bytes)
            with writing(wait=wait) as session:
                previous_generation = session.live
                run = _Run(
                    corpus=corpus,
                    settings=settings,
                    full=full,
                    settle=settle,
                    gazetteer=gaz,
                    annotated=annotated,
                    max_bytes=max_bytes,
                    strict=strict,
                    report=report,
                    acronyms=acronyms,
                    reprint_writer=reprint_writer,
                    workers=n_process,
                    ner_in_workers=lambda: extractor is not None and extractor.workers_started > 0,
                )
                change, kept = _write_generation(session, run)
    finally:
        if extractor is not None:
            extractor.close()  # worker processes end with the build, whatever happened
            if not keep_model:
                release_model()
    if extractor is not None and extractor.cache is not None and writing is not None:
        # Entities of articles gone from the folder age out of the cache.
        report.ner_pruned = extractor.cache.prune_unused(kept)
    if extractor is not None and extractor.cache is not None:
        extractor.cache.close()
    if extractor is not None:
        report.ner_cached, report.ner_computed = extractor.hits, extractor.misses
        report.workers = extractor.workers_started
    report.peak_rss_mb = _peak_rss_mb()
    report.workers_peak_rss_mb = _children_peak_rss_mb()
    report.writers = getattr(backend, "writers_used", 0)
    if change is not None and reprint_writer.written != change.generation:
        # the backend took no callback, or the previous store was missing: after the switch
        _update_reprints(index_dir, backend, report, shingles, change, previous_generation)
    if semantic and change is not None:
        encoded, seconds = semantic_vectors.update_table(index_dir, passages)
        report.semantic_encoded, report.semantic_seconds = encoded, seconds
    report.elapsed = time.perf_counter() - started
    if on_generation is not None and change is not None:
        on_generation(change)
    return report


class _ReprintWriter:
    """Writes the reprint store of the generation being built, from the backend's
    `before_publish` callback: under the build lock, before readers can see the
    generation, so no reader ever finds a live generation without its store."""

    def __init__(
        self,
        index_dir: Path,
        shingles: reprints.Collector,
        report: IndexReport,
        workers: int = 1,
    ):
        self.index_dir, self.shingles, self.report = index_dir, shingles, report
        self.workers = workers  # processes the store's heavy steps may share
        self.written: str | None = None  # the generation whose store was written

    def full(self) -> Callable[[str], None]:
        """For a full build: every article it read, boilerplate learnt from them."""
        return lambda generation: self._write(generation, (), None, self.shingles.frequent())

    def update(self, previous: str | None, removed: list[str]) -> Callable[[str], None]:
        """For an update: the previous generation's store, minus `removed`, plus the
        written articles. Without that store, nothing here: `_update_reprints`
        rebuilds it from every article once the generation is live."""

        def write(generation: str) -> None:
            if previous is not None and reprints.has_store(self.index_dir, previous):
                self._write(generation, removed, previous)

        return write

    def _write(
        self, generation: str, removed: list[str], previous: str | None, frequent=None
    ) -> None:
        started = time.perf_counter()
        store = reprints.update_for_generation(
            self.index_dir,
            generation,
            self.shingles.drain(),
            ids_removed=removed,
            previous_generation=previous,
            frequent=frequent,
            workers=self.workers,
        )
        self.written = generation
        self.report.reprint_clusters = len(store.clusters())
        self.report.reprint_seconds = time.perf_counter() - started


def _update_reprints(
    index_dir: Path,
    backend: Backend,
    report: IndexReport,
    shingles: reprints.Collector,
    change: GenerationChange,
    previous_generation: str | None,
) -> None:
    """Near-duplicate clusters for the generation just switched to.

    A full build clusters every article it read. An update loads the previous
    generation's store, drops the removed and the replaced articles and
    compares only those it wrote, so its cost follows the change. When the
    previous store is missing (a run killed between the switch and the store),
    the store is rebuilt from every article the new generation holds."""
    started = time.perf_counter()
    previous = None if change.full else previous_generation
    if previous is not None and not reprints.has_store(index_dir, previous):
        every = (reprints.shingled(a, shingles.params) for a in backend.all_articles())
        store = reprints.update_for_generation(index_dir, change.generation, every)
    else:
        store = reprints.update_for_generation(
            index_dir,
            change.generation,
            shingles.drain(),
            ids_removed=change.removed + change.updated,
            previous_generation=previous,
        )
    report.reprint_clusters = len(store.clusters())
    report.reprint_seconds = time.perf_counter() - started


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _settings(extractor, gazetteer, max_bytes: int) -> str:
    """What the indexed articles depend on besides their files: if it changes,
    every article must be analysed again, so the run is a full build."""
    ner = extractor.fingerprint if extractor is not None else "off"
    return f"ner={ner}|gaz={gazetteer.fingerprint}|max_bytes={max_bytes}"


@dataclass(frozen=True)
class _Run:
    """What one `index_corpus` call decided, for the step that writes the generation."""

    corpus: Path
    settings: str
    full: bool
    settle: float
    gazetteer: Gazetteer
    annotated: Callable[[Iterable[Article]], Iterator[Article]]
    max_bytes: int
    strict: bool
    report: IndexReport
    acronyms: AcronymLearner
    reprint_writer: _ReprintWriter
    workers: int
    ner_in_workers: Callable[[], bool]  # true once NER runs in worker processes


def _write_generation(session, run: _Run) -> tuple[GenerationChange | None, set[str]]:
    """Under the build lock: an update of the live generation when its manifest
    allows one, else a full build. Returns what changed (None: nothing did) and
    the checksums of the articles the index now holds."""
    from search.corpus_state import Manifest, stream_tracked
    from search.incremental import ChangeTooLarge, plan_update
    from search.readers import corpus_files

    corpus, settings, report, annotated = run.corpus, run.settings, run.report, run.annotated
    full, max_bytes, strict, gaz = run.full, run.max_bytes, run.strict, run.gazetteer
    previous = None if full else Manifest.from_json(session.manifest() or {})
    if full:
        report.full_reason = "--full"
    elif previous is None:
        report.full_reason = "pas d'index incrémental à mettre à jour"
    elif previous.settings != settings:
        report.full_reason = "modèle NER, gazetteer ou taille maximale changés"
        previous = None
    plan = None
    if previous is not None:
        try:
            plan = plan_update(
                corpus, previous, settings, max_bytes=max_bytes, settle_ns=int(run.settle * 1e9)
            )
        except ChangeTooLarge as exc:
            report.full_reason = str(exc)
    if plan is None:  # full build, streamed, the manifest filled as files are read
        started_ns = time.time_ns()
        states: dict = {}
        stream = stream_tracked(corpus_files(corpus), max_bytes, states)
        ids: list[str] = []
        articles = _refuse_empty(
            _noting_ids(annotated(_unique(stream, report)), ids), corpus, report, strict
        )
        manifest = lambda: Manifest(settings, started_ns, states)  # noqa: E731 — once read
        session.rebuild(
            articles,
            gaz,
            lambda: manifest().to_json(),
            run.acronyms,
            before_publish=run.reprint_writer.full(),
            workers=run.workers,
            eager_writers=run.ner_in_workers,
        )
        report.added = report.indexed
        report.generation = session.backend.stats().generation
        kept = {c for _, c in manifest().winners().values()}
        return GenerationChange(report.generation, True, tuple(ids), (), ()), kept

    report.mode = "incremental"
    report.skipped, report.notes, report.duplicates = plan.skipped, plan.notes, plan.duplicates
    report.added, report.updated = len(plan.added), len(plan.updated)
    report.removed, report.unchanged = len(plan.removed), plan.unchanged
    report.files_read = plan.files_read
    if plan.total == 0:
        raise EmptyCorpus(f"aucun article lisible dans {corpus}", report)
    if strict and report.skipped:
        raise StrictFailure(
            f"{len(report.skipped)} fichier(s) ignoré(s) et --strict demandé : index inchangé",
            report,
        )
    kept = {c for _, c in plan.manifest.winners().values()}
    if not plan.changes_index and plan.manifest.same_content(previous):
        report.indexed = plan.total
        report.generation = session.live
        return None, kept
    # Every written id is deleted first too: an id re-read after a skipped round
    # must replace its old document, never sit beside it.
    replaced = plan.removed + [a.id for a in plan.write]
    session.update(
        annotated(plan.write),
        replaced,
        gaz,
        plan.manifest.to_json,
        run.acronyms,
        before_publish=run.reprint_writer.update(session.live, plan.removed + plan.updated),
    )
    report.indexed = plan.total
    report.generation = session.backend.stats().generation
    change = GenerationChange(
        report.generation, False, tuple(plan.added), tuple(plan.updated), tuple(plan.removed)
    )
    return change, kept


def _describe(backend: Backend, index_dir: Path) -> str:
    """Where the articles went, for the report: a folder, or a cluster's alias."""
    url, name = getattr(backend, "url", None), getattr(backend, "index_name", None)
    return f"{url} (alias {name})" if url and name else str(index_dir)


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


def _noting_ids(articles: Iterable[Article], ids: list[str]) -> Iterator[Article]:
    for article in articles:
        ids.append(article.id)
        yield article


def _noting(articles: Iterable[Article], into: list[tuple[str, str, str]]) -> Iterator[Article]:
    """The articles, unchanged, each one's semantic entry noted as it goes by."""
    for article in articles:
        into.append(semantic_vectors.entry(article))
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
