"""The reprint store: which articles repeat which, kept with an index generation.

Candidates come from datasketch's MinHash LSH over each article's word
shingles, tuned low (Jaccard ≈ 0.2) so that a wire story pasted into an
article three times its length is still proposed; every candidate pair is then
checked exactly on the shingle sets, in both directions:

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
incremental: `add` and `remove` update the LSH, the pairs and the clusters for
a few articles without looking at the rest of the archive again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from search.reprints.shingles import SHINGLE_SIZE

STORE_VERSION = 2
CLUSTERS_FILE = "clusters.json"  # what readers load: small, once per generation
PAIRS_FILE = "pairs.npz"  # readers: the reprint pairs (CSR adjacency)
STATE_FILE = "state.npz"  # what an incremental update needs: shingles, signatures


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


@dataclass
class ReprintStore:
    params: Params = field(default_factory=Params)
    members: dict[str, Member] = field(default_factory=dict)
    # pairs[a][b] = shared shingles between a and b (symmetric)
    pairs: dict[str, dict[str, int]] | CsrPairs = field(default_factory=dict)
    frequent: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    # writer state, absent in a reader's store
    hashes: dict[str, np.ndarray] = field(default_factory=dict)
    signatures: dict[str, np.ndarray] = field(default_factory=dict)
    _lsh: MinHashLSH | None = None
    _clusters: list[Cluster] | None = None
    _cluster_of: dict[str, int] | None = None

    # -- building ------------------------------------------------------------------
    @classmethod
    def build(cls, articles: Iterable[ShingledArticle], params: Params | None = None):
        """A store over a whole archive: boilerplate is learnt from all of it."""
        store = cls(params or Params())
        batch = list(articles)
        store.frequent = frequent_shingles(
            [a.hashes for a in batch], store.params.frequent_floor, store.params.frequent_share
        )
        store.add(drained(batch))
        return store

    def add(self, articles: Iterable[ShingledArticle]) -> list[str]:
        """Insert new (or changed) articles: each joins the clusters it reprints.

        Returns the ids that ended up in a reprint pair. Boilerplate is judged
        with the table learnt at the last full build.
        """
        batch = list(articles)
        self.remove([a.id for a in batch if a.id in self.members])
        lsh = self.lsh()
        perms = _permutations(self.params)
        paired: list[str] = []
        batch.reverse()  # popped from the end, in the given order: each one's
        while batch:  # unfiltered shingles are freed as soon as it is stored
            article = batch.pop()
            kept = _without(article.hashes, self.frequent)
            self.members[article.id] = Member(
                article.id, article.source, article.published, article.inferred, len(kept)
            )
            if len(kept) < self.params.min_shingles:
                continue
            signature = MinHash(num_perm=self.params.num_perm, hashfunc=int, permutations=perms)
            signature.update_batch(kept)
            for other in lsh.query(signature):
                shared = _shared(kept, self.hashes[other])
                smaller = min(len(kept), len(self.hashes[other]))
                if shared >= self.params.threshold * smaller:
                    self.pairs.setdefault(article.id, {})[other] = shared
                    self.pairs.setdefault(other, {})[article.id] = shared
                    if not paired or paired[-1] != article.id:
                        paired.append(article.id)
            lsh.insert(article.id, signature)
            self.hashes[article.id] = kept
            self.signatures[article.id] = signature.hashvalues.astype(np.uint32)
        self._clusters = None
        return paired

    def remove(self, ids: Iterable[str]) -> None:
        """Forget articles gone from the archive (their pairs go with them)."""
        lsh = self.lsh()
        for article_id in ids:
            self.members.pop(article_id, None)
            if self.hashes.pop(article_id, None) is not None:
                self.signatures.pop(article_id, None)
                lsh.remove(article_id)
            for other in self.pairs.pop(article_id, {}):
                self.pairs.get(other, {}).pop(article_id, None)
                if not self.pairs.get(other):
                    self.pairs.pop(other, None)
        self._clusters = None

    def lsh(self) -> MinHashLSH:
        """The LSH index over the signatures, rebuilt once after a load."""
        if self._lsh is None:
            p = self.params
            self._lsh = MinHashLSH(threshold=p.lsh_threshold, num_perm=p.num_perm)
            perms = _permutations(p)
            with self._lsh.insertion_session() as session:
                for article_id, values in self.signatures.items():
                    m = MinHash(
                        num_perm=p.num_perm,
                        hashvalues=values.astype(np.uint64),
                        permutations=perms,
                    )
                    session.insert(article_id, m)
        return self._lsh

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
        least `threshold` of its text with its cluster's first article."""
        leader_of: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for article_id in sorted(self.pairs, key=self.order_key):
            earlier = [o for o in self.pairs[article_id] if o in groups]
            if earlier:
                leader = min(earlier, key=self.order_key)
                leader_of[article_id] = leader
                groups[leader].append(article_id)
            else:
                groups[article_id] = [article_id]
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
        counts = np.zeros(len(ids) + 1, dtype=np.int64)
        neighbours, shared = [], []
        for k, article_id in enumerate(ids):
            others = self.pairs.get(article_id) or {}
            counts[k + 1] = len(others)
            neighbours.extend(number[o] for o in others)
            shared.extend(others.values())
        np.savez(
            tmp / PAIRS_FILE,
            indptr=np.cumsum(counts),
            indices=np.array(neighbours, dtype=np.int32),
            shared=np.array(shared, dtype=np.int32),
        )
        hashed = list(self.hashes)
        np.savez(
            tmp / STATE_FILE,
            ids=np.array(hashed, dtype=str),
            lengths=np.array([len(self.hashes[i]) for i in hashed], dtype=np.int64),
            hashes=np.concatenate([self.hashes[i] for i in hashed])
            if hashed
            else np.empty(0, np.uint32),
            signatures=np.stack([self.signatures[i] for i in hashed])
            if hashed
            else np.empty((0, self.params.num_perm), np.uint32),
        )
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)

    @classmethod
    def load(cls, folder: Path, writable: bool = False) -> ReprintStore:
        """Read a saved store; `writable` also loads what `add`/`remove` need (and
        turns the pairs into dictionaries that can change)."""
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
            csr = CsrPairs(ids, pairs["indptr"], pairs["indices"], pairs["shared"])
        store.pairs = csr.to_dicts() if writable else csr
        store.frequent = np.array(data["frequent"], dtype=np.uint32)
        store._clusters = []
        for numbers, first_inferred in data["clusters"]:
            members = [ids[k] for k in numbers]
            first = members[0] if store.members[members[0]].published else None
            store._clusters.append(Cluster(members, first, first_inferred))
        store._cluster_of = {m: i for i, c in enumerate(store._clusters) for m in c.members}
        if writable:
            with np.load(folder / STATE_FILE) as state:
                hashed, lengths = state["ids"].tolist(), state["lengths"]
                flat, sigs = state["hashes"], state["signatures"]
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            for k, article_id in enumerate(hashed):
                store.hashes[article_id] = flat[bounds[k] : bounds[k + 1]]
                store.signatures[article_id] = sigs[k]
        return store


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

    def to_dicts(self) -> dict[str, dict[str, int]]:
        return dict(self.items())


