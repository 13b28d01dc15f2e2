"""The OpenAPI 3.1 description of `/api/…`, built in code beside the routes.

Kept as Python rather than a static file so that the parameter lists come
from the same tables `web.params` reads, and so that the tests can validate
every real response against the schema documented here (schemas are plain
JSON Schema 2020-12, as OpenAPI 3.1 allows).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from search.article import ENTITY_TYPES
from search.core.entity_types import LISTED_TYPES
from search.core.model import FACET_FIELDS, SORTS
from search.searcher import MAX_NEIGHBOURS, MAX_PER_PAGE
from web.params import (
    ARTICLE_ID,
    DEFAULT_PER_PAGE,
    MAX_FILTER_VALUE_LENGTH,
    MAX_PARAM_LENGTH,
    MAX_VALUES_PER_FILTER,
    REPRINT_DISPLAY,
)

NULLABLE_STRING = {"type": ["string", "null"]}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None, **extra: Any) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


SCHEMAS: dict[str, dict] = {
    "ErrorBody": _obj(
        {
            "code": {
                "type": "string",
                "description": "stable machine-readable code",
                "examples": ["invalid_query", "invalid_parameter", "not_found"],
            },
            "message": {"type": "string", "description": "French, for people"},
            "position": {
                "type": "integer",
                "minimum": 0,
                "description": "column of a malformed query (invalid_query)",
            },
            "parameter": {
                "type": "string",
                "description": "the offending parameter (invalid_parameter)",
            },
        },
        required=["code", "message"],
    ),
    "Error": _obj({"error": _ref("ErrorBody")}),
    "Snippet": _obj(
        {
            "html": {
                "type": "string",
                "description": "HTML-escaped text with <mark> around the matched words",
            },
            "section": {
                **NULLABLE_STRING,
                "description": "heading of the section the snippet stands in; null for the lead",
            },
        }
    ),
    "Hit": _obj(
        {
            "id": {"type": "string", "pattern": f"^{ARTICLE_ID.pattern}$"},
            "title": {"type": "string"},
            "score": {"type": "number"},
            "published": DATE_OR_NULL,
            "source": NULLABLE_STRING,
            "url": {**NULLABLE_STRING, "description": "as found in the corpus: not checked"},
            "snippets": {"type": "array", "items": _ref("Snippet"), "maxItems": 3},
            "entities": {
                "type": "object",
                "description": "entity type (PER, ORG, LOC, MISC) → canonical names",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        }
    ),
    "FacetValue": _obj({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}),
    "SearchResponse": _obj(
        {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "took_ms": {"type": "number", "minimum": 0},
            "partial": {
                "type": "boolean",
                "description": "true when the time limit cut the search short",
            },
            "suggestion": {**NULLABLE_STRING, "description": "« Vouliez-vous dire … ? »"},
            "relaxed": {
                "oneOf": [{"type": "null"}, _ref("Relaxation")],
                "description": "set when the query as typed found nothing and a looser one "
                "was searched instead (relax=0 turns this off)",
            },
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {
                "type": "object",
                "description": "months are YYYY-MM, newest first; others by count",
                "properties": {
                    name: {"type": "array", "items": _ref("FacetValue")} for name in FACET_FIELDS
                },
                "additionalProperties": False,
            },
        }
    ),
    "Relaxation": _obj(
        {
            "original": {"type": "string", "description": "the query as typed"},
            "query": {"type": "string", "description": "what was searched instead"},
            "step": {"enum": ["corrected", "any_word", "fuzzy"]},
            "message": {"type": "string", "description": "« Aucun résultat pour … ; … »"},
        }
    ),
    "Section": _obj({"heading": NULLABLE_STRING, "text": {"type": "string"}}),
    "Entity": _obj(
        {
            "type": {"enum": list(ENTITY_TYPES)},
            "text": {"type": "string", "description": "as written in the article"},
            "canonical": {"type": "string", "description": "the form filters and facets use"},
        }
    ),
    "Article": _obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "published": DATE_OR_NULL,
            "published_inferred": {
                "type": "boolean",
                "description": "the date was read from the text, not from metadata",
            },
            "source": NULLABLE_STRING,
            "url": NULLABLE_STRING,
            "license": NULLABLE_STRING,
            "hashtags": {"type": "array", "items": {"type": "string"}},
            "sections": {"type": "array", "items": _ref("Section")},
            "entities": {"type": "array", "items": _ref("Entity")},
        }
    ),
    "EntitiesResponse": _obj(
        {
            "type": {"enum": [*LISTED_TYPES, None]},
            "prefix": {"type": "string"},
            "entities": {"type": "array", "items": _ref("FacetValue")},
        }
    ),
    "SuggestResponse": _obj(
        {"query": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}}}
    ),
    "Passage": _obj(
        {
            "start": {"type": "integer", "minimum": 0, "description": "in this article's body"},
            "end": {"type": "integer", "minimum": 0},
            "other_start": {"type": "integer", "minimum": 0, "description": "in the reprint's"},
            "other_end": {"type": "integer", "minimum": 0},
            "words": {"type": "integer", "minimum": 1},
        }
    ),
    "Reprint": _obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": NULLABLE_STRING,
            "url": NULLABLE_STRING,
            "published": DATE_OR_NULL,
            "published_inferred": {"type": "boolean"},
            "first_known": {
                "type": "boolean",
                "description": "earliest dated article of its cluster (« première parution »)",
            },
            "share_of_this": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "share of this article's text (word 3-grams) found in the reprint",
            },
            "share_of_other": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "share of the reprint's text found in this article",
            },
            "passages": {"type": "array", "items": _ref("Passage")},
        }
    ),
    "Neighbour": _obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "source": NULLABLE_STRING,
            "published": DATE_OR_NULL,
            "score": {"type": "number"},
        }
    ),
    "SimilarResponse": _obj(
        {
            "id": {"type": "string"},
            "available": {
                "type": "boolean",
                "description": "false when the live index generation has no reprint clusters",
            },
            "reprints": _obj(
                {
                    "count": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "articles sharing this one's text (items lists 50 at most)",
                    },
                    "first_known": {
                        **NULLABLE_STRING,
                        "description": "earliest dated of this article and its reprints",
                    },
                    "first_date_inferred": {"type": "boolean"},
                    "this_is_first": {"type": "boolean"},
                    "items": {"type": "array", "items": _ref("Reprint")},
                }
            ),
            "neighbours": {
                "type": "array",
                "items": _ref("Neighbour"),
                "description": "topical neighbours (more like this), reprints left out",
            },
        }
    ),
    "Health": _obj(
        {
            "status": {"const": "ok"},
            "generation": {"type": "string"},
            "articles": {"type": "integer", "minimum": 0},
            "built_at": NULLABLE_STRING,
        }
    ),
    "HealthUnavailable": _obj(
        {
            "status": {"const": "unavailable"},
            "error": _ref("ErrorBody"),
        }
    ),
}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


# Refusals of the request itself, whatever the route: a body (none is read), a
# query string over 4 KB or a request line over 8 KB, oversized headers.
LIMITS = {
    "413": _json("Error", "a request body larger than the server accepts"),
    "414": _json("Error", "query string longer than the server accepts"),
    "431": _json("Error", "request headers larger than the server accepts"),
}
ERRORS = {
    "400": _json("Error", "malformed query or parameter"),
    **LIMITS,
    "503": _json("Error", "no usable index"),
    "500": _json("Error", "unexpected error (never a stack trace)"),
}


def _param(name: str, description: str, schema: dict, **extra: Any) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _repeatable(name: str, description: str) -> dict:
    return _param(
        name,
        f"{description}; repeat to require several (all must hold)",
        {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_FILTER_VALUE_LENGTH},
            "maxItems": MAX_VALUES_PER_FILTER,
        },
        style="form",
        explode=True,
    )


SEARCH_PARAMETERS = [
    _param(
        "q",
        'query: words, "exact phrase", -word, OU/OR, ET/AND, SAUF/NOT, titre:, personne:, '
        "lieu:, org:, section:, source:, prefix*, word~. May be empty when filters are given.",
        {"type": "string", "maxLength": MAX_PARAM_LENGTH},
    ),
    _repeatable("person", "person (canonical name)"),
    _repeatable("org", "organisation (canonical name)"),
    _repeatable("place", "place (canonical name)"),
    _repeatable("source", "source (outlet)"),
    _param("from", "published on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _param("to", "published on or before (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    _param("sort", "order of the hits", {"enum": list(SORTS), "default": "relevance"}),
    _param("page", "page number, from 1", {"type": "integer", "minimum": 1, "default": 1}),
    _param(
        "per_page",
        "hits per page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    ),
    _param(
        "reprints",
        "the results page groups reprints of one text under the earliest (grouped, its "
        "default) or lists them all; the API lists every article unless reprints=grouped, "
        "then each hit carries the reprints of its text found on the page under `reprints`",
        {"enum": list(REPRINT_DISPLAY), "default": "grouped"},
    ),
    _param(
        "relax",
        "1 (default): a query that finds nothing is corrected, then read as any word, then "
        "fuzzy, and `relaxed` says so; 0: the query exactly as typed",
        {"enum": ["0", "1"], "default": "1"},
    ),
]


def _get(summary: str, responses: dict, parameters: list | None = None, **extra: Any) -> dict:
    operation: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS = {
    "/api/search": _get(
        "Search the articles (the JSON twin of /search)",
        {"200": _json("SearchResponse", "one page of hits, with facets"), **ERRORS},
        SEARCH_PARAMETERS,
        operationId="search",
    ),
    "/api/articles/{id}": _get(
        "One article with its sections and entities (the twin of /articles/{id})",
        {
            "200": _json("Article", "the article"),
            "404": _json("Error", "no such article, or not a valid id"),
            **LIMITS,
            "503": ERRORS["503"],
            "500": ERRORS["500"],
        },
        [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": f"^{ARTICLE_ID.pattern}$"},
            }
        ],
        operationId="getArticle",
    ),
    "/api/articles/{id}/similar": _get(
        "The same text elsewhere (reprints, with overlap both ways and shared passages) "
        "and topical neighbours, separately",
        {
            "200": _json("SimilarResponse", "reprints and neighbours"),
            "404": _json("Error", "no such article, or not a valid id"),
            **ERRORS,
        },
        [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": f"^{ARTICLE_ID.pattern}$"},
            },
            _param(
                "neighbours",
                "how many topical neighbours",
                {"type": "integer", "minimum": 0, "maximum": MAX_NEIGHBOURS, "default": 5},
            ),
        ],
        operationId="similarArticles",
    ),
    "/api/entities": _get(
        "Canonical entities with the number of articles naming them, most frequent first",
        {"200": _json("EntitiesResponse", "entities"), **ERRORS},
        [
            _param("type", "PER, ORG or LOC; all three when absent", {"enum": list(LISTED_TYPES)}),
            _param(
                "prefix",
                "start of the name (or of one of its words), accents and case ignored",
                {"type": "string", "maxLength": 100},
            ),
            _param("limit", "", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
        ],
        operationId="listEntities",
    ),
    "/api/suggest": _get(
        "Autocomplete: entity names, then frequent words, starting with q",
        {"200": _json("SuggestResponse", "suggestions (empty under 2 characters)"), **ERRORS},
        [
            _param("q", "what has been typed so far", {"type": "string", "maxLength": 100}),
            _param("limit", "", {"type": "integer", "minimum": 1, "maximum": 20, "default": 8}),
        ],
        operationId="suggest",
    ),
    "/api/health": _get(
        "Whether an index is being served, and which generation",
        {
            "200": _json("Health", "an index is live"),
            "503": _json("HealthUnavailable", "no usable index (missing or damaged)"),
            **LIMITS,
        },
        operationId="health",
    ),
    "/api/openapi.json": _get(
        "This document",
        {
            "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {}}}},
            **LIMITS,
        },
        operationId="openapi",
    ),
}


def openapi_document() -> dict:
    """A fresh copy each time: callers may not mutate the module's tables."""
    return deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Loupe",
                "version": "1.0.0",
                "summary": "Search engine for French news articles",
                "description": (
                    "Every HTML page has a JSON twin with the same parameters. Errors are "
                    '`{"error": {"code", "message"}}` with a 4xx status, or 503 when no index is '
                    "available. Unknown parameters are ignored. Only GET and HEAD are accepted, "
                    "except POST on /api/batch (the one route that reads a body)."
                ),
                "license": {"name": "MIT", "identifier": "MIT"},
            },
            "paths": PATHS,
            "components": {"schemas": SCHEMAS},
        }
    )


