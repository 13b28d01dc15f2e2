"""Corpus co-occurrence: words the archive itself says go with a rarer query word.

Measured for issue 14 item 5(c) by `python -m bench.cooccurrence` and NOT
adopted (docs/relevance-history.md, « Corpus co-occurrence, re-measured »): it lives under
`bench/` so that the measurement can be repeated, and is written the way it
would ship, so that adopting it later is a matter of wiring, not rewriting.

A reader names a subject in other words than the articles (« secousse
tellurique » for a « séisme »); no lexicon ships every such pair, but the
archive holds them: the articles about an earthquake also say « magnitude »,
« tremblement », « tsunami ». For each stem standing in few articles, the
stems found in at least MIN_CONFIDENCE of its articles and MIN_LIFT times
likelier there than in the archive at large are its neighbours (at most TOP).

`CooccurrenceLearner` collects each article's analysed stems (as
`search.expansion.acronyms.AcronymLearner` reads definitions while an index is
built); `neighbour_table` computes the table from a documents × stems
incidence matrix (scipy.sparse), the column products in blocks of BLOCK stems
so that memory stays bounded at 100,000 articles. `cooccurring_forms` turns a
typed word into its neighbours at COOCCURRENCE_WEIGHT, below every shipped
relative (`search.expansion.related`: derivations 0.4). Only a lower-case
plain word is expanded — never a name or an acronym (typed with capitals),
whose words mean exactly what was typed.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
from scipy import sparse

from search.article import Article
from search.core.french import analyze, is_stop_word

MIN_DF = 3  # a neighbour stands in at least this many articles
MAX_SHARE = 0.05  # both words stand in at most this share of the articles
MIN_TOGETHER = 2  # …and share at least this many articles
MIN_CONFIDENCE = 0.3  # the neighbour stands in this share of the word's articles
MIN_LIFT = 8.0  # …and is this many times likelier there than anywhere
TOP = 3  # neighbours per word, strongest first
COOCCURRENCE_WEIGHT = 0.2  # below derivations (0.4), nationalities, compound parts
BLOCK = 256  # stems per column block of the co-occurrence product

Table = Mapping[str, tuple[str, ...]]


def kept_stem(stem: str) -> bool:
    """Stems that may have or be a neighbour: not numbers, compounds or scraps."""
    return "-" not in stem and not stem.isdigit() and len(stem) > 2


def searchable_stem(stem: str) -> bool:
    """A neighbour is searched as a typed word: it must analyse to itself
    (« meurtri » does, « meurtrier » becomes « meurtri »)."""
    return analyze(stem) == [stem]


def article_stems(article: Article) -> set[str]:
    """The distinct stems of an article's title and text."""
    return set(analyze(f"{article.title} {article.text}"))


class CooccurrenceLearner:
    """Collects each article's stems as ids while the index is built."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._stems = array("i")
        self._starts = array("q", [0])

    def observe(self, stems: Iterable[str]) -> None:
        ids = self._ids
        for stem in stems:
            self._stems.append(ids.setdefault(stem, len(ids)))
        self._starts.append(len(self._stems))

    def observing(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Pass `articles` through, reading each one's stems on the way."""
        for article in articles:
            self.observe(article_stems(article))
            yield article

    def table(self) -> dict[str, tuple[str, ...]]:
        vocabulary = sorted(self._ids, key=self._ids.__getitem__)
        return neighbour_table(
            np.frombuffer(self._starts, dtype=np.int64),
            np.frombuffer(self._stems, dtype=np.int32),
            vocabulary,
        )


def table_from_documents(documents: Iterable[Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """The table of documents given as their stems (tests and benchmarks)."""
    learner = CooccurrenceLearner()
    for stems in documents:
        learner.observe(set(stems))
    return learner.table()


def neighbour_table(
    starts: np.ndarray, stem_ids: np.ndarray, vocabulary: list[str]
) -> dict[str, tuple[str, ...]]:
    """Each kept stem's neighbours, from the documents' stem ids in CSR form
    (`starts`: where each document's ids begin in `stem_ids`)."""
    n_docs = len(starts) - 1
    if n_docs == 0 or len(vocabulary) == 0:
        return {}
    data = np.ones(len(stem_ids), dtype=np.int32)
    incidence = sparse.csr_matrix((data, stem_ids, starts), shape=(n_docs, len(vocabulary)))
    df = np.asarray(incidence.sum(axis=0)).ravel()
    ceiling = MAX_SHARE * n_docs
    candidates = np.flatnonzero((df >= MIN_DF) & (df <= ceiling))
    kept = np.array([i for i in candidates if kept_stem(vocabulary[i])], dtype=np.int64)
    if len(kept) == 0:
        return {}
    x = incidence[:, kept].tocsc()
    xt = x.T.tocsr()
    kept_df = df[kept].astype(np.float64)
    searchable = np.array([searchable_stem(vocabulary[i]) for i in kept], dtype=bool)
    table: dict[str, tuple[str, ...]] = {}
    for begin in range(0, len(kept), BLOCK):
        block = (xt @ x[:, begin : begin + BLOCK]).tocoo()  # kept × block co-counts
        other, word, together = block.row, block.col + begin, block.data.astype(np.float64)
        confidence = together / kept_df[word]
        lift = confidence * n_docs / kept_df[other]
        chosen = (
            (other != word)
            & searchable[other]
            & (together >= MIN_TOGETHER)
            & (confidence >= MIN_CONFIDENCE)
            & (lift >= MIN_LIFT)
        )
        other, word, score = other[chosen], word[chosen], (lift * together)[chosen]
        order = np.lexsort((other, -score, word))  # by word, strongest first, ties by id
        last, count = -1, 0
        for i in order:
            w = int(word[i])
            count = count + 1 if w == last else 1
            last = w
            if count <= TOP:
                key = vocabulary[kept[w]]
                table[key] = (*table.get(key, ()), vocabulary[kept[int(other[i])]])
    return table


def cooccurring_forms(text: str, table: Table | None) -> tuple[tuple[str, float], ...]:
    """The neighbours of one typed word, as (word, weight); none for a word
    typed with a capital (a name or an acronym), a function word, or a word
    the table does not hold."""
    if not table or text != text.lower() or is_stop_word(text):
        return ()
    stems = analyze(text)
    if len(stems) != 1:
        return ()
    return tuple((n, COOCCURRENCE_WEIGHT) for n in table.get(stems[0], ()))


def table_to_json(table: Table) -> str:
    return json.dumps({k: list(v) for k, v in sorted(table.items())}, ensure_ascii=False)


def table_from_json(text: str | None) -> dict[str, tuple[str, ...]]:
    """A stored table; an empty one for a generation built without it or a
    file that does not read (the expansion is a bonus, never a failure)."""
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(k): tuple(str(w) for w in v)
        for k, v in raw.items()
        if isinstance(v, list) and all(isinstance(w, str) for w in v)
    }
