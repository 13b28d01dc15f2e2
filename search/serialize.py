"""The JSON shapes of Loupe's results and articles, shared by every surface.

`loupe search --json`, `loupe export` and the web API all emit these, so a
script reading one can read the others.
"""

from __future__ import annotations

from search.article import Article
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
                "entities": h.entities,
            }
            for h in results.hits
        ],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in values]
            for name, values in results.facets.items()
        },
    }


def article_to_json(article: Article) -> dict:
    return public_record(article)
