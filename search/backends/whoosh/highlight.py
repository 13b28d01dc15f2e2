"""Snippets: the best fragments of an article, each tagged with its section.

Built on Whoosh's highlighter parts (context fragmenter, fragment scorer,
HTML formatter) rather than `hit.highlights()`, for three reasons:
- the article is highlighted section by section, so each snippet knows the
  heading it stands under;
- the formatter copies the article's own letters between `<mark>` tags (never
  the stem), and HTML-escapes everything around them;
- the text analysed per hit is bounded, so a very long article stays fast,
  and only the windows where a query stem can occur are analysed
  (`snippet_windows.py`).
"""

from __future__ import annotations

from html import escape

from whoosh.highlight import BasicFragmentScorer, ContextFragmenter, Formatter, set_matched_filter

from search.article import Section
from search.backends.base import Snippet
from search.backends.whoosh.analysis import stemmed_analyzer
from search.backends.whoosh.snippet_windows import probes, windows

MAX_CHARS_PER_SECTION = 6_000
MAX_CHARS_PER_ARTICLE = 24_000


class MarkFormatter(Formatter):
    """`<mark>word as written</mark>`, with the surrounding text escaped."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + escape(text[token.startchar : token.endchar], quote=False) + "</mark>"


_FRAGMENTER = ContextFragmenter(maxchars=240, surround=70)
_SCORER = BasicFragmentScorer()
_FORMATTER = MarkFormatter()


def make_snippets(sections: list[Section], stems: set[str], top: int = 3) -> list[Snippet]:
    """Up to `top` marked fragments from `sections`, best first, then by reading order."""
    if not stems:
        return _lead_snippet(sections)
    analyzer = stemmed_analyzer()
    wanted = probes(stems)
    candidates = []
    budget = MAX_CHARS_PER_ARTICLE
    for order, section in enumerate(sections):
        if budget <= 0:
            break
        text = section.text[: min(MAX_CHARS_PER_SECTION, budget)]
        budget -= len(text)
        if not text:
            continue
        spans = windows(text, wanted)
        if not spans:
            continue  # no stem can match here: nothing to mark, nothing to analyse
        tokens = (
            token
            for start, end in spans
            for token in analyzer(
                text[start:end], chars=True, mode="query", removestops=False, start_char=start
            )
        )
        tokens = set_matched_filter(tokens, stems)
        for fragment in _FRAGMENTER.fragment_tokens(text, tokens):
            score = _SCORER(fragment)
            candidates.append((score, order, fragment.startchar, section.heading, fragment))
    if not candidates:
        return _lead_snippet(sections)
    best: list = []
    for c in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        # Context windows of nearby matches overlap: keep the better one only.
        if any(b[1] == c[1] and _overlap(b[4], c[4]) for b in best):
            continue
        best.append(c)
        if len(best) == top:
            break
    best.sort(key=lambda c: (c[1], c[2]))
    return [Snippet(html=_render(c[4]), section=c[3]) for c in best]


def _overlap(a, b) -> bool:
    return a.startchar < b.endchar and b.startchar < a.endchar


def _render(fragment) -> str:
    html = _FORMATTER.format_fragment(fragment).strip()
    text = fragment.text
    if fragment.startchar > 0:
        html = "… " + html
    if fragment.endchar < len(text):
        html += " …"
    return html


def _lead_snippet(sections: list[Section], chars: int = 240) -> list[Snippet]:
    """No word to mark (filter-only query): the opening of the article."""
    for section in sections:
        if section.text:
            text = section.text[:chars]
            cut = text.rfind(" ") if len(section.text) > chars else len(text)
            body = escape(text[: cut if cut > 0 else chars], quote=False)
            return [
                Snippet(
                    html=body + (" …" if len(section.text) > chars else ""), section=section.heading
                )
            ]
    return []
