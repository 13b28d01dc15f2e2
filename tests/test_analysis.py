"""The French analyzer: each rule named by the behaviour a user relies on."""

from search.backends.whoosh.analysis import analyze, exact_analyzer, stemmed_analyzer


def test_query_without_accents_meets_accented_text():
    assert analyze("securite") == analyze("sécurité")
    assert analyze("securite", stemmed=False) == analyze("sécurité", stemmed=False)


def test_elided_article_is_dropped_with_both_apostrophes():
    assert analyze("l'armée") == analyze("armée")
    assert analyze("l’armée") == analyze("armée")
    assert analyze("d'Al-Qaïda")[0] == "al-qaida"


def test_every_french_elision_is_removed():
    for prefix in [
        "l'",
        "d'",
        "j'",
        "m'",
        "n'",
        "s'",
        "t'",
        "c'",
        "qu'",
        "jusqu'",
        "lorsqu'",
        "puisqu'",
    ]:
        assert analyze(prefix + "attaque", stemmed=False) == ["attaque"], prefix


def test_apostrophe_inside_a_word_is_not_an_elision():
    assert "aujourd'hui" in analyze("aujourd'hui", stemmed=False)


def test_hyphenated_name_is_searchable_whole_and_by_part():
    terms = analyze("Al-Qaïda", stemmed=False)
    assert terms == ["al-qaida", "al", "qaida"]
    # "al qaida" typed as two words reaches the same parts
    assert analyze("al qaida", stemmed=False) == ["al", "qaida"]


def test_hyphenated_parts_sit_at_consecutive_positions_for_phrases():
    tokens = [
        (t.text, t.pos) for t in exact_analyzer()("l'attaque d'Al-Qaïda hier", positions=True)
    ]
    assert tokens == [("attaque", 0), ("al-qaida", 1), ("al", 1), ("qaida", 2), ("hier", 3)]


def test_ligature_is_folded():
    assert analyze("œuvre", stemmed=False) == ["oeuvre"]
    assert analyze("Œuvre") == analyze("oeuvre")


def test_plural_and_singular_share_a_stem():
    assert analyze("attaques") == analyze("attaque")
    assert analyze("élections") == analyze("election")


def test_exact_variant_keeps_inflection():
    assert analyze("attaques", stemmed=False) != analyze("attaque", stemmed=False)
    assert analyze("forces armées", stemmed=False) == ["forces", "armees"]


def test_stop_words_are_dropped_even_when_accented():
    assert analyze("le la les des été à", stemmed=False) == []


def test_character_offsets_point_at_the_word_as_written():
    text = "Contre l'armée d'Al-Qaïda"
    for t in stemmed_analyzer()(text, chars=True):
        written = text[t.startchar : t.endchar]
        assert "'" not in written
        assert written.lower().startswith(written.lower()[:2])
    offsets = [(text[t.startchar : t.endchar]) for t in stemmed_analyzer()(text, chars=True)]
    assert offsets == ["Contre", "armée", "Al-Qaïda", "Al", "Qaïda"]


def test_hashtag_is_a_plain_word():
    assert analyze("#Tinzawaten", stemmed=False) == ["tinzawaten"]
