"""A year typed in a question or a long description: the edition it names.

« qui a remporté le prix Nobel de la paix en 2016 ? », « les gilets jaunes en
décembre 2018 », « que s'est-il passé à Nice le 14 juillet 2016 ? »: the year
says which prize, which month, which 14 July. As a word on its own it says
almost nothing: a news archive writes the year of every article in its
dateline (« 3 juillet 2016. – »), so every article of that year holds it, and
an obituary of the 1986 laureate dated July 2016 holds « prix Nobel », « paix »
and « 2016 » as much as the article on the 2016 prize (README, « Questions: a
typed year names an edition »). What tells them apart is where the year
stands: beside the word it qualifies (« le prix Nobel de la paix 2016 »,
« 7 décembre 2018 »), not in a dateline under another subject.

So, in a top-level word list of at least `ranking.WINDOW_MIN_WORDS` distinct
content words (the queries the window bonus reads: two words are a phrase's
business already), each plain typed year (`YEAR`) preceded by a plain content
word adds one more juxtaposed item: that word and the year as a phrase
(stop words between them aside: « paix en 2016 » → "paix 2016"). It counts in
coordination like a typed word, so an article writing them together holds one
item more. The match set does not change (the phrase's articles hold both
words already): only the order does.

Measured (`python -m bench.relevance_variants --variant year-phrase-off
--variant shipped --detail`): README. A date preference instead (the best
candidates dated the typed year × 1.1…1.5) moved no query of either file:
the dateline already gives every article of that year the word.
"""

from __future__ import annotations

import re

from search.core import ranking
from search.core.french import tokens
from search.expansion.questions import is_question_word
from search.query import Node, Phrase, Term, Words

# A year as a reader types it in French news: four digits, 1800…2099.
YEAR = re.compile(r"(?:18|19|20)\d\d")
# Measuring switch (`bench.relevance_variants --variant year-phrase-off`).
YEAR_PHRASES = True


def is_year(word: str) -> bool:
    """A folded token that reads as a year (« 2016 », not « 14 » nor « 20160 »)."""
    return YEAR.fullmatch(word) is not None


def _plain(item: Node) -> bool:
    """A word typed as is: no field, prefix nor fuzziness (those are the
    asker's own precision, as for the window bonus)."""
    return isinstance(item, Term) and not (item.field or item.prefix or item.fuzzy)


def _content(item: Term) -> str | None:
    """The folded first token of a plain typed word, None for a function word
    or an asking word."""
    if is_question_word(item):
        return None
    first = next(iter(tokens(item.text)), None)  # stop words are no tokens
    return None if first is None else first.text


def year_phrases(node: Node | None) -> list[Phrase]:
    """The phrases a query's typed years add: each year with the content word
    typed before it, in a word list of enough content words; [] otherwise."""
    if not YEAR_PHRASES or not isinstance(node, Words):
        return []
    plain = [i for i in node.items if isinstance(i, Term) and _plain(i)]
    if len({w for w in map(_content, plain) if w}) < ranking.WINDOW_MIN_WORDS:
        return []
    phrases: list[Phrase] = []
    previous: Term | None = None
    for item in node.items:
        if not isinstance(item, Term) or not _plain(item):
            previous = None  # a phrase, a group, a field: the run of typed words ends
            continue
        word = _content(item)
        if word is None:
            continue  # « paix en 2016 »: the function word between them aside
        if is_year(word) and previous is not None:
            phrases.append(Phrase(f"{previous.text} {item.text}"))
        previous = item
    return phrases


def with_year_phrases(node: Node | None) -> Node | None:
    """The query with its year phrases (`year_phrases`) as more juxtaposed items."""
    phrases = year_phrases(node)
    if not phrases:
        return node
    assert isinstance(node, Words)
    return Words((*node.items, *phrases))
