"""The reprint store: which articles repeat which, kept with an index generation.

Candidates come from MinHash signatures (datasketch) of each article's word
shingles, banded as datasketch's LSH bands them but in numpy (`banding.py`),
tuned low (Jaccard ≈ 0.2) so that a wire story pasted into an article three
times its length is still proposed; every candidate pair is then checked
exactly on the shingle sets, in both directions:

    containment(a in b) = |A ∩ B| / |A|      (share of a's text found in b)

A pair is a reprint when the smaller article is at least `threshold` inside
the other (« an article that is 80 % another one »), so verbatim copies,
light rewrites and embedded stories all pass the same test, and two articles
on the same topic (same names, same week, different sentences) do not.

Shingles found in very many articles (agency footers, licence lines, « lire
aussi » boxes) are dropped before anything is compared, and an article with too
few distinct shingles left never joins a cluster: a boilerplate page or a
two-line brief is not a story anyone republished.

Clusters gather, in date order, each article under the earliest first
publication it shares its text with (see `_components`). The store is
incremental: `add` and `remove` update the band keys, the pairs and the clusters for
a few articles without looking at the rest of the archive again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from search.reprints.banding import band_keys, band_shape, candidate_pairs, shared_counts
from search.reprints.distinct import distinct
from search.reprints.helper import SPLIT_FROM, Helper
from search.reprints.shingles import SHINGLE_SIZE
from search.reprints.signatures import signatures_of, write_rows

STORE_VERSION = 2
CLUSTERS_FILE = "clusters.json"  # what readers load: small, once per generation
PAIRS_FILE = "pairs.npz"  # readers: the reprint pairs (CSR adjacency)
STATE_FILE = "state.npz"  # what an incremental update needs: ids, signatures, band keys
SHINGLES_FILE = "shingles.npy"  # and the compared articles' shingles, end to end


@dataclass(frozen=True)
class Params:
    """Every number the reprint relation depends on (saved with the store)."""

    shingle_size: int = SHINGLE_SIZE
    # Share of the smaller article found in the other. Measured by
    # `python -m bench.reprints --sweep`: 0.5 keeps 15 %-rewritten reprints
    # and keeps same-topic articles (≤ 0.15 shared) well apart.
    threshold: float = 0.5
    # LSH for Jaccard 0.2 uses 28 bands of 2 values whatever the number of
    # permutations above 56: 64 gives the same candidates as 128 (the same seed
    # draws the same first permutations) for half the signature time and memory.
    num_perm: int = 64
    lsh_threshold: float = 0.2  # candidates only; the exact check decides
    min_shingles: int = 30  # fewer distinct shingles: too short to call a reprint
    # A shingle in more than max(floor, share × articles) articles is boilerplate.
    frequent_floor: int = 50
    frequent_share: float = 0.005
    seed: int = 1


@dataclass
class Member:
    """What the store keeps of an article: enough to label and date it."""

    id: str
    source: str | None
    published: str | None  # ISO date
    inferred: bool
    shingles: int  # distinct shingles once boilerplate is dropped


@dataclass
class Cluster:
    """Articles that carry the same text, earliest first (undated last)."""

    members: list[str]
    first: str | None  # earliest dated member: « première parution connue »
    first_inferred: bool  # its date was read from the text, not given by the source


@dataclass
class ShingledArticle:
    """An article reduced to what reprint detection needs (built while indexing)."""

    id: str
    source: str | None
    published: str | None
    inferred: bool
    hashes: np.ndarray  # sorted distinct shingle hashes, uint32


class Signed:
    """The writer's side: the articles long enough to compare, one row each —
    their kept shingles, MinHash signatures and LSH band keys — and the reprint
    pairs among them as an edge list (both directions). Numpy arrays throughout:
    no Python object per pair, per bucket or per shingle."""

    def __init__(self, params: Params) -> None:
        self.bands, self.rows = band_shape(params.lsh_threshold, params.num_perm)
        self.num_perm = params.num_perm
        self.ids: list[str] = []  # row → id (a replaced article's old row stays, dead)
        self.number: dict[str, int] = {}  # id → its live row
        self.hashes: list[np.ndarray] = []  # row → sorted kept shingles (empty when dead)
        self.signatures = np.empty((0, params.num_perm), dtype=np.uint32)
        self.keys = np.empty((0, self.bands), dtype=np.uint64)
        self.alive = np.zeros(0, dtype=bool)
        self.src = np.empty(0, dtype=np.int32)
        self.dst = np.empty(0, dtype=np.int32)
        self.shared = np.empty(0, dtype=np.int32)

    def append(
        self,
        ids: list[str],
        hashes: list[np.ndarray],
        signatures: np.ndarray,
        keys: np.ndarray | None = None,
    ) -> int:
        """New live rows at the end; returns the first of them."""
        first = len(self.ids)
        for k, article_id in enumerate(ids):
            self.number[article_id] = first + k
        self.ids.extend(ids)
        self.hashes.extend(hashes)
        signatures = np.asarray(signatures, dtype=np.uint32).reshape(len(ids), self.num_perm)
        if keys is None:
            keys = band_keys(signatures, self.bands, self.rows)
        keys = np.asarray(keys, dtype=np.uint64).reshape(len(ids), self.bands)
        self.signatures = np.concatenate([self.signatures, signatures])
        self.keys = np.concatenate([self.keys, keys])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        return first

    def link(self, pairs: np.ndarray, shared: np.ndarray) -> None:
        """Record reprint pairs (rows) with their shared shingle counts."""
        a, b = pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32)
        self.src = np.concatenate([self.src, a, b])
        self.dst = np.concatenate([self.dst, b, a])
        self.shared = np.concatenate([self.shared, shared, shared]).astype(np.int32)

    def kill(self, article_id: str) -> bool:
        row = self.number.pop(article_id, None)
        if row is None:
            return False
        self.alive[row] = False
        self.hashes[row] = np.empty(0, dtype=np.uint32)
        return True

    def drop_dead_edges(self) -> None:
        keep = self.alive[self.src] & self.alive[self.dst]
        self.src, self.dst, self.shared = self.src[keep], self.dst[keep], self.shared[keep]

    def pairs(self) -> CsrPairs:
        """The edge list as the readers' CSR (ids by row; dead rows have no pairs)."""
        return CsrPairs.from_edges(self.ids, self.src, self.dst, self.shared)

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.alive)


