"""The OpenAPI 3.1 description of `/api/…`, built in code beside the routes.

Kept as Python rather than a static file so that the parameter lists come
from the same tables `web.params` reads, and so that the tests can validate
every real response against the schema documented here (schemas are plain
JSON Schema 2020-12, as OpenAPI 3.1 allows).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from search.backends.base import FACET_FIELDS, SORTS
from search.searcher import MAX_PER_PAGE
from web.params import (
    ARTICLE_ID,
    DEFAULT_PER_PAGE,
    MAX_FILTER_VALUE_LENGTH,
    MAX_PARAM_LENGTH,
    MAX_VALUES_PER_FILTER,
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
            "type": {"enum": ["PER", "ORG", "LOC", "MISC"]},
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
            "type": {"enum": ["PER", "ORG", "LOC", None]},
            "prefix": {"type": "string"},
            "entities": {"type": "array", "items": _ref("FacetValue")},
        }
    ),
    "SuggestResponse": _obj(
        {"query": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}}}
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
    "/api/entities": _get(
        "Canonical entities with the number of articles naming them, most frequent first",
        {"200": _json("EntitiesResponse", "entities"), **ERRORS},
        [
            _param(
                "type", "PER, ORG or LOC; all three when absent", {"enum": ["PER", "ORG", "LOC"]}
            ),
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
                    "available. Unknown parameters are ignored. Only GET and HEAD are accepted."
                ),
                "license": {"name": "MIT", "identifier": "MIT"},
            },
            "paths": PATHS,
            "components": {"schemas": SCHEMAS},
        }
    )
