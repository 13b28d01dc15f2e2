"""Proper names, backend-neutral: the two rules that let a name typed one way
find it written another way.

- `name_keys(article)`: the transliteration keys (`search.variants.name_key`)
  of an article's names, indexed beside its words — `Tinzawaten` and « Tin
  Zaouatine » share a key.
- `with_names(items, gazetteer)`: in a query's word list, each longest run of
  plain words that spells a gazetteer entry, marked as a `NameRun` with every
  spelling of that entry — `Vladimir Putin` also looks for « Vladimir Poutine ».
- `canonical_filters(filters, gazetteer)`: filter values written as an alias
  (`org=ONU`, `place=Tinzawaten`) turned into the canonical name facets hold.

Every backend applies both, so they rank names alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from search.article import Article
from search.core.french import is_stop_word
from search.core.model import Filters
from search.expansion.acronyms import only_acronyms_spell, typed_as_acronym
from search.expansion.transliteration import transliterated_forms
from search.gazetteer import Gazetteer
from search.gazetteer import fold as fold_name
from search.query import Node, Term
from search.variants import name_key

MAX_NAME_WORDS = 6  # longest run of words looked up in the gazetteer


@dataclass(frozen=True)
class NameRun:
    """Consecutive query words that spell a known name, and all its spellings."""

    words: tuple[Term, ...]
    forms: tuple[str, ...]  # canonical first, then the aliases


def name_keys(article: Article) -> set[str]:
    """Keys of the article's proper names: entity texts, canonical forms and their
    capitalised words, hashtags. Commas are removed (keyword fields split on them)."""
    keys: set[str] = set()
    for e in article.entities:
        if e.type in ("PER", "LOC", "ORG"):
            keys.add(name_key(e.text))
            keys.add(name_key(e.canonical))
            for part in e.text.split():
                if part[:1].isupper() and len(part) > 3:
                    keys.add(name_key(part))
    for h in article.hashtags:
        keys.add(name_key(h))
    keys.discard("")
    return {k.replace(",", "") for k in keys}


def is_plain_word(node: object) -> bool:
    """A word that may be part of a name: typed as such, without field, prefix or fuzz."""
    return isinstance(node, Term) and node.field is None and not (node.prefix or node.fuzzy)


def with_names(items: Iterable[Node], gazetteer: Gazetteer | None) -> list[Node | NameRun]:
    """`items`, with each longest run of plain words spelling a gazetteer entry
    replaced by a `NameRun`."""
    items = list(items)
    if gazetteer is None:
        return items
    out: list[Node | NameRun] = []
    i = 0
    while i < len(items):
        run = 0
        while i + run < len(items) and run < MAX_NAME_WORDS and is_plain_word(items[i + run]):
            run += 1
        for n in range(run, 0, -1):
            span = tuple(items[i : i + n])
            text = " ".join(t.text for t in span)
            forms = gazetteer.variants(text) if len(text) >= 2 else []
            if not forms:  # « Front al-Nusra » for « Front al-Nosra »
                forms = transliterated_forms(gazetteer, text)
            if forms and gazetteer.only_with_its_article(text):
                forms = []  # « monde » is the world, not « Le Monde »
            if forms and only_acronyms_spell(text, forms):
                # « d'un » is not the UN: an acronym alias needs to be typed as one
                alone = n == 1 and not after_function_word(items, i)
                forms = forms if typed_as_acronym(text, alone=alone) else []
            if forms:
                out.append(NameRun(span, tuple(forms)))
                i += n
                break
        else:
            out.append(items[i])
            i += 1
    return out


def after_function_word(items: list[Node], i: int) -> bool:
    """Whether the item at `i` follows a function word (« le sud », « Corée du
    sud »): a lower-case word after a determiner or a preposition is a common
    noun, not an acronym typed without capitals (an elided one, « l'onu », is
    refused by `typed_as_acronym` for the same reason)."""
    if i == 0:
        return False
    before = items[i - 1]
    return is_plain_word(before) and is_stop_word(before.text)  # type: ignore[union-attr]


def other_forms(words: Iterable[Term], forms: Iterable[str]) -> list[str]:
    """The spellings of a name run other than the one typed (as the gazetteer
    compares names: case, accents, hyphens and spaces aside): those are the
    ones a backend adds as phrases beside the words as typed."""
    typed = fold_name(" ".join(t.text for t in words))
    return [form for form in forms if fold_name(form) != typed]


def canonical_filters(filters: Filters, gazetteer: Gazetteer | None) -> Filters:
    """Person, organisation and place values as the canonical names facets use.

    Entities are filtered by their canonical form; a reader who types the
    acronym or another spelling the gazetteer lists (« ONU », « Tinzawaten »)
    means the same entity. Unknown values, and names of another type, stay as typed.
    """
    if gazetteer is None or filters.is_empty():
        return filters

    def canonical(values: tuple[str, ...], entity_type: str) -> tuple[str, ...]:
        return tuple(gazetteer.canonical(v, entity_type) or v for v in values)

    return replace(
        filters,
        persons=canonical(filters.persons, "PER"),
        orgs=canonical(filters.orgs, "ORG"),
        places=canonical(filters.places, "LOC"),
    )
