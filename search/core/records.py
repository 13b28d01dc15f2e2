"""Articles and gazetteers as plain JSON-ready dicts: one form for every store.

Both backends keep an article in this form (Whoosh in a stored field,
OpenSearch in `_source`), `loupe export` and the API print it, and
`article_from_record` rebuilds the `Article` from it. What an article adds to
the index beyond its text — the other spellings of its names — is decided
here too (`name_spellings`), so both engines index the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from search.article import Article, Entity, Section
from search.core.entity_types import LISTED_TYPES
from search.gazetteer import Gazetteer, GazetteerEntry

# The article as the JSON API shows it (no file path, checksum or author).
PUBLIC_KEYS = (
    "id",
    "title",
    "published",
    "published_inferred",
    "source",
    "url",
    "license",
    "hashtags",
    "sections",
    "entities",
)


def article_to_record(article: Article) -> dict[str, Any]:
    """Everything needed to rebuild the article, JSON-ready."""
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "published_inferred": article.published_inferred,
        "source": article.source,
        "url": article.url,
        "license": article.license,
        "hashtags": list(article.hashtags),
        "sections": [{"heading": s.heading, "text": s.text} for s in article.sections],
        "entities": [
            {"type": e.type, "text": e.text, "canonical": e.canonical} for e in article.entities
        ],
        "author": article.author,
        "path": article.path,
        "checksum": article.checksum,
    }


def article_from_record(record: dict[str, Any]) -> Article:
    published = record.get("published")
    return Article(
        id=record["id"],
        title=record.get("title") or "",
        sections=[Section(s.get("heading"), s.get("text") or "") for s in record["sections"]],
        url=record.get("url"),
        source=record.get("source"),
        published=date.fromisoformat(published) if published else None,
        published_inferred=bool(record.get("published_inferred")),
        author=record.get("author"),
        license=record.get("license"),
        hashtags=list(record.get("hashtags") or []),
        entities=[
            Entity(text=e["text"], type=e["type"], canonical=e["canonical"])
            for e in record.get("entities", [])
        ],
        path=record.get("path"),
        checksum=record.get("checksum") or "",
    )


def public_record(article: Article) -> dict[str, Any]:
    """The article as the API and `loupe export` show it."""
    record = article_to_record(article)
    return {key: record[key] for key in PUBLIC_KEYS}


def month_of(published: date | None) -> str | None:
    """The month facet's key: `2024-08`."""
    return published.strftime("%Y-%m") if published else None


@dataclass
class NameSpellings:
    """The spellings of an article's names that the index adds to its text."""

    # Spellings the text may lack (canonical forms, gazetteer aliases, hashtags):
    # indexed with the text, so `Putin` meets an article that only says « Poutine ».
    extra: list[str] = field(default_factory=list)
    # Listed type → every spelling of its entities (as written, canonical,
    # aliases), for field prefixes such as `personne:`.
    by_type: dict[str, list[str]] = field(default_factory=dict)


def no_aliases(canonical: str) -> list[str]:
    return []


def name_spellings(
    article: Article, aliases_of: Callable[[str], list[str]] = no_aliases
) -> NameSpellings:
    """`aliases_of(canonical)`: the gazetteer's other spellings of an entity."""
    extra: set[str] = set()
    by_type: dict[str, dict[str, None]] = {}
    for e in article.entities:
        spellings = [e.text, e.canonical, *aliases_of(e.canonical)]
        extra.update(s for s in spellings[1:] if s != e.text)
        if e.type in LISTED_TYPES:
            by_type.setdefault(e.type, {}).update(dict.fromkeys(s for s in spellings if s))
    extra.update(article.hashtags)
    return NameSpellings(
        extra=sorted(s for s in extra if s),
        by_type={t: list(spellings) for t, spellings in by_type.items()},
    )


def gazetteer_to_json(gazetteer: Gazetteer) -> list[list[Any]]:
    """The gazetteer as stored with an index generation: `[canonical, type, aliases]`."""
    return [[e.canonical, e.type, list(e.aliases)] for e in gazetteer.entries]


def gazetteer_from_json(entries: list[list[Any]]) -> Gazetteer:
    return Gazetteer([GazetteerEntry(c, t, tuple(a)) for c, t, a in entries])
