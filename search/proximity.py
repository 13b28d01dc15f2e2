"""Typed words standing together: the window bonus of long queries and questions.

A long description or a question holds many words, of which a few carry the
subject. Coordination (`ranking.coordination`) counts how many of them an
article holds, anywhere; an article that mentions « France » in one paragraph,
« médailles » in another and « Rio » in a third then ties with the one whose
headline or lead says « doublé français en judo à Rio ». Where the typed words
stand close together, the article is about what the query says, not about its
words one by one (term proximity, as in Tao & Zhai, SIGIR 2007).

So, for a query of at least `ranking.WINDOW_MIN_WORDS` distinct content words,
each of the best candidates (the `ranking.WINDOW_DEPTH` after coordination) has
its score multiplied by `ranking.window_factor` of the share of the typed
words, each weighed by its IDF, that any `ranking.WINDOW_WIDTH` consecutive
words of its text hold.

Positions count the words of the text as indexed (stop words left out), title,
headings and body one after the other: each backend hands its positions in that
numbering (`Positions`), and the rule itself lives here, once for both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from search.core import ranking
from search.core.french import tokens
from search.expansion.questions import is_question_word
from search.expansion.years import edition_factor
from search.query import Node, Term, Words

# a candidate's positions of each typed word, in `window_words` order
Positions = Sequence[Sequence[int]]


def window_words(node: Node | None) -> list[str]:
    """The distinct content words of a top-level word list, as the exact
    (folded, unstemmed) fields hold them: plain words only (a field, a prefix,
    a fuzzy word or a phrase is the asker's own precision), function words and
    asking words left out. Fewer than `WINDOW_MIN_WORDS`: no window bonus."""
    if not isinstance(node, Words):
        return []
    words: list[str] = []
    for item in node.items:
        if not isinstance(item, Term) or item.field or item.prefix or item.fuzzy:
            continue
        if is_question_word(item):
            continue
        first = next(iter(tokens(item.text)), None)  # stop words are no tokens
        if first is not None and first.text not in words:
            words.append(first.text)
    return words if len(words) >= ranking.WINDOW_MIN_WORDS else []


def word_weight(doc_frequency: int, documents: int) -> float:
    """A typed word's weight in the window: its IDF, log(N / (1 + df)) + 1."""
    return math.log(max(documents, 1) / (1 + doc_frequency)) + 1.0


def most_in_window(positions: Positions, width: int, weights: Sequence[float]) -> float:
    """The largest sum of weights of distinct words (one list of positions a
    word) that any `width` consecutive positions hold: one pass over the sorted
    positions, a sliding window counting each word's occurrences inside it."""
    events = sorted((p, word) for word, ps in enumerate(positions) for p in ps)
    inside: dict[int, int] = {}
    best = 0.0
    start = 0
    for p, word in events:
        inside[word] = inside.get(word, 0) + 1
        while events[start][0] <= p - width:
            gone = events[start][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            start += 1
        best = max(best, sum(weights[w] for w in inside))
    return best


def window_share(positions: Positions, weights: Sequence[float], width: int) -> float:
    """How much of the query stands together in the article, 0…1: the best
    window's weight over the smallest word's, against all words' over the
    smallest's; 0 for an article holding fewer than two of the words (one word
    stands in no window)."""
    if sum(1 for ps in positions if ps) < 2:
        return 0.0
    least, total = min(weights), sum(weights)
    if total <= least:
        return 0.0
    return max(0.0, most_in_window(positions, width, weights) - least) / (total - least)


def windowed(
    top: list[tuple[object, float]],
    words: list[str],
    weights: Sequence[float],
    positions_of: Callable[[list[object]], Mapping[object, Positions]],
) -> list[tuple[object, float]]:
    """`top` (candidates and scores, best first) with the first WINDOW_DEPTH
    scores multiplied by `ranking.window_factor` and sorted again; the rest
    follow unchanged. `weights`: each word's `word_weight`;
    `positions_of(candidates)`: each candidate's positions of `words`, in
    their order."""
    if len(words) < ranking.WINDOW_MIN_WORDS or not top or ranking.WINDOW_WEIGHT <= 0:
        return top
    head, tail = top[: ranking.WINDOW_DEPTH], top[ranking.WINDOW_DEPTH :]
    found = positions_of([c for c, _ in head])
    empty: Positions = [[] for _ in words]
    width = ranking.WINDOW_WIDTH
    rescored = [
        (c, s * ranking.window_factor(window_share(found.get(c, empty), weights, width)))
        for c, s in head
    ]
    # a typed year right after the word it qualifies (search.expansion.years)
    rescored = [(c, s * edition_factor(found.get(c, empty), words)) for c, s in rescored]
    rescored.sort(key=lambda cs: -cs[1])
    return rescored + tail
