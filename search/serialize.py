"""The JSON shapes of Loupe's results and articles, shared by every surface.

`loupe search --json`, `loupe export` and the web API all emit these, so a
script reading one can read the others.
"""

from __future__ import annotations

from search.article import ENTITY_TYPES, Article
from search.core.model import Results
from search.core.records import public_record


def results_to_json(results: Results) -> dict:
    return {
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "took_ms": results.took_ms,
        "partial": results.partial,
        "suggestion": results.suggestion,
        "hits": [
            {
                "id": h.id,
                "title": h.title,
                "score": h.score,
                "published": h.published.isoformat() if h.published else None,
                "source": h.source,
                "url": h.url,
                "snippets": [{"html": s.html, "section": s.section} for s in h.snippets],
                "entities": _by_type(h.entities),
            }
            for h in results.hits
        ],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in values]
            for name, values in results.facets.items()
        },
        "relaxed": None
        if results.relaxed is None
        else {
            "original": results.relaxed.original,
            "query": results.relaxed.query,
            "step": results.relaxed.step,
            "message": results.relaxed.message,
        },
    }


def _by_type(entities: dict[str, list[str]]) -> dict[str, list[str]]:
    """Entity types in one fixed order (PER, ORG, LOC, MISC), whichever backend
    stored them: the same hit serialises the same way everywhere."""
    known = [t for t in ENTITY_TYPES if t in entities]
    return {t: entities[t] for t in [*known, *sorted(set(entities) - set(known))]}


def article_to_json(article: Article) -> dict:
    return public_record(article)
