"""`WhooshBackend`: build generations, search them, read articles back.

One backend object serves many requests (and threads): each thread gets its
own Whoosh searcher per generation, the generation is re-read from CURRENT on
every call (a few microseconds), and when `loupe index` switches it the next
request opens the new one — no restart, and requests in flight finish on the
old one, which stays on disk until the build after next.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from search.article import Article
from search.backends.base import (
    DateCounts,
    FacetValue,
    Hit,
    IndexMissing,
    IndexStats,
    Results,
    SearchRequest,
)
from search.backends.whoosh import neighbours, store
from search.backends.whoosh.dates import DayTable
from search.backends.whoosh.docset import DocSetQuery
from search.backends.whoosh.facets import FacetTable
from search.backends.whoosh.fastpath import (
    Executor,
    FastPath,
    FastPathMissing,
    build_fast_path,
    sorted_by_date,
    top_k,
)
from search.backends.whoosh.highlight import make_snippets
from search.backends.whoosh.parallel import (
    SegmentWriters,
    adopt_parts,
    leading,
    parallel_threshold,
)
from search.backends.whoosh.postings import chunked_writer
from search.backends.whoosh.proximity import positions_of
from search.backends.whoosh.querying import (
    Translator,
    filter_query,
    scanned_spellings,
)
from search.backends.whoosh.schema import (
    ENTITY_FIELDS,
    SCHEMA_VERSION,
    article_from_stored,
    build_schema,
    facet_key,
    to_document,
)
from search.backends.whoosh.store import (
    GAZETTEER_FILE,
    checkpoint,
    load_acronyms,
    load_gazetteer,
    save_acronyms,
    save_gazetteer,
)
from search.backends.whoosh.updating import (
    WhooshWriteSession,
    count_display,
    generation_meta,
    new_display,
    save_display_counts,
    save_manifest,
    write_side_tables,
)
from search.core.entity_types import group_entities, listed_types
from search.core.french import fold
from search.core.ranking import SEMANTIC_DEPTH, coordination
from search.core.suggestions import autocomplete, corrected_query, max_frequency_to_correct
from search.entity_keys import EntityScanner, article_entity_keys
from search.expansion.acronyms import (
    AcronymLearner,
    with_acronyms,
)
from search.gazetteer import Gazetteer
from search.names import canonical_filters
from search.proximity import window_words, windowed, word_weight
from search.query import Node, QueryError, Term
from search.spelling import SpellingIndex

log = logging.getLogger(__name__)
MORE_LIKE_TERMS = 10  # « articles proches »: 15 terms took 2× as long, 91 % the same top 5
RERANK_DEPTH = 100  # candidates the all-words bonus re-ranks
# Documents counted between two looks at the clock while gathering all matches.
_CLOCK_EVERY = 4096
# Match sets kept per generation for the requests that follow a search (its
# timeline): 16 masks are 1.6 MB at 100,000 articles.
MATCH_SETS_KEPT = 16
# A new generation being warmed in the background is switched to once warm, or
# after this long whatever its state (the previous one may be dropped from disk
# by the switch after next).
PREPARE_SECONDS = 10.0


# BM25F with Whoosh's defaults; per-field length normalisation (see querying.py
# for the field boosts). Tuned on the dev queries: python -m bench.relevance.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


@dataclass
class _Generation:
    """Everything opened once per index generation and shared by its searches."""

    name: str
    path: Path
    index: windex.Index
    meta: dict
    local: threading.local = field(default_factory=threading.local)
    _facets: FacetTable | None = None
    _spelling: SpellingIndex | None = None
    _gazetteer: Gazetteer | None = None
    _scanned: frozenset[str] | None = None  # spellings of the saved gazetteer
    _vocabulary: list[str] | None = None
    _days: DayTable | None = None
    _opened: list = field(default_factory=list)
    _opened_lock: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _fast: FastPath | None | bool = None  # False: this generation has no column files
    _spare: list = field(default_factory=list)  # searchers opened by warm(), not yet taken
    ready: threading.Event = field(default_factory=threading.Event)  # warmed in the background
    opened: float = field(default_factory=time.monotonic)
    _matches: OrderedDict = field(default_factory=OrderedDict)  # request key -> match mask

    def remember_matches(self, key: str, mask: np.ndarray) -> None:
        """Keep a complete match set of the fast path for the requests that
        follow on the same query: the results page asks for its timeline right
        after its search, and a second pass over the columns would double the
        page's matching cost. A few masks of one byte per document are kept."""
        with self._opened_lock:
            self._matches[key] = mask
            self._matches.move_to_end(key)
            while len(self._matches) > MATCH_SETS_KEPT:
                self._matches.popitem(last=False)

    def recall_matches(self, key: str) -> np.ndarray | None:
        with self._opened_lock:
            return self._matches.get(key)

    def searcher(self) -> Searcher:
        s = getattr(self.local, "searcher", None)
        if s is None:
            with self._opened_lock:
                s = self._spare.pop() if self._spare else None
            if s is None:
                s = self.index.searcher(weighting=WEIGHTING)
                with self._opened_lock:  # not _lock: facets() holds it while opening
                    self._opened.append(s)
            self.local.searcher = s
        return s

    def warm(self, threads: int, own: bool = False) -> None:
        """Open what a search reads: searchers for `threads` serving threads
        (`own`: one of them is the calling thread), the columns, the dates,
        the vocabulary, the gazetteer and the day table of timelines."""
        if own:
            self.searcher()
        self.open_spare_searchers(threads - 1 if own else threads)
        fast = self.fast()
        if fast is not None:
            fast.published()
        self.vocabulary()  # and the spelling table it is read from
        self.gazetteer()
        self.days()  # the results page's timeline

    def open_spare_searchers(self, count: int) -> None:
        """Open searchers ahead of the threads that will take them (warm start)."""
        for _ in range(count):
            s = self.index.searcher(weighting=WEIGHTING)
            s.reader().doc_count()  # touch the segment files
            with self._opened_lock:
                self._opened.append(s)
                self._spare.append(s)

    def fast(self) -> FastPath | None:
        """The generation's columns (fastpath.py), or None if it was built without them."""
        if self._fast is None:
            with self._lock:
                if self._fast is None:
                    try:
                        self._fast = FastPath(
                            self.path, self.searcher().reader(), self.meta.get("display", {})
                        )
                    except FastPathMissing as exc:
                        log.info("plain query path for %s: %s", self.path, exc)
                        self._fast = False
        return self._fast or None

    def close(self) -> None:
        """Release the generation's files (called one switch after it was replaced)."""
        with self._opened_lock:
            for s in self._opened:
                s.close()
            self._opened.clear()

    def facets(self) -> FacetTable:
        if self._facets is None:
            with self._lock:
                if self._facets is None:
                    self._facets = FacetTable(
                        self.searcher().reader(), self.meta.get("display", {})
                    )
        return self._facets

    def days(self) -> DayTable:
        if self._days is None:
            fast = self.fast()  # (takes _lock itself: asked before it)
            published = fast.published() if fast is not None else None
            live = fast.live if fast is not None else None
            with self._lock:
                if self._days is None:
                    self._days = DayTable(self.searcher().reader(), published, live)
        return self._days

    def gazetteer(self) -> Gazetteer:
        """The gazetteer saved with the generation, with the curated acronyms and
        those the corpus defined (`search.expansion.acronyms.with_acronyms`)."""
        if self._gazetteer is None:
            base = load_gazetteer(self.path / GAZETTEER_FILE)
            self._scanned = scanned_spellings(base)
            self._gazetteer = with_acronyms(base, load_acronyms(self.path))
        return self._gazetteer

    def translator(self, matching: bool = False) -> Translator:
        """A query translator for this generation: its reader, its gazetteer,
        and the spellings its articles were scanned for."""
        gazetteer = self.gazetteer()
        fast = self.fast()
        return Translator(
            self.searcher().reader(),
            gazetteer,
            matching=matching,
            scanned=self._scanned,
            vocabulary=self.vocabulary(),
            doc_frequency=fast.doc_frequency if fast is not None else None,
        )

    def vocabulary(self) -> list[str]:
        """The sorted words of `text_exact` (fuzzy matching walks them in memory)."""
        if self._vocabulary is None:
            spelling = self.spelling()
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = sorted(spelling.df)
        return self._vocabulary

    def spelling(self) -> SpellingIndex:
        if self._spelling is None:
            with self._lock:
                if self._spelling is None:
                    reader = self.searcher().reader()
                    vocab = (
                        (t.decode("utf-8") if isinstance(t, bytes) else t, ti.doc_frequency())
                        for t, ti in reader.iter_field("text_exact")
                    )
                    self._spelling = SpellingIndex(vocab)
        return self._spelling


