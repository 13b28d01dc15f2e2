"""The scale-out backend: the same `Article`s and query tree, served by OpenSearch.

Whoosh needs nothing but a folder; when a corpus outgrows one machine the same
requests run here, on an existing distributed engine. Everything Loupe-specific
about French lives in the index settings below, built from OpenSearch's own
filters (elision, lowercase, asciifolding, French stop words folded, the plural
-s taken off, the Snowball French stemmer), so any stock OpenSearch 2.x node can
serve it.

Ranking follows the Whoosh backend's rules (search/backends/whoosh/querying.py),
so that the same query ranks alike on both engines:
- a word is looked up stemmed in `text` (title, headings, body and every spelling
  of the article's entities, gazetteer aliases included) and in the title,
  boosted; its exact (folded, unstemmed) form adds a bonus; its transliteration
  key (`search.variants.name_key`) meets the names indexed in `namekeys`;
- juxtaposed words match articles holding most of them, and an all-words clause
  lifts those holding every one;
- a run of words spelling a gazetteer name also matches every other spelling of
  that name, as a phrase. The gazetteer is stored with the generation (in the
  mapping's `_meta`), so queries expand names with the aliases the documents
  were indexed with.

Generations: `build` indexes into a fresh `<name>-<timestamp>` index and moves
the `<name>` alias onto it in one `_aliases` call, so a reader sees the old
index or the new one, never half of one, and a failed build leaves the alias
where it was. Older generations are deleted only after the switch.

Configuration: `OpenSearchBackend(url)`, or `OpenSearchBackend.from_env()`
which reads `LOUPE_OPENSEARCH_URL` (default `http://127.0.0.1:9200`).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as ClusterUnreachable
from opensearchpy.exceptions import NotFoundError

from search.article import Article, Entity, Section
from search.backends.base import (
    FACET_FIELDS,
    SORTS,
    FacetValue,
    Hit,
    IndexMissing,
    IndexStats,
    Results,
    SearchRequest,
    Snippet,
)
from search.gazetteer import Gazetteer, GazetteerEntry
from search.gazetteer import fold as fold_name
from search.names import NameRun, name_keys, with_names
from search.query import And, Node, Not, Or, Phrase, Term, Words, to_text
from search.variants import name_key

URL_ENV = "LOUPE_OPENSEARCH_URL"
DEFAULT_URL = "http://127.0.0.1:9200"

# ---------------------------------------------------------------------------
# Language data (tables, apart from the code)

ELISION_ARTICLES = (
    "l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu",
)  # fmt: skip

# Lucene's `_french_` stop list (snowball), folded: it runs after asciifolding,
# so `à` and `a`, `même` and `meme` are both dropped whatever the writer typed.
FRENCH_STOP_WORDS = tuple(
    """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais
    me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    sur ta te tes toi ton tu un une vos votre vous c d j l a m n s t y etee etees
    etant suis es etes sont serai seras sera serons serez seront serais serait
    serions seriez seraient etais etait etions etiez etaient fus fut fumes futes
    furent sois soit soyons soyez soient fusse fusses fussions fussiez fussent
    ayant eu eue eues eus ai avons avez ont aurai aurons aurez auront aurais
    aurait aurions auriez auraient avais avait aviez avaient eut eumes eutes
    eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent
    ceci cela cet cette ici ils les leurs quel quels quelle quelles sans soi
    """.split()  # noqa: SIM905 - a table meant to be read, one block
)
_STOP_SET = frozenset(FRENCH_STOP_WORDS)

# Neutral entity types → index fields (and the facet each one feeds).
ENTITY_FIELDS = {"PER": "persons", "ORG": "orgs", "LOC": "places", "MISC": "misc"}
_ENTITY_TYPE_ALIASES = {
    **{t: t for t in ENTITY_FIELDS},
    **{f: t for t, f in ENTITY_FIELDS.items()},
    "person": "PER",
    "org": "ORG",
    "place": "LOC",
}

# A plain word, as the Whoosh backend ranks it: few fields, each a general rule.
STEM_FIELDS = {"text": 1.0, "title": 2.0}  # stemmed: the whole text, the title boosted
EXACT_FIELDS = {"text.exact": 0.6}  # the folded form as typed: a bonus over a stem match
PHRASE_FIELDS = {"text.exact": 1.0, "title.exact": 2.0}  # phrases, aliases, prefix, fuzzy
NAMEKEY_BOOST = 1.0  # a transliteration of a name (Tinzawaten ~ Tinzaouaten)
ALIAS_BOOST = 1.0  # another spelling of a gazetteer name weighs as the typed one
FIELDED_EXACT_BOOST = 1.5  # under a field prefix, the exact form outranks a stem match

# Neutral query fields → (stemmed fields, exact fields), with their boosts.
FIELD_MAP: dict[str | None, tuple[tuple[str, ...], tuple[str, ...]]] = {
    None: (
        tuple(f"{f}^{b:g}" for f, b in STEM_FIELDS.items()),
        tuple(f"{f}^{b:g}" for f, b in PHRASE_FIELDS.items()),
    ),
    "title": (("title",), ("title.exact",)),
    "headings": (("headings",), ("headings.exact",)),
    "person": (("persons", "persons_mentions"), ("persons.exact", "persons_mentions.exact")),
    "org": (("orgs", "orgs_mentions"), ("orgs.exact", "orgs_mentions.exact")),
    "place": (("places", "places_mentions"), ("places.exact", "places_mentions.exact")),
    "source": (("source.text",), ("source.text",)),
}

# Juxtaposed words: any of them matches, those holding all rank first (the
# all-words bonus) — the same rule as the Whoosh backend.
WORDS_MINIMUM_SHOULD_MATCH = "1"
ALL_WORDS_BOOST = 1.0  # the bonus that ranks articles holding every word first
# How often a search re-reads which generation the alias serves, to pick up the
# gazetteer stored with it: a round trip per search would cost more than the
# search, and a gazetteer a few seconds stale only misses a new alias briefly.
GAZETTEER_RECHECK_SECONDS = 5.0
MAX_PER_PAGE = 100
MAX_CHECKED_TERMS = 16  # words sent to the spelling suggester
FEW_RESULTS = 5  # below this many hits, rare words get a suggestion too
MAX_RESULT_WINDOW = 10_000  # OpenSearch's index.max_result_window default
SNIPPET_CHARS = 160
MAX_SNIPPETS = 3

# ---------------------------------------------------------------------------
# Index settings and mapping


def _text_with_exact() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "loupe_french",
        "fields": {"exact": {"type": "text", "analyzer": "loupe_exact"}},
    }


def _entity_field() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "loupe_french",
        "fields": {
            "exact": {"type": "text", "analyzer": "loupe_exact"},
            # canonical display form, for facets
            "keyword": {"type": "keyword", "ignore_above": 256},
            # folded canonical form, for case- and accent-blind filters
            "folded": {"type": "keyword", "normalizer": "loupe_folded", "ignore_above": 256},
        },
    }


# The stemming steps of `loupe_french`, after folding (as in search/analysis.py):
# Loupe's rule takes the plural -s off words of five letters or more (not -ss)
# before Snowball, which reads some plurals as verb endings (« démissions » →
# dem, « démission » → demiss); the rule makes singular and plural always meet.
# Measured on the dev queries (python -m bench.relevance --system loupe,opensearch),
# this beats both Snowball alone and OpenSearch's `light_french`.
STEM_FILTERS = ("loupe_plural", "loupe_stemmer")


def index_body(
    shards: int = 1, replicas: int = 0, gazetteer: Gazetteer | None = None
) -> dict[str, Any]:
    """Settings and mapping of one generation; `gazetteer` is kept in `_meta`,
    so that queries expand names with the aliases the documents carry."""
    meta: dict[str, Any] = {"loupe_schema": 2}
    if gazetteer is not None and gazetteer.entries:
        meta["gazetteer"] = [[e.canonical, e.type, list(e.aliases)] for e in gazetteer.entries]
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "-1",  # restored after the bulk load
            },
            "analysis": {
                "filter": {
                    "loupe_elision": {
                        "type": "elision",
                        "articles_case": True,
                        "articles": list(ELISION_ARTICLES),
                    },
                    "loupe_stop": {"type": "stop", "stopwords": list(FRENCH_STOP_WORDS)},
                    "loupe_plural": {
                        "type": "pattern_replace",
                        "pattern": "^(.{3,}[^s])s$",
                        "replacement": "$1",
                    },
                    "loupe_stemmer": {"type": "stemmer", "language": "french"},
                },
                "analyzer": {
                    "loupe_french": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [
                            "loupe_elision",
                            "lowercase",
                            "asciifolding",
                            "loupe_stop",
                            *STEM_FILTERS,
                        ],
                    },
                    "loupe_exact": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["loupe_elision", "lowercase", "asciifolding", "loupe_stop"],
                    },
                    "loupe_completion": {
                        "type": "custom",
                        "tokenizer": "keyword",
                        "filter": ["lowercase", "asciifolding"],
                    },
                },
                "normalizer": {
                    "loupe_folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": meta,
            "properties": {
                "id": {"type": "keyword"},
                "title": {**_text_with_exact(), "copy_to": ["words", "text"]},
                "headings": {
                    **_text_with_exact(),
                    "copy_to": ["words", "text"],
                    "position_increment_gap": 100,
                },
                # one value per section, so phrases never run across sections
                "body": {
                    **_text_with_exact(),
                    "copy_to": ["words", "text"],
                    "position_increment_gap": 100,
                },
                # spellings of the article's names the text may lack: canonical
                # forms, gazetteer aliases, hashtags (Putin meets « Poutine »)
                "names": {
                    "type": "text",
                    "analyzer": "loupe_exact",
                    "copy_to": "text",
                    "position_increment_gap": 100,
                },
                # what a plain word is ranked on: title, headings, body and names
                "text": {**_text_with_exact(), "position_increment_gap": 100},
                # transliteration keys of the names (search.variants.name_key)
                "namekeys": {"type": "keyword"},
                "words": {"type": "text", "analyzer": "loupe_exact"},  # the spelling suggester's
                "persons": _entity_field(),
                "orgs": _entity_field(),
                "places": _entity_field(),
                "misc": _entity_field(),
                # the spellings met in the text, for `personne:`-style queries
                "persons_mentions": _text_with_exact(),
                "orgs_mentions": _text_with_exact(),
                "places_mentions": _text_with_exact(),
                "misc_mentions": _text_with_exact(),
                "hashtags": {
                    "type": "keyword",
                    "fields": {"text": {"type": "text", "analyzer": "loupe_exact"}},
                },
                "source": {
                    "type": "keyword",
                    "fields": {
                        "folded": {"type": "keyword", "normalizer": "loupe_folded"},
                        "text": {"type": "text", "analyzer": "loupe_exact"},
                    },
                },
                "published": {"type": "date", "format": "strict_date"},
                "published_inferred": {"type": "boolean"},
                "month": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "author": {"type": "text", "analyzer": "loupe_exact"},
                "license": {"type": "keyword", "index": False},
                "path": {"type": "keyword", "index": False},
                "checksum": {"type": "keyword"},
                # kept whole in _source so `get` rebuilds the Article; not indexed
                "sections": {"type": "object", "enabled": False},
                "entities": {"type": "object", "enabled": False},
                "suggest": {
                    "type": "completion",
                    "analyzer": "loupe_completion",
                    "preserve_separators": True,
                    "max_input_length": 100,
                },
            },
        },
    }


# ---------------------------------------------------------------------------
# Folding in Python, for the few queries OpenSearch does not analyse (prefix, fuzzy)

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})
_ELISION_RE = re.compile(r"^(?:" + "|".join(ELISION_ARTICLES) + r")['’]", re.IGNORECASE)
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, no accents, no ligatures: what `lowercase | asciifolding` yields."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _strip_elision(word: str) -> str:
    return _ELISION_RE.sub("", word)


def _is_stop_word(text: str) -> bool:
    words = _WORD_RE.findall(fold(_strip_elision(text.strip())))
    return bool(words) and all(w in _STOP_SET for w in words)


# ---------------------------------------------------------------------------
# Query tree → query DSL


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
    tokens = _WORD_RE.findall(fold(_strip_elision(term.text.strip())))
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
    """A word under a field prefix (`titre:`, `personne:`…): only that field's parts."""
    stemmed, exact = _field_list(term.field)
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
                        **({"boost": boost} if boost != 1.0 else {}),
                    }
                }
                for fields, boost in ((stemmed, 1.0), (exact, FIELDED_EXACT_BOOST))
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
    fields = {f: 1.0 for f in _field_list(phrase.field)[1]} if phrase.field else PHRASE_FIELDS
    return _exact_phrase(phrase.text, fields)


