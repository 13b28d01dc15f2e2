"""The vectorised query path: Loupe's Whoosh queries scored with numpy, not matchers.

Whoosh's matchers are pure Python: a word that tens of thousands of articles
hold costs a Python call per posting, per field, and the total and the facets
walked every match a second time (1–2 s per long query at 100,000 articles).
This module keeps Whoosh for what it does well — analysis, storage, the query
tree Loupe's ranking rules build (`querying.Translator`), phrase verification
over positions, snippets — and executes that same tree over columns:

- per Whoosh segment and per ranked field, a term → documents matrix in CSC
  form (`ptr`, `docs`, `tf`), the per-document field lengths, and for the
  facet fields the same matrix of keys; memory-mapped `.npy` files written by
  `build_fast_path` next to the segment, inside the generation folder;
- a query term is a slice of its column: BM25F (Whoosh's own formula, global
  idf and average lengths) for all its documents in one numpy expression;
  `Or` adds, `And` intersects, `AndNot` removes — over dense arrays of the
  corpus size (100,000 floats: microseconds per operation);
- the top k by `argpartition`, the exact total as a count of the match mask,
  the facets as `bincount` over the matched documents' keys.

Anything the columns do not hold (phrases, date ranges, fields searched only
by prefix, `Every`) is matched by Whoosh itself and merged in, scores
included, so the results are the plain path's: same hits, same scores up to
the last bits of floating-point addition order, same total and facets (see
tests/test_fastpath.py). The time limit is checked between leaves and inside
the Whoosh-matched ones: a cut leaves what was found in time, marked partial.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search.backends.base import FacetValue
from search.backends.whoosh.docset import DocSetQuery
from search.backends.whoosh.facets import FACET_SOURCES
from search.backends.whoosh.phrases import PhraseTimeCut, phrase_documents

log = logging.getLogger(__name__)

FAST_DIR = "fastpath"
FORMAT_VERSION = 1
# Fields whose terms the ranking looks up (querying.STEM_FIELDS, EXACT_FIELDS,
# PHRASE_FIELDS for single words and expansions, name and entity keys).
SCORED_FIELDS = ("text", "title", "text_exact", "title_exact", "namekeys", "entkeys")
FACET_FIELDS = tuple(FACET_SOURCES.values())
_CLOCK_EVERY = 2048  # Whoosh-matched postings between two looks at the clock


class FastPathMissing(Exception):
    """The generation has no (or incomplete) column files: the plain path serves it."""


class TimeCut(Exception):
    """The deadline passed while matching."""


def term_hash(text: str | bytes) -> int:
    """A 64-bit key for a term: a sorted array of these is the term dictionary
    (binary search in a memory-mapped file, nothing to load at open)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little", signed=True)


# -- building -----------------------------------------------------------------


def build_fast_path(generation_dir: Path, reuse_from: Path | None = None) -> list[str]:
    """Write the column files of every segment of the Whoosh index in
    `generation_dir` that does not have them yet; returns the segments written.

    Called by the build after a generation's segments are committed and before
    it is published. Files are per segment (`fastpath/<segment id>/`) and never
    change, so a generation that reuses segments of the previous one
    (`reuse_from`, its folder) hard-links their columns and only pays for its
    new segment; a segment's deletions live in the generation, not in these
    files, and are read at open.
    """
    generation_dir = Path(generation_dir)
    root = generation_dir / FAST_DIR
    root.mkdir(exist_ok=True)
    written: list[str] = []
    ix = windex.open_dir(str(generation_dir))
    with ix.reader() as reader:
        for segreader, _ in reader.leaf_readers():
            seg_id = segreader.segment().segment_id()
            target = root / seg_id
            if _complete(target, segreader.doc_count_all()):
                continue
            earlier = Path(reuse_from) / FAST_DIR / seg_id if reuse_from else None
            if earlier is not None and _complete(earlier, segreader.doc_count_all()):
                _link_tree(earlier, target)
                continue
            tmp = root / f"{seg_id}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            _write_segment(segreader, tmp)
            shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
            written.append(seg_id)
    return written