def _depth(request: SearchRequest, wanted: int) -> int:
    """Candidates ranked before the page is cut: enough for the all-words
    bonus and, when the request asks for it, the semantic reordering."""
    depth = max(wanted, RERANK_DEPTH)
    return max(depth, SEMANTIC_DEPTH) if request.rerank is not None else depth


def _reranked(searcher: Searcher, top: list, request: SearchRequest) -> list:
    """The candidates reordered by `request.rerank` (by article id), if asked."""
    if request.rerank is None or not top:
        return top
    candidates = top[: max(SEMANTIC_DEPTH, request.page * request.per_page)]
    ids = [searcher.stored_fields(d)["id"] for d, _ in candidates]
    fused = request.rerank(ids, [s for _, s in candidates])
    rescored = [(d, f) for (d, _), f in zip(candidates, fused, strict=True)]
    return sorted(rescored, key=lambda ds: -ds[1]) + top[len(candidates) :]


def _windowed(
    searcher: Searcher, top: list, words: list[str], fast: FastPath | None = None
) -> list:
    """The coordinated candidates with the window bonus of `search.proximity`
    for the typed `words` (`window_words`: standing together), read from
    `text_exact`'s positions (the fast path's columns, if any, saying first
    which candidates hold which)."""
    if not words:
        return top
    holders = None if fast is None else (lambda word: fast.postings("text_exact", word)[0])
    documents = searcher.doc_count_all()
    # the fast path answers a document frequency from its columns, as Whoosh counts it
    frequency = searcher.doc_frequency if fast is None else fast.doc_frequency
    weights = [word_weight(frequency("text_exact", w), documents) for w in words]
    return windowed(
        top, words, weights, lambda docnums: positions_of(searcher, docnums, words, holders)
    )


