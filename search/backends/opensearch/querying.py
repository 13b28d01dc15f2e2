"""Loupe's query tree to OpenSearch query DSL, with the core's ranking (search/core/ranking.py).

A word is looked up stemmed in `text` and in the title, boosted; its exact form
adds a bonus; its transliteration key meets the names in `namekeys`; juxtaposed
words match articles holding most of them and an all-words clause lifts those
holding every one; a run of words spelling a gazetteer name also matches every
other spelling of that name, as a phrase.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.backends.opensearch.mapping import (
    EXACT_FIELDS,
    FIELD_MAP,
    PHRASE_FIELDS,
    STEM_FIELDS,
    WORDS_MINIMUM_SHOULD_MATCH,
)
from search.core import ranking
from search.core.french import WORD_PATTERN, fold, is_stop_word, strip_elision
from search.core.ranking import ALIAS_BOOST, NAMEKEY_BOOST
from search.expansion.related import Related, expand_items
from search.gazetteer import Gazetteer
from search.names import NameRun, other_forms
from search.query import And, Node, Not, Or, Phrase, Term, Words
from search.variants import name_key

MATCH_ALL: dict[str, Any] = {"match_all": {}}
MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _field_list(field: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        return FIELD_MAP[field]
    except KeyError:
        raise ValueError(f"unknown field {field!r}") from None


def _strip_boost(field: str) -> tuple[str, float]:
    name, _, boost = field.partition("^")
    return name, float(boost) if boost else 1.0


def _fuzzy_or_prefix(term: Term, exact: tuple[str, ...]) -> dict[str, Any]:
    """A prefix (`secu*`) or fuzzy (`canicyle~`) word, on the exact (unstemmed) fields."""
    tokens = WORD_PATTERN.findall(fold(strip_elision(term.text.strip())))
    if not tokens:
        return MATCH_NONE
    if len(tokens) > 1:
        # `État-maj*`, `Al-Qaeda~`: several tokens, let OpenSearch analyse them
        how: dict[str, Any] = (
            {"type": "phrase_prefix"} if term.prefix else {"fuzziness": "AUTO", "operator": "and"}
        )
        return {"multi_match": {"query": term.text, "fields": list(exact), **how}}
    value = tokens[0]
    clauses = []
    for field in exact:
        name, boost = _strip_boost(field)
        if term.prefix:
            clauses.append({"prefix": {name: {"value": value, "boost": boost}}})
        else:
            clauses.append({"fuzzy": {name: {"value": value, "fuzziness": "AUTO", "boost": boost}}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _fielded_term(term: Term) -> dict[str, Any]:
    """A word under a field prefix (`titre:`, `personne:`…): only that field's parts,
    stemmed and exact, each with its boost (`search.core.ranking.FIELDED_BOOSTS`)."""
    groups = [fields for fields in _field_list(term.field) if fields]
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": term.text,
                        "fields": list(fields),
                        "type": "best_fields",
                        "tie_breaker": 0.3,
                        "operator": "and",
                    }
                }
                for fields in groups
            ],
            "minimum_should_match": 1,
        }
    }


def _term_query(term: Term) -> dict[str, Any]:
    """One word, ranked as the Whoosh backend ranks it: stemmed in the whole text and
    in the title (boosted), its exact form as a bonus, its name key.

    The clauses of a `bool.should` add up, as Whoosh's `Or` does. A word the
    tokenizer splits (`Al-Qaïda`, `États-Unis`) needs all its parts for a stem
    match and gets the exact bonus only where the parts stand together.
    """
    if term.prefix or term.fuzzy:
        return _fuzzy_or_prefix(term, _field_list(term.field)[1])
    if term.field is not None:
        return _fielded_term(term)
    clauses: list[dict[str, Any]] = [
        {"match": {f: {"query": term.text, "operator": "and", "boost": b}}}
        for f, b in STEM_FIELDS.items()
    ]
    clauses += [
        {"match_phrase": {f: {"query": term.text, "boost": b}}} for f, b in EXACT_FIELDS.items()
    ]
    key = name_key(term.text)
    if key:
        clauses.append({"term": {"namekeys": {"value": key, "boost": NAMEKEY_BOOST}}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _phrase_query(phrase: Phrase) -> dict[str, Any]:
    """Words together, in order, in their exact forms; the title counts double."""
    if phrase.field:
        fields = dict(_strip_boost(f) for f in _field_list(phrase.field)[1])
    else:
        fields = PHRASE_FIELDS
    return _exact_phrase(phrase.text, fields)


def _exact_phrase(text: str, fields: dict[str, float], boost: float = 1.0) -> dict[str, Any]:
    """`text` as a phrase of exact forms in each field; the fields' scores add up."""
    clauses = [
        {"match_phrase": {f: {"query": text, "boost": b * boost}}} for f, b in fields.items()
    ]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