def _exact_phrase(text: str, fields: dict[str, float], boost: float = 1.0) -> dict[str, Any]:
    """`text` as a phrase of exact forms in each field; the fields' scores add up."""
    clauses = [
        {"match_phrase": {f: {"query": text, "boost": b * boost}}} for f, b in fields.items()
    ]
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


def _is_stop_only(node: Node) -> bool:
    """A bare stop word matches nothing; dropping it keeps `le Mali` meaning `Mali`."""
    return (
        isinstance(node, Term) and not node.prefix and not node.fuzzy and _is_stop_word(node.text)
    )


class Translator:
    """The backend-neutral tree as an OpenSearch query, with names expanded.

    `gazetteer` (the one stored with the generation searched) turns a run of
    words spelling a known name into a query for every spelling of it, as the
    Whoosh backend does: `Vladimir Putin` also finds « Vladimir Poutine ».
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer

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
            return self._words(node.items, soft=True)
        raise TypeError(f"not a query node: {node!r}")

    def _words(self, items: Iterable[Node], soft: bool) -> dict[str, Any]:
        """Juxtaposed (`soft`) or AND-ed items. Soft: most items must match, and an
        all-items clause ranks the articles holding every one first."""
        positive: list[dict[str, Any]] = []
        negative: list[dict[str, Any]] = []
        for item in with_names(items, self.gazetteer):
            if isinstance(item, NameRun):
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
        else:
            query["bool"]["must"] = [
                {"bool": {"should": positive, "minimum_should_match": WORDS_MINIMUM_SHOULD_MATCH}}
            ]
            query["bool"]["should"] = [{"bool": {"must": positive, "boost": ALL_WORDS_BOOST}}]
        return query

    def _name(self, span: list[Term], forms: list[str]) -> dict[str, Any]:
        """The words as typed (all of them), or any other spelling as a phrase."""
        as_typed = [_term_query(t) for t in span if not _is_stop_only(t)]
        clauses: list[dict[str, Any]] = []
        if as_typed:
            clauses.append(as_typed[0] if len(as_typed) == 1 else {"bool": {"must": as_typed}})
        typed = fold_name(" ".join(t.text for t in span))
        for form in forms:
            if fold_name(form) == typed or _is_stop_word(form):
                continue
            clauses.append(_exact_phrase(form, PHRASE_FIELDS, ALIAS_BOOST))
        if not clauses:
            return MATCH_NONE
        return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


def to_dsl(node: Node | None, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The backend-neutral tree as an OpenSearch query (names expanded with `gazetteer`)."""
    return Translator(gazetteer).dsl(node)


