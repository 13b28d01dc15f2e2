"""Which words of a name's other spelling are marked in snippets.

A query for `Tinzawaten` also finds « Tin Zaouatine » (a gazetteer alias). The
snippet must mark the name whole: marking only « Zaouatine » tells the reader a
different word matched. Short words were left out so that the grammar inside a
long name (« Conseil de sécurité ») is not marked everywhere in the text; the
grammar is the stop words, so a short word that is not one (« Tin », « Ban »,
« Kim ») is part of the name and is marked.
"""

from __future__ import annotations

from search.core.french import STOP_WORDS as FRENCH_STOP_WORDS


def marked_alias_words(words: list[str]) -> list[str]:
    """The folded words of an alias worth marking: no stop word, none under three letters."""
    return [w for w in words if len(w) > 3 or (len(w) == 3 and w not in FRENCH_STOP_WORDS)]
