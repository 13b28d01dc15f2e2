"""Queries in the asker's words, on both backends: word families, acronyms,
compounds, and relaxation of a query that finds nothing.

A small corpus written for these rules goes through the real pipeline
(`index_corpus`, no NER: the rules are on the query side and in the acronym
definitions read while indexing) into a real Whoosh index on disk and, for the
`opensearch`-marked half, into the session's real OpenSearch node. Each test
names one general behaviour and runs on both engines; the parity test checks
that they return the same articles.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from both_backends import both_backends
from click.testing import CliRunner
from conftest import OPENSEARCH_SKIP_REASON

from search.expansion.acronyms import find_definitions, typed_as_acronym
from search.expansion.families import adjectives_of, derived, place_of
from search.expansion.related import compound_parts

ARTICLES = {
    # an acronym no list knows, defined once with brackets…
    "amru-def": "L'Association des maires ruraux unis (AMRU) tient son congrès à Tulle.",
    # …and only spelt out here: the query « AMRU » must reach it
    "amru-long": "L'Association des maires ruraux unis réclame des moyens pour les écoles.",
    "onu": "L'Organisation des Nations unies (ONU) envoie des observateurs à Genève.",
    "accord": "Les syndicats et la direction ont signé un accord salarial après la grève.",
    "malien": "Le gouvernement malien annonce un couvre-feu à Bamako après les violences.",
    "mali": "Au Mali, la saison des pluies commence tôt cette année selon les agronomes.",
    "election": "L'élection du maire de Tulle a lieu dimanche, dit la préfecture.",
    "ventes": "Les ventes et les achats de véhicules d'occasion progressent en Corrèze.",
    "policiers": "Des policiers patrouillent dans le quartier de la gare de Limoges.",
    # the union the bundled gazetteer also lists as « SUD », spelt out only
    "solidaires": "L'Union syndicale Solidaires, à Brive, appelle à manifester samedi.",
    "coree": "La Corée du Sud, après la destitution, organise une élection anticipée.",
    # « parure » is in the family of « parer », whose stem the stop word « par » shares
    "parure": "La parure de la reine, volée hier, est retrouvée à Brive.",
    # a relational adjective (« violents ») for a query's noun (« violences »)
    "supporteurs": "À Ussel, des supporteurs violents blessent un arbitre.",
    # a masculine agent noun for a query's feminine one (« directrice »)
    "directeur": "À Egletons, le directeur du collège part à la retraite.",
}


def _write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {"id": key, "title": text.split(",")[0][:60], "date": "2024-05-01", "text": text},
            ensure_ascii=False,
        )
        for key, text in ARTICLES.items()
    ]
    (folder / "words.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


backend_corpus, whoosh_index, opensearch_searcher, searcher = both_backends("words", _write_corpus)


def ids(searcher, query: str, **options) -> list[str]:
    return [h.id for h in searcher.search(query, with_facets=False, **options).hits]


# -- the rules, without an index -------------------------------------------------------
def test_nationality_adjectives_and_places_map_both_ways_in_every_gender_and_number():
    for form in ("malien", "malienne", "maliens", "maliennes"):
        assert place_of(form) == "Mali"
    assert place_of("ivoiriennes") == "Côte d'Ivoire"
    assert "malien" in adjectives_of("mali")
    assert "ivoirien" in adjectives_of("Côte d'Ivoire")
    assert place_of("accord") is None


def test_verb_and_noun_families_are_found_from_any_inflection():
    assert "élection" in derived("élire")
    assert "élire" in derived("élections")
    assert "arrestation" in derived("arrêter")
    assert "police" in derived("policiers")
    assert derived("quartier") == ()


def test_nouns_and_their_relational_adjectives_are_one_family():
    assert "violent" in derived("violences")
    assert "violence" in derived("violentes")
    assert "populaire" in derived("popularité")
    assert "migratoire" in derived("migrations")


def test_a_feminine_agent_noun_snowball_stems_apart_is_in_the_masculine_family():
    assert "directeur" in derived("directrices")
    assert "directrice" in derived("directeurs")


def test_verbs_in_primer_and_their_nouns_in_pression_are_one_family():
    # Snowball stems « supprimer » supprim and « suppression » suppress
    assert "suppression" in derived("supprimer")
    assert "supprimer" in derived("suppressions")
    assert "répression" in derived("réprimer")
    assert "impression" in derived("imprimer")


def test_acronym_definitions_are_read_in_either_order():
    text = (
        "Le Conseil de sécurité des Nations unies (CSNU) s'est réuni. "
        "L'OMS (Organisation mondiale de la santé) alerte. Il était 19 h 30 (UTC)."
    )
    assert find_definitions(text) == [
        ("CSNU", "Conseil de sécurité des Nations unies"),
        ("OMS", "Organisation mondiale de la santé"),
    ]


def test_function_words_are_never_read_as_acronyms():
    assert not typed_as_acronym("d'un", alone=True)
    assert not typed_as_acronym("un", alone=True)
    assert typed_as_acronym("UN", alone=False)
    assert typed_as_acronym("l'ONU", alone=False)
    assert typed_as_acronym("onu", alone=True)  # a known acronym standing alone
    assert not typed_as_acronym("onu", alone=False)


def test_the_press_spelling_of_an_acronym_is_one_when_alone():
    assert typed_as_acronym("SUD", alone=True)
    assert typed_as_acronym("Onu", alone=True)  # « l'Onu », « l'Otan »: how papers write them
    # « Sud » of « Corée du Sud » follows a function word: the caller says it is not alone
    assert not typed_as_acronym("Sud", alone=False)


def test_a_common_noun_is_never_read_as_a_name_spelt_with_an_article():
    from search.gazetteer import Gazetteer, GazetteerEntry
    from search.names import NameRun, with_names
    from search.query import Term

    press = Gazetteer(
        [
            GazetteerEntry("Le Monde", "ORG", ()),
            GazetteerEntry("L'Équipe", "ORG", ()),
            GazetteerEntry("Le Canard enchaîné", "ORG", ()),
        ]
    )
    assert not any(isinstance(i, NameRun) for i in with_names([Term("monde")], press))
    assert not any(isinstance(i, NameRun) for i in with_names([Term("équipe")], press))
    typed = with_names([Term("Le"), Term("Monde")], press)
    assert isinstance(typed[0], NameRun) and typed[0].forms == ("Le Monde",)
    assert isinstance(with_names([Term("l'Équipe")], press)[0], NameRun)
    # several words stay a name without their article, as running text is scanned
    bare = with_names([Term("Canard"), Term("enchaîné")], press)
    assert isinstance(bare[0], NameRun)


def test_hyphenated_and_slashed_words_have_parts():
    assert compound_parts("ventes-achats") == ["ventes", "achats"]
    assert compound_parts("ventes/achats") == ["ventes", "achats"]
    assert compound_parts("l'armée") == []


# -- on both backends ---------------------------------------------------------------------
def test_a_place_finds_its_nationality_adjective_ranked_below_the_place(searcher):
    found = ids(searcher, "Mali")
    assert found[:2] == ["mali", "malien"]


def test_a_nationality_adjective_finds_the_place(searcher):
    found = ids(searcher, "malienne")
    assert found[:2] == ["malien", "mali"]


def test_a_verb_finds_the_articles_using_its_noun(searcher):
    assert ids(searcher, "élire maire")[0] == "election"
    assert "policiers" in ids(searcher, "police")


def test_a_noun_finds_the_articles_using_its_adjective_below_those_using_the_noun(searcher):
    found = ids(searcher, "violences")
    assert found == ["malien", "supporteurs"]


def test_a_feminine_noun_finds_the_masculine_one(searcher):
    assert ids(searcher, "directrice") == ["directeur"]


def test_an_acronym_learned_from_a_definition_finds_articles_that_spell_it_out(searcher):
    assert set(ids(searcher, "AMRU")) == {"amru-def", "amru-long"}


def test_an_expansion_finds_the_acronym(searcher):
    assert "onu" in ids(searcher, "Organisation des Nations unies")
    assert "onu" in ids(searcher, "ONU")


def test_a_function_word_never_brings_in_an_acronym(searcher):
    found = ids(searcher, "d'un accord")
    assert found == ["accord"]


def test_a_capitalised_word_of_a_place_never_brings_in_an_acronym(searcher):
    assert ids(searcher, "Corée du Sud") == ["coree"]
    assert "solidaires" in ids(searcher, "SUD")  # typed as an acronym: the union


def test_a_lower_case_word_after_a_function_word_never_brings_in_an_acronym(searcher):
    assert ids(searcher, "corée du sud") == ["coree"]
    assert "solidaires" not in ids(searcher, "le sud")
    assert "onu" in ids(searcher, "onu")  # a known acronym standing alone still is one


def test_a_function_word_brings_in_no_related_form(searcher):
    assert derived("par")  # the family exists: the query side must not use it
    assert ids(searcher, "signé par") == ["accord"]


def test_a_compound_no_article_writes_whole_finds_its_parts(searcher):
    assert ids(searcher, "ventes-achats") == ["ventes"]
    assert ids(searcher, "ventes/achats") == ["ventes"]


def test_a_query_that_finds_nothing_is_relaxed_and_says_so(searcher):
    results = searcher.search('"achats de camions neufs"', with_facets=False)
    assert [h.id for h in results.hits] == ["ventes"]
    assert results.relaxed is not None
    assert results.relaxed.step == "any_word"
    assert results.relaxed.message.startswith(
        'Aucun résultat pour « "achats de camions neufs" » ; résultats pour «'
    )
    exact = searcher.search('"achats de camions neufs"', with_facets=False, relax=False)
    assert exact.total == 0 and exact.relaxed is None


def test_a_misspelt_query_is_searched_corrected(searcher):
    results = searcher.search("agronnomes", with_facets=False)
    assert results.relaxed is not None, results
    assert results.relaxed.step in ("corrected", "fuzzy")
    assert [h.id for h in results.hits] == ["mali"]


def test_filters_that_match_no_article_are_not_relaxed_word_by_word(searcher):
    from datetime import date

    from search.backends.base import Filters

    # The filters alone exclude everything: loosening the words cannot help.
    later = Filters(date_from=date(2030, 1, 1))
    nothing = searcher.search("agronnomes", later, with_facets=False)
    assert nothing.total == 0 and nothing.relaxed is None
    # Filters that let articles through: the misspelt word is still relaxed.
    same_day = Filters(date_from=date(2024, 5, 1), date_to=date(2024, 5, 1))
    found = searcher.search("agronnomes", same_day, with_facets=False)
    assert found.relaxed is not None and [h.id for h in found.hits] == ["mali"]


@pytest.mark.opensearch
@pytest.mark.skipif(bool(OPENSEARCH_SKIP_REASON), reason=OPENSEARCH_SKIP_REASON or "")
def test_both_backends_return_the_same_articles(whoosh_index, opensearch_searcher):
    from search.searcher import Searcher

    whoosh = Searcher.open(whoosh_index)
    for query in (
        "Mali",
        "malienne",
        "élire maire",
        "AMRU",
        "d'un accord",
        "ventes-achats",
        '"achats de camions neufs"',
        "Corée du Sud",
        "corée du sud",
        "SUD",
        "signé par",
        "police",
        "violences",
        "directrice",
        "une équipe de football",
    ):
        assert set(ids(whoosh, query)) == set(ids(opensearch_searcher, query)), query


# -- the surfaces say it -------------------------------------------------------------------
def test_the_api_and_the_page_show_the_relaxation_with_the_original_one_click_away(whoosh_index):
    from web import create_app

    client = create_app({"TESTING": True, "LOUPE_INDEX": str(whoosh_index)}).test_client()
    body = client.get("/api/search", query_string={"q": '"achats de camions neufs"'}).get_json()
    assert body["relaxed"]["step"] == "any_word"
    assert body["relaxed"]["original"] == '"achats de camions neufs"'
    assert [h["id"] for h in body["hits"]] == ["ventes"]
    exact = client.get(
        "/api/search", query_string={"q": '"achats de camions neufs"', "relax": "0"}
    ).get_json()
    assert exact["total"] == 0 and exact["relaxed"] is None
    bad = client.get("/api/search", query_string={"q": "mali", "relax": "peut-être"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"]

    html = client.get("/search", query_string={"q": '"achats de camions neufs"'}).text
    assert "Aucun résultat pour" in html and "résultats pour" in html
    assert "relax=0" in html  # the original query, searched as typed


def test_the_cli_says_the_query_was_relaxed(whoosh_index):
    from search.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main, ["search", "--index", str(whoosh_index), '"achats de camions neufs"']
    )
    assert result.exit_code == 0, result.output
    assert 'Aucun résultat pour « "achats de camions neufs" » ; résultats pour' in result.output
    exact = runner.invoke(
        main, ["search", "--index", str(whoosh_index), "--exact", '"achats de camions neufs"']
    )
    assert exact.exit_code == 0 and "0 résultat" in exact.output


def test_a_word_no_article_holds_is_searched_corrected_among_found_words(client):
    body = client.get("/api/search", query_string={"q": "gouvernemnt Mali"}).get_json()
    assert body["relaxed"]["step"] == "corrected", body["relaxed"]
    assert body["relaxed"]["query"] == "gouvernement Mali"
    assert body["relaxed"]["message"].startswith("Un mot de « gouvernemnt Mali »")
    typed = client.get(
        "/api/search", query_string={"q": "gouvernemnt Mali", "relax": "0"}
    ).get_json()
    assert typed["relaxed"] is None and typed["suggestion"] == "gouvernement Mali"
    assert body["total"] >= typed["total"]


def test_learned_and_curated_acronyms_never_override_the_gazetteer():
    from search.expansion.acronyms import with_acronyms
    from search.gazetteer import Gazetteer, GazetteerEntry

    newsroom = Gazetteer([GazetteerEntry("Parti socialiste unifié", "ORG", ("PSU",))])
    merged = with_acronyms(
        newsroom,
        learned=[("PSU", "Pas Sans Union"), ("AMRU", "Association des maires ruraux unis")],
        curated=[("PSU", "Parti solidaire uni", "ORG")],
    )
    assert merged.canonical("PSU") == "Parti socialiste unifié"
    assert merged.canonical("AMRU") == "Association des maires ruraux unis"
    assert "AMRU" in merged.variants("Association des maires ruraux unis")
