"""« Vouliez-vous dire … ? » — spelling suggestions drawn from the corpus's own words.

A trigram index over the folded, unstemmed vocabulary (the words articles
really contain, not stems). Candidates share trigrams with the typed word;
they are ranked by edit similarity, then by how many articles use them. This
catches insertions and omissions that a fixed edit distance of 2 misses
(`goverment` → `gouvernement` is three edits apart).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class SpellingIndex:
    def __init__(self, vocabulary: Iterable[tuple[str, int]], min_df: int = 2) -> None:
        self.df: dict[str, int] = {}
        self.grams: dict[str, list[str]] = defaultdict(list)
        for word, df in vocabulary:
            self.df[word] = df
            if df < min_df or not word.isalpha() or len(word) < 3:
                continue  # known, but too rare or odd to be offered as a correction
            for g in _trigrams(word):
                self.grams[g].append(word)

    def frequency(self, word: str) -> int:
        return self.df.get(word, 0)

    def suggest(self, word: str, min_similarity: float = 0.72) -> str | None:
        """The corpus word closest to `word`, or None if nothing is close enough."""
        if len(word) < 4 or not word.isalpha():
            return None
        grams = _trigrams(word)
        shared: dict[str, int] = defaultdict(int)
        for g in grams:
            for candidate in self.grams.get(g, ()):
                shared[candidate] += 1
        own = self.df.get(word, 0)
        best, best_key = None, None
        for candidate, n in shared.items():
            if candidate == word or n < max(2, len(grams) // 3):
                continue
            if abs(len(candidate) - len(word)) > 4:
                continue
            if self.df[candidate] < max(2, 10 * own):
                continue  # only suggest words far more common than what was typed
            similarity = SequenceMatcher(None, word, candidate).ratio()
            if similarity < min_similarity:
                continue
            key = (similarity, self.df[candidate])
            if best_key is None or key > best_key:
                best, best_key = candidate, key
        return best