@dataclass
class ReprintStore:
    params: Params = field(default_factory=Params)
    members: dict[str, Member] = field(default_factory=dict)
    # pairs.get(a) → {b: shared shingles between a and b} (symmetric)
    pairs: CsrPairs = field(default_factory=lambda: CsrPairs([], np.zeros(1, np.int64), [], []))
    frequent: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    signed: Signed | None = None  # writer state, absent in a reader's store
    _clusters: list[Cluster] | None = None
    _cluster_of: dict[str, int] | None = None

    # -- building ------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        articles: Iterable[ShingledArticle],
        params: Params | None = None,
        frequent: np.ndarray | None = None,
        workers: int = 1,
        scratch: Path | None = None,
    ):
        """A store over a whole archive: boilerplate is learnt from all of it (or
        given, when the caller learnt it while the articles streamed past);
        `workers`, `scratch`: as `add` takes them."""
        store = cls(params or Params())
        if frequent is None:
            batch = list(articles)
            p = store.params
            frequent = frequent_shingles(
                [a.hashes for a in batch], p.frequent_floor, p.frequent_share
            )
            articles = drained(batch)
        store.frequent = frequent
        store.add(articles, workers=workers, scratch=scratch)
        return store

    def add(
        self, articles: Iterable[ShingledArticle], workers: int = 1, scratch: Path | None = None
    ) -> list[str]:
        """Insert new (or changed) articles: each joins the clusters it reprints.

        Candidates are the pairs sharing an LSH band with a new article (among
        themselves and with the archive), each checked exactly; the pairs of the
        archive are not looked at again. Returns the ids that ended up in a new
        reprint pair. Boilerplate is judged with the table learnt at the last full build.
        With `workers` > 1 and many articles, signatures and exact checks are
        shared with a second process (`helper.py`, its files in `scratch`).
        """
        batch = list(articles)
        self.remove([a.id for a in batch if a.id in self.members])
        signed = self.writer()
        ids: list[str] = []
        kept_hashes: list[np.ndarray] = []
        for article in drained(batch):  # each one's unfiltered shingles freed as it goes
            kept = _without(article.hashes, self.frequent)
            self.members[article.id] = Member(
                article.id, article.source, article.published, article.inferred, len(kept)
            )
            if len(kept) >= self.params.min_shingles:
                ids.append(article.id)
                kept_hashes.append(kept)
        self._clusters = None
        if not ids:
            return []
        with contextlib.ExitStack() as stack:
            helper = None
            if workers > 1 and len(ids) >= SPLIT_FROM:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=scratch)))
                rows = [*signed.hashes, *kept_hashes]
                helper = stack.enter_context(Helper(folder, rows, self.params))
                del rows
            first = self._append(signed, ids, kept_hashes, helper)
            del kept_hashes
            candidates = candidate_pairs(signed.keys, signed.alive, first)
            shared = _shared(signed.hashes, candidates, helper)
        sizes = np.fromiter((len(h) for h in signed.hashes), dtype=np.int64)
        smaller = np.minimum(sizes[candidates[:, 0]], sizes[candidates[:, 1]])
        accepted = shared >= self.params.threshold * smaller
        pairs, shared = candidates[accepted], shared[accepted]
        del candidates, sizes, smaller, accepted  # before the CSR is built: the build's peak
        signed.link(pairs, shared)
        new_rows = distinct(pairs.ravel())
        del pairs, shared
        self.pairs = signed.pairs()
        return [signed.ids[r] for r in new_rows[new_rows >= first].tolist()]

    def _append(
        self, signed: Signed, ids: list[str], kept: list[np.ndarray], helper: Helper | None
    ) -> int:
        """Sign the new rows (half of them in the helper) and append them."""
        if helper is None:
            return signed.append(ids, kept, self._sign(kept))
        half = len(kept) // 2
        theirs = helper.sign(len(signed.ids) + half, len(signed.ids) + len(kept))
        mine = self._sign(kept[:half])
        return signed.append(ids, kept, np.concatenate([mine, theirs()]))

    def _sign(self, rows: list[np.ndarray]) -> np.ndarray:
        return signatures_of(rows, self.params.num_perm, self.params.seed)

    def remove(self, ids: Iterable[str]) -> None:
        """Forget articles gone from the archive (their pairs go with them)."""
        signed = self.writer()
        killed = False
        for article_id in ids:
            self.members.pop(article_id, None)
            killed |= signed.kill(article_id)
        if killed:
            signed.drop_dead_edges()
            self.pairs = signed.pairs()
        self._clusters = None

    def writer(self) -> Signed:
        if self.signed is None:
            if len(self.members):
                raise ValueError("a reader's store cannot be updated: load it writable")
            self.signed = Signed(self.params)
        return self.signed

    # -- reading ---------------------------------------------------------------------
    def containment(self, a: str, b: str) -> tuple[float, float] | None:
        """(share of a's text in b, share of b's text in a), for a stored pair."""
        shared = self.pairs.get(a, {}).get(b)
        if shared is None:
            return None
        return shared / self.members[a].shingles, shared / self.members[b].shingles

    def clusters(self) -> list[Cluster]:
        """Every cluster of two or more articles, largest first."""
        if self._clusters is None:
            self._clusters, self._cluster_of = self._components()
        return self._clusters

    def cluster_of(self, article_id: str) -> Cluster | None:
        self.clusters()
        index = self._cluster_of.get(article_id)
        return None if index is None else self._clusters[index]

    def reprinted_articles(self) -> int:
        """Articles that repeat the text of an earlier one (a direct pair with an
        article dated before them): the reprints, first publications left out."""
        return sum(
            1
            for article_id, others in self.pairs.items()
            if any(self.order_key(o) < self.order_key(article_id) for o in others)
        )

    def reprints_of(self, article_id: str) -> list[str]:
        """The articles that share this one's text (its direct pairs), earliest first."""
        return sorted(self.pairs.get(article_id, {}), key=self.order_key)

    def order_key(self, article_id: str) -> tuple:
        """Earliest first; undated last; the id breaks ties so the order is total."""
        published = self.members[article_id].published
        return (published is None, published or "", article_id)

    def _components(self) -> tuple[list[Cluster], dict[str, int]]:
        """Leader clustering, in date order: an article joins the cluster of the
        earliest first publication it shares its text with, else starts one.

        Connected components would chain: two unrelated stories both pasted into
        one round-up article would become one cluster (on the bench's recombined
        corpus, 8,160 of 10,000 articles in one). Here every member shares at
        least `threshold` of its text with its cluster's first article.

        Read from the CSR arrays, each article's earlier partners sorted once:
        every update recomputes this over the whole archive, and a dictionary of
        partners per article was 7 s of a 100-article update at 100,000."""
        pairs = self.pairs
        rows = np.flatnonzero(np.diff(np.asarray(pairs.indptr)))
        order = sorted(rows.tolist(), key=lambda k: self.order_key(pairs.ids[k]))
        rank = np.full(len(pairs.ids), -1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        src, dst, _ = pairs.edges()
        later, earlier = rank[src], rank[dst]
        keep = earlier < later  # only partners met before an article can lead it
        later, earlier = later[keep], earlier[keep]
        by_rank = np.lexsort((earlier, later))
        later, earlier = later[by_rank], earlier[by_rank]
        bounds = np.searchsorted(later, np.arange(len(order) + 1)).tolist()
        partners = earlier.tolist()
        leader: list[int] = []  # rank → the rank of its cluster's first article
        for r in range(len(order)):
            lead = r
            for k in range(bounds[r], bounds[r + 1]):  # earliest partner first
                if leader[partners[k]] == partners[k]:
                    lead = partners[k]
                    break
            leader.append(lead)
        groups: dict[int, list[str]] = {}
        for r, lead in enumerate(leader):
            groups.setdefault(lead, []).append(pairs.ids[order[r]])
        clusters = [self._cluster(g) for g in groups.values() if len(g) > 1]
        clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
        where = {m: i for i, c in enumerate(clusters) for m in c.members}
        return clusters, where

    def _cluster(self, ids: list[str]) -> Cluster:
        ordered = sorted(ids, key=self.order_key)
        first = ordered[0] if self.members[ordered[0]].published else None
        return Cluster(ordered, first, bool(first and self.members[first].inferred))

    # -- persistence -----------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the store into `folder`, atomically (a temporary folder renamed).

        Readers load `clusters.json` (members and clusters, as lists) and
        `pairs.npz` (the pairs as a CSR adjacency of member numbers): on the
        bench's 100k corpus, 2 million pairs as JSON took 18 s to load."""
        folder = Path(folder)
        tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ids = list(self.members)
        number = {article_id: k for k, article_id in enumerate(ids)}
        members = [self.members[i] for i in ids]
        readers = {
            "version": STORE_VERSION,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "params": asdict(self.params),
            "ids": ids,
            "sources": [m.source for m in members],
            "published": [m.published for m in members],
            "inferred": [m.inferred for m in members],
            "shingles": [m.shingles for m in members],
            "clusters": [
                [[number[m] for m in c.members], c.first_inferred] for c in self.clusters()
            ],
            "frequent": self.frequent.tolist(),
        }
        (tmp / CLUSTERS_FILE).write_text(json.dumps(readers, ensure_ascii=False), "utf-8")
        csr = self.pairs.renumbered(ids, number)
        np.savez(tmp / PAIRS_FILE, indptr=csr.indptr, indices=csr.indices, shared=csr.shared)
        if self.signed is not None:
            signed = self.signed
            rows = signed.live_rows()
            hashes = [signed.hashes[r] for r in rows.tolist()]
            write_rows(tmp / SHINGLES_FILE, hashes)
            np.savez(
                tmp / STATE_FILE,
                ids=np.array([signed.ids[r] for r in rows.tolist()], dtype=str),
                lengths=np.array([len(h) for h in hashes], dtype=np.int64),
                signatures=signed.signatures[rows],
                band_keys=signed.keys[rows],
            )
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)

    @classmethod
    def load(cls, folder: Path, writable: bool = False) -> ReprintStore:
        """Read a saved store; `writable` also loads what `add`/`remove` need:
        the shingles, signatures and band keys of the compared articles."""
        folder = Path(folder)
        data = json.loads((folder / CLUSTERS_FILE).read_text("utf-8"))
        if data.get("version") != STORE_VERSION:
            raise ValueError(f"{folder}: version {data.get('version')} du fichier de reprises")
        store = cls(Params(**data["params"]))
        ids = data["ids"]
        store.members = {
            i: Member(i, source, published, inferred, n)
            for i, source, published, inferred, n in zip(
                ids,
                data["sources"],
                data["published"],
                data["inferred"],
                data["shingles"],
                strict=True,
            )
        }
        with np.load(folder / PAIRS_FILE) as pairs:
            store.pairs = CsrPairs(ids, pairs["indptr"], pairs["indices"], pairs["shared"])
        store.frequent = np.array(data["frequent"], dtype=np.uint32)
        store._clusters = []
        for numbers, first_inferred in data["clusters"]:
            members = [ids[k] for k in numbers]
            first = members[0] if store.members[members[0]].published else None
            store._clusters.append(Cluster(members, first, first_inferred))
        store._cluster_of = {m: i for i, c in enumerate(store._clusters) for m in c.members}
        if writable:
            store.signed = _load_signed(folder, store.params, store.pairs)
            store.pairs = store.signed.pairs()
        return store


