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

from datetime import datetime

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.article import Article
from search.backends.whoosh.analysis import (
    FrenchAnalyzer,
    exact_analyzer,
    french_format,
    stemmed_analyzer,
)
from search.core.entity_types import ENTITY_FIELDS, ENTITY_PARAMS
from search.core.french import fold
from search.core.records import (  # noqa: F401 - month_of re-exported for querying
    article_from_record,
    article_to_record,
    month_of,
    name_spellings,
)
from search.names import name_keys

# Entity type → text field (prefix queries); keyword fields: ENTITY_FIELDS.
ENTITY_TEXT_FIELDS = {t: f"{param}_text" for t, param in ENTITY_PARAMS.items()}


# Bumped whenever fields or analysis change: a generation built with another
# version is refused at open ("rebuild it") rather than failing on every query.
SCHEMA_VERSION = 4  # 3: the article stored as search.core.records; 4: entity keys as terms


def build_schema() -> Schema:
    stemmed = stemmed_analyzer()
    exact = exact_analyzer()
    schema = Schema(
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
    for name in schema.names():  # the text fields index straight from the token rows
        field = schema[name]
        if isinstance(getattr(field, "analyzer", None), FrenchAnalyzer):
            field.format = french_format(field.format)
    return schema


def facet_key(value: str) -> str:
    """Folded, comma-free, space-normalised key: the stored form of a facet value."""
    return " ".join(fold(value).replace(",", " ").split())


# What the index keeps to rebuild the Article (hits, article page, export).
stored_form = article_to_record
article_from_stored = article_from_record


def to_document(article: Article, aliases_of, entity_keys: list[str] | None = None) -> dict:
    """One Whoosh document for `article`.

    `aliases_of(canonical)` gives the gazetteer's other spellings of an entity;
    `entity_keys` the key of every entity mention (search.entity_keys).
    """
    headings = "\n".join(article.headings)
    body = article.body
    spellings = name_spellings(article, aliases_of)
    keys = sorted(name_keys(article))
    # Title, headings, body, then every spelling of the article's names: one
    # field to rank plain words on (the title also has its own, boosted).
    extra = "\n".join(spellings.extra)
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
        doc[field] = "\n".join(spellings.by_type.get(type_, []))
    for type_, field in ENTITY_FIELDS.items():
        folded = {facet_key(e.canonical) for e in article.entities if e.type == type_}
        doc[field] = ",".join(sorted(folded))
    if article.published:
        doc["published"] = datetime(
            article.published.year, article.published.month, article.published.day
        )
        doc["months"] = month_of(article.published)
    return {k: v for k, v in doc.items() if v not in ("", None)}