def _checked_terms(node: Node | None) -> list[Term]:
    """Words typed as such (no prefix, no fuzzy): what the spelling suggester checks.
    Phrases are taken as typed."""
    if node is None or isinstance(node, Phrase):
        return []
    if isinstance(node, Term):
        return [] if node.prefix or node.fuzzy or _is_stop_only(node) else [node]
    if isinstance(node, Not):
        return _checked_terms(node.item)
    return [t for item in node.items for t in _checked_terms(item)]


def _corrected(node: Node, fixes: dict[Term, str]) -> Node:
    """The same tree with misspelt terms replaced."""
    if isinstance(node, Term):
        return replace(node, text=fixes[node]) if node in fixes else node
    if isinstance(node, Not):
        return Not(_corrected(node.item, fixes))
    if isinstance(node, Words | And | Or):
        return type(node)(tuple(_corrected(i, fixes) for i in node.items))
    return node


# ---------------------------------------------------------------------------
# Article ↔ document


def _month(published: date | None) -> str | None:
    return published.strftime("%Y-%m") if published else None


def _completion_inputs(article: Article) -> list[dict[str, Any]]:
    """Words the search box may complete, weighted by their use in the article."""
    counts: Counter[str] = Counter()
    for text in [article.title, *article.headings, article.body]:
        for word in _WORD_RE.findall(text):
            if len(word) >= 3 and not word.isdigit() and fold(word) not in _STOP_SET:
                counts[word.lower()] += 1
    by_weight: dict[int, list[str]] = {}
    for word, n in counts.items():
        by_weight.setdefault(min(n, 50), []).append(word)
    return [{"input": words, "weight": w} for w, words in by_weight.items()]