def _matches_key(request: SearchRequest) -> str:
    """What decides a request's match set: its query and filters (not its page,
    sort or snippets)."""
    return repr((request.query, request.filters))


# Errors that mean a bug in Loupe or Whoosh, not a damaged file: let them be seen.
PROGRAMMING_ERRORS = (AttributeError, TypeError, NameError, AssertionError, NotImplementedError)


def _reads_index(method):
    """Turn damage found while reading a generation into `DamagedIndex`.

    Whoosh reports a missing or truncated segment file with whatever error the
    decoder hits first (FileNotFoundError, struct errors, bare Exception('Block
    tag error'), UnicodeError…); callers need one kind of error to answer « the
    index is damaged, rebuild it » (CLI exit 1, HTTP 503) instead of a crash.
    """

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (IndexMissing, QueryError, *PROGRAMMING_ERRORS):
            raise
        except Exception as exc:
            raise _damaged(self.root, exc) from exc

    return guarded


def _damaged(root: Path, exc: Exception) -> store.DamagedIndex:
    """The one answer to damage met while reading (logged with its traceback)."""
    log.info("index read failed in %s", root, exc_info=True)
    return store.DamagedIndex(
        f"l'index {root} est endommagé ({exc.__class__.__name__}) : "
        "reconstruisez-le avec `loupe index`"
    )


