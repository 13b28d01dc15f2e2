"""OpenSearch index settings: the French analysis chain, the fields, the mapping.

Everything Loupe-specific about French is built here from OpenSearch's own filters
(elision, lowercase, asciifolding, French stop words folded, the plural -s taken
off, the Snowball French stemmer), so any stock OpenSearch 2.x node can serve it;
the tables (elisions, stop words) and the Python-side `fold` for the few
queries OpenSearch does not analyse (prefix, fuzzy) are Loupe's own, from
`search.core.french`.
"""

from __future__ import annotations

from typing import Any

from search.core import ranking
from search.core.french import (  # noqa: F401 - fold, is_stop_word… re-exported for this package
    ELISIONS,
    STOP_WORDS,
    WORD_PATTERN,
    fold,
    is_stop_word,
    strip_elision,
)
from search.core.ranking import (  # noqa: F401 - re-exported for this package
    ALIAS_BOOST,
    ALL_WORDS_BOOST,
    FEW_RESULTS,
    MAX_CHECKED_TERMS,
    MAX_PER_PAGE,
    MAX_SNIPPETS,
    NAMEKEY_BOOST,
    SNIPPET_CHARS,
)
from search.core.records import gazetteer_to_json
from search.gazetteer import Gazetteer

WORD_RE = WORD_PATTERN

URL_ENV = "LOUPE_OPENSEARCH_URL"
DEFAULT_URL = "http://127.0.0.1:9200"

# Language data: Loupe's own tables (search/core/french.py), the same for every engine.
# The stop words run after asciifolding, so they are folded: `à` and `a`, `même`
# and `meme` are both dropped whatever the writer typed.
ELISION_ARTICLES = tuple(sorted(ELISIONS))
FRENCH_STOP_WORDS = tuple(sorted(STOP_WORDS))
STOP_SET = STOP_WORDS

# Loupe's ranking (search/core/ranking.py) on this mapping's fields: each
# ranking role → its stemmed fields and its exact (folded, unstemmed) fields.
STEMMED_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "title": ("title",),
    "headings": ("headings",),
    "person": ("persons", "persons_mentions"),
    "org": ("orgs", "orgs_mentions"),
    "place": ("places", "places_mentions"),
    "source": (),
}
EXACT_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "text": ("text.exact",),
    "title": ("title.exact",),
    "headings": ("headings.exact",),
    "person": ("persons.exact", "persons_mentions.exact"),
    "org": ("orgs.exact", "orgs_mentions.exact"),
    "place": ("places.exact", "places_mentions.exact"),
    "source": ("source.text",),
}


def _on_fields(boosts: dict[str, float], fields: dict[str, tuple[str, ...]]) -> dict[str, float]:
    return {f: boost for role, boost in boosts.items() if boost for f in fields[role]}


STEM_FIELDS = _on_fields(ranking.STEM_BOOSTS, STEMMED_FIELDS_OF)
EXACT_FIELDS = _on_fields(ranking.EXACT_BOOSTS, EXACT_FIELDS_OF)
PHRASE_FIELDS = _on_fields(ranking.PHRASE_BOOSTS, EXACT_FIELDS_OF)


def _boosted(fields: dict[str, float]) -> tuple[str, ...]:
    return tuple(f"{f}^{b:g}" for f, b in fields.items())


# Neutral query fields → (stemmed fields, exact fields), as `name^boost`.
FIELD_MAP: dict[str | None, tuple[tuple[str, ...], tuple[str, ...]]] = {
    None: (_boosted(STEM_FIELDS), _boosted(PHRASE_FIELDS)),
    **{
        role: (
            _boosted(_on_fields({role: stemmed}, STEMMED_FIELDS_OF)),
            _boosted(_on_fields({role: exact}, EXACT_FIELDS_OF)),
        )
        for role, (stemmed, exact) in ranking.FIELDED_BOOSTS.items()
    },
}

# Juxtaposed words: any of them matches, those holding all rank first (the
# all-words bonus) — the same rule as the Whoosh backend.
WORDS_MINIMUM_SHOULD_MATCH = "1"
# How often a search re-reads which generation the alias serves, to pick up the
# gazetteer stored with it: a round trip per search would cost more than the
# search, and a gazetteer a few seconds stale only misses a new alias briefly.
GAZETTEER_RECHECK_SECONDS = 5.0
MAX_RESULT_WINDOW = 10_000  # OpenSearch's index.max_result_window default

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
STEM_FILTERS = ("loupe_keep_compounds", "loupe_plural", "loupe_stemmer")
# The steps up to stemming, in search.core.french's order: words → elision →
# fold → stop words → compounds (parts that are stop words dropped).
EXACT_FILTERS = (
    "loupe_elision",
    "lowercase",
    "asciifolding",
    "loupe_stop",
    "loupe_compounds",
    "loupe_stop",
)
# search.core.french's plural rule: five letters or more, one final -s, no compound.
PLURAL_PATTERN = "^([^-']{3,}[^s'-])s$"


def index_body(
    shards: int = 1, replicas: int = 0, gazetteer: Gazetteer | None = None
) -> dict[str, Any]:
    """Settings and mapping of one generation; `gazetteer` is kept in `_meta`,
    so that queries expand names with the aliases the documents carry."""
    meta: dict[str, Any] = {"loupe_schema": 3}  # 3: the core French chain (pattern tokenizer)
    if gazetteer is not None and gazetteer.entries:
        meta["gazetteer"] = gazetteer_to_json(gazetteer)
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
                    # compounds whole and by part (al-qaida, al, qaida), as search.core.french
                    "loupe_compounds": {
                        "type": "word_delimiter_graph",
                        "preserve_original": True,
                        "split_on_case_change": False,
                        "split_on_numerics": False,
                        "stem_english_possessive": False,
                        "type_table": ["_ => ALPHA"],
                    },
                    # hyphenated wholes stay unstemmed; their parts are stemmed
                    "loupe_keep_compounds": {
                        "type": "keyword_marker",
                        "keywords_pattern": ".*[-'].*",
                    },
                    "loupe_plural": {
                        "type": "pattern_replace",
                        "pattern": PLURAL_PATTERN,
                        "replacement": "$1",
                    },
                    "loupe_stemmer": {"type": "stemmer", "language": "french"},
                },
                "tokenizer": {
                    "loupe_words": {
                        "type": "pattern",
                        "pattern": WORD_PATTERN.pattern,
                        "group": 0,
                        "flags": "UNICODE_CHARACTER_CLASS",
                    }
                },
                "analyzer": {
                    "loupe_french": {
                        "type": "custom",
                        "tokenizer": "loupe_words",
                        "filter": [*EXACT_FILTERS, *STEM_FILTERS],
                    },
                    "loupe_exact": {
                        "type": "custom",
                        "tokenizer": "loupe_words",
                        "filter": list(EXACT_FILTERS),
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
