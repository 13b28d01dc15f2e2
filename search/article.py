"""The one shape every stage shares: readers produce `Article`s, the indexer and
the backends consume them, the searcher hands parts of them back.

Keeping a single dataclass between stages is what lets a new reader (or a new
backend) plug in without the others knowing about it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")


@dataclass(frozen=True)
class Entity:
    """A named entity as found in the text, with the form facets and filters use."""

    text: str
    type: str  # one of ENTITY_TYPES
    canonical: str


@dataclass(frozen=True)
class Section:
    """A heading and the text under it; the lead before the first heading has none."""

    heading: str | None
    text: str


@dataclass
class Article:
    """A French news article, whatever file it came from."""

    id: str
    title: str
    sections: list[Section]
    url: str | None = None
    source: str | None = None
    published: date | None = None
    published_inferred: bool = False
    author: str | None = None
    license: str | None = None
    hashtags: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    path: str | None = None
    checksum: str = ""

    def __post_init__(self) -> None:
        if not self.checksum:
            self.checksum = content_checksum(self.title, self.sections)

    @property
    def lead(self) -> str:
        """The text before the first heading (empty when the article opens on one)."""
        if self.sections and self.sections[0].heading is None:
            return self.sections[0].text
        return ""

    @property
    def headings(self) -> list[str]:
        return [s.heading for s in self.sections if s.heading]

    @property
    def body(self) -> str:
        """All section texts, in order, one paragraph block per section."""
        return "\n\n".join(s.text for s in self.sections if s.text)

    @property
    def full_text(self) -> str:
        """Title, headings and texts: what the entity recogniser reads."""
        parts = [self.title]
        for s in self.sections:
            if s.heading:
                parts.append(s.heading)
            if s.text:
                parts.append(s.text)
        return "\n\n".join(p for p in parts if p)


def content_checksum(title: str, sections: list[Section]) -> str:
    """SHA-256 of the article's words: same text → same checksum, whatever the file.

    Used to find duplicates and as the key of the NER cache.
    """
    h = hashlib.sha256()
    h.update(title.strip().encode("utf-8"))
    for s in sections:
        h.update(b"\x1e")
        h.update((s.heading or "").strip().encode("utf-8"))
        h.update(b"\x1f")
        h.update(s.text.strip().encode("utf-8"))
    return h.hexdigest()
