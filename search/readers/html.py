"""HTML pages → Article: metadata from the head, sections from the headings.

A saved news page is mostly not the article: menus, scripts, share buttons,
cookie forms, related links. Indexing them would make every page match « accueil »
and « newsletter ». So the reader keeps the `<article>` (or `<main>`, or the body),
drops boilerplate, and rebuilds the article's structure from its `<h2>`–`<h4>`
headings. Only text comes out: entities are decoded (« &lt;script&gt; » in an
article about HTML is text, and stays so) and no tag ever reaches the index.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from search.article import Article, Section
from search.readers.dates import latest_date, parse_date
from search.readers.errors import ReaderError, check_id
from search.readers.text import extract_hashtags, normalise_space, title_from_text

# Never article text, wherever they stand.
BOILERPLATE = (
    "nav",
    "script",
    "style",
    "aside",
    "footer",
    "form",
    "noscript",
    "iframe",
    "template",
    "svg",
    "button",
    "select",
    "textarea",
    "object",
    "embed",
    "canvas",
)
SECTION_HEADINGS = ("h2", "h3", "h4")
# Elements that end a paragraph: text on either side of them is not one sentence.
BLOCKS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
    ]
)
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    """`<meta name|property=… content=…>` as a dict with lower-cased keys; first value wins."""
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("name") or tag.get("property") or tag.get("itemprop")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            meta.setdefault(key.strip().lower(), normalise_space(content))
    return meta


def _link(soup: BeautifulSoup, rel: str) -> str | None:
    tag = soup.find("link", rel=rel, href=True) or soup.find("a", rel=rel, href=True)
    href = tag.get("href") if isinstance(tag, Tag) else None
    return href.strip() if isinstance(href, str) and href.strip() else None


def _content_root(soup: BeautifulSoup) -> Tag:
    """The element that holds the article: `<article>`, else `<main>`, else the body.

    One walk over the tags (`_tags`), not a `find` per choice: bs4's matching
    machinery per call and per element was a third of reading a page."""
    articles, main, role_main = [], None, None
    for tag in _tags(soup):
        name = tag.name
        if name == "article":
            articles.append(tag)
        elif name == "main" and main is None:
            main = tag
        if role_main is None and tag.get("role") == "main":
            role_main = tag
    if articles:
        # A page may list teasers as <article>s too; the story is the longest one.
        return max(articles, key=lambda a: len(a.get_text()))
    return (
        main or role_main or soup.body or soup  # a fragment without <body>
    )


def _tags(root: Tag) -> list[Tag]:
    """Every element under `root`, in document order."""
    return [node for node in root.descendants if isinstance(node, Tag)]


def _remove_boilerplate(root: Tag) -> None:
    # One walk over the tags; each step skips what an earlier one removed.
    # (Removals are noted here: bs4's `decomposed` on a live tag searches its
    # whole subtree for a child named `_decomposed`.)
    tags = _tags(root)
    removed: set[int] = set()

    def remove(tag: Tag) -> None:
        removed.add(id(tag))
        removed.update(id(node) for node in tag.descendants)
        tag.decompose()

    for tag in tags:
        if id(tag) not in removed and tag.name in BOILERPLATE:
            remove(tag)
    # Inside the article a <header> holds its title and standfirst; elsewhere it
    # is the site's banner — but outside the article was not kept in the first place,
    # except when the root is the whole body.
    if root.name != "article":
        for tag in tags:
            if id(tag) in removed or tag.name != "header":
                continue
            if not tag.find_parent("article"):
                remove(tag)
    # A <time> alone in its paragraph is a dateline (metadata, read elsewhere), not prose.
    for tag in tags:
        if id(tag) in removed or tag.name != "time":
            continue
        parent = tag.parent
        if isinstance(parent, Tag) and normalise_space(parent.get_text()) == normalise_space(
            tag.get_text()
        ):
            remove(tag)


class _SectionBuilder:
    """Walks an element tree once, cutting text into paragraphs and sections."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.h1: str | None = None
        self._heading: str | None = None
        self._paragraphs: list[str] = []
        self._buffer: list[str] = []

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _NOT_TEXT):
                    self._buffer.append(str(child))
            elif isinstance(child, Tag):
                self._visit(child)

    def _visit(self, tag: Tag) -> None:
        name = tag.name
        if name in SECTION_HEADINGS:
            self._flush()
            text = normalise_space(tag.get_text(" "))
            if text:
                self._close_section()
                self._heading = text
        elif name == "h1":
            self._flush()
            # The h1 is the title, not a section; only the first one counts.
            if self.h1 is None:
                self.h1 = normalise_space(tag.get_text(" ")) or None
        elif name in BLOCKS:
            self._flush()
            self.walk(tag)
            self._flush()
        else:
            self.walk(tag)

    def _flush(self) -> None:
        text = normalise_space("".join(self._buffer))
        self._buffer.clear()
        if text:
            self._paragraphs.append(text)

    def _close_section(self) -> None:
        if self._heading is not None or self._paragraphs:
            self.sections.append(Section(self._heading, "\n".join(self._paragraphs)))
        self._heading, self._paragraphs = None, []

    def finish(self) -> list[Section]:
        self._flush()
        self._close_section()
        return self.sections