def _no_aliases(canonical: str) -> list[str]:
    return []


def article_to_doc(
    article: Article,
    names: dict[str, str] | None = None,
    aliases_of: Callable[[str], list[str]] = _no_aliases,
) -> dict[str, Any]:
    """The indexed document. With `names` (folded name → spelling, shared by one
    build), an entity written two ways (« UNESCO », « Unesco ») is indexed under
    the first spelling met, so facets count it once, as its case-blind filter
    and the Whoosh backend do; the stored `entities` keep each article's own.

    `aliases_of(canonical)` gives the gazetteer's other spellings of an entity:
    with the canonical forms and hashtags they go to `names` (ranked as part of
    the text, as Whoosh does), and to the `*_mentions` fields for `personne:`."""
    by_field: dict[str, list[str]] = {}
    for field in ENTITY_FIELDS.values():
        by_field[field] = []
        by_field[f"{field}_mentions"] = []
    spellings: set[str] = set()  # names the body may not contain
    for entity in article.entities:
        aliases = aliases_of(entity.canonical)
        spellings.update({entity.canonical, *aliases} - {entity.text})
        field = ENTITY_FIELDS.get(entity.type)
        if not field:
            continue
        canonical = entity.canonical
        if canonical and names is not None:
            canonical = names.setdefault(fold(canonical), canonical)
        if canonical and canonical not in by_field[field]:
            by_field[field].append(canonical)
        mentions = by_field[f"{field}_mentions"]
        for written in (entity.text, *aliases):
            if written and written != entity.canonical and written not in mentions:
                mentions.append(written)
    spellings.update(article.hashtags)
    return {
        "id": article.id,
        "title": article.title,
        "headings": article.headings,
        "body": [s.text for s in article.sections if s.text],
        "names": sorted(n for n in spellings if n),
        "namekeys": sorted(name_keys(article)),
        **by_field,
        "hashtags": list(article.hashtags),
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "published_inferred": article.published_inferred,
        "month": _month(article.published),
        "url": article.url,
        "author": article.author,
        "license": article.license,
        "path": article.path,
        "checksum": article.checksum,
        "sections": [{"heading": s.heading, "text": s.text} for s in article.sections],
        "entities": [
            {"text": e.text, "type": e.type, "canonical": e.canonical} for e in article.entities
        ],
        "suggest": _completion_inputs(article),
    }


def doc_to_article(doc: dict[str, Any]) -> Article:
    published = doc.get("published")
    return Article(
        id=doc["id"],
        title=doc.get("title") or "",
        sections=[Section(s.get("heading"), s.get("text") or "") for s in doc.get("sections", [])],
        url=doc.get("url"),
        source=doc.get("source"),
        published=date.fromisoformat(published) if published else None,
        published_inferred=bool(doc.get("published_inferred")),
        author=doc.get("author"),
        license=doc.get("license"),
        hashtags=list(doc.get("hashtags") or []),
        entities=[Entity(e["text"], e["type"], e["canonical"]) for e in doc.get("entities", [])],
        path=doc.get("path"),
        checksum=doc.get("checksum") or "",
    )


