"""A query typed as a question: the words that ask, not what is asked about.

« pourquoi Christiane Taubira a-t-elle démissionné ? » is about Taubira and a
resignation; « pourquoi » and « a-t-elle » are how French asks. Kept as terms,
they rank articles that happen to use them (« Pourquoi… » in a headline, any
« a-t-elle ») beside the subject. So, among juxtaposed words (never under a
field, in a phrase or an explicit AND/OR the asker wrote), are dropped:

- interrogative words (`QUESTION_WORDS`: pourquoi, combien, comment, quand,
  quel…), which the stop list keeps because they are content words in a text
  (« le comment et le pourquoi »);
- inverted-subject compounds, every part a stop word or the euphonic « t »
  (« est-il », « a-t-elle », « s'agit-il » keeps « agit »: only whole
  function-word compounds go).

A query made of such words only is left as typed: the asker may mean them.
"""

from __future__ import annotations

from search.core.french import COMPOUND_SPLIT, STOP_WORDS, fold, strip_elision
from search.query import Node, Term, Words

QUESTION_WORDS = frozenset(
    ["pourquoi", "combien", "comment", "quand", "quel", "quelle", "quels", "quelles"]
)
EUPHONIC_T = "t"  # « a-t-il »


def is_question_word(term: Term) -> bool:
    """An interrogative word, or a compound of function words only, typed plain."""
    if term.field or term.prefix or term.fuzzy:
        return False
    word = fold(strip_elision(term.text))
    if word in QUESTION_WORDS:
        return True
    parts = [p for p in COMPOUND_SPLIT.split(word) if p]
    return len(parts) > 1 and all(p in STOP_WORDS or p == EUPHONIC_T for p in parts)


def without_question_words(node: Node | None) -> Node | None:
    """The query with the asking words of its top-level word list dropped."""
    if not isinstance(node, Words):
        return node
    kept = tuple(i for i in node.items if not (isinstance(i, Term) and is_question_word(i)))
    if not kept or len(kept) == len(node.items):
        return node
    return kept[0] if len(kept) == 1 else Words(kept)