def sections_from_html(html: str) -> tuple[str | None, list[Section]]:
    """The `<h1>` text and the sections of an HTML page or fragment, boilerplate removed."""
    soup = BeautifulSoup(html, "lxml")
    root = _content_root(soup)
    _remove_boilerplate(root)
    builder = _SectionBuilder()
    builder.walk(root)
    return builder.h1, builder.finish()


def _strip_hashtags(sections: list[Section]) -> tuple[list[Section], list[str]]:
    tags: list[str] = []
    cleaned: list[Section] = []
    for s in sections:
        heading, found_h = extract_hashtags(s.heading) if s.heading else (None, [])
        text, found_t = extract_hashtags(s.text)
        tags += [t for t in found_h + found_t if t not in tags]
        cleaned.append(Section(heading, text))
    return cleaned, tags


def parse_html(html: str, path: Path) -> Article:
    """An HTML file → Article; id from `<meta name="loupe:id">`, else the file name."""
    soup = BeautifulSoup(html, "lxml")
    meta = _metadata(soup)
    root = _content_root(soup)
    # Read before boilerplate goes: a dateline <time> is removed from the text, and
    # a simple page may hold its <h1> in a <header> banner.
    time_tag = root.find("time") or soup.find("time")
    time_date = _time_date(time_tag) if isinstance(time_tag, Tag) else None
    first_h1 = soup.find("h1")
    h1_anywhere = normalise_space(first_h1.get_text(" ")) if isinstance(first_h1, Tag) else ""
    _remove_boilerplate(root)
    builder = _SectionBuilder()
    builder.walk(root)
    sections, hashtags = _strip_hashtags(builder.finish())
    if not any(s.text for s in sections):
        raise ReaderError("malformed HTML: no text found")

    title_tag = soup.find("title")
    title = (
        builder.h1
        or h1_anywhere
        or meta.get("og:title")
        or (normalise_space(title_tag.get_text()) if title_tag else "")
        or title_from_text(next(s.text for s in sections if s.text))
    )
    title, title_tags = extract_hashtags(title)
    hashtags = title_tags + [t for t in hashtags if t not in title_tags]

    published = time_date
    for key in ("article:published_time", "date", "dc.date", "dc.date.issued", "datepublished"):
        published = published or parse_date(meta.get(key))
    inferred = False
    if published is None:
        published = latest_date("\n".join(s.text for s in sections))
        inferred = published is not None

    return Article(
        id=check_id(meta.get("loupe:id") or path.stem),
        title=title,
        sections=sections,
        url=_link(soup, "canonical") or meta.get("og:url"),
        source=meta.get("og:site_name") or meta.get("source"),
        published=published,
        published_inferred=inferred,
        author=meta.get("author") or _not_url(meta.get("article:author")),
        license=meta.get("license") or _link(soup, "license"),
        hashtags=hashtags,
        path=str(path),
    )


def _time_date(tag: Tag) -> date | None:
    stamp = tag.get("datetime")
    return parse_date(stamp if isinstance(stamp, str) else tag.get_text())


def _not_url(value: str | None) -> str | None:
    # Facebook's article:author is often a profile URL, not a name.
    return None if value is None or value.startswith(("http://", "https://")) else value
