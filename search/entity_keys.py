"""Entity names as index terms: one key per real-world entity, whatever its spelling.

A query naming an entity used to become one phrase query per gazetteer alias
(« État islamique » → « EI », « Daech », « Daesh », « ISIS »… a dozen phrases,
each matched over word positions by pure-Python matchers: up to 2 s at
100,000 articles). Instead, every alias the gazetteer finds in an article's
text, and every entity the NER step attached to it, is indexed once per
mention as its entity key (the folded canonical name), so a query naming the
entity in any spelling is one term lookup. Phrases over positions remain for
what the user quotes.

Backend-neutral: the backends store and look up the keys; this module says
which keys an article holds and which key a query name stands for.
"""

from __future__ import annotations

import re

from search.article import Article
from search.gazetteer import Gazetteer, GazetteerEntry, _case_allows, fold, match_key

ENTITY_KEY_FIELD = "entkeys"
_WORD = re.compile(r"[^\W_]+")


def entity_key(canonical: str) -> str:
    """The key of an entity: its canonical name folded, comma-free (keyword fields
    split on commas), spaces normalised — the same form facets use."""
    return " ".join(fold(canonical).replace(",", " ").split())


_FOLD_CACHE = 500_000  # distinct written words kept folded (a 100k-article corpus has ≈ 300k)


class EntityScanner:
    """Finds a gazetteer's names in running text, word by word.

    `Gazetteer.find` runs one regular expression of every alias over a text
    folded character by character (≈ 4 ms an article: 7 minutes at 100,000
    articles); looking up runs of folded words in a table of the aliases' word
    tuples, only from words that start some alias, finds the same names
    (same case rule: acronyms in capitals, names capitalised) in ≈ 0.1 ms.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._folded: dict[str, str] = {}  # written word → folded, the corpus's vocabulary
        self.forms: dict[tuple[str, ...], tuple[list[str], GazetteerEntry]] = {}
        for entry in gazetteer.entries:
            for form in entry.forms:
                self._add(form, form, entry)
                # « Canard enchaîné » is written without its article as often as with it.
                bare = re.sub(r"^(?:(?:le|la|les)\s+|l['\u2019])", "", form, flags=re.I)
                if bare != form and len(_WORD.findall(bare)) > 1:
                    self._add(bare, bare, entry)
        # For each word that starts a name, the word counts of its names, longest first.
        self.lengths: dict[str, list[int]] = {}
        for words in self.forms:
            self.lengths.setdefault(words[0], []).append(len(words))
        for word, counts in self.lengths.items():
            self.lengths[word] = sorted(set(counts), reverse=True)

    def _add(self, form: str, written: str, entry: GazetteerEntry) -> None:
        words = tuple(fold(w) for w in _WORD.findall(form))
        if not words:
            return
        spelled, owner = self.forms.setdefault(words, ([], entry))
        if owner is entry or match_key(form) == match_key(owner.canonical):
            spelled.append(written)

    def _fold(self, word: str) -> str:
        self._folded[word] = folded = fold(word)
        return folded

    def keys(self, text: str) -> list[str]:
        """The entity key of every name written in `text`, once per mention."""
        written_words = _WORD.findall(text)
        folded = self._folded
        if len(folded) > _FOLD_CACHE:
            folded.clear()
        words = [folded.get(w) or self._fold(w) for w in written_words]
        found: list[str] = []
        lengths = self.lengths
        covered = 0  # words before this index are part of a name already found
        for i in [i for i, w in enumerate(words) if w in lengths]:
            if i < covered:
                continue
            for n in lengths[words[i]]:
                if i + n > len(words):
                    continue
                hit = self.forms.get(tuple(words[i : i + n]))
                if hit is not None and any(
                    _case_allows(a, " ".join(written_words[i : i + n])) for a in hit[0]
                ):
                    found.append(entity_key(hit[1].canonical))
                    covered = i + n
                    break
        return found


def article_entity_keys(article: Article, scanner: EntityScanner | None) -> list[str]:
    """One key per mention: the gazetteer's names found in the article's text
    (title, headings, body), and the entities already attached to it (NER, or the
    gazetteer step of NER). Repeated keys are kept: a name mentioned often ranks
    the article higher, as a repeated word does."""
    keys: list[str] = []
    if scanner is not None:
        for part in (article.title, *article.headings, article.body):
            if part:
                keys.extend(scanner.keys(part))
    seen = set(keys)
    keys.extend(sorted({entity_key(e.canonical) for e in article.entities} - seen))
    return [k for k in keys if k]


def query_entity_key(forms: tuple[str, ...] | list[str]) -> str:
    """The key a query name stands for: `forms` are the gazetteer entry's
    spellings, canonical first (see `search.names.NameRun`)."""
    return entity_key(forms[0]) if forms else ""
