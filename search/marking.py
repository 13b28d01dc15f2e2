"""Mark a query's words across a whole article, for the article page.

Search snippets (backends/whoosh/highlight.py) show the best fragments of a
hit; a reader who opens the article wants every occurrence marked in the full
text instead. Both must agree on what matches, so this module reads the query
with the same parser (`search.query.parse`) and compares the same stems
(`search.core.french`) the backends index — `armées` is marked for `armée`,
`Sécurité` for `securite` — and needs no engine at all. Prefix (`sécur*`) and
fuzzy (`Poutine~`) words, which the backend expands against the index, are
matched here against each word of the article itself, so no index is needed.

The article's text is HTML-escaped piece by piece around the `<mark>` tags:
the result is safe to insert as HTML, and it is the only markup Loupe's pages
trust. Engine code: no Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from search.article import Section
from search.core.french import analyze, fold, stem_token, tokens
from search.core.ranking import (
    MAX_FUZZY_WORD,
    MIN_FUZZY_LETTERS,
    MIN_PREFIX_LETTERS,
    fuzzy_distance,
)
from search.query import Node, Not, Phrase, QueryError, Term, parse

# Beyond this many characters per article the rest is shown escaped but
# unmarked: analysing megabytes of text per page view would make the page a
# denial-of-service lever.
MAX_MARKED_CHARS = 200_000


@dataclass
class Matcher:
    """What a word of the article must look like to be marked."""

    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)  # folded
    fuzzy: set[str] = field(default_factory=set)  # folded

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes or self.fuzzy)

    def matches(self, folded: str) -> bool:
        """`folded`: one word of the article, folded but not stemmed."""
        if _stem_of(folded) in self.stems:
            return True
        if any(folded.startswith(p) for p in self.prefixes):
            return True
        return any(_within(folded, word) for word in self.fuzzy)


def matcher_for(query_text: str) -> Matcher:
    """The words a query asks for (negated ones excluded: they never appear in a hit).

    A malformed query marks nothing rather than failing the article page:
    the article itself is still worth showing.
    """
    try:
        node = parse(query_text or "")
    except QueryError:
        return Matcher()
    found = Matcher()
    _collect(node, found, negated=False)
    return found


def mark_sections(sections: list[Section], query_text: str) -> list[tuple[str | None, str]]:
    """Each section as `(heading, html)`: its text escaped, query words in `<mark>`."""
    matcher = matcher_for(query_text)
    budget = MAX_MARKED_CHARS
    marked: list[tuple[str | None, str]] = []
    for section in sections:
        if matcher and budget > 0:
            html = mark_text(section.text, matcher, limit=budget)
        else:
            html = escape(section.text, quote=False)
        budget -= len(section.text)
        marked.append((section.heading, html))
    return marked


def mark_text(text: str, matcher: Matcher, limit: int = MAX_MARKED_CHARS) -> str:
    """`text` escaped, with the words `matcher` accepts (in its first `limit` chars) marked."""
    if not matcher or not text:
        return escape(text, quote=False)
    out: list[str] = []
    index = 0
    for t in tokens(text, keep_stops=True):
        if t.end > limit:
            break
        # A compound's parts overlap its whole: the first match wins.
        if t.start < index or not matcher.matches(t.text):
            continue
        out.append(escape(text[index : t.start], quote=False))
        out.append("<mark>" + escape(text[t.start : t.end], quote=False) + "</mark>")
        index = t.end
    out.append(escape(text[index:], quote=False))
    return "".join(out)


def _collect(node: Node | None, found: Matcher, negated: bool) -> None:
    if node is None:
        return
    if isinstance(node, Not):
        _collect(node.item, found, not negated)
    elif isinstance(node, Term):
        if not negated:
            _add_term(node, found)
    elif isinstance(node, Phrase):
        if not negated:
            # Phrase words are marked one by one, as in the snippets.
            found.stems.update(_stem_of(w) for w in _words(node.text))
    else:
        for item in node.items:
            _collect(item, found, negated)


def _add_term(term: Term, found: Matcher) -> None:
    if term.prefix:
        prefix = fold(term.text).strip("'’-")
        if len(prefix) >= MIN_PREFIX_LETTERS:
            found.prefixes.add(prefix)
    elif term.fuzzy:
        word = fold(term.text)[:MAX_FUZZY_WORD]
        if word:
            found.fuzzy.add(word)
    else:
        stems = analyze(term.text, stemmed=True)
        found.stems.update(stems[:1])
        # Parts of a compound (Al-Qaïda → qaida): as the snippets do.
        found.stems.update(s for s in stems[1:] if len(s) > 3)


def _words(text: str) -> list[str]:
    return analyze(text, stemmed=False)


_stem_of = stem_token  # hyphenated wholes stay unstemmed, as in the index


def _within(word: str, target: str) -> bool:
    """Edit distance ≤ 1 (short words) or 2, with the first letter fixed — the
    backend's fuzzy rule (`terms_within(..., prefix=1)`)."""
    if len(target) < MIN_FUZZY_LETTERS:
        return word == target
    maxdist = fuzzy_distance(target)
    if not word or word[0] != target[0] or abs(len(word) - len(target)) > maxdist:
        return False
    return _distance(word, target, maxdist) <= maxdist


def _distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance, stopping early once every path exceeds `bound`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > bound:
            return bound + 1
        previous = current
    return previous[-1]
