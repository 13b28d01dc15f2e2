"""LSH banding over a matrix of MinHash signatures, in numpy.

datasketch's `MinHashLSH` keeps, per band, a Python dictionary from the band's
bytes to a set of keys: at 100,000 articles and 28 bands that was 618 MB of
small objects, for a table the full build only reads once. Here the same
bands (datasketch chooses b and r for the threshold, `band_shape`) are cut
from the signature matrix, each band's values packed into one 64-bit key per
article (exact for r ≤ 2: two 32-bit values side by side; mixed beyond, where
a collision only adds a candidate the exact check then refuses), and
candidate pairs are the articles whose keys are equal in at least one band:
sort the band's keys, take the runs of equal values.

The keys (`rows × b` uint64) are all an incremental update needs to find the
candidates of a few new articles, so they are saved with the store.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from datasketch import MinHashLSH

from search.reprints.distinct import distinct

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio)
_CHUNK = 1_000_000  # candidate entries expanded at a time: ~40 MB of temporaries


def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) datasketch's LSH picks for `threshold`."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (article, band): equal keys ⇔ equal band values (r ≤ 2)."""
    sig = np.asarray(signatures, dtype=np.uint64)
    keys = np.empty((len(sig), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            cols = sig[:, band * rows : (band + 1) * rows]
            if rows == 1:
                keys[:, band] = cols[:, 0]
            elif rows == 2:
                keys[:, band] = (cols[:, 0] << np.uint64(32)) | cols[:, 1]
            else:
                key = np.zeros(len(sig), dtype=np.uint64)
                for c in range(rows):
                    key = key * _MIX + cols[:, c]
                keys[:, band] = key
    return keys


def candidate_pairs(keys: np.ndarray, alive: np.ndarray, first_new: int) -> np.ndarray:
    """Every pair of live rows, at least one of them ≥ `first_new`, that share a
    band key: (n, 2) int32, each unordered pair once, sorted (low row first)."""
    n = len(keys)
    merged = np.empty(0, dtype=np.uint64)  # the distinct pairs of the bands merged so far
    pending: list[np.ndarray] = []  # each band's distinct pairs, not merged yet
    for band in range(keys.shape[1]):
        codes = [c for c in _band_codes(keys[:, band], alive, first_new, n)]
        if codes:
            pending.append(distinct(np.concatenate(codes)))
        # Merge once the bands waiting add up to the merged set: each band
        # repeats most of the others, so this bounds memory to about twice the
        # distinct pairs, and the merged set is sorted a few times, not once a band.
        if sum(len(c) for c in pending) > max(len(merged), _CHUNK):
            merged = distinct(np.concatenate([merged, *pending]))
            pending = []
    codes = distinct(np.concatenate([merged, *pending])) if pending else merged
    del merged, pending
    if not len(codes):
        return np.empty((0, 2), dtype=np.int32)
    pairs = np.empty((len(codes), 2), dtype=np.int32)
    pairs[:, 0] = codes // np.uint64(n)
    pairs[:, 1] = codes % np.uint64(n)
    return pairs


def _band_codes(
    column: np.ndarray, alive: np.ndarray, first_new: int, n: int
) -> Iterator[np.ndarray]:
    """The pairs one band proposes, as codes low × n + high (uint64), in chunks."""
    rows = np.flatnonzero(alive)
    order = rows[np.argsort(column[rows], kind="stable")]
    sorted_keys = column[order]
    if len(order) < 2:
        return
    head = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    size = np.diff(np.r_[head, len(order)])
    group = np.repeat(np.arange(len(head)), size)  # position → its run of equal keys
    new = order >= first_new
    # each new row pairs with every other member of its run: positions after it
    # in the run, and old rows before it (an old row after it pairs as the
    # « other » of that position, so each unordered pair comes once)
    positions = np.flatnonzero(new & (size[group] > 1))
    if not len(positions):
        return
    run_start = head[group[positions]]
    run_size = size[group[positions]]
    bounds = np.cumsum(run_size)
    cuts = np.searchsorted(bounds, np.arange(_CHUNK, bounds[-1], _CHUNK))
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(positions)], strict=True):
        if lo == hi:
            continue
        p = positions[lo:hi].astype(np.int32)
        start, count = run_start[lo:hi].astype(np.int32), run_size[lo:hi].astype(np.int32)
        a = np.repeat(p, count)
        q = np.arange(len(a), dtype=np.int32)
        q -= np.repeat(np.cumsum(count, dtype=np.int32) - count, count)  # offset in the run
        q += np.repeat(start, count)
        keep = (q > a) | ((q < a) & ~new[q])
        ra, rb = order[a[keep]], order[q[keep]]
        del a, q, keep
        low = np.minimum(ra, rb).astype(np.uint64)
        low *= np.uint64(n)
        low += np.maximum(ra, rb).astype(np.uint64)
        yield low


def shared_counts(hashes: list[np.ndarray], pairs: np.ndarray) -> np.ndarray:
    """|A ∩ B| for every (a, b) row pair (sorted distinct shingles per row).

    Pairs are grouped by their larger article, and the smaller ones' shingles
    are looked up in it all at once (one binary search each): the work follows
    the smaller side of every pair, where searching the low row's candidates
    in it followed whichever side came second (11 s of the 100,000 build)."""
    shared = np.zeros(len(pairs), dtype=np.int64)
    if not len(pairs):
        return shared
    sizes = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=len(hashes))
    first, second = pairs[:, 0], pairs[:, 1]
    swap = sizes[first] < sizes[second]
    big, small = np.where(swap, second, first), np.where(swap, first, second)
    order = np.argsort(big, kind="stable")
    big, small = big[order], small[order]
    heads = np.flatnonzero(np.r_[True, big[1:] != big[:-1]])
    ends = np.r_[heads[1:], len(pairs)]
    for lo, hi in zip(heads.tolist(), ends.tolist(), strict=True):
        mine = hashes[big[lo]]
        if not len(mine):
            continue
        theirs = [hashes[b] for b in small[lo:hi].tolist()]
        lengths = sizes[small[lo:hi]]
        joined = np.concatenate(theirs)
        at = np.minimum(np.searchsorted(mine, joined), len(mine) - 1)
        hit = (mine[at] == joined).astype(np.int64)  # `mine` is sorted: no sort of `joined`
        starts = np.cumsum(lengths) - lengths
        nonempty = lengths > 0
        counts = np.zeros(hi - lo, dtype=np.int64)
        if nonempty.any():
            counts[nonempty] = np.add.reduceat(hit, starts[nonempty])
        shared[order[lo:hi]] = counts
    return shared
