"""Named entities with the real French model: the normalisation rules, the
gazetteer before and after the model, the cache that spares a rebuild the model,
and the project's founding article."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.article import Article, Entity, Section
from search.entities import EntityExtractor, Mention, doc_mentions, resolve
from search.gazetteer import Gazetteer, GazetteerEntry
from search.lexicon import french_lexicon
from search.ner_cache import NerCache

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "corpus" / "entities.yml"
SEED = ROOT / "corpus" / "000_ca1515ff46768185.txt"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(BUNDLED)


@pytest.fixture(scope="session")
def extractor(gazetteer) -> EntityExtractor:
    """One extractor, hence one loaded model, for the whole session."""
    return EntityExtractor(gazetteer)


def with_model(extractor: EntityExtractor, gazetteer: Gazetteer, cache=None) -> EntityExtractor:
    """Another extractor sharing the session's loaded model (the gazetteer is baked in)."""
    other = EntityExtractor(gazetteer, cache=cache)
    if gazetteer is extractor.gazetteer:
        other._nlp = extractor.nlp
    return other


def texts(entities: list[Entity], entity_type: str | None = None) -> set[str]:
    return {e.text for e in entities if entity_type is None or e.type == entity_type}


def article(article_id: str, text: str) -> Article:
    return Article(id=article_id, title=article_id, sections=[Section(None, text)])


# -- normalisation rules ------------------------------------------------------------
def test_leading_determiner_is_stripped(extractor):
    found = extractor.extract("Le gouvernement a salué la France et les États-Unis hier.")
    assert {"France", "États-Unis"} <= texts(found, "LOC")
    assert not any(e.text.lower().startswith(("la ", "les ")) for e in found)


def test_elision_is_stripped_and_the_acronym_canonicalised(extractor):
    found = extractor.extract("Le secrétaire général de l'ONU s'est rendu à Genève.")
    onu = [e for e in found if e.text == "ONU"]
    assert onu == [Entity("ONU", "ORG", "Organisation des Nations unies")]
    assert not any(e.text.startswith("l'") for e in found)


def test_titles_and_honorifics_are_stripped_from_persons(extractor):
    found = extractor.extract(
        "M. Fillon a répondu au président François Hollande, puis Mme Taubira a parlé."
    )
    persons = texts(found, "PER")
    assert {"Fillon", "François Hollande", "Taubira"} <= persons
    assert not any(p.startswith(("M.", "Mme", "président")) for p in persons)


def test_demonyms_are_not_entities(extractor):
    found = extractor.extract(
        "Les Britanniques et les Américains ont rejoint les soldats français à Londres."
    )
    assert "Londres" in texts(found, "LOC")
    folded = {t.lower() for t in texts(found)}
    assert not folded & {"britanniques", "américains", "français"}


def test_a_nationality_before_a_name_is_dropped_and_makes_a_person(extractor):
    found = extractor.extract("L'Espagnole Caroline Routier a remporté la course à Montpellier.")
    assert "Caroline Routier" in texts(found, "PER")


def test_single_letters_are_dropped(extractor):
    found = extractor.extract("Le groupe A comptait la France. A. B. Le point C fut atteint.")
    assert not any(len(e.text) == 1 for e in found)


def test_etat_alone_is_dropped_but_etat_islamique_is_kept(extractor):
    found = extractor.extract(
        "L'État doit protéger les citoyens. L'État islamique a revendiqué l'attaque."
    )
    assert "État" not in texts(found)
    assert Entity("État islamique", "ORG", "État islamique") in found


def test_a_surname_takes_the_type_and_name_of_the_person_named_in_full(extractor):
    found = extractor.extract(
        "Christopher Froome a gagné l'étape. Froome porte toujours le maillot jaune."
    )
    froome = [e for e in found if e.text == "Froome"]
    assert froome == [Entity("Froome", "PER", "Christopher Froome")]