class WhooshBackend:
    def __init__(
        self, root: Path, fast_path: bool = True, parallel_from: int | None = None
    ) -> None:
        self.root = Path(root)
        # Full builds of more articles than this use the segment writers (parallel.py).
        self.parallel_from = parallel_from if parallel_from is not None else parallel_threshold()
        self.writers_used = 0  # segment writers of the last full build (0: it ran here)
        # False: every query runs Whoosh's matchers (the reference the fast path is tested against).
        self.fast_path = fast_path
        self._gen: _Generation | None = None
        self._retired: _Generation | None = None  # in-flight requests may still use it
        self._gen_lock = threading.Lock()
        self._pending: _Generation | None = None  # a new generation being warmed
        self._warm_threads = 0  # serving threads, once warm() was called (a server)

    # -- building ------------------------------------------------------------
    def build(
        self,
        articles: Iterable[Article],
        gazetteer: Gazetteer | None = None,
        wait: bool = False,
        manifest: Callable[[], dict] | None = None,
        acronyms: AcronymLearner | None = None,
        before_publish: Callable[[str], None] | None = None,
    ) -> int:
        """Index `articles` into a new generation and switch to it atomically.

        Holds the folder's build lock for the whole run (the iterable is
        consumed inside it, so reading and NER happen under the lock too).
        The gazetteer is saved with the generation: queries are expanded with
        the same aliases the documents were indexed with. `manifest()`, called
        once the articles are consumed, gives the corpus manifest saved with
        the generation (what the next incremental run compares the folder with).
        `before_publish(name)` is called with the generation's name once it is
        complete and before readers can see it (what is kept beside it, such as
        the reprint store, is written then); if it raises, nothing is published.
        """
        with store.build_lock(self.root, wait=wait):
            store.clean_stale(self.root)
            return self._build_locked(articles, gazetteer, manifest, acronyms, before_publish)

    def _build_locked(
        self,
        articles,
        gazetteer,
        manifest,
        acronyms=None,
        before_publish=None,
        workers: int = 1,
        eager_writers: Callable[[], bool] | None = None,
    ) -> int:
        gazetteer = gazetteer or Gazetteer([])
        building = store.new_building_dir(self.root)
        try:
            save_gazetteer(gazetteer, building / GAZETTEER_FILE)
            count, meta = self._write(building, articles, gazetteer, workers, eager_writers)
            if acronyms is not None:  # read while the articles streamed in
                save_acronyms(building, acronyms.pairs())
            build_fast_path(building)
            if manifest is not None:
                save_manifest(building, manifest())
            if before_publish is not None:
                before_publish(store.generation_name(building))
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        store.publish(self.root, building, meta)
        return count

    @contextlib.contextmanager
    def writing(self, wait: bool = False):
        """Hold the build lock for a whole incremental run: compare, then write.

        The session reads the live generation's manifest and writes the next
        generation (a full one, or an update of the live one's segments)."""
        with store.build_lock(self.root, wait=wait):
            store.clean_stale(self.root)
            yield WhooshWriteSession(self)

    def _write(
        self,
        folder: Path,
        articles: Iterable[Article],
        gazetteer: Gazetteer,
        workers: int = 1,
        eager_writers: Callable[[], bool] | None = None,
    ) -> tuple[int, dict]:
        """Every article into a fresh index in `folder`: in this process, or
        when the corpus is large enough to pay for it, by `workers` segment
        writers (parallel.py) while this process reads and prepares.
        `eager_writers()` true (asked as the first articles arrive) starts the
        writers whatever the size: the articles come from NER worker processes,
        this process mostly waits, and writing at the end of the stream in here
        would leave every worker idle (the bundled corpus with cold NER: the
        last 10 of 33 s)."""
        ix = windex.create_in(str(folder), build_schema())
        scanner = EntityScanner(gazetteer)
        display = new_display()

        def documents() -> Iterator[dict]:
            for article in articles:
                keys = article_entity_keys(article, scanner)
                count_display(display, article)
                yield to_document(article, gazetteer.aliases_of, keys)

        threshold = self.parallel_from if workers > 1 else 0
        head, rest, large = leading(documents(), threshold, eager_writers if workers > 1 else None)
        self.writers_used = workers if workers > 1 and large else 0
        if self.writers_used:
            with SegmentWriters(folder, ix.schema, workers) as writers:
                count = writers.write(itertools.chain(head, rest))
                checkpoint("segment")
                adopt_parts(ix, writers.parts())
        else:
            count = self._write_here(ix, itertools.chain(head, rest))
        write_side_tables(folder, ix)
        save_display_counts(folder, display)
        return count, generation_meta(ix, display)

    @staticmethod
    def _write_here(ix: windex.Index, documents: Iterable[dict]) -> int:
        writer = chunked_writer(ix, limitmb=256, compound=False)
        count = 0
        try:
            for document in documents:
                writer.add_document(**document)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        checkpoint("segment")
        writer.commit()
        return count

    # -- opening -------------------------------------------------------------
    def _generation(self) -> _Generation:
        name = store.current_generation(self.root)
        if name is None:
            raise IndexMissing(f"aucun index dans {self.root} : lancez `loupe index` d'abord")
        gen = self._gen
        if gen is not None and gen.name == name:
            return gen
        if gen is not None and self._warm_threads and gen.path.is_dir():
            ready = self._prepared(name)
            if ready is None:
                return (
                    gen  # complete, and kept on disk by the switch: served until the next is warm
                )
        with self._gen_lock:
            if self._gen is None or self._gen.name != name:
                pending = self._pending
                fresh = pending if pending is not None and pending.name == name else None
                self._switch_to(fresh or self._open(name))
            return self._gen

    def _open(self, name: str) -> _Generation:
        path = store.generation_path(self.root, name)
        meta = store.read_meta(self.root, name)
        store.check_files(self.root, name, meta)
        if meta.get("schema") != SCHEMA_VERSION:
            raise store.DamagedIndex(
                f"l'index {self.root} a été construit par une autre version de Loupe : "
                "reconstruisez-le avec `loupe index`"
            )
        try:
            ix = windex.open_dir(str(path))
        except Exception as exc:  # whoosh raises several kinds for damage
            raise IndexMissing(
                f"l'index {path} est illisible ({exc.__class__.__name__}) : "
                "reconstruisez-le avec `loupe index`"
            ) from exc
        return _Generation(name, path, ix, meta)

    def _switch_to(self, gen: _Generation) -> None:
        """(Under _gen_lock.) Serve `gen`; the one it replaces stays open for the
        requests still using it, and is closed at the next switch."""
        if self._retired is not None:
            self._retired.close()
        self._retired = self._gen
        self._gen = gen
        self._pending = None

    def _prepared(self, name: str) -> _Generation | None:
        """A server (warmed at start) meets a new generation: it is opened and
        warmed in a background thread while the previous one keeps answering,
        so no request pays for its columns, vocabulary and searchers (about a
        second at 100,000 articles). Returns it once warm, else None. Opening
        errors surface at once; a warm-up that fails or outlasts
        PREPARE_SECONDS hands over to the synchronous path."""
        with self._gen_lock:
            pending = self._pending
            if pending is None or pending.name != name:
                pending = self._pending = self._open(name)
                threading.Thread(
                    target=self._warm_generation,
                    args=(pending, self._warm_threads),
                    name=f"loupe-warm-{name}",
                    daemon=True,
                ).start()
        if pending.ready.is_set() or time.monotonic() - pending.opened > PREPARE_SECONDS:
            return pending
        return None

    @staticmethod
    def _warm_generation(gen: _Generation, threads: int) -> None:
        try:
            gen.warm(threads)
        except Exception:  # the request that switches to it will meet the error
            log.info("warming %s failed", gen.path, exc_info=True)
        finally:
            gen.ready.set()

    @_reads_index
    def warm(self, threads: int = 1) -> None:
        """Open, before the first request, everything a search reads: the
        generation, one searcher per serving thread, the columns of the fast
        path and the spelling table (a cold 100k-article index otherwise makes
        the first request of each thread pay for them). From then on, a new
        generation is warmed the same way before it replaces this one."""
        self._generation().warm(threads, own=True)
        self._warm_threads = max(threads, 1)

    @_reads_index
    def generation(self) -> str:
        return self._generation().name

    # -- searching -----------------------------------------------------------
    @_reads_index
    def search(self, request: SearchRequest) -> Results:
        started = time.perf_counter()
        gen = self._generation()
        searcher = gen.searcher()
        gazetteer = gen.gazetteer()
        translation = gen.translator().translate(request.query)
        q = translation.query
        fq = filter_query(canonical_filters(request.filters, gazetteer))
        fast = gen.fast() if self.fast_path else None
        if fast is not None:
            return self._search_fast(gen, fast, searcher, request, translation, fq, started)
        page, per_page = request.page, request.per_page
        partial = False

        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            docnums: list[int] = []
            top = []
        else:
            deadline = started + request.time_limit
            sortedby = None if request.sort == "relevance" else "published"
            # Filters go into the query, scoring nothing, rather than the
            # collector's `filter=`, which TimeLimitCollector bypasses (and
            # Whoosh's Require trips an assertion when skipping blocks). Their
            # documents are found once, for the ranking and the count.
            allowed = None if fq is None else DocSetQuery(searcher, fq)
            scored = q if allowed is None else wq.And([q, allowed])
            bonus = sortedby is None and len(translation.all_words) > 1
            wanted = page * per_page
            window = window_words(request.query) if sortedby is None else []
            deeper = bonus or bool(window) or (sortedby is None and request.rerank is not None)
            collector = searcher.collector(
                limit=_depth(request, wanted) if deeper else wanted,
                sortedby=sortedby,
                reverse=request.sort == "newest",
            )
            timed = TimeLimitCollector(collector, timelimit=request.time_limit, use_alarm=False)
            try:
                searcher.search_with_collector(scored, timed)
            except TimeLimit:
                partial = True
            found = timed.results()
            top = [(hit.docnum, hit.score or 0.0) for hit in found]
            if bonus:
                top = self._all_words_bonus(searcher, top, translation.all_words)
            if window:
                top = _windowed(searcher, top, window)
            if sortedby is None:
                top = _reranked(searcher, top, request)[:wanted]
            if time.perf_counter() < deadline:
                finder = gen.translator(matching=True)
                docnums, cut = self._matching(
                    searcher, finder.translate(request.query).query, allowed, deadline
                )
                if cut:  # the count is a lower bound; the page's hits are in it
                    partial = True
                    docnums = sorted(set(docnums).union(d for d, _ in top))
            else:
                partial = True
                docnums = [d for d, _ in top]

        total = len(docnums)
        hits = [
            self._hit(searcher, docnum, score, translation.highlight_stems, request.with_snippets)
            for docnum, score in top[(page - 1) * per_page : page * per_page]
        ]
        facets = gen.facets().count(docnums, request.facet_limit) if request.with_facets else {}
        suggestion = self._suggestion(gen, request.query, total)
        return Results(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            partial=partial,
            page=page,
            per_page=per_page,
        )

    # -- investigating: whole result sets --------------------------------------
    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of `request` in its order (for exports), one stored article
        read at a time: the ranking holds (docnum, score) pairs only, and
        nothing more is read once the consumer stops. No time limit: an export
        is complete or it is nothing."""
        try:
            gen = self._generation()
            searcher = gen.searcher()
            gazetteer = gen.gazetteer()
            translation = gen.translator().translate(request.query)
            q = translation.query
            if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
                return
            fq = filter_query(canonical_filters(request.filters, gazetteer))
            scored = q if fq is None else wq.And([q, DocSetQuery(searcher, fq)])
            sortedby = None if request.sort == "relevance" else "published"
            collector = searcher.collector(
                limit=None, sortedby=sortedby, reverse=request.sort == "newest"
            )
            searcher.search_with_collector(scored, collector)
            top = [(hit.docnum, hit.score or 0.0) for hit in collector.results()]
            if sortedby is None and len(translation.all_words) > 1:
                top = self._all_words_bonus(searcher, top, translation.all_words)
            for docnum, score in top:
                yield self._hit(
                    searcher, docnum, score, translation.highlight_stems, request.with_snippets
                )
        except (IndexMissing, QueryError, GeneratorExit, *PROGRAMMING_ERRORS):
            raise
        except Exception as exc:  # same reasons as _reads_index, for a generator
            raise _damaged(self.root, exc) from exc

    @_reads_index
    def date_counts(self, request: SearchRequest | None) -> DateCounts:
        """Matches of `request` per publication day (None: the whole index),
        from the generation's day table; the match set is the search's own (the
        fast path's mask, reused when the same search just ran), found under
        the request's time limit."""
        started = time.perf_counter()
        gen = self._generation()
        table = gen.days()
        if request is None or (request.query is None and request.filters.is_empty()):
            return table.count(None)
        fast = gen.fast() if self.fast_path else None
        if fast is not None:
            mask, cut = self._match_mask(gen, fast, request, started)
            counts = table.count_mask(mask)
            return replace(counts, partial=True) if cut else counts
        searcher = gen.searcher()
        gazetteer = gen.gazetteer()
        finder = gen.translator(matching=True)
        q = finder.translate(request.query).query
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return table.count([])
        fq = filter_query(canonical_filters(request.filters, gazetteer))
        allowed = None if fq is None else DocSetQuery(searcher, fq)
        docnums, cut = self._matching(searcher, q, allowed, started + request.time_limit)
        counts = table.count(docnums)
        return replace(counts, partial=cut) if cut else counts

    def _match_mask(
        self, gen: _Generation, fast: FastPath, request: SearchRequest, started: float
    ) -> tuple[np.ndarray, bool]:
        """The fast path's match set of `request` (the same mask its search
        counts as the total), and whether the time limit cut it."""
        key = _matches_key(request)
        mask = gen.recall_matches(key)
        if mask is not None:
            return mask, False
        searcher = gen.searcher()
        gazetteer = gen.gazetteer()
        translation = gen.translator().translate(request.query)
        fq = filter_query(canonical_filters(request.filters, gazetteer))
        run = Executor(
            fast, searcher, WEIGHTING.B, WEIGHTING.K1, deadline=started + request.time_limit
        )
        mask = run.run(translation.query).mask
        if fq is not None:
            mask &= run.filter_mask(fq)
        if not run.partial:
            gen.remember_matches(key, mask)
        return mask, run.partial

    def gazetteer(self) -> Gazetteer:
        """The gazetteer the live generation was built with (its queries expand with it)."""
        return self._generation().gazetteer()

    def _search_fast(
        self,
        gen: _Generation,
        fast: FastPath,
        searcher: Searcher,
        request: SearchRequest,
        translation,
        fq: wq.Query | None,
        started: float,
    ) -> Results:
        """The same search over the generation's columns (fastpath.py): the same
        ranking tree, scored with numpy; exact total; facets by `bincount`."""
        page, per_page = request.page, request.per_page
        wanted = page * per_page
        run = Executor(
            fast, searcher, WEIGHTING.B, WEIGHTING.K1, deadline=started + request.time_limit
        )
        found = run.run(translation.query)
        mask, score = found.mask, found.score
        if fq is not None:
            mask &= run.filter_mask(fq)
            score[~mask] = 0.0
        if request.sort != "relevance":
            top = sorted_by_date(fast.published(), mask, wanted, request.sort == "newest")
        elif len(translation.all_words) > 1:
            # Every match is coordinated before the best are kept, as OpenSearch
            # does (one function a word over all documents): an article holding
            # every word but outside the best raw scores is not cut first.
            held = np.zeros(len(mask), dtype=np.int32)
            for word in translation.all_words:
                held += run.matches(word).mask
            n = len(translation.all_words)
            factors = np.array([coordination(h, n) for h in range(n + 1)])
            top = top_k(score * factors[held], mask, _depth(request, wanted))
            top = _windowed(searcher, top, window_words(request.query), fast)
            top = _reranked(searcher, top, request)[:wanted]
        else:
            window = window_words(request.query)
            deeper = request.rerank is not None or bool(window)
            top = top_k(score, mask, _depth(request, wanted) if deeper else wanted)
            top = _windowed(searcher, top, window, fast)
            top = _reranked(searcher, top, request)[:wanted]
        if not run.partial:
            gen.remember_matches(_matches_key(request), mask)
        total = int(np.count_nonzero(mask))
        hits = [
            self._hit(searcher, docnum, s, translation.highlight_stems, request.with_snippets)
            for docnum, s in top[(page - 1) * per_page : page * per_page]
        ]
        facets = fast.facets.count(mask, request.facet_limit) if request.with_facets else {}
        return Results(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=self._suggestion(gen, request.query, total),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            partial=run.partial,
            page=page,
            per_page=per_page,
        )

    @staticmethod
    def _all_words_bonus(searcher: Searcher, top, words: list[wq.Query]):
        """Re-rank the best candidates: each score multiplied by the core's
        `coordination` of how many typed words the article holds (doubled, and
        more, when it holds every one), then sort again.

        Checking membership of a few hundred candidates with `skip_to` costs a
        fraction of matching the whole word list twice, and the first pass
        keeps RERANK_DEPTH candidates, far more than a page.
        """
        if not top:
            return top
        ordered = sorted(d for d, _ in top)
        held = dict.fromkeys(ordered, 0)
        for word in words:
            matcher = word.matcher(searcher)
            for d in ordered:
                if matcher.is_active() and matcher.id() < d:
                    matcher.skip_to(d)
                if matcher.is_active() and matcher.id() == d:
                    held[d] += 1
        n = len(words)
        rescored = [(d, s * coordination(held[d], n)) for d, s in top]
        return sorted(rescored, key=lambda ds: -ds[1])

    @staticmethod
    def _matching(
        searcher: Searcher,
        q: wq.Query,
        allowed: DocSetQuery | None,
        deadline: float = float("inf"),
    ) -> tuple[list[int], bool]:
        """Every matching document number (the exact total and the facet base),
        and whether the deadline cut the count short.

        A query of many OR-ed prefixes can match most of the corpus: the clock is
        read every few thousand documents so that the time limit holds here too.
        """
        query = q if allowed is None else wq.And([q, allowed])
        found: list[int] = []
        for n, docnum in enumerate(searcher.docs_for_query(query)):
            if n % _CLOCK_EVERY == 0 and time.perf_counter() > deadline:
                return found, True
            found.append(docnum)
        return found, False

    def _hit(self, searcher: Searcher, docnum: int, score: float, stems, with_snippets) -> Hit:
        stored = searcher.stored_fields(docnum)["doc"]
        article = article_from_stored(stored)
        return Hit(
            id=article.id,
            title=article.title,
            url=article.url,
            source=article.source,
            published=article.published,
            score=round(float(score), 4),
            snippets=make_snippets(article.sections, stems) if with_snippets else [],
            entities=group_entities(article.entities),
        )

    def _suggestion(self, gen: _Generation, node: Node | None, total: int) -> str | None:
        """A corrected query when a typed word is unknown or rare in the corpus."""
        if node is None:
            return None
        spelling = gen.spelling()
        rare = max_frequency_to_correct(total)

        def correct(term: Term) -> str | None:
            word = fold(term.text)
            return spelling.suggest(word) if spelling.frequency(word) <= rare else None

        return corrected_query(node, correct)

    # -- reading -------------------------------------------------------------
    @_reads_index
    def get(self, article_id: str) -> Article | None:
        searcher = self._generation().searcher()
        stored = searcher.document(id=article_id)
        return article_from_stored(stored["doc"]) if stored else None

    @_reads_index
    def more_like(self, article: Article, limit: int) -> list[Hit]:
        """Topical neighbours: Whoosh's `more_like` (Bo1 key terms of the article's
        stemmed text), the article itself left out. Reprints are Loupe's job
        (`search.reprints`); this only says « about the same thing »."""
        gen = self._generation()
        searcher = gen.searcher()
        docnum = searcher.document_number(id=article.id)
        if docnum is None:
            return []
        fast = gen.fast() if self.fast_path else None
        if fast is not None:  # the same key terms and scores, on the columns (neighbours.py)
            top = neighbours.more_like(
                fast,
                searcher,
                docnum,
                article.full_text,
                limit,
                MORE_LIKE_TERMS,
                WEIGHTING.B,
                WEIGHTING.K1,
            )
            return [self._hit(searcher, d, score, (), False) for d, score in top]
        found = searcher.more_like(
            docnum, "text", text=article.full_text, top=limit, numterms=MORE_LIKE_TERMS
        )
        return [self._hit(searcher, hit.docnum, hit.score, (), False) for hit in found]

    def all_articles(self) -> Iterable[Article]:
        searcher = self._generation().searcher()
        try:
            for stored in searcher.all_stored_fields():
                yield article_from_stored(stored["doc"])
        except Exception as exc:  # same reasons as _reads_index, for a generator
            raise _damaged(self.root, exc) from exc

    @_reads_index
    def entities(self, type_: str | None, prefix: str, limit: int) -> list[FacetValue]:
        gen = self._generation()
        table = gen.facets()
        facets = [ENTITY_FIELDS[t] for t in listed_types(type_)]
        folded = facet_key(prefix) if prefix else ""
        found: list[FacetValue] = []
        for facet in facets:
            names = table.display.get(facet, {})
            for key, count in table.doc_frequency[facet].items():
                if key.startswith(folded) or (folded and f" {folded}" in key):
                    found.append(FacetValue(names.get(key, key), count))
        found.sort(key=lambda v: (-v.count, v.value))
        return found[:limit]

    @_reads_index
    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Autocomplete (`search.core.suggestions.autocomplete`): entity names, then
        the last word completed with the corpus words most articles use."""
        return autocomplete(prefix, limit, self._entity_names, self._completions)

    def _entity_names(self, prefix: str, limit: int) -> list[str]:
        return [v.value for v in self.entities(None, prefix, limit)]

    def _completions(self, word: str, limit: int) -> list[str]:
        reader = self._generation().searcher().reader()
        expansions = []
        for w in reader.expand_prefix("text_exact", fold(word)):
            w = w.decode("utf-8") if isinstance(w, bytes) else w
            expansions.append((reader.doc_frequency("text_exact", w), w))
            if len(expansions) > 2000:
                break
        return [w for _, w in sorted(expansions, reverse=True)[:limit]]

    @_reads_index
    def stats(self) -> IndexStats:
        gen = self._generation()
        meta = gen.meta
        return IndexStats(
            generation=gen.name,
            articles=meta.get("articles", gen.index.doc_count()),
            terms=meta.get("terms", 0),
            entities=meta.get("entities", {}),
            built_at=meta.get("built_at"),
        )
