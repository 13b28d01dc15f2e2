"""Articles to OpenSearch documents and back: what is indexed, what is stored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from search.article import Article
from search.core.entity_types import ENTITY_FIELDS
from search.core.french import STOP_WORDS, WORD_PATTERN, fold
from search.core.records import (  # noqa: F401 - no_aliases re-exported for the backend
    article_from_record,
    article_to_record,
    month_of,
    name_spellings,
    no_aliases,
)
from search.names import name_keys


def _completion_inputs(article: Article) -> list[dict[str, Any]]:
    """Words the search box may complete, weighted by their use in the article."""
    counts: Counter[str] = Counter()
    for text in [article.title, *article.headings, article.body]:
        for word in WORD_PATTERN.findall(text):
            if len(word) >= 3 and not word.isdigit() and fold(word) not in STOP_WORDS:
                counts[word.lower()] += 1
    by_weight: dict[int, list[str]] = {}
    for word, n in counts.items():
        by_weight.setdefault(min(n, 50), []).append(word)
    return [{"input": words, "weight": w} for w, words in by_weight.items()]


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
    by_field: dict[str, list[str]] = {field: [] for field in ENTITY_FIELDS.values()}
    for entity in article.entities:
        field = ENTITY_FIELDS.get(entity.type)
        canonical = entity.canonical
        if not field or not canonical:
            continue
        if names is not None:
            canonical = names.setdefault(fold(canonical), canonical)
        if canonical not in by_field[field]:
            by_field[field].append(canonical)
    spellings = name_spellings(article, aliases_of)
    for type_, field in ENTITY_FIELDS.items():
        by_field[f"{field}_mentions"] = spellings.by_type.get(type_, [])
    return {
        **article_to_record(article),
        "headings": article.headings,
        "body": [s.text for s in article.sections if s.text],
        "names": spellings.extra,
        "namekeys": sorted(name_keys(article)),
        **by_field,
        "month": month_of(article.published),
        "suggest": _completion_inputs(article),
    }


doc_to_article = article_from_record
