"""Plain-text articles: one paragraph a line, headings guessed from their shape.

A text file has no markup, yet the founding example (`000_ca1515ff46768185.txt`)
has a lead and two titled sections. What marks a heading is its shape: a short
line, without the final punctuation a sentence ends with, standing between
paragraphs. Recovering that structure lets search show *which section* a hit
stands in and weigh headings above body text.

The helpers here (whitespace, hashtags, a title from the first sentence) are
shared by the other readers, so all formats produce the same kind of text.
"""

from __future__ import annotations

import re
from pathlib import Path

from search.article import Article, Section
from search.readers.dates import latest_date
from search.readers.errors import ReaderError, check_id

MAX_HEADING_CHARS = 120
MAX_HEADING_WORDS = 16
MAX_TITLE_CHARS = 140
# A sentence ends with one of these; a heading does not. Commas and semicolons
# are there because a line ending with them is a sentence cut short, not a title;
# dashes because « 20 août 2016. – » is a dateline.
SENTENCE_END = tuple('.!?:;,…»"”)-–—')

_SPACE = re.compile(r"\s+")
# Zero-width characters: invisible, yet they split words in the index.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A '#' that starts a word (not « C# » nor « n°#3 ») followed by a word with a letter.
_HASHTAG = re.compile(r"(?<![\w&#/])#(?=\w*[^\W\d_])(\w[\w-]*\w|\w)")
_SENTENCE = re.compile(r"(.+?[.!?…])(?=\s+[«\"“(\[]?[A-ZÀ-ÖØ-Þ0-9]|\s*$)", re.DOTALL)
_BARE_DATE = re.compile(r"^[\w\s.,/-]*\d{4}\s*[.\-–—]*$")


def normalise_space(text: str) -> str:
    """One space between words, none at the ends; invisible characters removed."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def extract_hashtags(text: str) -> tuple[str, list[str]]:
    """The text with '#' removed from hashtags, and the hashtags (unique, in order).

    The word stays in the text so that a search for « Tinzawaten » finds
    « #Tinzawaten »; the list keeps them apart as a facet.
    """
    tags: list[str] = []
    for m in _HASHTAG.finditer(text):
        if m.group(1) not in tags:
            tags.append(m.group(1))
    return _HASHTAG.sub(r"\1", text), tags


def title_from_text(text: str) -> str:
    """The first sentence of `text`, cut at a word boundary if it is too long for a title."""
    text = normalise_space(text)
    m = _SENTENCE.match(text)
    # A « sentence » of a few letters is an abbreviation (« M. Diop »), not a title.
    sentence = m.group(1) if m and len(m.group(1)) >= 20 else text
    if len(sentence) > MAX_TITLE_CHARS:
        cut = sentence[: MAX_TITLE_CHARS - 1]
        if " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        return cut.rstrip(" ,;:-–—") + "…"
    # A title does not end with a full stop; « ? » and « ! » are part of its meaning.
    return sentence[:-1].rstrip() if sentence.endswith(".") else sentence


def is_heading_shape(line: str) -> bool:
    """A line short enough, and unpunctuated enough, to be a heading."""
    if not line or len(line) > MAX_HEADING_CHARS or len(line.split()) > MAX_HEADING_WORDS:
        return False
    if line.endswith(SENTENCE_END):
        return False
    first = line[0]
    if not (first.isupper() or first.isdigit() or first in '«"“'):
        return False
    # « 22 mai 2012 » alone on a line is a dateline, not a section title.
    return not _BARE_DATE.match(line)


def structure_lines(lines: list[str], *, find_title: bool) -> tuple[str | None, list[Section]]:
    """Split non-empty, normalised lines into an optional title and sections.

    A heading-shaped line is a heading only when a paragraph follows it and no
    heading-shaped line precedes it: a run of short lines is a list, not a
    cascade of empty sections.
    """
    shaped = [is_heading_shape(line) for line in lines]

    def is_heading(i: int) -> bool:
        return (
            shaped[i] and i + 1 < len(lines) and not shaped[i + 1] and (i == 0 or not shaped[i - 1])
        )

    title: str | None = None
    start = 0
    if find_title and lines and is_heading(0):
        title, start = lines[0], 1

    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for i in range(start, len(lines)):
        if i > 0 and is_heading(i):
            if heading is not None or paragraphs:
                sections.append(Section(heading, "\n".join(paragraphs)))
            heading, paragraphs = lines[i], []
        else:
            paragraphs.append(lines[i])
    if heading is not None or paragraphs:
        sections.append(Section(heading, "\n".join(paragraphs)))
    return title, sections


def paragraphs_of(text: str) -> list[str]:
    """The non-empty lines of `text`, whitespace normalised: the paragraphs."""
    return [p for p in (normalise_space(line) for line in text.splitlines()) if p]


def parse_text(text: str, path: Path) -> Article:
    """A plain-text file → Article; id from the file name, date inferred from the text."""
    text, hashtags = extract_hashtags(text)
    lines = paragraphs_of(text)
    if not lines:
        raise ReaderError("empty file")
    title, sections = structure_lines(lines, find_title=True)
    if title is None:
        title = title_from_text(lines[0])
    published = latest_date("\n".join(lines))
    return Article(
        id=check_id(path.stem),
        title=title,
        sections=sections,
        published=published,
        published_inferred=published is not None,
        hashtags=hashtags,
        path=str(path),
    )