def _complete(folder: Path, docs: int) -> bool:
    try:
        fmt = json.loads((folder / "format.json").read_text())
    except (OSError, ValueError):
        return False
    return fmt.get("format") == FORMAT_VERSION and fmt.get("docs") == docs


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link a finished segment's column files (copy across file systems)."""
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in source.iterdir():
        try:
            os.link(f, tmp / f.name)
        except OSError:
            shutil.copy2(f, tmp / f.name)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def _postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) pairs of a segment's posting list, block by block
    (Whoosh's block arrays, not a Python call per posting)."""
    ids: list = []
    weights: list = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        i = matcher._i
        ids.append(np.asarray(matcher._ids[i:], dtype=np.int32))
        weights.append(np.asarray(matcher._weights[i:], dtype=np.float32))
        matcher._next_block()
    if not ids:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _write_segment(segreader: IndexReader, folder: Path) -> None:
    """The columns of a committed segment, read back from its posting lists
    (segments written without `column_tap`, such as those of older builds)."""
    names = set(segreader.indexed_field_names())
    for field in (*SCORED_FIELDS, *FACET_FIELDS):
        keys: list[int] = []
        terms: list[str] = []
        ptr = [0]
        docs: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        if field in names:
            for term, _ in segreader.iter_field(field):
                ids, weights = _postings(segreader.postings(field, term))
                keys.append(term_hash(term))
                if field in FACET_FIELDS:
                    terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                docs.append(ids)
                tfs.append(weights)
                ptr.append(ptr[-1] + len(ids))
        save_field_columns(folder, field, keys, terms, ptr, docs, tfs)
    save_lengths_and_format(folder, segreader)


def save_field_columns(
    folder: Path,
    field: str,
    keys: list[int],
    terms: list[str],
    ptr: list[int],
    docs: list[np.ndarray],
    tfs: list[np.ndarray],
) -> None:
    """One field's columns, from its terms in index order: their keys, (facet
    fields) their texts, and each term's documents and weights."""
    key_arr = np.array(keys, dtype=np.int64)
    order = np.argsort(key_arr, kind="stable")
    np.save(folder / f"{field}.keys.npy", key_arr[order])
    np.save(folder / f"{field}.cols.npy", order.astype(np.int32))
    np.save(folder / f"{field}.ptr.npy", np.array(ptr, dtype=np.int64))
    np.save(
        folder / f"{field}.docs.npy",
        np.concatenate(docs) if docs else np.zeros(0, np.int32),
    )
    if field in SCORED_FIELDS:
        np.save(
            folder / f"{field}.tf.npy",
            np.concatenate(tfs) if tfs else np.zeros(0, np.float32),
        )
    else:
        (folder / f"{field}.terms.json").write_text(json.dumps(terms, ensure_ascii=False))


def save_lengths_and_format(folder: Path, segreader: IndexReader) -> None:
    """The ranked fields' per-document lengths, then the stamp that makes the
    folder complete (`_complete`)."""
    n = segreader.doc_count_all()
    for field in SCORED_FIELDS:
        # Whoosh scores with lengths quantised to a byte: read them as it does.
        lengths = np.fromiter(
            (segreader.doc_field_length(d, field, 0) or 0 for d in range(n)),
            dtype=np.float64,
            count=n,
        )
        np.save(folder / f"{field}.len.npy", lengths)
    (folder / "format.json").write_text(json.dumps({"format": FORMAT_VERSION, "docs": n}))


# -- opening ------------------------------------------------------------------


@dataclass
class _Column:
    """One field of one segment: sorted term keys → column → documents, weights."""

    keys: np.ndarray
    cols: np.ndarray
    ptr: np.ndarray
    docs: np.ndarray
    tf: np.ndarray | None
    lengths: np.ndarray | None

    def extent(self, h: int) -> tuple[int, int] | None:
        """Where the term of key `h` has its postings in `docs` (None: absent)."""
        keys = self.keys
        i = int(keys.searchsorted(h))
        if i >= len(keys) or keys[i] != h:
            return None
        j = int(self.cols[i])
        return int(self.ptr[j]), int(self.ptr[j + 1])

    def lookup(self, h: int) -> tuple[np.ndarray, np.ndarray | None] | None:
        found = self.extent(h)
        if found is None:
            return None
        a, b = found
        return self.docs[a:b], (self.tf[a:b] if self.tf is not None else None)


def _load_column(folder: Path, field: str, scored: bool) -> _Column:
    def load(name: str) -> np.ndarray:
        # A plain array over the mapped file: still paged in by the kernel, but
        # its slices skip `np.memmap`'s Python-level `__getitem__` and
        # `__array_finalize__` (a tenth of a long query's term lookups, paid
        # once per term and segment: after updates, once more per new segment).
        return np.load(folder / f"{field}.{name}.npy", mmap_mode="r").view(np.ndarray)

    return _Column(
        keys=load("keys"),
        cols=load("cols"),
        ptr=load("ptr"),
        docs=load("docs"),
        tf=load("tf") if scored else None,
        lengths=load("len") if scored else None,
    )


class FacetColumns:
    """Every document's facet keys as (document, key id) pairs, for counting a
    match mask with one `bincount` per facet."""

    def __init__(self, per_segment: list[tuple[Path, int]], display: dict) -> None:
        self.display = display
        self.keys: dict[str, list[str]] = {}
        self.key_id: dict[str, dict[str, int]] = {}
        self.doc_of: dict[str, np.ndarray] = {}
        self.key_of: dict[str, np.ndarray] = {}
        for facet, field in FACET_SOURCES.items():
            ids: dict[str, int] = {}
            docs, keys = [], []
            for folder, offset in per_segment:
                terms = json.loads((folder / f"{field}.terms.json").read_text())
                ptr = np.load(folder / f"{field}.ptr.npy")
                seg_docs = np.load(folder / f"{field}.docs.npy")
                local = np.array([ids.setdefault(t, len(ids)) for t in terms], dtype=np.int32)
                docs.append(seg_docs.astype(np.int64) + offset)
                keys.append(np.repeat(local, np.diff(ptr)))
            self.keys[facet] = list(ids)
            self.key_id[facet] = ids
            self.doc_of[facet] = np.concatenate(docs) if docs else np.zeros(0, np.int64)
            self.key_of[facet] = np.concatenate(keys) if keys else np.zeros(0, np.int32)

    def docs_with(self, facet: str, key: str) -> np.ndarray:
        """The documents holding `key` in a facet field (a filter value)."""
        kid = self.key_id.get(facet, {}).get(key)
        if kid is None:
            return np.zeros(0, np.int64)
        return self.doc_of[facet][self.key_of[facet] == kid]

    def count(self, mask: np.ndarray, limit: int) -> dict[str, list[FacetValue]]:
        out: dict[str, list[FacetValue]] = {}
        for facet, keys in self.keys.items():
            hit = mask[self.doc_of[facet]]
            counts = np.bincount(self.key_of[facet][hit], minlength=len(keys))
            nonzero = np.flatnonzero(counts)
            names = self.display.get(facet, {})
            if facet == "months":
                pairs = sorted(((keys[k], int(counts[k])) for k in nonzero), reverse=True)
            else:
                if len(nonzero) > limit:  # keep every key tied with the last one shown
                    floor = np.partition(counts[nonzero], len(nonzero) - limit)[-limit]
                    nonzero = nonzero[counts[nonzero] >= floor]
                pairs = sorted(((keys[k], int(counts[k])) for k in nonzero), key=_by_count)
            out[facet] = [FacetValue(names.get(k, k), c) for k, c in pairs[:limit]]
        return out


def _by_count(kv: tuple[str, int]) -> tuple[int, str]:
    return (-kv[1], kv[0])


class FastPath:
    """A generation's columns, opened once and shared by every thread (read-only)."""

    def __init__(self, generation_dir: Path, reader: IndexReader, display: dict) -> None:
        root = Path(generation_dir) / FAST_DIR
        self.doc_count = reader.doc_count_all()
        self.segments: list[tuple[int, dict[str, _Column]]] = []
        facet_segments: list[tuple[Path, int]] = []
        for segreader, offset in reader.leaf_readers():
            folder = root / segreader.segment().segment_id()
            try:
                fmt = json.loads((folder / "format.json").read_text())
            except (OSError, ValueError) as exc:
                raise FastPathMissing(f"no column files for segment {folder.name}") from exc
            if fmt.get("format") != FORMAT_VERSION or fmt.get("docs") != segreader.doc_count_all():
                raise FastPathMissing(f"column files of {folder.name} are from another build")
            columns = {f: _load_column(folder, f, True) for f in SCORED_FIELDS}
            self.segments.append((offset, columns))
            facet_segments.append((folder, offset))
        self.live = np.ones(self.doc_count, dtype=bool)
        if reader.has_deletions():
            self.live[:] = False
            self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        # Global statistics, as Whoosh's BM25F reads them from the top-level searcher.
        self.avg_length = {
            f: (reader.field_length(f) / (self.doc_count or 1)) or 1 for f in SCORED_FIELDS
        }
        self.facets = FacetColumns(facet_segments, display)
        self._published: np.ndarray | None = None
        self._reader = reader

    def published(self) -> np.ndarray:
        """Each document's `published` sort key, as Whoosh's sorting column holds it
        (unsigned: an undated document holds the column's default, 2**64 - 1)."""
        if self._published is None:
            col = self._reader.column_reader("published", translate=False)
            self._published = np.array([col[d] for d in range(self.doc_count)], dtype=np.uint64)
        return self._published

    def date_mask(self, start: int | None, end: int | None) -> np.ndarray:
        """Documents published from `start` to `end` inclusive (Whoosh's long
        dates, as `DateRange` holds them); undated documents never match."""
        published = self.published()
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[self.facets.doc_of["months"]] = True  # every dated document has its month
        if start is not None:
            mask &= published >= start
        if end is not None:
            mask &= published <= end
        return mask

    def doc_frequency(self, field: str, text: str) -> int:
        """How many documents of the segments hold `text` in `field`, deleted
        ones included, as Whoosh's `IndexReader.doc_frequency` counts them
        (from its term info); one binary search a segment instead of a lookup
        in each segment's term file."""
        h = term_hash(text)
        total = 0
        for _, columns in self.segments:
            found = columns[field].extent(h)
            if found is not None:
                total += found[1] - found[0]
        return total

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Global docnums, weights and field lengths of a term across segments."""
        h = term_hash(text)
        docs, tfs, lengths = [], [], []
        for offset, columns in self.segments:
            found = columns[field].lookup(h)
            if found is None:
                continue
            d, tf = found
            docs.append(d.astype(np.int64) + offset)
            tfs.append(tf.astype(np.float64))
            lengths.append(columns[field].lengths[d])
        if not docs:
            empty = np.zeros(0)
            return empty.astype(np.int64), empty, empty
        return np.concatenate(docs), np.concatenate(tfs), np.concatenate(lengths)


# -- executing ------------------------------------------------------------------


class Matches:
    """A query node's result over the whole corpus: which documents, what score."""

    __slots__ = ("mask", "score")

    def __init__(self, mask: np.ndarray, score: np.ndarray) -> None:
        self.mask = mask
        self.score = score


class Executor:
    """Runs one Whoosh query tree over a `FastPath` (one search, one thread)."""

    def __init__(
        self,
        fast: FastPath,
        searcher: Searcher,
        B: float,
        K1: float,
        deadline: float = float("inf"),
    ) -> None:
        self.fast = fast
        self.searcher = searcher
        self.B, self.K1 = B, K1
        self.deadline = deadline
        self.partial = False
        self.n = fast.doc_count
        self._memo: dict[int, Matches] = {}

    def run(self, q: wq.Query) -> Matches:
        m = self._node(q)
        m.mask &= self.fast.live
        m.score[~m.mask] = 0.0
        return m

    def filter_mask(self, q: wq.Query) -> np.ndarray:
        """The documents a filter query (querying.filter_query) lets through:
        facet keys and date ranges read from the columns, no Whoosh matcher."""
        if isinstance(q, wq.And):
            mask = np.ones(self.n, dtype=bool)
            for sub in q.subqueries:
                mask &= self.filter_mask(sub)
            return mask
        if isinstance(q, wq.Or):
            mask = np.zeros(self.n, dtype=bool)
            for sub in q.subqueries:
                mask |= self.filter_mask(sub)
            return mask
        if isinstance(q, wq.Term) and q.fieldname in self.fast.facets.key_id:
            mask = np.zeros(self.n, dtype=bool)
            mask[self.fast.facets.docs_with(q.fieldname, q.text)] = True
            return mask
        if (
            isinstance(q, wq.DateRange)
            and q.fieldname == "published"
            and not (q.startexcl or q.endexcl)
        ):
            return self.fast.date_mask(q.start, q.end)
        return self._node(q).mask

    def matches(self, q: wq.Query) -> Matches:
        """The result of a node already run as part of the tree (memoised)."""
        return self._memo.get(id(q)) or self._node(q)

    def _empty(self) -> Matches:
        return Matches(np.zeros(self.n, dtype=bool), np.zeros(self.n))

    def _node(self, q: wq.Query) -> Matches:
        if isinstance(q, wq.Or | wq.And) and len(q.subqueries) == 1:
            m = self._node(q.subqueries[0])  # Whoosh ignores a lone child's parent boost
        elif isinstance(q, wq.Or):
            m = self._or(q)
        elif isinstance(q, wq.And):
            m = self._and(q)
        elif isinstance(q, wq.AndNot):
            m = self._node(q.a)
            m = Matches(m.mask.copy(), m.score.copy())
            m.mask &= ~self._node(q.b).mask
            m.score[~m.mask] = 0.0
        elif isinstance(q, wq.Term) and q.fieldname in SCORED_FIELDS:
            m = self._empty()
            self._add_term(q, m)
        elif isinstance(q, wq.Phrase) and q.fieldname in SCORED_FIELDS and q.slop == 1:
            m = self._phrase(q)
        elif isinstance(q, DocSetQuery):
            m = self._empty()
            if q.docnums:
                m.mask[np.asarray(q.docnums, dtype=np.int64)] = True
        elif q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            m = self._empty()
        elif isinstance(q, wq.Every) and q.fieldname in (None, "", "*"):
            # Every live document, scored with the query's boost as Whoosh's
            # ListMatcher does (a filter-only search, a query of negations).
            m = Matches(self.fast.live.copy(), np.where(self.fast.live, float(q.boost), 0.0))
        else:
            m = self._whoosh(q)
        self._memo[id(q)] = m
        return m

    def _or(self, q: wq.Or) -> Matches:
        m = self._empty()
        for sub in q.subqueries:
            if isinstance(sub, wq.Term) and sub.fieldname in SCORED_FIELDS:
                self._add_term(sub, m)  # straight into the sum: no array per term
            else:
                s = self._node(sub)
                m.mask |= s.mask
                m.score += s.score
        if q.boost != 1.0:
            m.score *= q.boost
        return m

    def _and(self, q: wq.And) -> Matches:
        subs = [self._node(sub) for sub in q.subqueries]
        mask = subs[0].mask.copy()
        for s in subs[1:]:
            mask &= s.mask
        score = np.zeros(self.n)
        for s in subs:
            score += s.score
        score[~mask] = 0.0
        if q.boost != 1.0:
            score *= q.boost
        return Matches(mask, score)

    def _add_term(self, q: wq.Term, into: Matches) -> None:
        if time.perf_counter() > self.deadline:  # past the limit: what was found stands
            self.partial = True
            return
        docs, s = self._term_scores(q.fieldname, q.text, q.boost)
        if not len(docs):
            return
        into.score[docs] += s
        into.mask[docs] = True

    def _term_scores(self, field: str, text: str, boost: float = 1.0):
        """The documents holding a term and its BM25F score in each."""
        docs, tf, lengths = self.fast.postings(field, text)
        if not len(docs):
            return docs, tf
        # Whoosh's BM25F (scoring.bm25), same operation order, float64 as Python's floats.
        df = len(docs)
        idf = np.log(self.fast.doc_count / (df + 1)) + 1
        B, K1 = self.B, self.K1
        avg = self.fast.avg_length[field]
        s = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avg)))
        if boost != 1.0:
            s = s * boost
        return docs, s

    def _phrase(self, q: wq.Phrase) -> Matches:
        """A quoted phrase (phrases.py): the documents holding every word, from
        the columns, checked for the words' run; scored as Whoosh scores it,
        the sum of its words' BM25F times the phrase's boost."""
        m = self._empty()
        if time.perf_counter() > self.deadline:
            self.partial = True
            return m
        scored = [self._term_scores(q.fieldname, w) for w in q.words]
        if any(not len(docs) for docs, _ in scored):
            return m  # a word no document holds: Whoosh matches nothing either
        candidates = scored[0][0]
        for docs, _ in scored[1:]:
            candidates = np.intersect1d(candidates, docs, assume_unique=True)
        try:
            matched = phrase_documents(
                self.searcher, q.fieldname, list(q.words), candidates, self.deadline
            )
        except PhraseTimeCut:
            self.partial = True
            return m
        if not len(matched):
            return m
        total = np.zeros(self.n)
        for docs, s in scored:
            total[docs] += s
        m.mask[matched] = True
        m.score[matched] = total[matched] * q.boost if q.boost != 1.0 else total[matched]
        return m

    def _whoosh(self, q: wq.Query) -> Matches:
        """A node the columns do not hold, matched and scored by Whoosh itself."""
        m = self._empty()
        if time.perf_counter() > self.deadline:
            self.partial = True
            return m
        context = self.searcher.context()
        ids: list[int] = []
        scores: list[float] = []
        try:
            for leaf, offset in self.searcher.leaf_searchers():
                matcher = q.matcher(leaf, context)
                n = 0
                while matcher.is_active():
                    ids.append(matcher.id() + offset)
                    scores.append(matcher.score())
                    matcher.next()
                    n += 1
                    if n % _CLOCK_EVERY == 0 and time.perf_counter() > self.deadline:
                        raise TimeCut
        except TimeCut:
            self.partial = True
        if ids:
            idx = np.array(ids, dtype=np.int64)
            m.mask[idx] = True
            m.score[idx] = np.array(scores)
        return m


def top_k(score: np.ndarray, mask: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best matches, by score then document number (Whoosh's order)."""
    candidates = np.flatnonzero(mask)
    if len(candidates) > k:
        part = np.argpartition(-score[candidates], k - 1)[:k]
        floor = score[candidates[part]].min()
        candidates = candidates[score[candidates] >= floor]  # ties at the edge stay in
    order = np.lexsort((candidates, -score[candidates]))
    best = candidates[order][:k]
    return [(int(d), float(score[d])) for d in best]


def sorted_by_date(
    keys: np.ndarray, mask: np.ndarray, k: int, newest: bool
) -> list[tuple[int, float]]:
    """The first k matches by publication date, as Whoosh's sorting collector
    gives them: (date, document number), reversed as a whole for newest first;
    the sort key stands as the score."""
    candidates = np.flatnonzero(mask)
    values = keys[candidates]
    order = np.lexsort((candidates, values))
    if newest:
        order = order[::-1]
    best = candidates[order][:k]
    return [(int(d), float(keys[d])) for d in best]
