"""A nationality adjective that the stemmer confuses with its country keeps its own forms.

Snowball stems « français » and « France » alike (franc), « japonais » and
« Japon » (japon): typed in a long description (« résultats du judo français
aux Jeux de Rio »), the adjective then matches every article naming the
country, which in a French news archive is a large share of them, and its
stem is frequent enough that the exact-form bonus is not searched (the speed
rule of `search.backends.*.querying`). The asker's word — the nationality,
« doublé français en judo » — weighs no more than « France » said in
passing, and an article about another country's medal holding one more
typed word ranks above.

So such an adjective is also searched on its own written forms, every gender
and number (« français, française, françaises »), as alternatives weighted
like the exact-form bonus (`OWN_FORMS_WEIGHT`): an article using the
nationality ranks above one only naming the country, and one only naming the
country is still found (the stem and the place alternative are unchanged).
An adjective rare enough to keep its exact-form bonus (« burundais » in a
small archive) gets both: the rule was measured so, and the speed rule that
drops the bonus is the backend's business, not known here.
Adjectives whose stem already differs from their place's (« malien » / Mali,
« syrien » / Syrie) keep their forms apart by the stem: nothing is added.

Measured with `python -m bench.relevance_variants --variant nationality-forms-off`
(docs/relevance-history.md, « Long descriptions: a nationality kept apart from its country »).
"""

from __future__ import annotations

from functools import lru_cache

from search.core.french import fold, stem
from search.core.ranking import EXACT_BOOSTS
from search.expansion.families import demonym_adjectives, inflect, place_of
from search.query import Node, Phrase, Term

# The exact-form bonus of a plain word (`ranking.EXACT_BOOSTS`): the own forms
# stand for what that bonus says (« the asker's very word »). Chosen on the even
# lines among 0.3, 0.6 and 1.0 (0.6 and 1.0 alike, 0.3 half the gain).
OWN_FORMS_WEIGHT = EXACT_BOOSTS["text"]


@lru_cache(maxsize=1)
def _conflated_forms() -> dict[str, tuple[str, ...]]:
    """Folded form of a nationality adjective that stems as its single-word
    place → every folded form of that adjective (sorted)."""
    out: dict[str, tuple[str, ...]] = {}
    for adjective in demonym_adjectives():
        place = place_of(adjective)
        if not place or " " in place or stem(fold(adjective)) != stem(fold(place)):
            continue
        forms = tuple(sorted({fold(f).strip() for f in inflect(adjective)}))
        for form in forms:
            out.setdefault(form, forms)
    return out


def own_forms(term: Term) -> tuple[tuple[Node, float], ...]:
    """« français » → each of (français, française, françaises) as an exact
    form (a one-word phrase), at OWN_FORMS_WEIGHT; () for any other word."""
    forms = _conflated_forms().get(fold(term.text).strip(), ())
    return tuple((Phrase(form), OWN_FORMS_WEIGHT) for form in forms)
