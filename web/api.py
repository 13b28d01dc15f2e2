"""The JSON API: each HTML page's twin, plus what scripts and the page's JS need.

Same parameters as the pages (`web.params`), same engine call
(`Searcher.search`), and the same JSON shapes as `loupe search --json`
(`search.serialize`), so a result looks alike
whichever surface produced it. Errors are handled app-wide in `web.errors`.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from search.core.entity_types import LISTED_TYPES
from search.core.model import IndexMissing
from search.reprints.export import grouped_hits_json, similar_to_json
from search.searcher import MAX_NEIGHBOURS
from search.serialize import article_to_json, results_to_json
from web.context import get_searcher
from web.errors import CODES, MESSAGES
from web.openapi import openapi_document
from web.params import choice_param, int_param, is_article_id, parse_search, text_param

bp = Blueprint("api", __name__, url_prefix="/api")

ENTITY_TYPES = LISTED_TYPES
MAX_SUGGEST_LENGTH = 100


@bp.get("/search")
def search():
    params = parse_search(request.args)
    results = get_searcher().search(
        params.q,
        params.filters,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        relax=params.relax,
    )
    body = {"query": params.q, **results_to_json(results)}
    if request.args.get("reprints") == "grouped":  # as the page shows them (default: all)
        groups = get_searcher().group_reprints(results.hits)
        body["hits"] = grouped_hits_json(groups, body["hits"])
    return jsonify(body)


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    if not is_article_id(article_id):
        abort(404)
    found = get_searcher().get(article_id)
    if found is None:
        abort(404)
    return jsonify(article_to_json(found))


@bp.get("/articles/<path:article_id>/similar")
def similar(article_id: str):
    """Reprints (same text: overlap both ways, shared passages) and topical
    neighbours, apart. Validated like the other parameters (web.params)."""
    if not is_article_id(article_id):
        abort(404)
    neighbours = int_param(request.args, "neighbours", 5, minimum=0, maximum=MAX_NEIGHBOURS)
    found = get_searcher().similar(article_id, neighbours=neighbours)
    if found is None:
        abort(404)
    return jsonify(similar_to_json(found))


@bp.get("/entities")
def entities():
    type_ = choice_param(request.args, "type", ENTITY_TYPES)
    prefix = text_param(request.args, "prefix", max_length=MAX_SUGGEST_LENGTH)
    limit = int_param(request.args, "limit", 20, minimum=1, maximum=100)
    values = get_searcher().entities(type_, prefix, limit)
    return jsonify(
        {
            "type": type_,
            "prefix": prefix,
            "entities": [{"value": v.value, "count": v.count} for v in values],
        }
    )


@bp.get("/suggest")
def suggest():
    q = text_param(request.args, "q", max_length=MAX_SUGGEST_LENGTH)
    limit = int_param(request.args, "limit", 8, minimum=1, maximum=20)
    return jsonify({"query": q, "suggestions": get_searcher().suggest(q, limit) if q else []})


@bp.get("/health")
def health():
    """For load balancers and `loupe serve`'s start-up wait: 503 until an index is usable."""
    try:
        stats = get_searcher().stats()
    except IndexMissing:
        return jsonify(
            {"status": "unavailable", "error": {"code": CODES[503], "message": MESSAGES[503]}}
        ), 503
    return jsonify(
        {
            "status": "ok",
            "generation": stats.generation,
            "articles": stats.articles,
            "built_at": stats.built_at,
        }
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
