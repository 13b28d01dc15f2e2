"""The learnt-lexicon measure (bench.ner_lexicon): each held-out fold is edited
only from what the other folds' gold says, never from its own."""

from __future__ import annotations

from bench.ner_lexicon import edit

# Two folds: articles a0, a2 in fold 0, a1, a3 in fold 1 (article i in fold i mod 2).
TEXTS = {
    "a0": "Twitter a fermé le compte. L'ONU proteste.",
    "a1": "Sur Twitter, l'ONU répond.",
    "a2": "Twitter encore ; l'ONU aussi.",
    "a3": "Twitter et l'ONU, toujours.",
}
GOLD = {
    "a0": {("ORG", "onu")},
    "a1": {("ORG", "onu")},
    "a2": {("ORG", "onu")},
    "a3": {("ORG", "onu"), ("ORG", "twitter")},
}


def test_a_name_the_training_gold_rarely_lists_is_dropped():
    predicted = {i: {("ORG", "twitter"), ("ORG", "onu")} for i in GOLD}
    edited = edit(predicted, GOLD, TEXTS, k=2, drop=0.4, add=None, minimum=2)
    # Fold 0 learns from a1, a3: Twitter listed in 1 of 2 articles (0.5), kept.
    assert ("ORG", "twitter") in edited["a0"] and ("ORG", "twitter") in edited["a2"]
    # Fold 1 learns from a0, a2: Twitter listed in 0 of 2, dropped — a3's own gold,
    # which lists it, is not looked at.
    assert ("ORG", "twitter") not in edited["a1"] and ("ORG", "twitter") not in edited["a3"]
    assert all(("ORG", "onu") in keys for keys in edited.values())


def test_a_name_the_training_gold_always_lists_is_added_where_it_occurs():
    predicted = {i: set() for i in GOLD}
    edited = edit(predicted, GOLD, TEXTS, k=2, drop=None, add=0.9, minimum=2)
    assert all(keys == {("ORG", "onu")} for keys in edited.values())
    # « ONU » is found in « l'ONU ». Twitter is listed once in fold 1's articles:
    # under `minimum`, never added.
    assert edit(predicted, GOLD, TEXTS, k=2, drop=None, add=0.1, minimum=2)["a0"] == {
        ("ORG", "onu")
    }
