"""The neutral query tree (search.query) → Whoosh queries, with Loupe's ranking.

Ranking rules, each a general rule rather than a per-query trick:
- a word is looked up stemmed in the whole text (title, headings, body and the
  spellings of the article's entities) and in the title, boosted;
- the folded, unstemmed form adds a bonus, so an article using the exact word
  outranks one that only shares its stem;
- juxtaposed words (`Words`) match articles holding any of them, while an
  all-words clause lifts those holding every word to the top;
- a proper-name variant key (`namekeys`) lets `Tinzawaten` meet « Tin Zaouatine ».
"""

from __future__ import annotations

import bisect
import copy
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice

from whoosh import query as wq
from whoosh.codec.base import Automata
from whoosh.reading import IndexReader

from search.alias_marks import marked_alias_words
from search.backends.base import Filters
from search.backends.whoosh.analysis import exact_analyzer, stemmed_analyzer
from search.backends.whoosh.schema import facet_key, month_of
from search.core import ranking
from search.core.french import fold, stem
from search.core.ranking import (
    ALIAS_BOOST,
    ALL_WORDS_BOOST,
    ENTITY_KEY_BOOST,
    MAX_EXPANSIONS,
    MAX_FUZZY_WORD,
    MIN_FUZZY_LETTERS,
    MIN_PREFIX_LETTERS,
    NAME_PART_MIN_WORDS,
    NAME_PART_WEIGHT,
    NAMEKEY_BOOST,
    fuzzy_distance,
)
from search.entity_keys import ENTITY_KEY_FIELD, query_entity_key
from search.expansion.related import Related, expand_items
from search.gazetteer import Gazetteer
from search.gazetteer import fold as fold_name
from search.names import NameRun, other_forms
from search.query import And, Not, Or, Phrase, QueryError, Term, Words
from search.query import Node as QNode
from search.variants import name_key

# Loupe's ranking (search/core/ranking.py) on this schema's fields: each
# ranking role → its stemmed field and its exact (folded, unstemmed) field.
STEMMED_FIELD = {"text": "text", "title": "title", "headings": "headings"}
EXACT_FIELD = {
    "text": "text_exact",
    "title": "title_exact",
    "headings": "headings_exact",
    "person": "person_text",
    "org": "org_text",
    "place": "place_text",
    "source": "source_text",
}


def _on_fields(boosts: dict[str, float], fields: dict[str, str]) -> dict[str, float]:
    return {fields[role]: boost for role, boost in boosts.items() if boost}


STEM_FIELDS = _on_fields(ranking.STEM_BOOSTS, STEMMED_FIELD)
EXACT_FIELDS = _on_fields(ranking.EXACT_BOOSTS, EXACT_FIELD)
PHRASE_FIELDS = _on_fields(ranking.PHRASE_BOOSTS, EXACT_FIELD)
FREQUENT_WORD_SHARE = 0.10  # words in more than this share of articles: lean clauses
FREQUENT_WORD_MIN_DOCS = 100  # …and in more than this many (small corpora keep every clause)
MIN_EXPANSIONS_EACH = 4  # × 64 terms at most per query = MAX_EXPANSIONS
MAX_MONTH_YEARS = 50  # longer date ranges stay one numeric range
PREFIX_SCAN = 20_000  # terms read for one prefix before ranking


# Neutral field → (stemmed fields, exact fields), with boosts.
FIELD_TARGETS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    role: (_on_fields({role: stemmed}, STEMMED_FIELD), _on_fields({role: exact}, EXACT_FIELD))
    for role, (stemmed, exact) in ranking.FIELDED_BOOSTS.items()
}


@dataclass
class Translation:
    """A Whoosh query and the stems the highlighter should mark."""

    query: wq.Query
    highlight_stems: set[str] = field(default_factory=set)
    words: list[str] = field(default_factory=list)  # folded words as typed, for "did you mean"
    # The typed words of a top-level word list: the backend doubles the score of
    # the best candidates holding all of them (see WhooshBackend._all_words_bonus).
    all_words: list[wq.Query] = field(default_factory=list)


