"""The HTML pages: home, results, article — in French, working without JavaScript.

Each page reads its parameters through `web.params` and calls the same engine
methods as its JSON twin in `web.api`; what is left here is choosing the
template and the HTTP status. Everything shown is autoescaped by Jinja except
the engine's snippet and marked-section HTML (see `formatting.engine_html`).
"""

from __future__ import annotations

import math

from flask import Blueprint, abort, redirect, render_template, request, url_for

from search.core.entity_types import (
    ENTITY_FIELDS,
    ENTITY_LABELS,
    ENTITY_PARAMS,
    LISTED_TYPES,
    group_entities,
)
from search.query import QueryError
from search.searcher import HitGroup
from web.context import get_searcher
from web.params import (
    FACET_PARAMS,
    BadParameter,
    SearchParams,
    entity_links,
    is_article_id,
    parse_search,
    text_param,
)

bp = Blueprint("pages", __name__)

SORT_LABELS = {"relevance": "pertinence", "newest": "plus récents", "oldest": "plus anciens"}
FACET_LABELS = {
    **{ENTITY_FIELDS[t]: ENTITY_LABELS[t] for t in LISTED_TYPES},
    "sources": "Sources",
    "months": "Mois",
}


@bp.app_template_global()
def search_href(params: SearchParams) -> str:
    """The results page for `params` (links add or remove filters through it)."""
    query = params.query_string()
    return url_for("pages.search") + (f"?{query}" if query else "")


@bp.get("/")
def home():
    stats = get_searcher().stats()
    return render_template(
        "index.html",
        params=SearchParams(),
        stats=stats,
        entity_count=sum(stats.entities.values()),
    )


@bp.get("/search")
def search():
    try:
        params = parse_search(request.args)
    except BadParameter as exc:
        kept = SearchParams(q=(request.args.get("q") or "")[:1000])
        return _results_page(kept, error=exc.message), 400
    if params.is_empty:
        return redirect(url_for("pages.home"))
    try:
        results = get_searcher().search(
            params.q,
            params.filters,
            sort=params.sort,
            page=params.page,
            per_page=params.per_page,
            relax=params.relax,
        )
    except QueryError as exc:
        return _results_page(params, error=exc.message), 400
    return _results_page(params, results=results)


def _results_page(params: SearchParams, results=None, error: str | None = None) -> str:
    last_page = 0
    if results is not None:
        window = get_searcher().limits.window // params.per_page
        last_page = min(math.ceil(results.total / params.per_page), window)
    groups = []
    if results is not None:
        searcher = get_searcher()
        if params.reprints == "all":
            groups = [HitGroup(hit) for hit in results.hits]
        else:
            groups = searcher.group_reprints(results.hits)
    return render_template(
        "search.html",
        params=params,
        results=results,
        groups=groups,
        error=error,
        pages=page_numbers(params.page, last_page),
        last_page=last_page,
        sort_labels=SORT_LABELS,
        facet_labels=FACET_LABELS,
        facet_params=FACET_PARAMS,
        entity_links=entity_links,
    )


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and a few around the current
    page; None stands for the gap."""
    if last <= 1:
        return []
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    if not is_article_id(article_id):
        abort(404)
    searcher = get_searcher()
    found = searcher.get(article_id)
    if found is None:
        abort(404)
    try:
        q = text_param(request.args, "q")
    except BadParameter:
        q = ""  # an over-long query only loses its marks; the article still shows
    return render_template(
        "article.html",
        article=found,
        sections=searcher.mark(found, q),
        entities=group_entities(found.entities),
        entity_params=ENTITY_PARAMS,
        params=SearchParams(q=q),
        similar=searcher.similar(article_id),
        excerpts=passage_excerpts,
    )


MAX_EXCERPTS = 3
EXCERPT_CHARACTERS = 280


def passage_excerpts(body: str, passages) -> list[str]:
    """The longest shared passages as plain text (the template escapes and marks
    them), cut to a readable length."""
    longest = sorted(passages, key=lambda p: -p.words)[:MAX_EXCERPTS]
    out = []
    for p in sorted(longest, key=lambda p: p.start):
        text = " ".join(body[p.start : p.end].split())
        out.append(text if len(text) <= EXCERPT_CHARACTERS else text[:EXCERPT_CHARACTERS] + " …")
    return out
