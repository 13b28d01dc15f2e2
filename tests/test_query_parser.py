"""The query language as a journalist types it: operators, fields, phrases,
wildcards, and every kind of malformed input answered cleanly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import (
    FIELDS,
    MAX_DEPTH,
    And,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    Words,
    parse,
    terms_of,
    to_text,
)


def t(text: str, field: str | None = None, **flags: bool) -> Term:
    return Term(text, field=field, **flags)


# --- words -------------------------------------------------------------------


def test_blank_query_is_none() -> None:
    assert parse("") is None
    assert parse(" \t\n ") is None


def test_single_word_is_a_term() -> None:
    assert parse("Mali") == t("Mali")


def test_juxtaposed_words_are_words_in_order() -> None:
    assert parse("armée malienne Kidal") == Words((t("armée"), t("malienne"), t("Kidal")))


def test_apostrophes_and_hyphens_stay_inside_words() -> None:
    assert parse("l'armée Al-Qaïda jusqu’au") == Words((t("l'armée"), t("Al-Qaïda"), t("jusqu’au")))


def test_punctuation_separates_words_without_error() -> None:
    assert parse("Mali, Niger; Tchad! Soudan? Libye… [l'armée].") == Words(
        (t("Mali"), t("Niger"), t("Tchad"), t("Soudan"), t("Libye"), t("l'armée"))
    )


def test_control_characters_and_symbols_are_separators() -> None:
    assert parse("a\x00b\tc\u200bd 😀 € e") == Words((t("a"), t("b"), t("c"), t("d"), t("e")))


def test_words_inside_keep_their_punctuation_for_the_analyser() -> None:
    assert parse("12:30 lemonde.fr #MeToo Canal+") == Words(
        (t("12:30"), t("lemonde.fr"), t("#MeToo"), t("Canal+"))
    )


def test_lower_case_et_ou_are_words_not_operators() -> None:
    assert parse("Mali et Niger ou Tchad") == Words(
        (t("Mali"), t("et"), t("Niger"), t("ou"), t("Tchad"))
    )


# --- phrases -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"état d\'urgence"',
        "« état d'urgence »",
        "«état d'urgence»",
        "“état d'urgence”",
        "„état d'urgence“",
    ],
)
def test_straight_quotes_and_guillemets_make_a_phrase(query: str) -> None:
    assert parse(query) == Phrase("état d'urgence")


def test_phrase_spaces_and_control_characters_are_squeezed() -> None:
    assert parse('"  état \n\t d\'urgence "') == Phrase("état d'urgence")


def test_phrase_among_words() -> None:
    assert parse('Mali "état d\'urgence" Niger') == Words(
        (t("Mali"), Phrase("état d'urgence"), t("Niger"))
    )


def test_operators_inside_a_phrase_are_words() -> None:
    assert parse('"guerre OR paix (NOT) titre:x"') == Phrase("guerre OR paix (NOT) titre:x")


def test_straight_quote_inside_guillemets_is_text() -> None:
    assert parse('« il a dit "non" »') == Phrase('il a dit "non"')


def test_phrase_proximity_suffix_is_ignored() -> None:
    assert parse('"armée malienne"~3 Kidal') == Words((Phrase("armée malienne"), t("Kidal")))


# --- operators and precedence ------------------------------------------------


@pytest.mark.parametrize("operator", ["AND", "ET"])
def test_and_and_et_make_and(operator: str) -> None:
    assert parse(f"Mali {operator} Niger") == And((t("Mali"), t("Niger")))


@pytest.mark.parametrize("operator", ["OR", "OU"])
def test_or_and_ou_make_or(operator: str) -> None:
    assert parse(f"Mali {operator} Niger") == Or((t("Mali"), t("Niger")))


@pytest.mark.parametrize("operator", ["NOT", "SAUF"])
def test_not_and_sauf_exclude_within_words(operator: str) -> None:
    assert parse(f"Mali {operator} Niger") == Words((t("Mali"), Not(t("Niger"))))


def test_minus_word_excludes() -> None:
    assert parse("Mali -Niger") == Words((t("Mali"), Not(t("Niger"))))


def test_minus_phrase_and_minus_group_exclude() -> None:
    assert parse('Mali -"coup d\'État" -(Niger OR Tchad)') == Words(
        (t("Mali"), Not(Phrase("coup d'État")), Not(Or((t("Niger"), t("Tchad")))))
    )


def test_only_negative_query_is_a_bare_not() -> None:
    assert parse("-Niger") == Not(t("Niger"))
    assert parse("NOT Niger") == Not(t("Niger"))


def test_plus_word_is_anded_with_the_rest() -> None:
    assert parse("armée +Mali Kidal") == And((t("Mali"), Words((t("armée"), t("Kidal")))))
    assert parse("+Mali +Niger") == And((t("Mali"), t("Niger")))


def test_and_binds_tighter_than_or() -> None:
    assert parse("a AND b OR c") == Or((And((t("a"), t("b"))), t("c")))
    assert parse("a OR b AND c") == Or((t("a"), And((t("b"), t("c")))))


def test_or_binds_tighter_than_juxtaposition() -> None:
    assert parse("armée Mali OR Niger") == Words((t("armée"), Or((t("Mali"), t("Niger")))))


def test_not_binds_tighter_than_and() -> None:
    assert parse("a AND NOT b OR c") == Or((And((t("a"), Not(t("b")))), t("c")))


def test_parentheses_override_precedence() -> None:
    assert parse("(a OR b) AND c") == And((Or((t("a"), t("b"))), t("c")))
    assert parse("(a b) (c d)") == Words((Words((t("a"), t("b"))), Words((t("c"), t("d")))))


def test_chained_or_and_nested_or_are_flattened() -> None:
    assert parse("a OR (b OR c) OR d") == Or((t("a"), t("b"), t("c"), t("d")))


def test_double_negation_cancels() -> None:
    assert parse("NOT NOT Mali") == t("Mali")
    assert parse("-(-Mali)") == t("Mali")


def test_operator_words_after_a_sign_or_field_are_plain_words() -> None:
    assert parse("-NOT") == Not(t("NOT"))
    assert parse("titre:OU") == t("OU", "title")


# --- fields ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "field"),
    [
        ("titre", "title"),
        ("title", "title"),
        ("section", "headings"),
        ("intertitre", "headings"),
        ("personne", "person"),
        ("person", "person"),
        ("qui", "person"),
        ("org", "org"),
        ("organisation", "org"),
        ("lieu", "place"),
        ("place", "place"),
        ("où", "place"),
        ("ou", "place"),
        ("source", "source"),
    ],
)
def test_every_field_prefix_maps_to_its_field(prefix: str, field: str) -> None:
    assert field in FIELDS
    assert parse(f"{prefix}:Kidal") == t("Kidal", field)


@pytest.mark.parametrize("prefix", ["TITRE", "Titre", "OÙ", "Où", "Intertitre"])
def test_field_prefix_ignores_case_and_accents(prefix: str) -> None:
    assert parse(f"{prefix}:Kidal").field in ("title", "place", "headings")


def test_field_applies_to_a_phrase() -> None:
    assert parse('titre:"état d\'urgence"') == Phrase("état d'urgence", field="title")


def test_field_applies_to_everything_in_a_group() -> None:
    assert parse('lieu:(Kidal OR "Tin Zaouatine")') == Or(
        (t("Kidal", "place"), Phrase("Tin Zaouatine", field="place"))
    )


def test_inner_field_wins_over_the_group_field() -> None:
    assert parse("titre:(Mali personne:Goïta)") == Words((t("Mali", "title"), t("Goïta", "person")))


def test_field_with_space_after_colon_applies_to_next_word() -> None:
    assert parse("personne: Macron") == t("Macron", "person")


def test_negated_field_either_order() -> None:
    assert parse("-titre:Mali") == Not(t("Mali", "title"))
    assert parse("titre:-Mali") == Not(t("Mali", "title"))


@pytest.mark.parametrize("query", ["http://lemonde.fr", "12:30", "Mali:Kidal"])
def test_unknown_prefix_is_part_of_the_word(query: str) -> None:
    assert parse(query) == t(query)


def test_colon_after_a_plain_word_is_punctuation() -> None:
    assert parse("Mali : l'armée") == Words((t("Mali"), t("l'armée")))


# --- prefix* and fuzzy~ -------------------------------------------------------


def test_star_suffix_is_a_prefix_term() -> None:
    assert parse("sécur*") == t("sécur", prefix=True)
    assert parse("titre:sécur*") == t("sécur", "title", prefix=True)


def test_tilde_suffix_is_a_fuzzy_term_with_or_without_distance() -> None:
    assert parse("Poutine~") == t("Poutine", fuzzy=True)
    assert parse("Poutine~1") == t("Poutine", fuzzy=True)
    assert parse("Poutine~2") == t("Poutine", fuzzy=True)


def test_prefix_wins_over_fuzzy_on_one_word() -> None:
    assert parse("sécur*~") == t("sécur", prefix=True)


# --- malformed input: read as meant ----------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("armée AND", t("armée")),
        ("OR mali", t("mali")),
        ("NOT", None),
        ("SAUF", None),
        ("AND OR", None),
        ("Mali NOT", t("Mali")),
        ("a AND AND b", And((t("a"), t("b")))),
        ("a OR OR b", Or((t("a"), t("b")))),
        ("()", None),
        ("( ) Mali", t("Mali")),
        ('""', None),
        ('Mali ""', t("Mali")),
        ("« »", None),
        ('"armée malienne', Phrase("armée malienne")),
        ('Mali "', t("Mali")),
        ("(Mali OR Niger", Or((t("Mali"), t("Niger")))),
        ("((Mali", t("Mali")),
        ("Mali) Niger", Words((t("Mali"), t("Niger")))),
        (")))", None),
        ("- Mali", t("Mali")),
        ("Mali - Niger", Words((t("Mali"), t("Niger")))),
        ("--Mali", Not(t("Mali"))),
        ("+", None),
        ("Mali »", t("Mali")),
        ("(AND Mali)", t("Mali")),
        ("Mali AND )", t("Mali")),
        ("(Mali OR)", t("Mali")),
        ("-", None),
        ("~", None),
        ("...", None),
        ("Mali\x00\x1b[31m", Words((t("Mali"), t("31m")))),
        ("Mali~~", t("Mali", fuzzy=True)),
        ("l'armée.", t("l'armée")),
    ],
)
def test_malformed_query_is_read_as_meant(query: str, expected: object) -> None:
    assert parse(query) == expected


# --- malformed input: errors with a French message and a column ----------------


@pytest.mark.parametrize(
    ("query", "fragment", "position"),
    [
        ("personne:", "le champ « personne: » est vide", 0),
        ("Mali titre:", "le champ « titre: » est vide", 5),
        ("lieu: AND Mali", "le champ « lieu: » est vide", 0),
        ("titre:()", "le champ « titre: » est vide", 0),
        ('source:""', "le champ « source: » est vide", 0),
        ("(org:)", "le champ « org: » est vide", 1),
        ("*", "« * » seul", 0),
        ("Mali *", "« * » seul", 5),
        ("s*", "au moins 2 lettres", 0),
        ("l'a*", "au moins 2 lettres", 0),
        ("ma*li", "fin de mot", 2),
        ("*mali", "fin de mot", 0),
        ("a~b", "« ~ »", 1),
        ("a AND OR b", "« AND » suivi de « OR »", 6),
        ("a OU ET b", "« OR » suivi de « AND »", 5),
        ("(" * (MAX_DEPTH + 1) + "Mali", "parenthèses imbriquées", MAX_DEPTH),
    ],
)
def test_unreadable_query_raises_query_error_with_french_message_and_column(
    query: str, fragment: str, position: int
) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert fragment in caught.value.message
    assert caught.value.position == position


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert parse("(" * MAX_DEPTH + "Mali" + ")" * MAX_DEPTH) == t("Mali")


def test_too_many_terms_is_an_error_at_the_first_extra_term() -> None:
    with pytest.raises(QueryError) as caught:
        parse("mot " * 5, max_terms=4)
    assert caught.value.message.startswith("trop de termes")
    assert caught.value.position == 16
    assert parse("mot " * 4, max_terms=4) is not None


def test_too_long_query_is_an_error() -> None:
    with pytest.raises(QueryError) as caught:
        parse("a" * 11, max_length=10)
    assert "trop longue" in caught.value.message
    assert parse("a" * 10, max_length=10) == t("a" * 10)


def test_long_chain_of_negations_does_not_recurse() -> None:
    assert parse("NOT " * 5000 + "Mali", max_length=50_000) == t("Mali")


# --- nodes, to_text, terms_of ---------------------------------------------------


def test_nodes_are_hashable_and_equal_by_value() -> None:
    query = 'titre:(Mali OR "Tin Zaouatine") -Niger +armée sécur* Poutine~'
    assert hash(parse(query)) == hash(parse(query))
    assert len({parse(query), parse(query)}) == 1


def test_to_text_is_canonical() -> None:
    node = parse("TITRE:(Mali OU « Tin Zaouatine ») SAUF Niger +armée sécur* Poutine~2")
    assert to_text(node) == (
        'armée AND ((title:Mali OR title:"Tin Zaouatine") -Niger sécur* Poutine~)'
    )
    assert to_text(None) == ""


def test_to_text_reads_back_to_the_same_tree() -> None:
    node = parse('« il a dit "non" » a b OR c AND -(d e) lieu:12:30')
    assert parse(to_text(node)) == node


def test_terms_of_lists_positive_words_and_phrases_once() -> None:
    node = parse('Mali "état d\'urgence" -Niger NOT (Tchad OR Libye) mali* Mali -(-Kidal)')
    assert terms_of(node) == ["Mali", "état d'urgence", "mali", "Kidal"]
    assert terms_of(None) == []


# --- properties -----------------------------------------------------------------

_SYNTAX = st.sampled_from(
    [
        " ",
        "  ",
        "(",
        ")",
        '"',
        "«",
        "»",
        "“",
        "”",
        "„",
        "-",
        "+",
        "*",
        "~",
        "~2",
        ":",
        "'",
        "’",
        "AND",
        "OR",
        "NOT",
        "ET",
        "OU",
        "SAUF",
        " AND ",
        " OR ",
        " NOT ",
        "titre:",
        "personne:",
        "où:",
        "lieu:",
        "source:",
        "http:",
        "12:30",
        "\x00",
        "\n",
        "\t",
        "\u200b",
        "\ud800",
        "Mali",
        "l'armée",
        "Al-Qaïda",
        "sécur*",
        "a",
    ]
)
_QUERY_TEXT = st.lists(st.one_of(_SYNTAX, st.text(max_size=4)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_QUERY_TEXT.filter(lambda text: len(text) <= 1000))
def test_any_text_gives_a_tree_none_or_query_error(text: str) -> None:
    try:
        node = parse(text)
    except QueryError as error:
        assert error.message
        assert error.position is None or 0 <= error.position <= len(text)
        return
    assert node is None or isinstance(node, Term | Phrase | Words | And | Or | Not)
    hash(node)


@settings(max_examples=300, deadline=None)
@given(_QUERY_TEXT)
def test_to_text_of_any_parsed_query_reads_back_the_same(text: str) -> None:
    try:
        node = parse(text, max_length=10_000)
    except QueryError:
        return
    assert parse(to_text(node), max_length=100_000, max_terms=10_000) == node


@settings(max_examples=200, deadline=None)
@given(_QUERY_TEXT)
def test_leaves_never_hold_empty_text_or_unknown_fields(text: str) -> None:
    try:
        node = parse(text, max_length=10_000)
    except QueryError:
        return
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, Term | Phrase):
            assert any(c.isalnum() for c in current.text)
            assert current.field is None or current.field in FIELDS
        elif isinstance(current, Not):
            stack.append(current.item)
        else:
            assert len(current.items) >= 2
            stack.extend(current.items)
