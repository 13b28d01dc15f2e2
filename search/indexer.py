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
from pathlib import Path

from search.article import Article
from search.readers import CorpusError, Note, Skipped, read_corpus

BUNDLED_GAZETTEER = Path(__file__).resolve().parent.parent / "corpus" / "entities.yml"


class EmptyCorpus(CorpusError):
    """The folder holds no readable article: nothing would be indexed."""


class StrictFailure(CorpusError):
    """`--strict` was asked and something was skipped: the live index is kept."""


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
) -> IndexReport:
    """Build a new generation of the index in `index_dir` from the folder `corpus`.

    Raises CorpusError when the folder is missing, EmptyCorpus when nothing in
    it could be read (the previous index, if any, stays live in both cases).
    """
    from search.backends.whoosh import WhooshBackend
    from search.gazetteer import Gazetteer

    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.exists():
        raise CorpusError(f"le dossier {corpus} n'existe pas")
    if not corpus.is_dir():
        raise CorpusError(f"{corpus} n'est pas un dossier")
    report = IndexReport(corpus=str(corpus), index=str(index_dir))

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

    backend = WhooshBackend(index_dir)
    guarded = _refuse_empty(articles, corpus, report if strict else None)
    backend.build(guarded, gazetteer=gaz, wait=wait)
    report.generation = backend.generation()
    if extractor is not None:
        report.ner_cached, report.ner_computed = extractor.hits, extractor.misses
    report.elapsed = time.perf_counter() - started
    return report


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
    articles: Iterable[Article], corpus: Path, strict: IndexReport | None
) -> Iterator[Article]:
    """Fail the build (so the live index stays) when the corpus yields nothing,
    or, in strict mode, when anything was skipped."""
    n = 0
    for article in articles:
        n += 1
        yield article
    if n == 0:
        raise EmptyCorpus(f"aucun article lisible dans {corpus}")
    if strict is not None and strict.skipped:
        raise StrictFailure(
            f"{len(strict.skipped)} fichier(s) ignoré(s) et --strict demandé : index inchangé"
        )
