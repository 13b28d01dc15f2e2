"""« Vouliez-vous dire … ? » and autocomplete: the rules, whichever engine holds the words.

An engine only answers two questions — which corpus word is closest to this
one (and how many articles use it), which words start with these letters —
and these functions decide the rest the same way for every backend:
which words are checked, when a word counts as misspelt, how the corrected
query reads, what the completions of a half-typed query are and in what order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from search.core.french import is_stop_word
from search.core.model import distinct_suggestions
from search.core.ranking import (
    FEW_RESULTS,
    MAX_AUTOCOMPLETE,
    MAX_CHECKED_TERMS,
    MIN_AUTOCOMPLETE_CHARS,
)
from search.query import And, Node, Not, Or, Phrase, Term, Words, to_text


def checked_terms(node: Node | None) -> list[Term]:
    """Words typed as such (no prefix, no fuzz, no stop word alone), once each, at
    most `MAX_CHECKED_TERMS`: what the spelling suggester checks. Phrases are
    taken as typed."""
    return list(dict.fromkeys(_terms(node)))[:MAX_CHECKED_TERMS]


def _terms(node: Node | None) -> list[Term]:
    if node is None or isinstance(node, Phrase):
        return []
    if isinstance(node, Term):
        plain = not (node.prefix or node.fuzzy or is_stop_word(node.text))
        return [node] if plain else []
    if isinstance(node, Not):
        return _terms(node.item)
    return [t for item in node.items for t in _terms(item)]


def max_frequency_to_correct(total: int) -> int:
    """A word is corrected when no article has it; when fewer than `FEW_RESULTS`
    articles match, also when only one has it (a typo the corpus repeats once)."""
    return 1 if total < FEW_RESULTS else 0


def with_corrections(node: Node, fixes: dict[Term, str]) -> Node:
    """The same tree with misspelt terms replaced."""
    if isinstance(node, Term):
        return replace(node, text=fixes[node]) if node in fixes else node
    if isinstance(node, Not):
        return Not(with_corrections(node.item, fixes))
    if isinstance(node, Words | And | Or):
        return type(node)(tuple(with_corrections(i, fixes) for i in node.items))
    return node


def corrected_query(node: Node | None, correct: Callable[[Term], str | None]) -> str | None:
    """The query text with each checked word `correct` fixes replaced; None if none is.

    `correct(term)` is the engine's answer: a better corpus word, or None."""
    if node is None:
        return None
    fixes: dict[Term, str] = {}
    for term in checked_terms(node):
        better = correct(term)
        if better and better != term.text:
            fixes[term] = better
    return to_text(with_corrections(node, fixes)) if fixes else None


def autocomplete(
    prefix: str,
    limit: int,
    names: Callable[[str, int], list[str]],
    completions: Callable[[str, int], list[str]],
) -> list[str]:
    """What the search box offers for `prefix`: entity names containing a word
    that starts with it (`names(prefix, limit)`), then the query with its last
    word completed by frequent corpus words (`completions(last_word, limit)`),
    each once whatever its case."""
    prefix = " ".join(prefix.split())
    if len(prefix) < MIN_AUTOCOMPLETE_CHARS:
        return []
    limit = max(1, min(limit, MAX_AUTOCOMPLETE))
    out = list(names(prefix, limit))
    head, _, last = prefix.rpartition(" ")
    if last:
        out.extend(f"{head} {word}".strip() for word in completions(last, limit))
    return distinct_suggestions(out, limit)
