"""Snippets from OpenSearch's highlighter: `<mark>` kept, the section named."""

from __future__ import annotations

import html
import re
from typing import Any

from search.backends.base import Snippet
from search.backends.opensearch.mapping import (
    ELISION_ARTICLES,
    MAX_SNIPPETS,
)

_MARK_RE = re.compile(r"</?mark>")
# The tokenizer keeps `l'` on the token, so the highlighter marks `l'attaque`;
# move the mark past the elided article, as the Whoosh backend does.
_MARKED_ELISION_RE = re.compile(
    r"<mark>((?:" + "|".join(ELISION_ARTICLES) + r")(?:&#x27;|'|’))", re.IGNORECASE
)


def _unmark_elision(fragment: str) -> str:
    return _MARKED_ELISION_RE.sub(r"\1<mark>", fragment)


def _section_of(fragment_html: str, sections: list[dict[str, Any]]) -> str | None:
    """The heading of the section a highlighted fragment was cut from."""
    plain = html.unescape(_MARK_RE.sub("", fragment_html)).strip()
    probes = [plain, plain[:60], plain[-60:]]
    for probe in probes:
        if not probe:
            continue
        for section in sections:
            if probe in (section.get("text") or ""):
                return section.get("heading")
    return None


def hit_snippets(hit: dict[str, Any], sections: list[dict[str, Any]]) -> list[Snippet]:
    """Up to three fragments, best first, each with its section heading.

    Two highlighted fields: `body` marks every form of a matched stem, `body.exact`
    marks phrases (which only query the exact field). The same text cut from both
    keeps the version with more marks.
    """
    highlight = hit.get("highlight", {})
    by_text: dict[str, str] = {}  # plain text → best marked version, in rank order
    for field in ("body", "body.exact"):
        for fragment in highlight.get(field, []):
            key = _MARK_RE.sub("", fragment)
            known = by_text.get(key)
            if known is None or fragment.count("<mark>") > known.count("<mark>"):
                by_text[key] = fragment
    fragments = list(by_text.values())
    marked = [f for f in fragments if "<mark>" in f]
    chosen = (marked or fragments[:1])[:MAX_SNIPPETS]
    return [Snippet(html=_unmark_elision(f), section=_section_of(f, sections)) for f in chosen]
