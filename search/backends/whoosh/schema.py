"""The Whoosh schema and how an `Article` becomes one Whoosh document.

A plain word is looked up in few fields — `text` (stemmed: title, headings,
body, and every spelling of the article's entities, gazetteer aliases included,
so that Putin meets « Poutine »), `title` (stemmed, boosted), `text_exact`
(folded but unstemmed: phrases, the exact-form bonus, spelling suggestions) and
`namekeys` (transliteration keys) — because each field costs a matcher per word
and Whoosh's matchers are pure Python. The per-part fields (`headings`,
`person_text`…) are only searched when a field prefix asks for them. Entity
fields are keyword fields of folded canonical keys, for filters and facets.
"""

from __future__ import annotations

from datetime import date, datetime

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.analysis import exact_analyzer, fold, stemmed_analyzer
from search.article import Article, Entity, Section
from search.names import name_keys

# Entity type → keyword field (filters/facets) and text field (prefix queries).
ENTITY_FIELDS = {"PER": "persons", "ORG": "orgs", "LOC": "places", "MISC": "misc"}
ENTITY_TEXT_FIELDS = {"PER": "person_text", "ORG": "org_text", "LOC": "place_text"}


# Bumped whenever fields or analysis change: a generation built with another
# version is refused at open ("rebuild it") rather than failing on every query.
SCHEMA_VERSION = 3  # 3: entity keys (search.entity_keys) as terms


def build_schema() -> Schema:
    stemmed = stemmed_analyzer()
    exact = exact_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        # What a plain word is looked up in: few fields, so few matchers per word.
        text=TEXT(analyzer=stemmed, phrase=False),
        text_exact=TEXT(analyzer=exact),
        title=TEXT(analyzer=stemmed, phrase=False),
        namekeys=KEYWORD(commas=True, scorable=True),
        # Every entity mention as its canonical key: a name in any spelling is one term.
        entkeys=KEYWORD(commas=True, scorable=True),
        # Only searched when a field prefix asks for them (titre:, section:, personne:…).
        title_exact=TEXT(analyzer=exact),
        headings=TEXT(analyzer=stemmed, phrase=False),
        headings_exact=TEXT(analyzer=exact),
        person_text=TEXT(analyzer=exact),
        org_text=TEXT(analyzer=exact),
        place_text=TEXT(analyzer=exact),
        source_text=TEXT(analyzer=exact),
        # Filters and facets: folded canonical keys.
        persons=KEYWORD(commas=True),
        orgs=KEYWORD(commas=True),
        places=KEYWORD(commas=True),
        misc=KEYWORD(commas=True),
        hashtags=KEYWORD(commas=True),
        sources=KEYWORD(commas=True),
        months=KEYWORD(commas=True),
        published=DATETIME(sortable=True),
        doc=STORED,
    )


def facet_key(value: str) -> str:
    """Folded, comma-free, space-normalised key: the stored form of a facet value."""
    return " ".join(fold(value).replace(",", " ").split())


def month_of(published: date | None) -> str | None:
    return published.strftime("%Y-%m") if published else None


def stored_form(article: Article) -> dict:
    """What the index keeps to rebuild the Article (hits, article page, export)."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "published_inferred": article.published_inferred,
        "author": article.author,
        "license": article.license,
        "hashtags": list(article.hashtags),
        "sections": [[s.heading, s.text] for s in article.sections],
        "entities": [[e.type, e.text, e.canonical] for e in article.entities],
        "path": article.path,
        "checksum": article.checksum,
    }


def article_from_stored(doc: dict) -> Article:
    published = date.fromisoformat(doc["published"]) if doc.get("published") else None
    return Article(
        id=doc["id"],
        title=doc["title"],
        sections=[Section(h, t) for h, t in doc["sections"]],
        url=doc.get("url"),
        source=doc.get("source"),
        published=published,
        published_inferred=doc.get("published_inferred", False),
        author=doc.get("author"),
        license=doc.get("license"),
        hashtags=list(doc.get("hashtags", [])),
        entities=[Entity(text=x, type=t, canonical=c) for t, x, c in doc.get("entities", [])],
        path=doc.get("path"),
        checksum=doc.get("checksum", ""),
    )


def to_document(article: Article, aliases_of, entity_keys: list[str] | None = None) -> dict:
    """One Whoosh document for `article`.

    `aliases_of(canonical)` gives the gazetteer's other spellings of an entity;
    `entity_keys` the key of every entity mention (search.entity_keys).
    """
    headings = "\n".join(article.headings)
    body = article.body
    by_type: dict[str, list[Entity]] = {}
    for e in article.entities:
        by_type.setdefault(e.type, []).append(e)

    names: set[str] = set()  # spellings the body may not contain: canonical forms, aliases
    type_texts: dict[str, list[str]] = {}
    for e in article.entities:
        spellings = {e.text, e.canonical, *aliases_of(e.canonical)}
        names.update(spellings - {e.text})
        if e.type in ENTITY_TEXT_FIELDS:
            type_texts.setdefault(e.type, []).extend(spellings)
    names.update(article.hashtags)

    keys = sorted(name_keys(article))
    # Title, headings, body, then every spelling of the article's names: one
    # field to rank plain words on (the title also has its own, boosted).
    extra = "\n".join(sorted(names))
    text = "\n\n".join(p for p in (article.title, headings, body, extra) if p)
    doc = {
        "id": article.id,
        "text": text,
        "text_exact": text,
        "title": article.title,
        "title_exact": article.title,
        "headings": headings,
        "headings_exact": headings,
        "namekeys": ",".join(keys),
        "entkeys": ",".join(entity_keys or ()),
        "source_text": article.source or "",
        "sources": facet_key(article.source) if article.source else "",
        "hashtags": ",".join(facet_key(h) for h in article.hashtags),
        "doc": stored_form(article),
    }
    for type_, field in ENTITY_TEXT_FIELDS.items():
        doc[field] = "\n".join(type_texts.get(type_, []))
    for type_, field in ENTITY_FIELDS.items():
        doc[field] = ",".join(sorted({facet_key(e.canonical) for e in by_type.get(type_, [])}))
    if article.published:
        doc["published"] = datetime(
            article.published.year, article.published.month, article.published.day
        )
        doc["months"] = month_of(article.published)
    return {k: v for k, v in doc.items() if v not in ("", None)}
