"""JSON lines (and JSON) records → Articles, one bad record never costing the others.

Corpora exported from other systems come as one JSON object a line, with named
fields (`id, title, date, url, source, license, html, text`, as in the bundled
`wikinews-winer.jsonl`). A dump of 100,000 records with one truncated line must
still give 99,999 articles, and the one it could not read must be named by its
line number so that someone can fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from search.article import Article, Section
from search.readers.dates import latest_date, parse_date
from search.readers.errors import ReaderError, check_id
from search.readers.html import sections_from_html
from search.readers.text import (
    extract_hashtags,
    normalise_space,
    paragraphs_of,
    structure_lines,
)


def _field(record: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ReaderError(f"missing '{name}'")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and name == "id":
        return str(value)
    if not isinstance(value, str):
        raise ReaderError(f"'{name}' is not a string")
    return value.strip()


def _sections(record: dict[str, Any], title: str, text: str) -> list[Section]:
    """Sections from the record's `html` when it has some, else guessed from `text`.

    When a record carries HTML, its markup is the structure the source gave:
    paragraphs without headings mean an article without sections, and guessing
    headings from the plain text would only turn datelines and link lists into
    false ones.
    """
    html = record.get("html")
    if isinstance(html, str) and html.strip():
        _, sections = sections_from_html(html)
        if any(s.text for s in sections):
            return sections
    lines = paragraphs_of(text)
    # Exports often repeat the title as the first line of the text.
    if lines and lines[0] == title:
        lines = lines[1:]
    _, sections = structure_lines(lines, find_title=False)
    return sections


def record_to_article(record: Any, path: Path) -> Article:
    """One decoded record → Article; ReaderError if it lacks an id, a title or a text.

    Fields other than those of `Article` are ignored: exports carry their own
    bookkeeping and a reader that refused them would refuse most corpora.
    """
    if not isinstance(record, dict):
        raise ReaderError(f"not a JSON object but {type(record).__name__}")
    article_id = check_id(_field(record, "id", required=True) or "")
    raw_title = _field(record, "title", required=True)
    text = _field(record, "text", required=True)
    assert article_id and raw_title and text  # required=True guarantees them
    title, title_tags = extract_hashtags(normalise_space(raw_title))

    sections, hashtags = [], list(title_tags)
    for s in _sections(record, normalise_space(raw_title), text):
        heading, heading_tags = extract_hashtags(s.heading) if s.heading else (None, [])
        body, body_tags = extract_hashtags(s.text)
        hashtags += [t for t in heading_tags + body_tags if t not in hashtags]
        sections.append(Section(heading, body))
    if not any(s.text for s in sections):
        raise ReaderError("no text besides the title")

    published = parse_date(_field(record, "date"))
    inferred = False
    if published is None:
        published = latest_date(text)
        inferred = published is not None
    return Article(
        id=article_id,
        title=title,
        sections=sections,
        url=_field(record, "url"),
        source=_field(record, "source"),
        published=published,
        published_inferred=inferred,
        author=_field(record, "author"),
        license=_field(record, "license"),
        hashtags=hashtags,
        path=str(path),
    )


def read_jsonl(text: str, path: Path) -> Iterator[Article | ReaderError]:
    """Each non-blank line → an Article, or a ReaderError carrying its line number."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield read_jsonl_line(line, number, path)


def read_jsonl_line(line: str, number: int, path: Path) -> Article | ReaderError:
    """One JSON-lines record → an Article, or a ReaderError naming the line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        return ReaderError(f"invalid JSON at line {number}: {e.msg} (column {e.colno})", number)
    try:
        return record_to_article(record, path)
    except ReaderError as e:
        return ReaderError(f"{e.reason} at line {number}", number)


def read_json(text: str, path: Path) -> Iterator[Article | ReaderError]:
    """A `.json` file holding one record or a list of records."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        yield ReaderError(f"invalid JSON at line {e.lineno}: {e.msg} (column {e.colno})", e.lineno)
        return
    if isinstance(data, dict):
        try:
            yield record_to_article(data, path)
        except ReaderError as e:
            yield e
        return
    if not isinstance(data, list):
        yield ReaderError(f"not a JSON object or list but {type(data).__name__}")
        return
    for index, record in enumerate(data, start=1):
        try:
            yield record_to_article(record, path)
        except ReaderError as e:
            yield ReaderError(f"{e.reason} in record {index}")
