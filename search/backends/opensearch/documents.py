"""Articles to OpenSearch documents and back: what is indexed, what is stored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from search.article import Article, Entity, Section
from search.backends.opensearch.mapping import (
    ENTITY_FIELDS,
    STOP_SET,
    WORD_RE,
    fold,
)
from search.names import name_keys


def _month(published: date | None) -> str | None:
    return published.strftime("%Y-%m") if published else None


def _completion_inputs(article: Article) -> list[dict[str, Any]]:
    """Words the search box may complete, weighted by their use in the article."""
    counts: Counter[str] = Counter()
    for text in [article.title, *article.headings, article.body]:
        for word in WORD_RE.findall(text):
            if len(word) >= 3 and not word.isdigit() and fold(word) not in STOP_SET:
                counts[word.lower()] += 1
    by_weight: dict[int, list[str]] = {}
    for word, n in counts.items():
        by_weight.setdefault(min(n, 50), []).append(word)
    return [{"input": words, "weight": w} for w, words in by_weight.items()]


def no_aliases(canonical: str) -> list[str]:
    return []


def article_to_doc(
    article: Article,
    names: dict[str, str] | None = None,
    aliases_of: Callable[[str], list[str]] = no_aliases,
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