def drained(items: list) -> Iterator:
    """The items of `items` in order, each removed from the list as it is handed
    out, so that the caller's list no longer keeps what has been consumed."""
    items.reverse()
    while items:
        yield items.pop()


def frequent_shingles(all_hashes: list[np.ndarray], floor: int, share: float) -> np.ndarray:
    """Shingles found in more articles than boilerplate would be (sorted uint32)."""
    if not all_hashes:
        return np.empty(0, dtype=np.uint32)
    values, counts = np.unique(np.concatenate(all_hashes), return_counts=True)
    limit = max(floor, share * len(all_hashes))
    return values[counts > limit].astype(np.uint32)


def _without(hashes: np.ndarray, frequent: np.ndarray) -> np.ndarray:
    if not len(frequent) or not len(hashes):
        return hashes
    return hashes[~np.isin(hashes, frequent, assume_unique=True)]


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    return len(np.intersect1d(a, b, assume_unique=True))


_PERMUTATIONS: dict[tuple[int, int], np.ndarray] = {}


def _permutations(params: Params) -> np.ndarray:
    """datasketch's permutations for (num_perm, seed), made once and shared."""
    key = (params.num_perm, params.seed)
    if key not in _PERMUTATIONS:
        _PERMUTATIONS[key] = MinHash(num_perm=params.num_perm, seed=params.seed).permutations
    return _PERMUTATIONS[key]