# ---------------------------------------------------------------------------
# Snippets

_MARK_RE = re.compile(r"</?mark>")
# The tokenizer keeps `l'` on the token, so the highlighter marks `l'attaque`;
# move the mark past the elided article, as the Whoosh backend does.
_MARKED_ELISION_RE = re.compile(
    r"<mark>((?:" + "|".join(ELISION_ARTICLES) + r")(?:&#x27;|'|’))", re.IGNORECASE
)


def _unmark_elision(fragment: str) -> str:
    return _MARKED_ELISION_RE.sub(r"\1<mark>", fragment)


def _section_of(fragment_html: str, sections: list[dict[str, Any]]) -> str | None:
    """The heading of the section a highlighted fragment was cut from."""
    plain = html.unescape(_MARK_RE.sub("", fragment_html)).strip()
    probes = [plain, plain[:60], plain[-60:]]
    for probe in probes:
        if not probe:
            continue
        for section in sections:
            if probe in (section.get("text") or ""):
                return section.get("heading")
    return None


def _snippets(hit: dict[str, Any], sections: list[dict[str, Any]]) -> list[Snippet]:
    """Up to three fragments, best first, each with its section heading.

    Two highlighted fields: `body` marks every form of a matched stem, `body.exact`
    marks phrases (which only query the exact field). The same text cut from both
    keeps the version with more marks.
    """
    highlight = hit.get("highlight", {})
    by_text: dict[str, str] = {}  # plain text → best marked version, in rank order
    for field in ("body", "body.exact"):
        for fragment in highlight.get(field, []):
            key = _MARK_RE.sub("", fragment)
            known = by_text.get(key)
            if known is None or fragment.count("<mark>") > known.count("<mark>"):
                by_text[key] = fragment
    fragments = list(by_text.values())
    marked = [f for f in fragments if "<mark>" in f]
    chosen = (marked or fragments[:1])[:MAX_SNIPPETS]
    return [Snippet(html=_unmark_elision(f), section=_section_of(f, sections)) for f in chosen]


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


# ---------------------------------------------------------------------------


def url_from_env() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


