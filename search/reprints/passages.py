"""Where two articles say the same thing: shared passages with character offsets.

Anchored on runs of `MIN_PASSAGE_WORDS` folded words (accents, case and
spacing differences do not break a passage): every run of the first text
found in the second is extended as far as both agree, then mapped back to
character offsets in each body. Unlike `difflib`'s single monotone alignment,
this finds passages a reprint moved (paragraphs reordered, story embedded
after a new lead).
"""

from __future__ import annotations

from dataclasses import dataclass

from search.reprints.shingles import Spans, word_spans

MIN_PASSAGE_WORDS = 8  # shorter common runs are set phrases, not copied text
MAX_WORDS = 20_000  # beyond that an article is cut: passages stay linear in length


@dataclass(frozen=True)
class Passage:
    """A run of words both texts share: `[start, end)` in each one's body."""

    start: int
    end: int
    other_start: int
    other_end: int
    words: int


def shared_passages(
    text: str | Spans, other: str, min_words: int = MIN_PASSAGE_WORDS
) -> list[Passage]:
    """Common passages of at least `min_words` words, in the order of `text`
    (given as its `word_spans` when the caller compares it with several others)."""
    mine = word_spans(text) if isinstance(text, str) else text
    theirs = word_spans(other)
    a, b = mine.folded[:MAX_WORDS], theirs.folded[:MAX_WORDS]
    anchors: dict[tuple[str, ...], int] = {}
    for j in range(len(b) - min_words, -1, -1):  # backwards: the first occurrence wins
        anchors[tuple(b[j : j + min_words])] = j
    found = []
    i = 0
    while i <= len(a) - min_words:
        j = anchors.get(tuple(a[i : i + min_words]))
        if j is None:
            i += 1
            continue
        n = min_words
        while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
            n += 1
        found.append(
            Passage(
                mine.starts[i], mine.ends[i + n - 1], theirs.starts[j], theirs.ends[j + n - 1], n
            )
        )
        i += n
    return found
