"""Where the benchmarks keep what they generate, and how cached items are keyed.

Built indexes and generated corpora are expensive; they are reused only when
every input that shaped them is unchanged, so a key is a hash of those inputs
(file contents, engine source, library versions) rather than a timestamp.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = REPO_ROOT / ".cache" / "bench"
# Everything the benchmarks read ships with the repository: the bundled corpus
# and the evaluation data vendored under bench/data/ (see its README).
BUNDLED_CORPUS = REPO_ROOT / "corpus"
EVAL_DATA = REPO_ROOT / "bench" / "data"
SEED_TXT = BUNDLED_CORPUS / "000_ca1515ff46768185.txt"
WINER_JSONL = BUNDLED_CORPUS / "wikinews-winer.jsonl"
DEV_QUERIES = EVAL_DATA / "queries-dev.jsonl"
NER_GOLD = EVAL_DATA / "ner-dev.jsonl"


def file_digest(path: Path) -> str:
    """Hash of a file's bytes: a changed corpus must invalidate its indexes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_digest(root: Path, pattern: str = "*.py") -> str:
    """Hash of every matching file under `root`, names included, in a stable order."""
    h = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def corpus_digest(folder: Path = BUNDLED_CORPUS) -> str:
    """Hash of every file of a corpus folder (articles and gazetteer alike)."""
    return tree_digest(folder, "*")


def key(parts: Iterable[str]) -> str:
    """A short, stable key from several strings."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def dir_size(path: Path) -> int:
    """Bytes on disk under `path` (what an operator would have to provision)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fresh_dir(path: Path) -> Path:
    """An empty directory at `path`, replacing whatever was there."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