def _load_signed(folder: Path, params: Params, pairs: CsrPairs) -> Signed:
    """The writer's state from `state.npz`, `shingles.npy` and the stored pairs
    (from a store written before them: shingles inside `state.npz`, band keys
    recomputed from the signatures)."""
    signed = Signed(params)
    with np.load(folder / STATE_FILE) as state:
        hashed, lengths = state["ids"].tolist(), state["lengths"]
        sigs = state["signatures"]
        keys = state["band_keys"] if "band_keys" in state.files else None
        flat = state["hashes"] if "hashes" in state.files else None
    if flat is None:
        flat = np.load(folder / SHINGLES_FILE)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    hashes = [flat[bounds[k] : bounds[k + 1]] for k in range(len(hashed))]
    signed.append(hashed, hashes, sigs, keys)
    src, dst, shared = pairs.edges()
    row_of = np.array([signed.number.get(i, -1) for i in pairs.ids], dtype=np.int32)
    src, dst = row_of[src], row_of[dst]
    known = (src >= 0) & (dst >= 0)
    signed.src = src[known].astype(np.int32)
    signed.dst = dst[known].astype(np.int32)
    signed.shared = shared[known].astype(np.int32)
    return signed


class CsrPairs:
    """The pairs as a reader needs them, read-only, straight from the arrays:
    `pairs.get(id)` → {other id: shared shingles}, like the writer's dicts."""

    def __init__(self, ids: list[str], indptr, indices, shared) -> None:
        self.ids = ids
        self.number = {article_id: k for k, article_id in enumerate(ids)}
        self.indptr, self.indices, self.shared = indptr, indices, shared

    def get(self, article_id: str, default=None) -> dict[str, int] | None:
        k = self.number.get(article_id)
        if k is None or self.indptr[k] == self.indptr[k + 1]:
            return default
        lo, hi = self.indptr[k], self.indptr[k + 1]
        return {
            self.ids[j]: int(n)
            for j, n in zip(self.indices[lo:hi].tolist(), self.shared[lo:hi].tolist(), strict=True)
        }

    def __getitem__(self, article_id: str) -> dict[str, int]:
        found = self.get(article_id)
        if found is None:
            raise KeyError(article_id)
        return found

    def __contains__(self, article_id: str) -> bool:
        return self.get(article_id) is not None

    def __iter__(self):
        degrees = np.diff(self.indptr)
        return (self.ids[k] for k in np.flatnonzero(degrees).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self.indptr)))

    def items(self):
        return ((article_id, self[article_id]) for article_id in self)

    def values(self):
        return (others for _, others in self.items())

    def keys(self):
        return iter(self)

    def to_dicts(self) -> dict[str, dict[str, int]]:
        return dict(self.items())

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair in both directions: (row, other row, shared), rows of `ids`."""
        indptr = np.asarray(self.indptr)
        src = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))
        return src, np.asarray(self.indices, dtype=np.int32), np.asarray(self.shared)

    @classmethod
    def from_edges(cls, ids: list[str], src, dst, shared) -> CsrPairs:
        src, dst = np.asarray(src, dtype=np.int32), np.asarray(dst, dtype=np.int32)
        # one sort of a combined key: lexsort of the two columns took 2 s at 4 million edges
        order = np.argsort(src.astype(np.int64) * max(len(ids), 1) + dst, kind="stable")
        counts = np.bincount(src, minlength=len(ids))
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(
            ids,
            indptr,
            np.asarray(dst, dtype=np.int32)[order],
            np.asarray(shared, dtype=np.int32)[order],
        )

    def renumbered(self, ids: list[str], number: dict[str, int]) -> CsrPairs:
        """The same pairs over another numbering of the articles (`ids`); pairs of
        articles it does not hold are dropped."""
        src, dst, shared = self.edges()
        new = np.array([number.get(i, -1) for i in self.ids], dtype=np.int32)
        src, dst = new[src], new[dst]
        known = (src >= 0) & (dst >= 0)
        return CsrPairs.from_edges(ids, src[known], dst[known], shared[known])


def drained(items: list) -> Iterator:
    """The items of `items` in order, each removed from the list as it is handed
    out, so that the caller's list no longer keeps what has been consumed."""
    items.reverse()
    while items:
        yield items.pop()


