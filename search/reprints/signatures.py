"""MinHash signatures of articles' kept shingles (datasketch), and the file
their shingles are laid out in for another process to read.

Shared by the store (`store.py`) and its helper process (`helper.py`), which
both sign rows of the same articles and must give the same values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from datasketch import MinHash

_PERMUTATIONS: dict[tuple[int, int], np.ndarray] = {}


def permutations(num_perm: int, seed: int) -> np.ndarray:
    """datasketch's permutations for (num_perm, seed), made once and shared."""
    key = (num_perm, seed)
    if key not in _PERMUTATIONS:
        _PERMUTATIONS[key] = MinHash(num_perm=num_perm, seed=seed).permutations
    return _PERMUTATIONS[key]


def signatures_of(rows: list[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """One datasketch MinHash signature per row of kept shingles (uint32 rows)."""
    perms = permutations(num_perm, seed)
    signatures = np.empty((len(rows), num_perm), dtype=np.uint32)
    for k, kept in enumerate(rows):
        signature = MinHash(num_perm=num_perm, hashfunc=int, permutations=perms)
        signature.update_batch(kept.tolist())  # Python ints: `int` on each is cheap
        signatures[k] = signature.hashvalues
    return signatures


def write_rows(path: Path, rows: list[np.ndarray]) -> None:
    """Every row's shingles end to end in one `.npy` file, written row by row:
    `np.concatenate` first was a second copy of them all (85 MB at 100k), the
    peak of the whole store build."""
    total = sum(len(r) for r in rows)
    with open(path, "wb") as f:
        header = {"descr": "<u4", "fortran_order": False, "shape": (total,)}
        np.lib.format.write_array_header_1_0(f, header)
        for r in rows:
            f.write(np.ascontiguousarray(r, dtype="<u4").tobytes())
