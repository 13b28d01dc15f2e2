"""Near-duplicate detection: the same story republished across outlets.

Backend-neutral: clusters are computed by Loupe from the articles themselves
(`shingles` → `store`), saved beside the index under the generation's name,
and read back by `search.searcher.Searcher`, so Whoosh and OpenSearch serve
the same answers.

    index/reprints/<generation>/clusters.json   readers: members, clusters
    index/reprints/<generation>/pairs.npz       readers: the reprint pairs (CSR)
    index/reprints/<generation>/state.npz       writers: shingles, signatures, LSH band keys

The indexer calls `update_for_generation` once the backend has switched to
the new generation; an incremental build passes the previous generation, its
added articles and its removed ids, and only those are compared.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from search.article import Article
from search.reprints.shingles import article_shingles
from search.reprints.store import (
    Cluster,
    Member,
    Params,
    ReprintStore,
    ShingledArticle,
    frequent_in_sorted,
)

__all__ = [
    "Cluster",
    "Collector",
    "Member",
    "Params",
    "ReprintStore",
    "ShingledArticle",
    "has_store",
    "load_store",
    "shingled",
    "store_path",
    "update_for_generation",
]

FOLDER = "reprints"
KEEP = 2  # the live generation's store and its predecessor's (in-flight readers)
STALE_WRITE_SECONDS = 3600  # a temporary folder older than this is a killed write


def store_path(index_dir: Path, generation: str) -> Path:
    return Path(index_dir) / FOLDER / generation


def has_store(index_dir: Path, generation: str) -> bool:
    """Whether `generation` has a complete store an update can start from."""
    return (store_path(index_dir, generation) / "state.npz").is_file()


def shingled(article: Article, params: Params | None = None) -> ShingledArticle:
    params = params or Params()
    return ShingledArticle(
        article.id,
        article.source,
        article.published.isoformat() if article.published else None,
        article.published_inferred,
        article_shingles(article, params.shingle_size),
    )


class Collector:
    """Taps the indexer's article stream and keeps each article's shingles (a few
    hundred integers, not the text) for the cluster build after it.

    The shingles go to an unnamed temporary file beside the index as they come,
    not to memory: at 100,000 articles they are 100 MB, held through the whole
    Whoosh build, whose peak they added to. Only each article's id, source and
    date stay in memory; `frequent` and `drain` read the file back."""

    def __init__(self, params: Params | None = None, spill_dir: Path | None = None) -> None:
        self.params = params or Params()
        self.spill_dir = spill_dir
        self.labels: list[tuple[str, str | None, str | None, bool]] = []
        self.lengths: list[int] = []
        self._file: BinaryIO | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def tap(self, articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            item = shingled(article, self.params)
            self._spill().write(np.ascontiguousarray(item.hashes, dtype=np.uint32).tobytes())
            self.labels.append((item.id, item.source, item.published, item.inferred))
            self.lengths.append(len(item.hashes))
            yield article

    def _spill(self) -> BinaryIO:
        if self._file is None:
            here = (
                self.spill_dir if self.spill_dir is not None and self.spill_dir.is_dir() else None
            )
            self._file = tempfile.TemporaryFile(prefix="loupe-shingles-", dir=here)  # noqa: SIM115 — drain() closes it
        return self._file

    def frequent(self) -> np.ndarray:
        """The boilerplate table of everything collected (`store.frequent_shingles`),
        from one read of the file: no per-article arrays beside it."""
        if self._file is None:
            return np.empty(0, dtype=np.uint32)
        self._file.flush()
        self._file.seek(0)
        values = np.fromfile(self._file, dtype=np.uint32)
        p = self.params
        return frequent_in_sorted(values, len(self.labels), p.frequent_floor, p.frequent_share)

    def drain(self) -> Iterator[ShingledArticle]:
        """The collected articles in order, read back one at a time; the file is
        closed (and gone) once they are all taken."""
        labels, lengths = self.labels, self.lengths
        self.labels, self.lengths = [], []
        source, self._file = self._file, None
        if source is None:
            return
        with source:
            source.flush()
            source.seek(0)
            for (article_id, src, published, inferred), n in zip(labels, lengths, strict=True):
                hashes = np.frombuffer(source.read(4 * n), dtype=np.uint32)
                yield ShingledArticle(article_id, src, published, inferred, hashes)


def update_for_generation(
    index_dir: Path,
    generation: str,
    articles_added: Iterable[ShingledArticle],
    ids_removed: Iterable[str] = (),
    previous_generation: str | None = None,
    frequent: np.ndarray | None = None,
    workers: int = 1,
) -> ReprintStore:
    """Write the reprint store of `generation` and return it.

    Without `previous_generation` (or when its store is missing) the store is
    built from `articles_added` alone, as after a full build (`frequent`: their
    boilerplate table when the caller has it, so they are read only once);
    with it, the previous store is loaded and only the changes are compared.
    `workers` > 1 lets a large batch share its heavy steps with a second process.
    """
    previous = None
    if previous_generation is not None:
        path = store_path(index_dir, previous_generation)
        if (path / "state.npz").is_file():
            previous = ReprintStore.load(path, writable=True)
    if previous is None:
        store = ReprintStore.build(
            articles_added, frequent=frequent, workers=workers, scratch=Path(index_dir)
        )
    else:
        store = previous
        store.remove(ids_removed)
        store.add(articles_added, workers=workers, scratch=Path(index_dir))
    store.save(store_path(index_dir, generation))
    prune(index_dir, keep={generation, previous_generation})
    return store


def load_store(index_dir: Path, generation: str) -> ReprintStore | None:
    """The readers' view of a generation's store; None when it has none."""
    path = store_path(index_dir, generation)
    if not (path / "clusters.json").is_file():
        return None
    return ReprintStore.load(path)


def prune(index_dir: Path, keep: set[str | None]) -> None:
    """Drop stores of generations no longer served (and leftovers of killed writes)."""
    root = Path(index_dir) / FOLDER
    if not root.is_dir():
        return
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    kept = [p for p in folders if p.name in keep and ".tmp-" not in p.name]
    stale = time.time() - STALE_WRITE_SECONDS
    for p in folders:
        if ".tmp-" in p.name and p.stat().st_mtime > stale:
            continue  # another build may be writing it right now
        if p not in kept[-KEEP:]:
            shutil.rmtree(p, ignore_errors=True)