def test_a_ministry_named_in_full_is_one_organisation(extractor):
    found = extractor.extract("Le ministère de la Justice a publié un rapport mardi à Paris.")
    assert Entity("ministère de la Justice", "ORG", "ministère de la Justice") in found


def test_a_ministry_with_a_nationality_is_named_by_its_portfolio(extractor):
    found = extractor.extract(
        "Le ministère russe de la Défense a affirmé que les frappes avaient cessé."
    )
    assert ("Défense", "ORG") in {(e.text, e.type) for e in found}
    assert "LOC" not in {e.type for e in found}


def test_a_university_is_the_organisation_not_the_place_inside(extractor):
    found = extractor.extract("Des chercheurs de l'université de Duke ont publié l'étude.")
    assert ("université de Duke", "ORG") in {(e.text, e.type) for e in found}
    assert "Duke" not in texts(found)


def test_a_club_word_makes_an_organisation(extractor):
    found = extractor.extract("Amiens SC a battu Lens samedi.")
    assert ("Amiens SC", "ORG") in {(e.text, e.type) for e in found}


def test_an_arabic_movement_head_makes_an_organisation(extractor):
    found = extractor.extract("Les combattants de Jaych al-Fatah ont pris la ville d'Idleb.")
    assert ("Jaych al-Fatah", "ORG") in {(e.text, e.type) for e in found}
    assert "Idleb" in texts(found, "LOC")


def test_codes_and_capitalised_concepts_are_not_organisations(extractor):
    found = extractor.extract(
        "Le Brexit inquiète Londres, la Constitution interdit ce recours et le vol UZ224 "
        "a atterri à Tripoli."
    )
    assert not texts(found, "ORG")
    assert {"Londres", "Tripoli"} <= texts(found, "LOC")


def test_a_dictionary_word_that_only_opens_sentences_is_not_a_name(extractor):
    found = extractor.extract(
        "Cinéma : le festival ouvre ses portes. Rappelons que Paris accueille l'événement. "
        "Paris est en fête."
    )
    assert texts(found) == {"Paris"}  # « paris » is a word too, but written inside a sentence


def test_the_french_lexicon_comes_from_the_model_and_knows_inflections():
    lexicon = french_lexicon()
    for word in ("rappelons", "Cinéma", "installées", "membre"):
        assert word in lexicon
    for name in ("Mediapart", "Juncker", "Tinzaouaten"):
        assert name not in lexicon
    assert lexicon.is_adjective("strasbourgeoises") and not lexicon.is_adjective("Bamako")


def test_the_lexicon_read_from_the_file_holds_what_spacys_lookups_reader_holds():
    """The tables are read with srsly (a third of a second, not a second):
    spaCy's own `Lookups` reader must find the same words in them."""
    import importlib
    from pathlib import Path

    from spacy.lookups import Lookups

    from search.lexicon import MODEL_NAME, Lexicon

    package = Path(importlib.import_module(MODEL_NAME).__file__).parent
    lookups = Lookups().from_disk(sorted(package.glob("*/lemmatizer/lookups"))[-1])
    index = lookups.get_table("lemma_index")
    table = lookups.get_table("lemma_lookup")
    adjectives = frozenset(index.get("adj", []))
    lexicon = Lexicon.from_model()
    assert lexicon.lemmas == frozenset(w for words in index.values() for w in words)
    assert lexicon.forms == frozenset(table.keys())
    assert lexicon.adjectives == adjectives
    assert lexicon.adjective_forms == frozenset(
        key for key, found in table.items() if any(w in adjectives for w in found)
    )