# The same words, for finding (not ranking) every matching article: each
# field below holds a subset of `text`'s matches, so only `text` is read.
MATCH_STEM_FIELDS = {"text": 1.0}
MATCH_PHRASE_FIELDS = {"text_exact": 1.0}


class Translator:
    """Translates a query tree; `matching=True` gives the cheapest query with the
    same matches (for the total and the facets), without the ranking clauses."""

    def __init__(
        self,
        reader: IndexReader,
        gazetteer: Gazetteer | None = None,
        matching: bool = False,
        scanned: frozenset[str] | None = None,
        vocabulary: Sequence[str] | None = None,
        doc_frequency: Callable[[str, str], int] | None = None,
    ) -> None:
        """`scanned`: the spellings (gazetteer-folded) the generation's articles
        were scanned for at index time (`scanned_spellings`); None if unknown.
        `vocabulary`: the sorted words of `text_exact`, if the caller holds them
        in memory (fuzzy words are then found without reading the term file).
        `doc_frequency(field, text)`: the reader's, answered from columns the
        caller holds (`FastPath.doc_frequency`), if any."""
        self.reader = reader
        self.doc_frequency = doc_frequency or reader.doc_frequency
        self.vocabulary = vocabulary
        self.gazetteer = gazetteer
        # An entity the articles were scanned for and whose key no article holds
        # was written nowhere in those spellings: no phrase needs to look for them.
        self.scanned = (
            scanned if scanned and reader.field_length(ENTITY_KEY_FIELD) > 0 else frozenset()
        )
        self.matching = matching
        self.top_level: Words | None = None  # set by translate()
        self.expansions_each = MAX_EXPANSIONS  # shared out by translate()
        self.stem_fields = MATCH_STEM_FIELDS if matching else STEM_FIELDS
        self.exact_fields: dict[str, float] = {} if matching else EXACT_FIELDS
        self.phrase_fields = MATCH_PHRASE_FIELDS if matching else PHRASE_FIELDS
        self.stems: set[str] = set()
        self.words: list[str] = []

    def translate(self, node: QNode | None) -> Translation:
        if node is None:
            return Translation(wq.Every())
        if isinstance(node, Term):
            node = Words((node,))  # a lone word may still be a gazetteer name
        self.top_level = node if isinstance(node, Words) else None
        self.all_words: list[wq.Query] = []
        # Prefixes and fuzzy words share one budget of expansions for the whole
        # query: forty OR-ed prefixes must not build forty times 256 matchers.
        wildcards = sum(1 for t in _leaves(node) if t.prefix or t.fuzzy)
        self.expansions_each = max(MIN_EXPANSIONS_EACH, MAX_EXPANSIONS // max(wildcards, 1))
        q = self._node(node)
        if q is None:
            q = wq.NullQuery
        return Translation(q, self.stems, self.words, self.all_words)

    # -- tree nodes ---------------------------------------------------------
    def _node(self, node: QNode) -> wq.Query | None:
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, Phrase):
            return self._phrase(node)
        if isinstance(node, Not):
            inner = self._node(node.item)
            return None if inner is None else wq.AndNot(wq.Every(), inner)
        if isinstance(node, Words | And):
            return self._conjunction(node.items, soft=isinstance(node, Words))
        if isinstance(node, Or):
            subs = [q for q in (self._node(i) for i in node.items) if q is not None]
            return _or(subs)
        raise QueryError(f"élément de requête inconnu : {node!r}")

    def _conjunction(self, items, soft: bool) -> wq.Query | None:
        positives, negatives = [], []
        for item in expand_items(items, self.gazetteer):
            if isinstance(item, Related):
                positives.append(self._related(item))
            elif isinstance(item, NameRun):
                positives.append(self._name(list(item.words), list(item.forms)))
            elif isinstance(item, Not):
                q = self._node(item.item)
                if q is not None:
                    negatives.append(q)
            else:
                q = self._node(item)
                if q is not None:
                    positives.append(q)
        if not positives:
            base: wq.Query | None = wq.Every() if negatives else None
        elif len(positives) == 1:
            base = positives[0]
        elif soft and (self.matching or items is self._top_items()):
            # At the top level the all-words bonus is applied to the best
            # candidates after matching (far cheaper than an And clause that
            # runs every word's matchers a second time).
            base = wq.Or(positives)
            if not self.matching:
                self.all_words = positives
        elif soft:
            base = wq.Or([*positives, wq.And(positives, boost=ALL_WORDS_BOOST)])
        else:
            base = wq.And(positives)
        if base is not None and negatives:
            base = wq.AndNot(base, _or(negatives))
        return base

    def _related(self, related: Related) -> wq.Query:
        """The item, or any of its related forms with their scores scaled down,
        added up: an article saying « élections » and « Italie » is about
        « élections italiennes » as surely as one using the adjective. (Measured:
        counting a relative only where the typed word is absent, or leaving
        relatives out of the all-words bonus, both lost on derivation queries.)"""
        item = related.item
        if isinstance(item, NameRun):
            core = self._name(list(item.words), list(item.forms))
        else:
            core = self._node(item) or wq.NullQuery
        clauses = [core]
        for node, weight in related.alternatives:
            q = self._node(node)
            if q is not None and q is not wq.NullQuery:
                for leaf in q.leaves():
                    leaf.boost *= weight
                clauses.append(q)
        # One flat Or: Whoosh's top-k pruning skips wrongly through an Or nested
        # in an Or (better articles missing from a short first page).
        flat = [sub for c in clauses for sub in (c.subqueries if type(c) is wq.Or else [c])]
        return _or(flat) or wq.NullQuery

    def _top_items(self):
        return self.top_level.items if self.top_level is not None else None

    def _name(self, span: list[Term], forms: list[str]) -> wq.Query:
        """A gazetteer name: the words as typed, or the entity's key, which the
        index holds for every mention in any spelling (search.entity_keys) — one
        term instead of a phrase per alias."""
        as_typed = [q for q in (self._term(t) for t in span) if q is not None]
        clauses: list[wq.Query] = []
        if as_typed:
            clauses.append(as_typed[0] if len(as_typed) == 1 else wq.And(as_typed))
        if len(as_typed) >= NAME_PART_MIN_WORDS and NAME_PART_WEIGHT > 0:
            clauses.extend(_scaled(q, NAME_PART_WEIGHT) for q in as_typed)
        key = query_entity_key(forms)
        # An entry the articles were not scanned with (an acronym read in the
        # corpus during this very build, or from the curated list) has no key in
        # the index: its other spellings are looked up as phrases instead.
        keyed = bool(key) and self.doc_frequency(ENTITY_KEY_FIELD, key) > 0
        for form in other_forms(span, forms):  # the snippets mark the other spellings too
            words = [t.text for t in exact_analyzer()(form) if "-" not in t.text]
            self.stems.update(stem(w) for w in marked_alias_words(words))
            if not keyed and words and fold_name(form) not in self.scanned:
                clauses.extend(self._alias_phrase(words))
        if keyed:
            boost = ENTITY_KEY_BOOST if not self.matching else 1.0
            clauses.append(wq.Term(ENTITY_KEY_FIELD, key, boost=boost))
        return _or(clauses) or wq.NullQuery

    def _alias_phrase(self, words: list[str]) -> list[wq.Query]:
        """Another spelling of a name, as a term or a phrase of exact forms."""
        fields = self.phrase_fields
        if len(words) == 1:
            return [wq.Term(f, words[0], boost=b * ALIAS_BOOST) for f, b in fields.items()]
        return [wq.Phrase(f, words, boost=b * ALIAS_BOOST) for f, b in fields.items()]

    # -- leaves --------------------------------------------------------------
    def _term(self, term: Term) -> wq.Query | None:
        if term.prefix:
            return self._expanded(term, self._prefix_words(term.text))
        if term.fuzzy:
            return self._expanded(term, self._fuzzy_words(term.text))
        stems = [t.text for t in stemmed_analyzer()(term.text)]
        exacts = [t.text for t in exact_analyzer()(term.text)]
        if not exacts:
            return None  # a stop word alone
        if len(exacts) > 1 and "-" not in exacts[0] and "'" not in exacts[0]:
            # Several words in one token (e.g. "12:30"): read as a phrase.
            return self._phrase(Phrase(term.text, term.field))
        stem_text, exact_text = stems[0], exacts[0]
        self.stems.add(stem_text)
        self.stems.update(s for s in stems[1:] if len(s) > 3)  # parts of compounds
        self.words.append(exact_text)
        stem_fields, exact_fields = (
            FIELD_TARGETS[term.field] if term.field else (self.stem_fields, self.exact_fields)
        )
        if term.field is None and self._frequent(stem_text):
            # A word most articles hold ranks little and costs much: its
            # exact-form bonus and name key would add two matchers over tens of
            # thousands of documents for almost no change in order.
            exact_fields = {}
        clauses: list[wq.Query] = [
            wq.Term(f, stem_text, boost=b) for f, b in stem_fields.items()
        ] + [wq.Term(f, exact_text, boost=b) for f, b in exact_fields.items()]
        if term.field is None and exact_fields:
            key = name_key(term.text)
            if key:
                clauses.append(wq.Term("namekeys", key, boost=NAMEKEY_BOOST))
        # A hyphenated word (Al-Qaïda) is looked up whole: the index holds the whole
        # beside its parts, and a phrase of the parts would cost far more to match.
        return wq.Or(clauses)

    def _frequent(self, stem_text: str) -> bool:
        threshold = max(FREQUENT_WORD_SHARE * self.reader.doc_count(), FREQUENT_WORD_MIN_DOCS)
        return self.doc_frequency("text", stem_text) > threshold

    def _phrase(self, phrase: Phrase) -> wq.Query | None:
        tokens = [t.text for t in exact_analyzer()(phrase.text)]
        words = [w for w in tokens if "-" not in w and "'" not in w] or tokens
        if not words:
            return None
        for w in words:
            self.stems.add(stem(w))
            self.words.append(w)
        fields = FIELD_TARGETS[phrase.field][1] if phrase.field else self.phrase_fields
        if len(words) == 1:
            return wq.Or([wq.Term(f, words[0], boost=b) for f, b in fields.items()])
        return wq.Or([wq.Phrase(f, words, boost=b) for f, b in fields.items()])

    def _expanded(self, term: Term, words: list[str]) -> wq.Query | None:
        """Prefix or fuzzy: the expansions, most frequent first, capped."""
        if not words:
            return wq.NullQuery
        for w in words[:32]:
            self.stems.add(stem(w))
        fields = FIELD_TARGETS[term.field][1] if term.field else self.phrase_fields
        return wq.Or([wq.Term(f, w, boost=b) for w in words for f, b in fields.items()])

    def _prefix_words(self, text: str) -> list[str]:
        prefix = fold(text.rstrip("*")).strip("'’-")
        if len(prefix) < MIN_PREFIX_LETTERS:
            raise QueryError("un joker * demande au moins deux lettres avant lui")
        # One pass over the prefix's terms with their statistics (no lookup per
        # word), keeping the most frequent: the likeliest meant.
        found = (
            (info.doc_frequency(), w.decode("utf-8") if isinstance(w, bytes) else w)
            for w, info in islice(self.reader.iter_prefix("text_exact", prefix), PREFIX_SCAN)
        )
        return [w for _, w in heapq.nlargest(self.expansions_each, found)]

    def _fuzzy_words(self, text: str) -> list[str]:
        word = fold(text.rstrip("~0123456789"))[:MAX_FUZZY_WORD]
        if len(word) < MIN_FUZZY_LETTERS:
            return [word] if word else []
        maxdist = fuzzy_distance(word)
        if self.vocabulary is not None:
            # Whoosh's own automaton walk, over the words in memory instead of
            # the term file on disk (a binary search of reads per step: 60 ms a
            # word at 100,000 articles, under 5 ms here). Same words found.
            dfa = Automata.levenshtein_dfa(word, maxdist, 1)
            found = list(Automata.find_matches(dfa, SortedTermsCursor(self.vocabulary)))
        else:
            found = [
                w.decode("utf-8") if isinstance(w, bytes) else w
                for w in self.reader.terms_within("text_exact", word, maxdist, prefix=1)
            ]
        return self._most_frequent(found)

    def _most_frequent(self, words: list[str]) -> list[str]:
        if len(words) <= self.expansions_each:
            return words
        freq = self.doc_frequency
        return sorted(words, key=lambda w: -freq("text_exact", w))[: self.expansions_each]


