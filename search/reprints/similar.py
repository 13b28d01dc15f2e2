"""« Même texte ailleurs » and « Articles proches » for one article.

What the article page, `GET /api/articles/<id>/similar` and `loupe duplicates`
show about a reprint is computed here, from the pairs the store holds (an
article's reprints are the articles sharing its text directly, never a chain)
and the two articles' texts: the share of text in common both ways (the same shingles
and boilerplate table as the build, so a stored pair reads the same), and the
shared passages with their offsets in each body. Topical neighbours come from
the engine and are kept apart: an article can be about the same thing without
repeating a line of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from search.article import Article
from search.reprints.passages import Passage, shared_passages
from search.reprints.shingles import article_shingles, reprint_text, word_spans
from search.reprints.store import ReprintStore


@dataclass(frozen=True)
class Overlap:
    """How much of two texts is the same text."""

    share_here: float  # share of this article's text found in the other
    share_there: float  # share of the other's text found in this one


@dataclass
class Reprint:
    id: str
    title: str
    source: str | None
    url: str | None
    published: date | None
    published_inferred: bool
    first_known: bool  # the cluster's earliest dated article
    overlap: Overlap
    passages: list[Passage] = field(default_factory=list)  # offsets: here, there


@dataclass
class Neighbour:
    id: str
    title: str
    source: str | None
    published: date | None
    score: float


@dataclass
class Similar:
    """Everything « similar » about one article, reprints and neighbours apart."""

    article_id: str
    available: bool  # False: the live generation has no reprint store (yet)
    count: int = 0  # articles sharing its text (its direct reprint pairs)
    first_known: str | None = None  # earliest dated of it and them
    first_inferred: bool = False  # the first's date was read from its text
    this_is_first: bool = False
    reprints: list[Reprint] = field(default_factory=list)
    neighbours: list[Neighbour] = field(default_factory=list)


def overlap(a: Article, b: Article, store: ReprintStore) -> Overlap:
    """Share of each text found in the other, boilerplate shingles left out."""
    return Comparison(a, store).overlap(b)


class Comparison:
    """One article compared with several others: its shingles and words are
    computed once, not once per reprint."""

    def __init__(self, article: Article, store: ReprintStore) -> None:
        self.article, self.store = article, store
        self._shingles: np.ndarray | None = None
        self._pairs = store.pairs.get(article.id) or {}  # other id → shared shingles
        self.words = word_spans(reprint_text(article))

    @property
    def shingles(self) -> np.ndarray:
        if self._shingles is None:
            self._shingles = self._kept(self.article)
        return self._shingles

    def _kept(self, article: Article) -> np.ndarray:
        hashes = article_shingles(article, self.store.params.shingle_size)
        frequent = self.store.frequent
        if len(frequent) and len(hashes):
            hashes = hashes[~np.isin(hashes, frequent, assume_unique=True)]
        return hashes

    def overlap(self, other: Article) -> Overlap:
        """Read from the store for a stored pair (the counts the build made, from
        the same text); computed from both texts otherwise."""
        shared = self._pairs.get(other.id)
        if shared is not None:
            members = self.store.members
            here, there = members[self.article.id].shingles, members[other.id].shingles
            return Overlap(shared / here, shared / there)
        x, y = self.shingles, self._kept(other)
        shared = len(np.intersect1d(x, y, assume_unique=True))
        return Overlap(shared / len(x) if len(x) else 0.0, shared / len(y) if len(y) else 0.0)

    def reprint(self, other: Article, first_known: str | None) -> Reprint:
        return Reprint(
            id=other.id,
            title=other.title,
            source=other.source,
            url=other.url,
            published=other.published,
            published_inferred=other.published_inferred,
            first_known=first_known == other.id,
            overlap=self.overlap(other),
            passages=shared_passages(self.words, reprint_text(other)),
        )
