"""No dead ends: a query that finds nothing is relaxed step by step.

A word that no article holds is most often misspelt: the query is then
searched with the corpus's closest frequent spelling instead, when that finds
at least as much (`Searcher._corrected`). An empty page teaches a reader
nothing: was the word misspelt, is the phrase written otherwise, is the
acronym one the archive never uses? Each step below loosens the query a
little more, and the first that finds something is what the reader sees, with
a message saying so (« Aucun résultat pour … ; résultats pour … ») and the
original query one click away:

1. `corrected`: words the corpus does not know replaced by their closest
   frequent spelling (the « did you mean » suggestion of the backend);
2. `any_word`: explicit AND, required words (+) and exact phrases read as
   juxtaposed words — articles holding most of them first;
3. `fuzzy`: every remaining word also matched one or two letters off.

Nothing here knows a backend: it rewrites the query tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from search.core.french import STOP_WORDS, fold, stem
from search.query import And, Node, Not, Or, Phrase, QueryError, Term, Words, parse, to_text

STEPS = ("corrected", "any_word", "fuzzy")
MIN_FUZZY_LETTERS = 4  # shorter words a letter off are other words


def relaxations(node: Node | None, suggestion: str | None) -> Iterator[tuple[str, Node]]:
    """(step, looser tree) in order, each different from the ones before."""
    if node is None:
        return
    seen = {to_text(node)}
    current = node
    if suggestion:
        corrected = corrections(node, suggestion)
        if corrected is not None and to_text(corrected) not in seen:
            seen.add(to_text(corrected))
            current = corrected
            yield "corrected", corrected
    for step, rewrite in (("any_word", any_word), ("fuzzy", fuzzy)):
        looser = rewrite(current)
        if looser is not None and to_text(looser) not in seen:
            seen.add(to_text(looser))
            current = looser
            yield step, looser


def corrections(node: Node, suggestion: str) -> Node | None:
    """The typed tree with the suggested spellings that look like corrections of
    a typo; None when none does.

    A suggestion is kept for a word that is not a function word (those are in no
    index: « dans » is not a misspelt « danse »), that keeps its first letter
    (typos rarely hit it: « Fiyon » is not « yon ») and whose stem it changes
    (« québécoises » already finds « québécoise »).
    """
    try:
        suggested = parse(suggestion)
    except QueryError:
        return None
    changed = False

    def merge(typed: Node, fixed: Node | None) -> Node:
        nonlocal changed
        if type(typed) is not type(fixed):
            return typed
        if isinstance(typed, Term) and isinstance(fixed, Term):
            if typed.text != fixed.text and _is_correction(typed.text, fixed.text):
                changed = True
                return replace(typed, text=fixed.text)
            return typed
        if isinstance(typed, Not) and isinstance(fixed, Not):
            return Not(merge(typed.item, fixed.item))
        if isinstance(typed, Words | And | Or) and isinstance(fixed, Words | And | Or):
            if len(typed.items) != len(fixed.items):
                return typed
            return type(typed)(
                tuple(merge(a, b) for a, b in zip(typed.items, fixed.items, strict=True))
            )
        return typed

    merged = merge(node, suggested)
    return merged if changed else None


def _is_correction(typed: str, fixed: str) -> bool:
    word, better = _fold(typed), _fold(fixed)
    if word in STOP_WORDS or not word or not better or word[0] != better[0]:
        return False
    return stem(word) != stem(better)


def _fold(text: str) -> str:
    return fold(text).strip("'’-")


def any_word(node: Node) -> Node | None:
    """AND and phrases as juxtaposed words: any of them may match, all rank first."""
    if isinstance(node, Phrase):
        words = tuple(Term(w, node.field) for w in node.text.split())
        return words[0] if len(words) == 1 else Words(words)
    if isinstance(node, And | Words):
        items = tuple(i for i in (any_word(i) for i in node.items) if i is not None)
        return Words(items) if len(items) > 1 else (items[0] if items else None)
    if isinstance(node, Or):
        return Or(tuple(i for i in (any_word(i) for i in node.items) if i is not None))
    return node  # a word, or an exclusion: kept as typed


def fuzzy(node: Node) -> Node:
    """Every plain word of four letters or more also one or two letters off."""
    if isinstance(node, Term):
        long_enough = sum(c.isalnum() for c in node.text) >= MIN_FUZZY_LETTERS
        if long_enough and not node.prefix and "-" not in node.text:
            return replace(node, fuzzy=True)
        return node
    if isinstance(node, Not):
        return node  # an exclusion stays exact
    if isinstance(node, Phrase):
        return node
    return type(node)(tuple(fuzzy(i) for i in node.items))


def message(original: str, relaxed: str, found_any: bool = False) -> str:
    """What the page, the API and the CLI say above relaxed results. `found_any`:
    the typed query found articles, but a word of it is in none of them."""
    if found_any:
        return (
            f"Un mot de « {original} » ne figure dans aucun article ; résultats pour « {relaxed} »"
        )
    return f"Aucun résultat pour « {original} » ; résultats pour « {relaxed} »"
