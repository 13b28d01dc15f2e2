"""The co-occurrence table measured by `python -m bench.cooccurrence` (issue 14,
item 5c; not adopted): which words it pairs, and which typed words it leaves alone."""

from __future__ import annotations

from bench.cooccurrence_table import (
    COOCCURRENCE_WEIGHT,
    cooccurring_forms,
    table_from_documents,
    table_from_json,
    table_to_json,
)
from search.core.french import analyze


def _archive() -> list[list[str]]:
    """Four earthquake articles among a hundred others about unrelated things."""
    quakes = [analyze("séisme magnitude tsunami victimes") for _ in range(4)]
    others = [analyze(f"budget ministre réforme numéro{i} victimes") for i in range(60)]
    others += [analyze(f"football match équipe numéro{i}") for i in range(40)]
    return quakes + others


def test_a_rare_word_gets_the_words_of_its_articles_and_not_the_common_ones():
    table = table_from_documents(_archive())
    seisme = analyze("séisme")[0]
    assert set(table[seisme]) == set(analyze("magnitude tsunami"))
    # « victimes » stands in most articles: 8× likelier it is not.
    assert analyze("victimes")[0] not in table[seisme]


def test_only_a_lower_case_plain_word_is_expanded():
    table = table_from_documents(_archive())
    assert {w for w, _ in cooccurring_forms("séismes", table)} == set(analyze("magnitude tsunami"))
    assert all(weight == COOCCURRENCE_WEIGHT for _, weight in cooccurring_forms("séisme", table))
    assert cooccurring_forms("Séisme", table) == ()  # typed as a name
    assert cooccurring_forms("SEISME", table) == ()  # typed as an acronym
    assert cooccurring_forms("budget", table) == ()  # too common to have neighbours


def test_the_table_reads_back_as_written_and_a_bad_file_as_empty():
    table = table_from_documents(_archive())
    assert table_from_json(table_to_json(table)) == table
    assert table_from_json("not json") == {}
    assert table_from_json(None) == {}
