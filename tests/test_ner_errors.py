"""bench.ner_errors sorts held-out entity errors by phenomenon: the sorting alone,
on hand-made gold and predictions (folded texts, as the score compares them)."""

from __future__ import annotations

from bench.ner_errors import classify, shape


def kinds(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, str]:
    return {text: kind for kind, text, _ in classify("ORG", gold, predicted)}


def test_each_error_lands_in_its_group():
    gold = {
        "nations unies": "ORG",  # predicted inside a longer name
        "telegram": "ORG",  # predicted MISC
        "fisc": "ORG",  # nothing covers it
        "ministere de la justice": "ORG",  # predicted whole: no error
        "canada": "LOC",
        "hopital de marib": "ORG",  # only the place was marked
    }
    predicted = {
        "conseil de securite des nations unies": "ORG",
        "telegram": "MISC",
        "ministere de la justice": "ORG",
        "canada": "ORG",  # the gold says a place
        "google": "ORG",  # the gold lists nothing of it
        "marib": "LOC",
    }
    assert kinds(gold, predicted) == {
        "nations unies": "FN boundary",
        "telegram": "FN confusion",
        "fisc": "FN missed",
        "hopital de marib": "FN overlap other type",
        "conseil de securite des nations unies": "FP boundary",
        "canada": "FP confusion",
        "google": "FP spurious",
    }


def test_shapes_name_the_kind_of_name():
    assert shape("ONU") == "acronym"
    assert shape("Telegram") == "one word"
    assert shape("ministère de la Justice") == "head «ministere»"