_GENERATION_RE_TEMPLATE = r"^{name}-\d{{8}}t\d{{12}}$"

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _unreachable_is_missing(method: _Method) -> _Method:
    """A cluster that cannot be reached serves no index: say so the way a missing
    Whoosh folder does (`IndexMissing`), so the web answers 503 and the CLI one
    line, instead of a transport traceback."""

    @wraps(method)
    def wrapper(self: OpenSearchBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ClusterUnreachable as error:
            raise IndexMissing(f"cluster OpenSearch injoignable à {self.url}") from error

    return wrapper  # type: ignore[return-value]


class OpenSearchBackend:
    """Loupe's `Backend` protocol over an OpenSearch cluster reached by URL."""

    def __init__(
        self,
        url: str,
        index_name: str = "loupe",
        *,
        shards: int = 1,
        replicas: int = 0,
        **client_options: Any,
    ) -> None:
        if index_name != index_name.lower() or not index_name:
            raise ValueError("OpenSearch index names are lower case and not empty")
        self.url = url
        self.index_name = index_name
        self.shards = shards
        self.replicas = replicas
        client_options.setdefault("timeout", 60)
        # several nodes as `http://a:9200,http://b:9200`: the client spreads requests
        hosts = [h.strip() for h in url.split(",") if h.strip()]
        self.client = OpenSearch(hosts=hosts, **client_options)
        self._generation_re = re.compile(_GENERATION_RE_TEMPLATE.format(name=re.escape(index_name)))
        # (checked at, generation, its gazetteer): replaced whole, so threads
        # never see a gazetteer paired with another generation's name
        self._gazetteer_state: tuple[float, str | None, Gazetteer | None] = (
            -GAZETTEER_RECHECK_SECONDS,
            None,
            None,
        )

    @classmethod
    def from_env(cls, index_name: str = "loupe", **options: Any) -> OpenSearchBackend:
        return cls(url_from_env(), index_name, **options)

    # -- generations --------------------------------------------------------

    def _new_generation_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        return f"{self.index_name}-{stamp}"

    def current_generation(self) -> str | None:
        """The concrete index the alias points to, or None before the first build."""
        try:
            found = self.client.indices.get_alias(name=self.index_name)
        except NotFoundError:
            return None
        names = sorted(found)
        return names[-1] if names else None

    def generations(self) -> list[str]:
        """Every index of this backend's name pattern, oldest first."""
        try:
            found = self.client.indices.get_alias(
                index=f"{self.index_name}-*", expand_wildcards="all"
            )
        except NotFoundError:
            return []
        return sorted(n for n in found if self._generation_re.match(n))

    @_unreachable_is_missing
    def build(self, articles: Iterable[Article], gazetteer: Gazetteer | None = None) -> int:
        """Index all articles into a fresh generation and switch the alias atomically.

        The gazetteer's aliases are indexed with each entity, and the gazetteer
        is saved with the generation: queries are expanded with the same aliases
        the documents were indexed with (`search.indexer` passes it in)."""
        if self.client.indices.exists(index=self.index_name) and not (
            self.client.indices.exists_alias(name=self.index_name)
        ):
            raise RuntimeError(
                f"{self.index_name!r} is a concrete index, not an alias; "
                "Loupe will not overwrite it"
            )
        new = self._new_generation_name()
        body = index_body(self.shards, replicas=0, gazetteer=gazetteer)
        body["mappings"]["_meta"]["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.client.indices.create(index=new, body=body)
        aliases_of = gazetteer.aliases_of if gazetteer is not None else _no_aliases
        try:
            count, words = self._bulk_load(new, articles, aliases_of)
            self.client.indices.put_settings(
                index=new,
                body={"index": {"refresh_interval": "1s", "number_of_replicas": self.replicas}},
            )
            self.client.indices.refresh(index=new)
            self.client.indices.put_mapping(
                index=new,
                body={
                    "_meta": {
                        **body["mappings"]["_meta"],
                        "articles": count,
                        "terms": len(words),
                    }
                },
            )
            self.client.cluster.health(index=new, wait_for_status="yellow", request_timeout=40)
            old = [n for n in self._alias_targets() if n != new]
            actions = [{"remove": {"index": n, "alias": self.index_name}} for n in old]
            actions.append({"add": {"index": new, "alias": self.index_name}})
            self.client.indices.update_aliases(body={"actions": actions})
            # this process's searches switch to the new gazetteer at once
            self._gazetteer_state = (
                time.monotonic(),
                new,
                gazetteer if gazetteer is not None and gazetteer.entries else None,
            )
        except BaseException:
            # the alias never moved; drop the half-built generation, keep the first error
            with contextlib.suppress(Exception):
                self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        for name in self.generations():
            if name != new:
                self.client.indices.delete(index=name, ignore_unavailable=True)
        return count

    def _alias_targets(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.index_name))
        except NotFoundError:
            return []

    def _bulk_load(
        self,
        index: str,
        articles: Iterable[Article],
        aliases_of: Callable[[str], list[str]] = _no_aliases,
    ) -> tuple[int, set[str]]:
        words: set[str] = set()
        names: dict[str, str] = {}

        def actions() -> Iterator[dict[str, Any]]:
            for article in articles:
                for text in [article.title, *article.headings, article.body]:
                    words.update(w for w in _WORD_RE.findall(fold(text)) if w not in _STOP_SET)
                doc = article_to_doc(article, names, aliases_of)
                yield {"_index": index, "_id": article.id, "_source": doc}

        count = 0
        for ok, _item in helpers.streaming_bulk(
            self.client,
            actions(),
            chunk_size=500,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=True,
            max_retries=3,
        ):
            if ok:
                count += 1
        return count, words

    # -- reading ------------------------------------------------------------

    def _gazetteer(self) -> Gazetteer | None:
        """The gazetteer stored with the generation the alias serves (None if that
        generation has none), re-read when a new generation goes live."""
        checked, generation, gazetteer = self._gazetteer_state
        now = time.monotonic()
        if now - checked < GAZETTEER_RECHECK_SECONDS:
            return gazetteer
        current = self.current_generation()
        if current != generation:
            gazetteer = None
            if current is not None:
                mapping = self.client.indices.get_mapping(index=current)
                entries = mapping[current]["mappings"].get("_meta", {}).get("gazetteer") or []
                if entries:
                    gazetteer = Gazetteer([GazetteerEntry(c, t, tuple(a)) for c, t, a in entries])
        self._gazetteer_state = (now, current, gazetteer)
        return gazetteer

    def _raise_if_missing(self, error: NotFoundError) -> NoReturn:
        raise IndexMissing(
            f"no OpenSearch index behind alias {self.index_name!r} at {self.url}: run a build"
        ) from error

    @_unreachable_is_missing
    def search(self, request: SearchRequest) -> Results:
        if request.sort not in SORTS:
            raise ValueError(f"unknown sort {request.sort!r}; expected one of {SORTS}")
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        page = max(1, request.page)
        start = (page - 1) * per_page
        size = max(0, min(per_page, MAX_RESULT_WINDOW - start))

        body: dict[str, Any] = {
            "query": {
                "bool": {
                    "must": [to_dsl(request.query, self._gazetteer())],
                    "filter": self._filters(request),
                }
            },
            "from": min(start, MAX_RESULT_WINDOW),
            "size": size,
            "timeout": f"{max(1, int(request.time_limit * 1000))}ms",
            "track_total_hits": True,
            "track_scores": True,
            "sort": self._sort(request.sort),
            "_source": {
                "includes": ["id", "title", "url", "source", "published", "sections", "entities"]
            },
        }
        if request.with_snippets:
            body["highlight"] = {
                "pre_tags": ["<mark>"],
                "post_tags": ["</mark>"],
                "encoder": "html",
                "type": "unified",
                "fragment_size": SNIPPET_CHARS,
                "number_of_fragments": MAX_SNIPPETS,
                "order": "score",
                # the query reads `text`; mark the same terms in the body, whose
                # analyzers are the same (stemmed and exact)
                "require_field_match": False,
                "fields": {
                    "body.exact": {},
                    "body": {"no_match_size": SNIPPET_CHARS},
                },
            }
        if request.with_facets:
            body["aggs"] = self._facet_aggs(max(1, request.facet_limit))
        checked = list(dict.fromkeys(_checked_terms(request.query)))[:MAX_CHECKED_TERMS]
        if checked:
            body["suggest"] = self._spelling_suggesters(checked)

        started = time.monotonic()
        try:
            resp = self.client.search(
                index=self.index_name,
                body=body,
                request_timeout=request.time_limit + 10,
                allow_partial_search_results=True,
            )
        except NotFoundError as error:
            self._raise_if_missing(error)
        took_ms = (time.monotonic() - started) * 1000

        hits = [self._hit(h, request.with_snippets) for h in resp["hits"]["hits"]]
        facets = self._facets(resp.get("aggregations", {})) if request.with_facets else {}
        shards = resp.get("_shards", {})
        return Results(
            total=resp["hits"]["total"]["value"],
            hits=hits,
            facets=facets,
            suggestion=self._suggestion(
                request.query, checked, resp.get("suggest", {}), resp["hits"]["total"]["value"]
            ),
            took_ms=round(took_ms, 2),
            partial=bool(resp.get("timed_out")) or bool(shards.get("failed")),
            page=page,
            per_page=per_page,
        )

    @staticmethod
    def _filters(request: SearchRequest) -> list[dict[str, Any]]:
        f = request.filters
        clauses: list[dict[str, Any]] = []
        for field, values in (
            ("persons.folded", f.persons),
            ("orgs.folded", f.orgs),
            ("places.folded", f.places),
            ("source.folded", f.sources),
        ):
            clauses.extend({"term": {field: value}} for value in values)
        if f.date_from or f.date_to:
            bounds = {}
            if f.date_from:
                bounds["gte"] = f.date_from.isoformat()
            if f.date_to:
                bounds["lte"] = f.date_to.isoformat()
            clauses.append({"range": {"published": bounds}})
        return clauses

    @staticmethod
    def _sort(sort: str) -> list[Any]:
        if sort == "newest":
            return [{"published": {"order": "desc", "missing": "_last"}}, "_score"]
        if sort == "oldest":
            return [{"published": {"order": "asc", "missing": "_last"}}, "_score"]
        return ["_score", {"published": {"order": "desc", "missing": "_last"}}]

    @staticmethod
    def _facet_aggs(limit: int) -> dict[str, Any]:
        aggs: dict[str, Any] = {
            name: {"terms": {"field": f"{name}.keyword", "size": limit}}
            for name in ("persons", "orgs", "places")
        }
        aggs["sources"] = {"terms": {"field": "source", "size": limit}}
        aggs["months"] = {"terms": {"field": "month", "size": limit, "order": {"_key": "desc"}}}
        return aggs

    @staticmethod
    def _facets(aggs: dict[str, Any]) -> dict[str, list[FacetValue]]:
        return {
            name: [
                FacetValue(b["key"], b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])
            ]
            for name in FACET_FIELDS
        }

    @staticmethod
    def _spelling_suggesters(terms: list[Term]) -> dict[str, Any]:
        """Two term suggesters per word on the exact field: one for unknown words,
        one for words in at most one article (used when few articles match)."""
        suggesters: dict[str, Any] = {}
        for i, term in enumerate(terms):
            common = {"field": "words", "min_word_length": 3, "sort": "score", "size": 1}
            suggesters[f"unknown{i}"] = {
                "text": term.text,
                "term": {**common, "suggest_mode": "missing"},
            }
            suggesters[f"rare{i}"] = {
                "text": term.text,
                "term": {**common, "suggest_mode": "popular", "max_term_freq": 1},
            }
        return suggesters

    @staticmethod
    def _suggestion(
        query: Node | None, terms: list[Term], suggest: dict[str, Any], total: int
    ) -> str | None:
        """The query with misspelt words corrected, as query text; None if nothing to fix.

        A word is corrected when the corpus lacks it, or, when fewer than
        `FEW_RESULTS` articles match, when it stands in at most one article.
        """
        if query is None or not suggest:
            return None
        kind = "rare" if total < FEW_RESULTS else "unknown"
        fixes: dict[Term, str] = {}
        for i, term in enumerate(terms):
            text = term.text
            entries = suggest.get(f"{kind}{i}", [])
            # replace from the end so earlier offsets stay valid
            for entry in sorted(entries, key=lambda e: e["offset"], reverse=True):
                if entry.get("options"):
                    start, length = entry["offset"], entry["length"]
                    text = text[:start] + entry["options"][0]["text"] + text[start + length :]
            if text != term.text:
                fixes[term] = text
        return to_text(_corrected(query, fixes)) if fixes else None

    @staticmethod
    def _hit(raw: dict[str, Any], with_snippets: bool) -> Hit:
        doc = raw.get("_source", {})
        published = doc.get("published")
        entities: dict[str, list[str]] = {}
        for e in doc.get("entities", []):
            names = entities.setdefault(e["type"], [])
            if e["canonical"] not in names:
                names.append(e["canonical"])
        sections = doc.get("sections", [])
        return Hit(
            id=doc.get("id", raw["_id"]),
            title=doc.get("title") or "",
            url=doc.get("url"),
            source=doc.get("source"),
            published=date.fromisoformat(published) if published else None,
            score=round(float(raw.get("_score") or 0.0), 4),
            snippets=_snippets(raw, sections) if with_snippets else [],
            entities=entities,
        )

    def all_articles(self) -> Iterator[Article]:
        """Every article of the live generation, for `loupe export` (scrolls, so
        memory stays flat whatever the index size)."""
        try:
            for raw in helpers.scan(
                self.client, index=self.index_name, query={"query": MATCH_ALL}, size=500
            ):
                yield doc_to_article(raw["_source"])
        except NotFoundError as error:
            self._raise_if_missing(error)
        except ClusterUnreachable as error:
            raise IndexMissing(f"cluster OpenSearch injoignable à {self.url}") from error

    @_unreachable_is_missing
    def get(self, article_id: str) -> Article | None:
        try:
            resp = self.client.get(index=self.index_name, id=article_id)
        except NotFoundError as error:
            if _is_missing_index(error):
                self._raise_if_missing(error)
            return None
        return doc_to_article(resp["_source"])

    @_unreachable_is_missing
    def entities(self, type_: str | None, prefix: str, limit: int) -> list[FacetValue]:
        """Canonical entity names, most cited first, one of whose words starts with `prefix`."""
        if type_ is None:
            types = list(ENTITY_FIELDS)
        else:
            try:
                types = [_ENTITY_TYPE_ALIASES[type_]]
            except KeyError:
                raise ValueError(f"unknown entity type {type_!r}") from None
        limit = max(1, min(limit, 1000))
        aggs = {}
        for t in types:
            terms: dict[str, Any] = {"field": f"{ENTITY_FIELDS[t]}.keyword", "size": limit}
            if prefix.strip():
                terms["include"] = prefix_regex(prefix.strip())
            aggs[t] = {"terms": terms}
        try:
            resp = self.client.search(index=self.index_name, body={"size": 0, "aggs": aggs})
        except NotFoundError as error:
            self._raise_if_missing(error)
        merged: Counter[str] = Counter()
        for t in types:
            for bucket in resp["aggregations"][t]["buckets"]:
                merged[bucket["key"]] += bucket["doc_count"]
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
        return [FacetValue(name, count) for name, count in ranked[:limit]]

    @_unreachable_is_missing
    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Autocomplete: entity names, then corpus words completing the last word typed."""
        prefix = prefix.strip()
        if len(prefix) < 2:
            return []
        limit = max(1, min(limit, 50))
        out = [v.value for v in self.entities(None, prefix, limit)]
        head, _, last = prefix.rpartition(" ")
        if len(last) >= 1:
            body = {
                "suggest": {
                    "complete": {
                        "prefix": last,
                        "completion": {"field": "suggest", "size": limit, "skip_duplicates": True},
                    }
                },
                "_source": False,
            }
            try:
                resp = self.client.search(index=self.index_name, body=body)
            except NotFoundError as error:
                self._raise_if_missing(error)
            for option in resp["suggest"]["complete"][0]["options"]:
                out.append(f"{head} {option['text']}".strip())
        seen: set[str] = set()
        unique = []
        for text in out:
            if text.lower() not in seen:
                seen.add(text.lower())
                unique.append(text)
        return unique[:limit]

    @_unreachable_is_missing
    def stats(self) -> IndexStats:
        generation = self.current_generation()
        if generation is None:
            raise IndexMissing(f"no OpenSearch index behind alias {self.index_name!r}")
        mapping = self.client.indices.get_mapping(index=generation)
        meta = mapping[generation]["mappings"].get("_meta", {})
        aggs = {
            t: {"cardinality": {"field": f"{field}.keyword"}} for t, field in ENTITY_FIELDS.items()
        }
        resp = self.client.search(
            index=generation, body={"size": 0, "track_total_hits": True, "aggs": aggs}
        )
        return IndexStats(
            generation=generation,
            articles=resp["hits"]["total"]["value"],
            terms=int(meta.get("terms", 0)),
            entities={t: int(resp["aggregations"][t]["value"]) for t in ENTITY_FIELDS},
            built_at=meta.get("built_at"),
        )


def _is_missing_index(error: NotFoundError) -> bool:
    info = error.info if isinstance(error.info, dict) else {}
    reason = info.get("error", {})
    return isinstance(reason, dict) and reason.get("type") == "index_not_found_exception"
