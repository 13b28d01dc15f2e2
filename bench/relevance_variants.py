"""Ranking variants measured against the shipped ranking, held out by halves.

    python -m bench.relevance_variants                  # every variant
    python -m bench.relevance_variants --variant proximity --variant lead
    python -m bench.relevance_variants --list

Each variant changes Loupe's query side in this process only (a constant, or
one step of the Whoosh backend's ranking), then runs both judged query files
(`queries-kinds.jsonl`, `queries-dev.jsonl`) on the cached relevance index that
`python -m bench.relevance` builds (built here if missing). It prints nDCG@10
of each file and the mean over both files' even lines and odd lines (0-based):
a rule is chosen on the even lines and kept only if the odd lines do not lose
and the 40 older queries do not drop — see docs/relevance-history.md, « Long
descriptions and questions, held out ». None of these variants ships; they are
here so that the figures of the README and docs/relevance-history.md can be
reproduced. The `window-*` and `near-*` grids run
with the shipped window bonus (search.proximity) off, as they were measured:
`window-idf-16-1.0` is what ships (over 100 candidates; the shipped 30 rank
both files alike), `window-off` the ranking before it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

import numpy as np

from bench.cache import DEV_QUERIES, REPO_ROOT
from bench.corpora import canonical_id
from bench.engines import get_engine
from bench.metrics import ndcg_at
from bench.relevance import Judged, K, cached_index, load_queries
from search import proximity

KINDS_QUERIES = REPO_ROOT / "bench" / "data" / "queries-kinds.jsonl"


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    patches: Callable[[], Iterator[None]]


def _typed_words(node) -> list[str]:
    """The plain words of a top-level word list, folded as the exact fields hold them."""
    from search.core.french import tokens
    from search.query import Term, Words

    if not isinstance(node, Words):
        return []
    words = []
    for item in node.items:
        if isinstance(item, Term) and not (item.field or item.prefix or item.fuzzy):
            found = [t.text for t in tokens(item.text)]
            if found:
                words.append(found[0])
    return words


def _rerank(bonus: Callable[[object, list[int], list[str]], dict[int, float]], min_words: int):
    """A patch of the Whoosh backend's last reordering step: each candidate's
    score × (1 + its bonus), `bonus(searcher, sorted docnums, typed words)`."""
    import search.backends.whoosh.backend as whoosh_backend

    original = whoosh_backend._reranked

    def reranked(searcher, top, request):
        words = _typed_words(request.query)
        if len(words) >= min_words and top:
            extra = bonus(searcher, sorted(d for d, _ in top), words)
            top = sorted(((d, s * (1 + extra[d])) for d, s in top), key=lambda x: -x[1])
        return original(searcher, top, request)

    return mock.patch.object(whoosh_backend, "_reranked", reranked)


def _pairs_near(slop: int, weight: float):
    """Neighbouring typed words (exact forms) within `slop` positions, in order:
    one phrase matcher a pair, walked once over the sorted candidates."""
    from whoosh import query as wq

    def bonus(searcher, docnums: list[int], words: list[str]) -> dict[int, float]:
        pairs = list(zip(words, words[1:], strict=False))
        found = dict.fromkeys(docnums, 0)
        for a, b in pairs:
            matcher = wq.Phrase("text_exact", [a, b], slop=slop).matcher(searcher)
            for d in docnums:
                if matcher.is_active() and matcher.id() < d:
                    matcher.skip_to(d)
                if matcher.is_active() and matcher.id() == d:
                    found[d] += 1
        return {d: weight * n / len(pairs) if pairs else 0.0 for d, n in found.items()}

    return bonus


def _lead_share(chars: int, weight: float):
    """Share of the typed words (stems) found in the first `chars` characters."""
    from search.backends.whoosh.backend import article_from_stored
    from search.core.french import stem, tokens

    def bonus(searcher, docnums: list[int], words: list[str]) -> dict[int, float]:
        stems = [stem(w) for w in words]
        out = {}
        for d in docnums:
            article = article_from_stored(searcher.stored_fields(d)["doc"])
            lead = article.sections[0].text[:chars] if article.sections else ""
            held = {t.text for t in tokens(lead, stemmed=True)}
            out[d] = weight * sum(s in held for s in stems) / len(stems)
        return out

    return bonus


def _typed_content_words(node) -> list[str]:
    """The distinct content words typed at the top level (exact folded forms),
    asking words and function words left out."""
    from search.expansion.questions import is_question_word

    words = []
    for w, item in zip(_typed_words(node), _typed_terms(node), strict=False):
        if not is_question_word(item) and w not in words:
            words.append(w)
    return words


def _typed_terms(node):
    from search.core.french import tokens
    from search.query import Term, Words

    if not isinstance(node, Words):
        return []
    return [
        i
        for i in node.items
        if isinstance(i, Term)
        and not (i.field or i.prefix or i.fuzzy)
        and next(iter(tokens(i.text)), None) is not None
    ]


def _positions(searcher, docnums: list[int], forms: list[str]) -> dict[int, list[int]]:
    """Positions in `text_exact` of any of `forms`, per candidate."""
    out: dict[int, list[int]] = {d: [] for d in docnums}
    for form in forms:
        try:
            matcher = searcher.postings("text_exact", form)
        except Exception:  # a form no article holds
            continue
        for d in docnums:
            if matcher.is_active() and matcher.id() < d:
                matcher.skip_to(d)
            if matcher.is_active() and matcher.id() == d:
                out[d].extend(matcher.value_as("positions"))
    return out


_STEM_FORMS: dict = {}


def _forms_of(searcher, word: str, by_stem: bool) -> list[str]:
    if not by_stem:
        return [word]
    from search.core.french import stem

    if not _STEM_FORMS:
        for raw in searcher.lexicon("text_exact"):
            w = raw.decode() if isinstance(raw, bytes) else raw
            _STEM_FORMS.setdefault(stem(w), []).append(w)
    return _STEM_FORMS.get(stem(word), [word])


def _window(width: int, weight: float, by_stem: bool = False):
    """× (1 + weight × (most typed words in a window − 1) / (typed words − 1))."""

    def bonus(searcher, docnums, words, node=None):
        words = _typed_content_words(node)
        out = dict.fromkeys(docnums, 0.0)
        if len(words) < 2:
            return out
        per_word = [_positions(searcher, docnums, _forms_of(searcher, w, by_stem)) for w in words]
        for d in docnums:
            found = [pw[d] for pw in per_word]
            m = proximity.most_in_window(found, width, [1.0] * len(found))
            out[d] = weight * max(0, m - 1) / (len(words) - 1)
        return out

    return bonus


def neighboured(positions: list[list[int]], distance: int) -> int:
    """How many words (lists of positions) stand within `distance` positions of
    another of the words."""
    events = sorted((p, i) for i, ps in enumerate(positions) for p in ps)
    near = set()
    for k, (p, i) in enumerate(events):
        for q, j in events[k + 1 :]:
            if q - p > distance:
                break
            if j != i:
                near.update((i, j))
    return len(near)


def _neighbours(distance: int, weight: float):
    """× (1 + weight × typed words standing near another typed word / typed words)."""

    def bonus(searcher, docnums, node):
        words = _typed_content_words(node)
        out = dict.fromkeys(docnums, 0.0)
        per_word = [_positions(searcher, docnums, [w]) for w in words]
        for d in docnums:
            out[d] = weight * neighboured([pw[d] for pw in per_word], distance) / len(words)
        return out

    return bonus


def _neighboured(distance: int, weight: float, min_words: int):
    @contextmanager
    def patched() -> Iterator[None]:
        with _window_off(), _rerank_typed(_neighbours(distance, weight), min_words):
            yield

    return patched


def _window_off():
    """The shipped window bonus (search.proximity) switched off: the grid below
    was measured against the ranking before it."""
    from search.core import ranking

    return mock.patch.object(ranking, "WINDOW_WEIGHT", 0.0)


def _rerank_typed(bonus, min_words: int = 2):
    """As `_rerank`, the bonus given the parsed query (`bonus(searcher, docnums, node)`)."""
    import search.backends.whoosh.backend as whoosh_backend

    original = whoosh_backend._reranked

    def reranked(searcher, top, request):
        if len(_typed_content_words(request.query)) >= min_words and top:
            extra = bonus(searcher, sorted(d for d, _ in top), request.query)
            top = sorted(((d, s * (1 + extra[d])) for d, s in top), key=lambda x: -x[1])
        return original(searcher, top, request)

    return mock.patch.object(whoosh_backend, "_reranked", reranked)


def _idf_window(width: int, weight: float, min_words: int = 3):
    """The window of the shipped rule, each typed word counted by its IDF (a
    rare word standing with the others counts more than a common one):
    × (1 + weight × (best IDF sum in a window − smallest IDF) / (all IDFs − smallest))."""
    import math

    def bonus(searcher, docnums, node):
        words = _typed_content_words(node)
        n = searcher.doc_count_all()
        idf = [math.log(n / (1 + searcher.doc_frequency("text_exact", w))) + 1 for w in words]
        per_word = [_positions(searcher, docnums, [w]) for w in words]
        total, least = sum(idf), min(idf)
        out = {}
        for d in docnums:
            best = proximity.most_in_window([pw[d] for pw in per_word], width, idf)
            out[d] = weight * max(0.0, best - least) / (total - least) if total > least else 0.0
            if sum(1 for pw in per_word if pw[d]) < 2:
                out[d] = 0.0
        return out

    @contextmanager
    def patched() -> Iterator[None]:
        with _window_off(), _rerank_typed(bonus, min_words):
            yield

    return patched


def _windowed(width: int, weight: float, by_stem: bool = False, min_words: int = 2):
    @contextmanager
    def patched() -> Iterator[None]:
        w = _window(width, weight, by_stem)
        with _window_off(), _rerank_typed(lambda s, d, node: w(s, d, None, node), min_words):
            yield

    return patched


@contextmanager
def _shipped() -> Iterator[None]:
    yield


@contextmanager
def _proximity() -> Iterator[None]:
    with _rerank(_pairs_near(slop=4, weight=0.5), min_words=3):
        yield


@contextmanager
def _proximity_light() -> Iterator[None]:
    with _rerank(_pairs_near(slop=3, weight=0.25), min_words=2):
        yield


@contextmanager
def _lead() -> Iterator[None]:
    with _rerank(_lead_share(chars=600, weight=0.5), min_words=2):
        yield


@contextmanager
def _lucene_idf() -> Iterator[None]:
    from search.backends.whoosh import fastpath

    def term_scores(self, field: str, text: str, boost: float = 1.0):
        docs, tf, lengths = self.fast.postings(field, text)
        if not len(docs):
            return docs, tf
        n, df = self.fast.doc_count, len(docs)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = (1 - self.B) + self.B * lengths / self.fast.avg_length[field]
        return docs, boost * idf * ((tf * (self.K1 + 1)) / (tf + self.K1 * norm))

    with mock.patch.object(fastpath.Executor, "_term_scores", term_scores):
        yield


def _nationality_forms(weight: float | None, every_form: bool = True):
    """The shipped rule of search.expansion.nationality (a nationality the
    stemmer joins with its place also searched on its own forms) with another
    weight, on the typed form only, or off (`weight` None)."""
    from search.expansion import nationality, related
    from search.query import Phrase

    def own_forms(term):
        if weight is None:
            return ()
        found = nationality.own_forms(term)
        if not every_form and found:
            return ((Phrase(term.text), weight),)
        return tuple((node, weight) for node, _ in found)

    @contextmanager
    def patched() -> Iterator[None]:
        with mock.patch.object(related, "own_forms", own_forms):
            yield

    return patched


def _exact_when_long(min_words: int):
    """The exact-form bonus kept for frequent words in queries of `min_words`
    content words or more (the speed rule stays for shorter ones)."""
    from search.backends.whoosh import querying

    original = querying.Translator._frequent

    def frequent(self, stem_text: str) -> bool:
        if len(proximity.window_words(self.top_level)) >= min_words:
            return False
        return original(self, stem_text)

    @contextmanager
    def patched() -> Iterator[None]:
        with mock.patch.object(querying.Translator, "_frequent", frequent):
            yield

    return patched


def _demonym_idf():
    """A place reached from a nationality (or the reverse) weighted 0.5 × the
    ratio of its IDF to the typed word's, at most 1: a country far more
    frequent than its adjective (France, in a French archive) adds little."""
    import math

    from search.backends.whoosh import querying
    from search.core.french import stem
    from search.expansion.related import DEMONYM_WEIGHT, Related
    from search.query import Phrase, Term

    original = querying.Translator._related

    def idf(self, text: str) -> float:
        n = max(self.reader.doc_count(), 1)
        words = [w for w in text.split() if w]
        if not words:
            return 1.0
        df = max(self.doc_frequency("text", stem(w.lower())) for w in words)
        return math.log(n / (1 + df)) + 1.0

    def _related(self, related):
        item = related.item
        typed = getattr(item, "text", None) or " ".join(t.text for t in item.words)
        scaled = []
        for node, weight in related.alternatives:
            if weight == DEMONYM_WEIGHT and isinstance(node, Term | Phrase):
                weight *= min(1.0, idf(self, node.text) / idf(self, typed))
            scaled.append((node, weight))
        return original(self, Related(item, tuple(scaled)))

    @contextmanager
    def patched() -> Iterator[None]:
        with mock.patch.object(querying.Translator, "_related", _related):
            yield

    return patched


def _constant(module: str, name: str, value: object):
    @contextmanager
    def patched() -> Iterator[None]:
        import importlib

        with mock.patch.object(importlib.import_module(module), name, value):
            yield

    return patched


def _typed_years(node) -> set[int]:
    """Years typed among the top-level words (four digits, 1900…2099)."""
    return {
        int(w) for w in _typed_words(node) if len(w) == 4 and w.isdigit() and w[:2] in ("19", "20")
    }


def _year_date(weight: float, depth: int = 30):
    """A typed year as a soft date preference: the best `depth` candidates dated
    that year × (1 + weight)."""
    import search.backends.whoosh.backend as whoosh_backend
    from search.backends.whoosh.backend import article_from_stored

    original = whoosh_backend._reranked

    def reranked(searcher, top, request):
        years = _typed_years(request.query)
        if years and top:
            head, tail = top[:depth], top[depth:]
            out = []
            for d, s in head:
                published = article_from_stored(searcher.stored_fields(d)["doc"]).published
                year = published.year if published else None
                out.append((d, s * (1 + weight) if year in years else s))
            top = sorted(out, key=lambda x: -x[1]) + tail
        return original(searcher, top, request)

    return lambda: mock.patch.object(whoosh_backend, "_reranked", reranked)


INTERROGATIVES = frozenset(["qui", "que", "quoi", "quand", "comment", "ou", "pourquoi", "combien"])
AUXILIARIES = frozenset(["a", "ont", "est", "sont", "avait", "etait", "eu", "ete", "aura", "sera"])


def _frame_verb_dropped(node):
    """A question's verb (« qui a remporté … », « que s'est-il passé … », « quand
    a eu lieu … »): the first content word standing right after an
    interrogative and its auxiliaries, dropped from the word list."""
    from search.core.french import STOP_WORDS, fold, strip_elision
    from search.expansion.questions import is_question_word
    from search.query import Term, Words

    if not isinstance(node, Words):
        return node
    items = list(node.items)
    i = 0
    asked = False
    aux = False
    while i < len(items) and isinstance(items[i], Term):
        word = fold(strip_elision(items[i].text))
        if word in AUXILIARIES or ("-" in word and is_question_word(items[i])):
            aux = True
        elif word in INTERROGATIVES or is_question_word(items[i]):
            asked = True
        else:
            break
        i += 1
    if not (asked and aux) or i >= len(items) - 1 or not isinstance(items[i], Term):
        return node
    word = fold(strip_elision(items[i].text))
    if word in STOP_WORDS or items[i].field or items[i].prefix or items[i].fuzzy:
        return node
    kept = items[:i] + items[i + 1 :]
    return Words(tuple(kept))


def _tree(rewrite):
    """A rewrite of the parsed query, before the asking words are dropped."""
    import search.searcher as searcher_module

    original = searcher_module.without_question_words

    def rewritten(node):
        return original(rewrite(node))

    return lambda: mock.patch.object(searcher_module, "without_question_words", rewritten)


def _year_phrase_item(min_words: int):
    """The shipped year factor off; instead the year and the word typed before
    it added as one more juxtaposed phrase (matched over the whole index), for
    queries of `min_words` content words or more."""

    def rewrite(node):
        return _year_pairs(node) if len(_typed_content_words(node)) >= min_words else node

    @contextmanager
    def patched() -> Iterator[None]:
        with _constant("search.expansion.years", "YEAR_WEIGHT", 0.0)(), _tree(rewrite)():
            yield

    return patched


def _year_pairs(node):
    """A typed year with the content word typed before it, added as a phrase."""
    from search.core.french import tokens
    from search.query import Phrase, Term, Words

    if not isinstance(node, Words):
        return node
    items = list(node.items)
    extra = []
    previous = None
    for item in items:
        if not isinstance(item, Term) or item.field or item.prefix or item.fuzzy:
            previous = None
            continue
        found = [t.text for t in tokens(item.text)]
        if not found:
            continue
        w = found[0]
        if len(w) == 4 and w.isdigit() and w[:2] in ("19", "20") and previous:
            extra.append(Phrase(f"{previous} {item.text}"))
        previous = item.text
    return Words(tuple(items + extra)) if extra else node


def _verbose_b(b: float):
    """BM25's length normalisation b for queries of three content words or more."""
    import search.backends.whoosh.backend as whoosh_backend

    original = whoosh_backend.WhooshBackend._search_fast

    def search_fast(self, gen, fast, searcher, request, *args):
        if len(_typed_content_words(request.query)) >= 3:
            saved = whoosh_backend.WEIGHTING.B
            whoosh_backend.WEIGHTING.B = b
            try:
                return original(self, gen, fast, searcher, request, *args)
            finally:
                whoosh_backend.WEIGHTING.B = saved
        return original(self, gen, fast, searcher, request, *args)

    return lambda: mock.patch.object(whoosh_backend.WhooshBackend, "_search_fast", search_fast)