def _coordinated(positive: list[dict[str, Any]]) -> dict[str, Any]:
    """Any of `positive`, its score multiplied by `ranking.coordination` of how
    many it holds: 1, plus EACH_WORD_BOOST / n per item held, plus
    ALL_WORDS_BOOST when it holds all (a `function_score` summing one function
    per item), as the Whoosh backend multiplies its best candidates."""
    share = ranking.EACH_WORD_BOOST / len(positive)
    functions: list[dict[str, Any]] = [{"filter": MATCH_ALL, "weight": 1.0}]
    if share > 0:
        functions += [{"filter": item, "weight": share} for item in positive]
    if ranking.ALL_WORDS_BOOST > 0:
        every = {"bool": {"must": positive}}
        functions.append({"filter": every, "weight": ranking.ALL_WORDS_BOOST})
    anything = {"bool": {"should": positive, "minimum_should_match": WORDS_MINIMUM_SHOULD_MATCH}}
    return {
        "function_score": {
            "query": anything,
            "functions": functions,
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


def _is_stop_only(node: Node) -> bool:
    """A bare stop word matches nothing; dropping it keeps `le Mali` meaning `Mali`."""
    return isinstance(node, Term) and not node.prefix and not node.fuzzy and is_stop_word(node.text)


class Translator:
    """The backend-neutral tree as an OpenSearch query, with names expanded.

    `gazetteer` (the one stored with the generation searched) turns a run of
    words spelling a known name into a query for every spelling of it, as the
    Whoosh backend does: `Vladimir Putin` also finds « Vladimir Poutine ».
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer
        self.root: Node | None = None  # the query's top: its words are coordinated

    def dsl(self, node: Node | None) -> dict[str, Any]:
        if node is None:
            return MATCH_ALL
        if isinstance(node, Term):
            # alone, a stop word finds nothing; a lone word may still be a name
            return MATCH_NONE if _is_stop_only(node) else self._words((node,), soft=True)
        if isinstance(node, Phrase):
            return _phrase_query(node)
        if isinstance(node, Not):
            return {"bool": {"must": [MATCH_ALL], "must_not": [self.dsl(node.item)]}}
        if isinstance(node, And):
            return self._words(node.items, soft=False)
        if isinstance(node, Or):
            return {
                "bool": {
                    "should": [self.dsl(n) for n in node.items],
                    "minimum_should_match": 1,
                }
            }
        if isinstance(node, Words):
            return self._words(node.items, soft=True, top=node is self.root)
        raise TypeError(f"not a query node: {node!r}")

    def _words(self, items: Iterable[Node], soft: bool, top: bool = False) -> dict[str, Any]:
        """Juxtaposed (`soft`) or AND-ed items. Soft: any item matches; at the
        query's `top` the score is multiplied by the core's `coordination` of the
        items held, inside a group an all-items clause adds ALL_WORDS_BOOST."""
        positive: list[dict[str, Any]] = []
        negative: list[dict[str, Any]] = []
        for item in expand_items(items, self.gazetteer):
            if isinstance(item, Related):
                positive.append(self._related(item))
            elif isinstance(item, NameRun):
                positive.append(self._name(list(item.words), list(item.forms)))
            elif isinstance(item, Not):
                negative.append(self.dsl(item.item))
            elif isinstance(item, Term):
                if not _is_stop_only(item):
                    positive.append(_term_query(item))
            else:
                positive.append(self.dsl(item))
        query: dict[str, Any] = {"bool": {"must_not": negative}} if negative else {"bool": {}}
        if not positive:
            query["bool"]["must"] = [MATCH_ALL if negative else MATCH_NONE]
        elif len(positive) == 1:
            if not negative:
                return positive[0]
            query["bool"]["must"] = positive
        elif not soft:
            query["bool"]["must"] = positive
        elif top:
            query["bool"]["must"] = [_coordinated(positive)]
        else:  # a group inside the query: an all-items clause, as Whoosh's
            query["bool"]["must"] = [
                {"bool": {"should": positive, "minimum_should_match": WORDS_MINIMUM_SHOULD_MATCH}}
            ]
            every = {"bool": {"must": positive, "boost": ranking.ALL_WORDS_BOOST}}
            query["bool"]["should"] = [every]
        return query

    def _related(self, related: Related) -> dict[str, Any]:
        """The item, or any of its related forms with their scores scaled down,
        added up, as the Whoosh backend does."""
        item = related.item
        if isinstance(item, NameRun):
            core = self._name(list(item.words), list(item.forms))
        elif isinstance(item, Term):
            core = MATCH_NONE if _is_stop_only(item) else _term_query(item)
        else:
            core = self.dsl(item)
        clauses = [core]
        for node, weight in related.alternatives:
            alternative = _term_query(node) if isinstance(node, Term) else self.dsl(node)
            clauses.append({"bool": {"should": [alternative], "boost": weight}})
        return {"bool": {"should": clauses, "minimum_should_match": 1}}

    def _name(self, span: list[Term], forms: list[str]) -> dict[str, Any]:
        """The words as typed (all of them), or any other spelling as a phrase."""
        as_typed = [_term_query(t) for t in span if not _is_stop_only(t)]
        clauses: list[dict[str, Any]] = []
        if as_typed:
            clauses.append(as_typed[0] if len(as_typed) == 1 else {"bool": {"must": as_typed}})
        if len(as_typed) >= ranking.NAME_PART_MIN_WORDS and ranking.NAME_PART_WEIGHT > 0:
            # each word alone too, scaled down, as the Whoosh backend does
            part_weight = ranking.NAME_PART_WEIGHT
            clauses += [{"bool": {"should": [q], "boost": part_weight}} for q in as_typed]
        for form in other_forms(span, forms):
            if is_stop_word(form):
                continue
            clauses.append(_exact_phrase(form, PHRASE_FIELDS, ALIAS_BOOST))
        if not clauses:
            return MATCH_NONE
        return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


def to_dsl(node: Node | None, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The backend-neutral tree as an OpenSearch query (names expanded with `gazetteer`)."""
    translator = Translator(gazetteer)
    translator.root = node
    return translator.dsl(node)


# ---------------------------------------------------------------------------
# Lucene regular expressions for `entities(prefix=…)`

_LUCENE_RESERVED = set('.?+*|{}[]()"\\#@&<>~')
_VARIANTS = {
    "a": "aàâäáãå",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóòõ",
    "u": "uùûüú",
    "y": "yÿý",
}


def prefix_regex(prefix: str) -> str:
    """A Lucene regexp matching names with a word starting with `prefix`, in any case
    and with or without accents: `lav` → `(.*[ \\-'])?[lL][aAàÀ…][vV].*`."""
    parts = []
    for char in fold(prefix):
        variants = _VARIANTS.get(char, char)
        letters = sorted({v for c in variants for v in (c, c.upper())})
        if len(letters) > 1:
            parts.append("[" + "".join(letters) + "]")
        elif char in _LUCENE_RESERVED:
            parts.append("\\" + char)
        else:
            parts.append(char)
    return "(.*[ \\-'’])?" + "".join(parts) + ".*"