# -- investigating: exports, timelines, batch search (web/investigate.py) ------------------
EXPORT_PARAMETERS = [p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "per_page")] + [
    _param("format", "csv or JSON lines", {"enum": ["csv", "jsonl"], "default": "csv"}),
    _param(
        "bom",
        "1: begin the CSV with a UTF-8 byte order mark (spreadsheets then read accents right)",
        {"enum": ["0", "1"], "default": "0"},
    ),
]

PATHS["/api/export"] = _get(
    "Every hit of a search, streamed, in its order and with its filters",
    {
        "200": {
            "description": (
                "CSV (id, title, published, source, url, score, snippet, persons, orgs, places, "
                "misc; cells beginning with = + - @ tab or CR are prefixed with an apostrophe) "
                "or JSON lines (exact text)"
            ),
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
        **ERRORS,
    },
    EXPORT_PARAMETERS,
    operationId="export",
)

SCHEMAS["TimelinePoint"] = _obj(
    {
        "period": {"type": "string", "description": "2024-08, 2024-W31 (ISO week) or 2024-08-01"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date", "description": "last day of the period"},
        "count": {"type": "integer", "minimum": 0},
        "share": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "count / every article of the index published in the period",
        },
    }
)
SCHEMAS["TimelineSeries"] = _obj(
    {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "undated": {"type": "integer", "minimum": 0},
        "partial": {"type": "boolean"},
        "points": {"type": "array", "items": _ref("TimelinePoint")},
    }
)
SCHEMAS["TimelineResponse"] = _obj(
    {
        "query": {"type": "string"},
        "interval": {"enum": ["month", "week", "day"]},
        "series": {"type": "array", "items": _ref("TimelineSeries"), "minItems": 1},
    }
)
TIMELINE_PARAMETERS = [
    p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "per_page", "sort")
] + [
    _param(
        "compare",
        "another query to draw beside q; repeat for several (4 at most)",
        {"type": "array", "items": {"type": "string", "maxLength": MAX_PARAM_LENGTH}},
        style="form",
        explode=True,
    ),
    _param(
        "interval",
        "month, week or day; by default chosen from the range (day up to two months, "
        "week up to a year); 400 periods at most",
        {"enum": ["month", "week", "day"]},
    ),
    _param("format", "json, or csv (one row per query and period)", {"enum": ["json", "csv"]}),
    _param("bom", "1: CSV with a UTF-8 byte order mark", {"enum": ["0", "1"], "default": "0"}),
]
PATHS["/api/timeline"] = _get(
    "Matching articles per period, as counts and as shares of all articles of the period",
    {
        "200": {
            "description": "the series (from the index's per-day counts, no hit is read)",
            "content": {
                "application/json": {"schema": _ref("TimelineResponse")},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **ERRORS,
    },
    TIMELINE_PARAMETERS,
    operationId="timeline",
)

SCHEMAS["BatchHit"] = _obj(
    {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "published": DATE_OR_NULL,
        "source": NULLABLE_STRING,
        "snippet": {"type": "string", "description": "plain text"},
    }
)
SCHEMAS["BatchRow"] = _obj(
    {
        "line": {"type": "integer", "minimum": 1, "description": "where the line begins"},
        "query": {"type": "string"},
        "label": {"type": "string"},
        "status": {"enum": ["ok", "error"]},
        "error": {"type": "string", "description": "why the line failed; empty when ok"},
        "total": {"type": "integer", "minimum": 0},
        "first": DATE_OR_NULL,
        "last": DATE_OR_NULL,
        "aliases": {
            "type": "array",
            "items": {"type": "string"},
            "description": "other gazetteer spellings of the line's names found in its matches",
        },
        "sources": {"type": "array", "items": {"type": "string"}},
        "persons": {"type": "array", "items": {"type": "string"}},
        "orgs": {"type": "array", "items": {"type": "string"}},
        "places": {"type": "array", "items": {"type": "string"}},
        "hits": {"type": "array", "items": _ref("BatchHit")},
        "partial": {"type": "boolean", "description": "the time per query cut the search"},
        "took_ms": {"type": "number", "minimum": 0},
        "search": {"type": "string", "description": "query string of the full search (/search?…)"},
    }
)
SCHEMAS["BatchLimits"] = _obj(
    {
        "max_lines": {"type": "integer"},
        "max_line_chars": {"type": "integer"},
        "time_per_query_s": {"type": "number"},
        "total_time_s": {"type": "number"},
        "max_bytes": {"type": "integer"},
    }
)
SCHEMAS["BatchResponse"] = _obj(
    {
        "limits": _ref("BatchLimits"),
        "mode": {"enum": ["lines", "csv"]},
        "encoding": {"type": "string"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "lines": {"type": "integer", "minimum": 0},
        "rows": {"type": "array", "items": _ref("BatchRow")},
        "not_run": {
            "oneOf": [
                {"type": "null"},
                _obj(
                    {
                        "from_line": {"type": "integer"},
                        "to_line": {"type": "integer"},
                        "count": {"type": "integer"},
                        "reason": {"type": "string"},
                    }
                ),
            ]
        },
    }
)
SCHEMAS["ErrorBody"]["properties"]["limits"] = _ref("BatchLimits")
PATHS["/api/batch"] = {
    "post": {
        "summary": "Batch search: one row of findings per line of the list sent",
        "description": (
            "The only route that takes a body. Each line is one query (the full query "
            "language), or, when the first line is a CSV header naming a `query` column, one "
            "CSV record (label, person, org, place, source, from, to columns). A line that cannot "
            "be searched gets its own error row; lines past the limits are reported in "
            "`not_run` (as a last error row in CSV and JSON lines)."
        ),
        "operationId": "batch",
        "parameters": [
            _param("format", "json (default), jsonl or csv", {"enum": ["json", "jsonl", "csv"]}),
            _param("bom", "1: CSV with a UTF-8 byte order mark", {"enum": ["0", "1"]}),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "lines": {"type": "string"},
                        },
                    }
                },
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"lines": {"type": "string"}}}
                },
            },
        },
        "responses": {
            "200": {
                "description": "one row per line",
                "content": {
                    "application/json": {"schema": _ref("BatchResponse")},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "400": _json(
                "Error", "the list as a whole cannot be read (binary, empty, header only)"
            ),
            "413": _json("Error", "body larger than the batch limit"),
            "415": _json("Error", "not text/plain, text/csv, multipart/form-data or a form"),
            "414": LIMITS["414"],
            "431": LIMITS["431"],
            "503": ERRORS["503"],
            "500": ERRORS["500"],
        },
    }
}
# /api/search?reprints=grouped (web.api.search): a hit carries its text's other hits on the page
SCHEMAS["Hit"]["properties"]["reprints"] = {
    "type": "array",
    "items": _ref("Hit"),
    "description": "with reprints=grouped only: the other hits of this page that carry the "
    "same text, this one being the earliest of them",
}
