"""A year typed in a question or a long description: the edition it names.

« qui a remporté le prix Nobel de la paix en 2016 ? », « les gilets jaunes en
décembre 2018 », « que s'est-il passé à Nice le 14 juillet 2016 ? »: the year
says which prize, which month, which 14 July. As a word on its own it says
almost nothing: a news archive writes the year of every article in its
dateline (« 3 juillet 2016. – »), so every article of that year holds it, and
the obituary of the 1986 laureate dated July 2016 holds « prix Nobel »,
« paix » and « 2016 » as much as the article on the 2016 prize (it is shorter:
BM25 puts it first). What tells them apart is where the year stands: right
after the word it qualifies (« le prix Nobel de la paix 2016 », « 7 décembre
2018 »), not in a dateline above another subject.

So, among the window words of a query (`search.proximity.window_words`: the
distinct content words typed, at least `ranking.WINDOW_MIN_WORDS`), each year
(`YEAR`) and the word typed before it make a pair; each of the best
candidates the window bonus reads has its score multiplied by
`edition_factor`: 1 + YEAR_WEIGHT × the share of those pairs it writes side by
side (stop words aside: « paix en 2016 » counts). The positions are the ones
the window already reads for those candidates, on either backend: nothing
more is read, and the match set does not change.

Measured (`python -m bench.relevance_variants`, README « Questions: a typed
year names an edition »). Tried first: the pair as one more juxtaposed phrase
item, which ranks the same but matches the phrase over the whole index
(+ 8.7 ms a year question at 10,000 articles, under cProfile: the positions of
every article holding both words decoded); a date
preference (the best candidates dated the typed year × 1.1…1.5), which moved
no query: the dateline already gives every article of that year the word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# A year as a reader types it in French news: four digits, 1800…2099.
YEAR = re.compile(r"(?:18|19|20)\d\d")
# × (1 + this) for an article writing every typed year right after the word
# typed before it; 0 switches the rule off.
YEAR_WEIGHT = 0.5


def is_year(word: str) -> bool:
    """A folded token that reads as a year (« 2016 », not « 14 » nor « 20160 »)."""
    return YEAR.fullmatch(word) is not None


def year_pairs(words: Sequence[str]) -> list[tuple[int, int]]:
    """(the word before, the year) as indexes into a query's window words, in
    typed order: one pair for each year typed after another content word."""
    return [(i - 1, i) for i in range(1, len(words)) if is_year(words[i])]


@lru_cache(maxsize=1024)
def _pairs_of(words: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    # read once a query, not once a candidate
    return tuple(year_pairs(words))


def edition_factor(positions: Sequence[Sequence[int]], words: Sequence[str]) -> float:
    """What a candidate's score is multiplied by, from its positions of the
    window words (`search.proximity.Positions`): 1 + YEAR_WEIGHT × the share of
    the year pairs it writes side by side, the year right after the word."""
    if YEAR_WEIGHT <= 0:
        return 1.0
    pairs = _pairs_of(tuple(words))
    if not pairs:
        return 1.0
    together = 0
    for before, year in pairs:
        after = {p - 1 for p in positions[year]}
        together += any(p in after for p in positions[before])
    return 1.0 + YEAR_WEIGHT * together / len(pairs)