def _exact_forms(weight: float, depth: int = 30, min_words: int = 3):
    """The typed words held in their exact (folded, unstemmed) form: the best
    `depth` candidates × (1 + weight × IDF share of the typed words whose exact
    form they hold) — « président » typed, « présidente » written."""
    import math

    import search.backends.whoosh.backend as whoosh_backend

    original = whoosh_backend._reranked

    def reranked(searcher, top, request):
        words = _typed_content_words(request.query)
        if len(words) >= min_words and top:
            head, tail = top[:depth], top[depth:]
            docnums = sorted(d for d, _ in head)
            n = searcher.doc_count_all()
            idf = [math.log(n / (1 + searcher.doc_frequency("text_exact", w))) + 1 for w in words]
            per_word = [_positions(searcher, docnums, [w]) for w in words]
            total = sum(idf)
            rescored = []
            for d, s in head:
                held = sum(i for i, pw in zip(idf, per_word, strict=True) if pw[d])
                rescored.append((d, s * (1 + weight * held / total)))
            top = sorted(rescored, key=lambda x: -x[1]) + tail
        return original(searcher, top, request)

    return lambda: mock.patch.object(whoosh_backend, "_reranked", reranked)


QUERYING = "search.backends.whoosh.querying"
RELATED = "search.expansion.related"
VARIANTS = [
    Variant("shipped", "the ranking as shipped", _shipped),
    *[
        Variant(
            f"window-depth-{depth}",
            f"the window bonus over the {depth} best candidates only (100)",
            _constant("search.core.ranking", "WINDOW_DEPTH", depth),
        )
        for depth in (20, 30, 50)
    ],
    *[
        Variant(
            f"window-idf-{w}-{x}",
            f"the window's words counted by their IDF: within {w} positions, weight {x}, ≥ 3 words",
            _idf_window(w, x),
        )
        for w, x in ((16, 0.5), (6, 1.0), (16, 1.0))
    ],
    Variant(
        "window-off",
        "the window bonus off (the ranking before search.proximity)",
        _constant("search.core.ranking", "WINDOW_WEIGHT", 0.0),
    ),
    Variant(
        "proximity",
        "neighbouring typed words within 4 positions: × (1 + 0.5 × pairs found / pairs), ≥ 3 words",
        _proximity,
    ),
    Variant(
        "proximity-light",
        "neighbouring typed words within 3 positions: × (1 + 0.25 × share), any length",
        _proximity_light,
    ),
    *[
        Variant(
            f"window-{w}-{x}{'-stem' if st else ''}{f'-min{m}' if m > 2 else ''}",
            f"most typed words within {w} positions: × (1 + {x} × (most − 1)/(words − 1)),"
            f" ≥ {m} words{', every form of the stem' if st else ''}",
            _windowed(w, x, st, m),
        )
        for w in (6, 10, 16, 30)
        for x in (0.25, 0.5, 1.0)
        for st in (False, True)
        for m in (2, 3, 4)
    ],
    *[
        Variant(
            f"near-{d}-{x}-min{m}",
            f"typed words within {d} positions of another: × (1 + {x} × share), ≥ {m} words",
            _neighboured(d, x, m),
        )
        for d in (3, 5, 8, 15)
        for x in (0.25, 0.5, 1.0)
        for m in (2, 3)
    ],
    *[
        Variant(
            f"year-date-{w}",
            f"a typed year: its 30 best candidates dated that year × (1 + {w})",
            _year_date(w),
        )
        for w in (0.1, 0.25, 0.5)
    ],
    Variant(
        "frame-verb", "a question's verb after its auxiliary dropped", _tree(_frame_verb_dropped)
    ),
    Variant(
        "year-off",
        "a typed year's pair not read (search.expansion.years.YEAR_WEIGHT = 0)",
        _constant("search.expansion.years", "YEAR_WEIGHT", 0.0),
    ),
    *[
        Variant(
            f"year-{w}",
            f"a typed year right after the word typed before it: × (1 + {w})",
            _constant("search.expansion.years", "YEAR_WEIGHT", w),
        )
        for w in (0.25, 0.5, 1.0)
    ],
    *[
        Variant(
            f"year-phrase-item{'-min3' if m == 3 else ''}",
            "the year and the word before it as one more juxtaposed phrase"
            + (", ≥ 3 content words" if m == 3 else ", any length"),
            _year_phrase_item(m),
        )
        for m in (0, 3)
    ],
    *[
        Variant(
            f"exact-top30-{w}",
            f"the 30 best × (1 + {w} × IDF share of typed words held as typed), ≥ 3 words",
            _exact_forms(w),
        )
        for w in (0.25, 0.5, 1.0)
    ],
    *[
        Variant(f"verbose-b-{b}", f"BM25 b = {b} for ≥ 3 content words", _verbose_b(b))
        for b in (0.3, 0.5, 0.6)
    ],
    Variant("lead", "typed words in the first 600 characters: × (1 + 0.5 × share)", _lead),
    Variant("lucene-idf", "Lucene's IDF instead of Whoosh's", _lucene_idf),
    Variant(
        "title-exact",
        "exact-form bonus in the title too (0.6)",
        _constant(QUERYING, "EXACT_FIELDS", {"text_exact": 0.6, "title_exact": 0.6}),
    ),
    Variant(
        "frequent-off",
        "exact-form bonus kept for frequent words",
        _constant(QUERYING, "FREQUENT_WORD_SHARE", 1.0),
    ),
    Variant(
        "nationality-forms-off",
        "a nationality the stemmer joins with its place searched by its stem and place only"
        " (the ranking before search.expansion.nationality)",
        _nationality_forms(None),
    ),
    *[
        Variant(
            f"nationality-forms-{x}{'' if every else '-typed'}",
            f"a nationality the stemmer joins with its place also searched on its own forms"
            f" ({'every gender and number' if every else 'the typed form'}), weight {x}",
            _nationality_forms(x, every),
        )
        for x in (0.3, 0.6, 1.0)
        for every in (True, False)
        if (x, every) != (0.6, True)  # what ships
    ],
    *[
        Variant(
            f"exact-long-{m}",
            f"exact-form bonus kept for frequent words in queries of ≥ {m} content words",
            _exact_when_long(m),
        )
        for m in (3, 5)
    ],
    Variant(
        "demonym-idf",
        "places and nationalities weighted 0.5 × min(1, IDF of the place / IDF of the typed word)",
        _demonym_idf(),
    ),
    *[
        Variant(
            f"name-parts-{x}",
            f"each word of a name typed in several words also alone, weight {x}"
            f"{' (the ranking before it)' if x == 0 else ''}",
            _constant(QUERYING, "NAME_PART_WEIGHT", x),
        )
        for x in (0.0, 0.25, 1.0)  # 0.5 ships
    ],
    Variant(
        "name-parts-min2",
        "each word of a name typed in two words or more also alone, weight 0.5 (3 ship)",
        _constant(QUERYING, "NAME_PART_MIN_WORDS", 2),
    ),
    Variant(
        "transliteration-off",
        "a name of two parts or more reaches a gazetteer entry only by one of its"
        " spellings, not by its loose transliteration key (search.expansion.transliteration)",
        _constant("search.names", "transliterated_forms", lambda gazetteer, text: []),
    ),
    Variant("derived-0.2", "derivations weighted 0.2", _constant(RELATED, "DERIVED_WEIGHT", 0.2)),
    Variant(
        "demonym-0.25",
        "places and nationalities weighted 0.25",
        _constant(RELATED, "DEMONYM_WEIGHT", 0.25),
    ),
]