def frequent_shingles(all_hashes: list[np.ndarray], floor: int, share: float) -> np.ndarray:
    """Shingles found in more articles than boilerplate would be (sorted uint32).

    Each article's shingles are distinct, so a value is frequent when, once all
    are sorted together, it is still there `limit` places further on: one
    sorted copy and a boolean mask, not `np.unique`'s counts of every shingle."""
    if not all_hashes:
        return np.empty(0, dtype=np.uint32)
    return frequent_in_sorted(np.concatenate(all_hashes), len(all_hashes), floor, share)


def frequent_in_sorted(values: np.ndarray, articles: int, floor: int, share: float) -> np.ndarray:
    """`frequent_shingles` over every article's shingles laid end to end in
    `values` (sorted here, in place)."""
    limit = int(max(floor, share * articles))
    if len(values) <= limit:
        return np.empty(0, dtype=np.uint32)
    values.sort()
    repeated = values[limit:][values[limit:] == values[:-limit]]
    return distinct(repeated).astype(np.uint32)


def _without(hashes: np.ndarray, frequent: np.ndarray) -> np.ndarray:
    """`hashes` less the boilerplate ones; `frequent` is sorted, so one binary
    search per shingle (`np.isin` sorted both arrays together, per article)."""
    if not len(frequent) or not len(hashes):
        return hashes
    at = np.minimum(np.searchsorted(frequent, hashes), len(frequent) - 1)
    return hashes[frequent[at] != hashes]


def _shared(hashes: list[np.ndarray], pairs: np.ndarray, helper: Helper | None) -> np.ndarray:
    """`shared_counts`, the second half of the pairs counted by the helper."""
    if helper is None:
        return shared_counts(hashes, pairs)
    half = len(pairs) // 2
    theirs = helper.share(pairs[half:])
    return np.concatenate([shared_counts(hashes, pairs[:half]), theirs()])
