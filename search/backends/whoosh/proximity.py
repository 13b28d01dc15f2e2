"""Where the typed words stand in the best candidates, for `search.proximity`.

`text_exact` holds every word of the text (title, headings, body, the names'
other spellings, in that order) with its position, stop words left out: the
numbering `search.proximity` counts windows in. One postings matcher a typed
word, walked once over the candidates in document order (`skip_to`), reads
only the few hundred postings the window needs.
"""

from __future__ import annotations

from whoosh.searching import Searcher

from search.proximity import Positions

FIELD = "text_exact"


def positions_of(searcher: Searcher, docnums: list[int], words: list[str]) -> dict[int, Positions]:
    """Each candidate's positions of each word (in `words` order) in `text_exact`."""
    ordered = sorted(docnums)
    found: dict[int, list[list[int]]] = {d: [[] for _ in words] for d in ordered}
    for i, word in enumerate(words):
        if (FIELD, word) not in searcher.reader():
            continue
        matcher = searcher.postings(FIELD, word)
        for d in ordered:
            if matcher.is_active() and matcher.id() < d:
                matcher.skip_to(d)
            if not matcher.is_active():
                break
            if matcher.id() == d:
                found[d][i] = list(matcher.value_as("positions"))
    return found