def run(index: Path, files: dict[str, list[Judged]]) -> dict[str, list[float]]:
    """nDCG@10 of every query of each file, in file order (after one unscored pass)."""
    from search.searcher import Searcher

    searcher = Searcher.open(index)
    # A generous time limit: on a busy machine a search cut at the default 2 s
    # comes back partial, and that would score the machine's load, not a rule.
    searcher.limits = replace(searcher.limits, time_limit=60.0)
    for queries in files.values():
        for q in queries:  # a cold first search may pass the time limit: warm up
            searcher.search(q.query, per_page=K, with_snippets=False, with_facets=False)
    scores: dict[str, list[float]] = {}
    for name, queries in files.items():
        scores[name] = []
        for q in queries:
            results = searcher.search(q.query, per_page=K, with_snippets=False, with_facets=False)
            ranked = [canonical_id(h.id) for h in results.hits]
            scores[name].append(ndcg_at(ranked, q.relevant, K))
    return scores


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance_variants",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--variant", action="append", help="a variant's name (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the variants and stop")
    parser.add_argument(
        "--detail",
        action="store_true",
        help="also print, per variant, the queries whose nDCG@10 differs from the first variant's",
    )
    args = parser.parse_args(argv)
    by_name = {v.name: v for v in VARIANTS}
    if args.list:
        for v in VARIANTS:
            print(f"{v.name:16} {v.what}")
        return 0
    unknown = [n for n in args.variant or [] if n not in by_name]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)} (see --list)")
    chosen = [by_name[n] for n in args.variant] if args.variant else VARIANTS

    index = cached_index(get_engine("loupe"), rebuild=False, ner=True)
    files = {"kinds": load_queries(KINDS_QUERIES), "dev": load_queries(DEV_QUERIES)}
    print(f"Loupe on {index.name}; nDCG@{K}; even / odd = both files' lines by parity")
    print("| variant | 48 kinds | 40 dev | even | odd |")
    print("|---|---:|---:|---:|---:|")
    first: dict[str, list[float]] | None = None
    for variant in chosen:
        with ExitStack() as stack:
            stack.enter_context(variant.patches())
            scores = run(index, files)
        every = [(i, s) for values in scores.values() for i, s in enumerate(values)]
        even = _mean([s for i, s in every if i % 2 == 0])
        odd = _mean([s for i, s in every if i % 2 == 1])
        print(
            f"| {variant.name} | {_mean(scores['kinds']):.3f} | {_mean(scores['dev']):.3f}"
            f" | {even:.4f} | {odd:.4f} |"
        )
        if args.detail and first is not None:
            print(_differences(files, first, scores))
        first = first or scores
        sys.stdout.flush()
    return 0


def _differences(
    files: dict[str, list[Judged]], before: dict[str, list[float]], after: dict[str, list[float]]
) -> str:
    """The queries a variant moves, with the half of their file they sit in."""
    lines = []
    for name, queries in files.items():
        for i, q in enumerate(queries):
            a, b = before[name][i], after[name][i]
            if abs(a - b) > 1e-9:
                half = "even" if i % 2 == 0 else "odd"
                lines.append(f"    {half:<4} {q.qid} {q.kind:<10} {a:.3f} → {b:.3f}  {q.query}")
    return "\n".join(lines) or "    (no query moves)"


if __name__ == "__main__":
    sys.exit(main())