class SortedTermsCursor:
    """A field cursor (Whoosh's `find` / `text` protocol) over a sorted list of
    words in memory, for `Automata.find_matches`."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.i = 0

    def find(self, term: str) -> None:
        self.i = bisect.bisect_left(self.words, term)

    def text(self) -> str | None:
        return self.words[self.i] if self.i < len(self.words) else None


def scanned_spellings(gazetteer: Gazetteer) -> frozenset[str]:
    """Every spelling of the gazetteer an index was built with (its entity
    keys come from scanning the articles for these), folded as names compare."""
    return frozenset(fold_name(form) for entry in gazetteer.entries for form in entry.forms)


def filter_query(filters: Filters) -> wq.Query | None:
    """Filters as a Whoosh query that restricts matches without scoring them."""
    clauses: list[wq.Query] = []
    for field_name, values in (
        ("persons", filters.persons),
        ("orgs", filters.orgs),
        ("places", filters.places),
        ("sources", filters.sources),
    ):
        clauses.extend(wq.Term(field_name, facet_key(v)) for v in values if v.strip())
    if filters.date_from or filters.date_to:
        clauses.append(date_filter(filters.date_from, filters.date_to))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def date_filter(start: date | None, end: date | None) -> wq.Query:
    """Publication dates from `start` to `end` (inclusive) as a query.

    A range over `published` makes Whoosh expand and merge many numeric trie
    terms (≈ 0.25 s for a year at 100,000 articles); a whole month is one term
    of the `months` field. So the months the range covers whole are read as
    month terms, and only the partial months at either end as ranges.
    """
    if start is None or end is None or end < start or end.year - start.year > MAX_MONTH_YEARS:
        return _date_range(start, end)
    clauses: list[wq.Query] = []
    month = start
    if start.day != 1:
        head_end = min(_next_month(start) - timedelta(days=1), end)
        clauses.append(_date_range(start, head_end))
        month = _next_month(start)
    ends_a_month = _next_month(end) - timedelta(days=1) == end
    stop = _next_month(end) if ends_a_month else end.replace(day=1)
    while month < stop:
        clauses.append(wq.Term("months", month_of(month)))
        month = _next_month(month)
    if not ends_a_month and end >= month:  # the days of the last month not yet covered
        clauses.append(_date_range(month, end))
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def _date_range(start: date | None, end: date | None) -> wq.Query:
    return wq.DateRange(
        "published",
        datetime.combine(start, time.min) if start else None,
        datetime.combine(end, time.max) if end else None,
    )


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _scaled(q: wq.Query, weight: float) -> wq.Query:
    """A copy of `q` with every leaf's boost multiplied by `weight` (the
    original stays as it is: it is used elsewhere in the same query)."""
    scaled = copy.deepcopy(q)
    for leaf in scaled.leaves():
        leaf.boost *= weight
    return scaled


def _or(subs: list[wq.Query]) -> wq.Query | None:
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _leaves(node: QNode) -> list[Term]:
    """Every word of a query tree, negated or not (they all cost a lookup)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Phrase):
        return []
    if isinstance(node, Not):
        return _leaves(node.item)
    return [t for item in node.items for t in _leaves(item)]