def test_the_stop_words_are_spacys_and_leave_its_french_tokenizer_unloaded():
    """The rules' stop words come from spaCy's French list, read without
    importing `spacy.lang.fr` (its tokenizer exceptions cost about 2 s to
    compile; a build's main process never tokenises when NER runs in workers)."""
    import subprocess
    import sys

    probe = (
        "import sys; from search.entity_words import stop_words; words = stop_words(); "
        "print(len(words), 'spacy.lang.fr' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    from spacy.lang.fr.stop_words import STOP_WORDS

    from search.entity_words import stop_words
    from search.gazetteer import fold

    assert out == [str(len(stop_words())), "False"]
    assert stop_words() == frozenset(fold(w) for w in STOP_WORDS)


def test_an_adjective_of_origin_is_neither_a_place_nor_an_organisation(gazetteer):
    found = resolve([Mention("Guyanais", "LOC"), Mention("Strasbourgeois", "ORG")], gazetteer)
    assert found == []
    assert resolve([Mention("Bénin", "LOC")], gazetteer) == [Entity("Bénin", "LOC", "Bénin")]


def test_competitions_and_festivals_are_events_not_organisations(extractor, gazetteer):
    found = extractor.extract(
        "Triathlon : Mario Mola remporte l'Ironman de Kona devant Alistair Brownlee. "
        "La Ligue des champions reprend."
    )
    types = {e.text: e.type for e in found}
    assert types["Ligue des champions"] == "MISC"
    # the race is an event, whether the model takes « Ironman » or « Ironman de Kona »;
    # its place is never left behind as an organisation
    assert {types.get("Ironman"), types.get("Ironman de Kona")} - {None} == {"MISC"}
    assert types.get("Kona") in (None, "LOC")
    assert resolve([Mention("Ironman de Kona", "ORG")], gazetteer) == [
        Entity("Ironman de Kona", "MISC", "Ironman de Kona")
    ]
    organiser = resolve([Mention("Fédération internationale de triathlon", "ORG")], gazetteer)
    assert [e.type for e in organiser] == ["ORG"]


def test_a_mission_or_office_is_named_with_where_it_serves(extractor):
    found = extractor.extract(
        "Le Haut-Commissariat des Nations unies aux droits de l'homme a condamné l'attaque. "
        "La Mission de l'Union africaine en Somalie a été renforcée."
    )
    assert {
        "Haut-Commissariat des Nations unies aux droits de l'homme",
        "Mission de l'Union africaine en Somalie",
    } <= texts(found, "ORG")


def test_streets_and_stations_keep_their_generic_word_institutions_become_organisations(
    extractor,
):
    found = extractor.extract(
        "La foule s'est rassemblée place de la République, près de la gare du Nord. "
        "Le diocèse de Moosonee a fermé."
    )
    assert {"place de la République", "gare du Nord"} <= texts(found, "LOC")
    assert "diocèse de Moosonee" in texts(found, "ORG")


def test_a_national_army_is_never_a_place(extractor, gazetteer):
    found = extractor.extract("L'armée syrienne avance vers Alep.")
    assert "Alep" in texts(found, "LOC")
    assert not texts(found, "LOC") & {"syrienne", "armée syrienne", "Syrie"}
    # when the model tags it, the national army is kept as an organisation
    assert resolve([Mention("armée syrienne", "ORG")], gazetteer) == [
        Entity("armée syrienne", "ORG", "armée syrienne")
    ]


def test_a_name_stops_at_a_line_break_and_before_a_weekday(gazetteer):
    found = resolve(
        [
            Mention("ONU lundi", "ORG"),
            Mention("Chambre des communes\nAlors que la tension", "ORG"),
            Mention("Agence du service civique de 2013", "ORG"),
            Mention("Journal du Dimanche", "ORG"),
        ],
        gazetteer,
    )
    assert {e.text for e in found} == {
        "ONU",
        "Chambre des communes",
        "Agence du service civique",
        "Journal du Dimanche",  # a capitalised weekday belongs to the name
    }


def test_codes_are_not_organisations(gazetteer):
    found = resolve([Mention("UZ224", "ORG"), Mention("PT5", "MISC")], gazetteer)
    assert found == [Entity("PT5", "MISC", "PT5")]


def test_a_hyphenated_acronym_is_one_name(extractor):
    found = extractor.extract("Le parti au pouvoir (CNDD-FDD) a gagné. Le CNDD-FDD domine.")
    assert texts(found, "ORG") == {"CNDD-FDD"}


def test_acronyms_glued_by_a_hyphen_join_but_two_names_do_not():
    import spacy
    from spacy.tokens import Span

    doc = spacy.blank("fr").make_doc("Le CNDD-FDD gagne puis France-Allemagne.")
    # tokens: Le CNDD - FDD gagne puis France - Allemagne .
    doc.ents = [Span(doc, 1, 2, "ORG"), Span(doc, 3, 4, "ORG")]
    doc.ents = [*doc.ents, Span(doc, 6, 7, "LOC"), Span(doc, 8, 9, "LOC")]
    assert [(m.text, m.label) for m in doc_mentions(doc)] == [
        ("CNDD-FDD", "ORG"),
        ("France", "LOC"),
        ("Allemagne", "LOC"),
    ]


def test_an_acronym_the_model_calls_a_place_is_a_place_only_when_listed(gazetteer):
    assert resolve([Mention("WTS", "LOC")], gazetteer) == []
    assert resolve([Mention("USA", "LOC")], gazetteer) == [Entity("USA", "LOC", "États-Unis")]


def test_misc_loses_the_type_vote_to_a_definite_type(gazetteer):
    found = resolve([Mention("Cassini", "MISC"), Mention("Cassini", "PER")], gazetteer)
    assert found == [Entity("Cassini", "PER", "Cassini")]


def test_a_country_ministry_is_its_portfolio_and_generic_tails_go(gazetteer):
    found = resolve(
        [
            Mention("ministère turc des Affaires étrangères", "ORG"),
            Mention("Cour constitutionnelle du pays", "ORG"),
        ],
        gazetteer,
    )
    assert [e.text for e in found] == ["Affaires étrangères", "Cour constitutionnelle"]


def test_a_venue_is_an_organisation_and_a_nationality_after_a_name_stays(gazetteer):
    found = resolve(
        [
            Mention("Beacon Theatre", "LOC"),
            Mention("Grande Mosquée de Paris", "LOC"),
            Mention("ministère de l'Intérieur turc", "ORG"),
            Mention("Réserve fédérale américaine", "ORG"),
        ],
        gazetteer,
    )
    assert {(e.text, e.type) for e in found} == {
        ("Beacon Theatre", "ORG"),
        ("Grande Mosquée de Paris", "ORG"),
        ("ministère de l'Intérieur turc", "ORG"),
        ("Réserve fédérale américaine", "ORG"),
    }


def test_generic_heads_before_a_name_go_and_texts_or_honours_are_not_bodies(gazetteer):
    found = resolve(
        [
            Mention("agence Bloomberg", "ORG"),
            Mention("éditions Gallimard", "ORG"),
            Mention("Pacte de stabilité et de croissance", "ORG"),
            Mention("Légion d'honneur", "ORG"),
            Mention("Conférence des représentants des cultes mercredi matin", "ORG"),
        ],
        gazetteer,
    )
    assert {(e.text, e.type) for e in found} == {
        ("Bloomberg", "ORG"),
        ("Gallimard", "ORG"),
        ("Pacte de stabilité et de croissance", "MISC"),
        ("Légion d'honneur", "MISC"),
        ("Conférence des représentants des cultes", "ORG"),
    }


def test_country_names_that_look_like_words_stay_places(gazetteer):
    found = resolve(
        [
            Mention("Philippines", "LOC"),  # also « philippines », the demonym
            Mention("Japon", "LOC", sentence_initial=True, initial_only=True),  # « japon »
            Mention("Canada", "LOC", sentence_initial=True, initial_only=True),
            Mention("Industrie", "LOC", sentence_initial=True, initial_only=True),
        ],
        gazetteer,
    )
    assert [e.text for e in found] == ["Philippines", "Japon", "Canada"]


def test_glued_arabic_particles_belong_to_the_name_and_roads_are_places(gazetteer):
    found = resolve(
        [
            Mention("Abou Mohammed al-Adnani", "PER"),
            Mention("Hessa al-Jaber", "PER"),
            Mention("autoroute A7", "LOC"),
            Mention("A8", "LOC"),
        ],
        gazetteer,
    )
    assert [(e.text, e.type) for e in found] == [
        ("Abou Mohammed al-Adnani", "PER"),
        ("Hessa al-Jaber", "PER"),
        ("A7", "LOC"),
        ("A8", "LOC"),
    ]


def test_a_partitive_and_one_name_is_not_a_person(gazetteer):
    found = resolve([Mention("du Canada", "PER"), Mention("Canada", "LOC")], gazetteer)
    assert found == [Entity("Canada", "LOC", "Canada")]
    kept = resolve([Mention("Charles de Gaulle", "PER"), Mention("Gaulle", "LOC")], gazetteer)
    assert [(e.text, e.type) for e in kept] == [("Charles de Gaulle", "PER"), ("Gaulle", "PER")]


# -- gazetteer before and after the model ---------------------------------------------
def test_gazetteer_finds_a_name_the_model_misses(extractor):
    text = "Les combattants de Zorglubistan ont quitté Bamako."
    bare = {(e.text, e.type) for e in extractor.extract(text)}
    assert ("Zorglubistan", "ORG") not in bare  # the model alone does not say ORG
    gazetteer = Gazetteer([GazetteerEntry("Zorglubistan", "ORG", ("Zorglub",))])
    found = with_model(extractor, gazetteer).extract(text)
    assert Entity("Zorglubistan", "ORG", "Zorglubistan") in found


def test_gazetteer_types_and_canonicalises_model_spans(extractor):
    found = extractor.extract("Daech a revendiqué l'attaque, selon le GSIM et Tin Zaouatine.")
    assert Entity("Daech", "ORG", "État islamique") in found
    assert Entity("GSIM", "ORG", "JNIM") in found
    assert Entity("Tin Zaouatine", "LOC", "Tinzaouaten") in found


# -- cache ----------------------------------------------------------------------------
def test_second_run_hits_the_cache_and_never_loads_the_model(tmp_path, gazetteer):
    docs = [article("a", "Emmanuel Macron est à Paris."), article("b", "Le Mali et l'Algérie.")]
    cache = NerCache(tmp_path / "ner-cache.sqlite")
    first = EntityExtractor(gazetteer, cache=cache)
    first_entities = [list(a.entities) for a in first.annotate(docs)]
    assert (first.hits, first.misses) == (0, 2)

    again = [article("a", "Emmanuel Macron est à Paris."), article("b", "Le Mali et l'Algérie.")]
    second = EntityExtractor(gazetteer, cache=NerCache(tmp_path / "ner-cache.sqlite"))
    second_entities = [list(a.entities) for a in second.annotate(again)]
    assert (second.hits, second.misses) == (2, 0)
    assert not second.model_loaded
    assert second_entities == first_entities
    assert Entity("Paris", "LOC", "Paris") in second_entities[0]


def test_a_changed_gazetteer_invalidates_the_cache(tmp_path, extractor, gazetteer):
    path = tmp_path / "ner-cache.sqlite"
    docs = [article("a", "Les hommes de Zorglubistan sont à Gao.")]
    list(with_model(extractor, gazetteer, NerCache(path)).annotate(docs))

    edited = Gazetteer([*gazetteer.entries, GazetteerEntry("Zorglubistan", "ORG")])
    rerun = EntityExtractor(edited, cache=NerCache(path))
    annotated = list(rerun.annotate([article("a", "Les hommes de Zorglubistan sont à Gao.")]))
    assert (rerun.hits, rerun.misses) == (0, 1)
    assert Entity("Zorglubistan", "ORG", "Zorglubistan") in annotated[0].entities


def test_changed_rules_invalidate_the_cache(gazetteer, monkeypatch):
    before = EntityExtractor(gazetteer).fingerprint
    monkeypatch.setattr("search.entities.RULES_VERSION", "test-other-rules")
    assert EntityExtractor(gazetteer).fingerprint != before


def test_annotate_keeps_the_order_of_the_articles(extractor):
    docs = [article(str(i), f"Article {i} sur Lyon.") for i in range(5)]
    assert [a.id for a in extractor.annotate(docs, window=2)] == ["0", "1", "2", "3", "4"]


def test_a_long_article_is_read_in_pieces_without_losing_names(extractor):
    paragraph = "Le ministre a parlé longuement de la situation économique du pays. " * 40
    text = "\n".join([paragraph, "Emmanuel Macron est arrivé à Marseille.", paragraph] * 3)
    found = extractor.extract(text)
    assert {"Emmanuel Macron"} <= texts(found, "PER")
    assert "Marseille" in texts(found, "LOC")


# -- the founding article -------------------------------------------------------------
def test_seed_article_yields_the_actors_with_their_types(extractor):
    text = SEED.read_text(encoding="utf-8")
    seed = Article(
        id="seed-000", title="Attaque près de Tinzaouaten", sections=[Section(None, text)]
    )
    (annotated,) = extractor.annotate([seed])
    by_canonical = {(e.canonical, e.type) for e in annotated.entities}
    expected = {
        ("JNIM", "ORG"),
        ("Wagner", "ORG"),
        ("Mali", "LOC"),
        ("Tinzaouaten", "LOC"),
        ("TASS", "ORG"),
        ("Sergueï Lavrov", "PER"),
        ("Abdoulaye Diop", "PER"),
    }
    assert expected <= by_canonical
    # Entities are listed once per (type, text, canonical).
    assert len(annotated.entities) == len(set(annotated.entities))


def test_a_french_ministry_and_a_federated_state_on_the_real_model(extractor):
    # Issue 15, seventh round: « français » (with its « ç ») is a nationality,
    # so the ministry is named by its portfolio; « l'État de Washington » is
    # the place, not an organisation « État de Washington ».
    found = extractor.extract(
        "Un porte-parole du ministère français des Affaires étrangères a confirmé jeudi "
        "la présence des otages. Le ministre français de l'Intérieur a annoncé des renforts."
    )
    assert Entity("Affaires étrangères", "ORG", "Affaires étrangères") in found
    assert Entity("Intérieur", "ORG", "ministère de l'Intérieur") in found
    assert not any(e.text.startswith("ministère français") for e in found)
    found = extractor.extract("Un juge de l'État de Washington a suspendu le décret présidentiel.")
    assert {(e.text, e.type) for e in found} == {("Washington", "LOC")}


def test_a_title_of_a_body_gives_the_body_on_the_real_model(extractor):
    # Issue 15, seventh round: the model's span holds the title (« Haut-Commissaire
    # des Nations unies pour les réfugiés », typed ORG); stripping the title made
    # a person « des Nations unies pour les réfugiés » of the body.
    found = extractor.extract(
        "Le Haut-Commissaire des Nations unies pour les réfugiés a demandé une trêve."
    )
    assert ("Nations unies pour les réfugiés", "ORG") in {(e.text, e.type) for e in found}
    assert not any(e.type == "PER" for e in found)


def test_a_firm_named_after_its_common_noun_on_the_real_model(extractor):
    # Issue 15, seventh round: the model reads an unknown capitalised word after
    # « la société » as a person.
    found = extractor.extract(
        "L'affaire avait été confiée à la société Garibaldi, qui a obtenu l'évacuation "
        "des lieux. Les combattants du groupe État islamique ont reculé."
    )
    typed = {(e.text, e.type) for e in found}
    assert ("Garibaldi", "ORG") in typed and ("État islamique", "ORG") in typed
    assert not any(e.type == "PER" for e in found)
