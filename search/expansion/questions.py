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

A verb asked with its subject after it (« pourquoi les gilets jaunes
manifestent-ils ? », « démissionne-t-elle ») is searched as the verb alone
(`asked_verb`): kept whole, the compound is a word no article writes, which
the window bonus (search.proximity) then weighs as the query's rarest word,
shrinking every article's share.
"""

from __future__ import annotations

from search.core.french import COMPOUND_SPLIT, STOP_WORDS, fold, strip_elision
from search.query import Node, Term, Words

QUESTION_WORDS = frozenset(
    ["pourquoi", "combien", "comment", "quand", "quel", "quelle", "quels", "quelles"]
)
EUPHONIC_T = "t"  # « a-t-il »
# The subject a question puts after its verb (« manifestent-ils », « dit-on »).
SUBJECT_PRONOUNS = frozenset(["je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles"])


def is_question_word(term: Term) -> bool:
    """An interrogative word, or a compound of function words only, typed plain."""
    if term.field or term.prefix or term.fuzzy:
        return False
    word = fold(strip_elision(term.text))
    if word in QUESTION_WORDS:
        return True
    parts = [p for p in COMPOUND_SPLIT.split(word) if p]
    return len(parts) > 1 and all(p in STOP_WORDS or p == EUPHONIC_T for p in parts)


def asked_verb(term: Term) -> Term | None:
    """« manifestent-ils » → « manifestent », « démissionne-t-elle » →
    « démissionne »: a typed word followed by its subject pronoun (and the
    euphonic « t »), as the word alone; None for any other word, and for a
    compound of function words only (`is_question_word` drops those)."""
    if term.field or term.prefix or term.fuzzy:
        return None
    parts = term.text.split("-")
    if len(parts) < 2 or fold(parts[-1]) not in SUBJECT_PRONOUNS:
        return None
    kept = parts[:-1]
    if kept and fold(kept[-1]) == EUPHONIC_T:
        kept = kept[:-1]
    if not kept or all(fold(strip_elision(p)) in STOP_WORDS for p in kept):
        return None
    return Term("-".join(kept))


def without_question_words(node: Node | None) -> Node | None:
    """The query with the asking words of its top-level word list dropped, and
    its verbs asked with their subject after them read as the verbs alone."""
    if not isinstance(node, Words):
        return node
    kept = tuple(
        (asked_verb(i) or i) if isinstance(i, Term) else i
        for i in node.items
        if not (isinstance(i, Term) and is_question_word(i))
    )
    if not kept or kept == node.items:
        return node
    return kept[0] if len(kept) == 1 else Words(kept)
