"""The OpenSearch backend against a real node (no mock): French analysis, the
query tree, filters, facets, snippets, generations and the article round trip.

The node is started once for the session by the `opensearch_url` fixture of
`conftest.py` (shared with the parity tests; Maven builds the launcher the
first time). These tests skip only when `java` or
`mvn` is missing. Set LOUPE_TEST_OPENSEARCH_URL to reuse a node already running.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_node_helper():
    spec = importlib.util.spec_from_file_location(
        "loupe_opensearch_node", ROOT / "tests" / "opensearch" / "node.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


node_helper = _load_node_helper()
_MISSING = node_helper.tools_missing()

pytestmark = [
    pytest.mark.opensearch,
    pytest.mark.skipif(
        bool(_MISSING) and not os.environ.get("LOUPE_TEST_OPENSEARCH_URL"),
        reason=f"OpenSearch tests need {' and '.join(_MISSING)} on PATH",
    ),
]

from search.article import Article, Entity, Section  # noqa: E402
from search.backends.base import Filters, IndexMissing, SearchRequest  # noqa: E402
from search.query import And, Not, Or, Phrase, Term, Words  # noqa: E402

SEED_NAME = "000_ca1515ff46768185.txt"


# ---------------------------------------------------------------------------
# fixtures


def _backend(url: str, name: str):
    from search.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(url, index_name=name)
    # a clean slate even when reusing a node
    for index in backend.generations():
        backend.client.indices.delete(index=index)
    return backend


def _seed_article() -> Article:
    """The bundled seed text read the way the text reader will: paragraphs by line,
    short unpunctuated lines as headings, `#hashtags` kept."""
    seed = ROOT / "corpus" / SEED_NAME
    if not seed.exists():
        pytest.fail(f"seed article corpus/{SEED_NAME} is missing from the repository")
    text = seed.read_text(encoding="utf-8")
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if len(line) < 90 and not line.endswith((".", "!", "?", "»", ":")):
            if heading is not None or paragraphs:
                sections.append(Section(heading, "\n".join(paragraphs)))
            heading, paragraphs = line, []
        else:
            paragraphs.append(line)
    sections.append(Section(heading, "\n".join(paragraphs)))
    return Article(
        id="seed-mali",
        title="Attaque terroriste au Mali",
        sections=sections,
        source="Seed",
        published=date(2024, 8, 1),
        hashtags=["Tinzawaten"],
        entities=[
            Entity("Al-Qaïda", "ORG", "Al-Qaïda"),
            Entity("JNIM", "ORG", "JNIM"),
            Entity("Wagner", "ORG", "Groupe Wagner"),
            Entity("Mali", "LOC", "Mali"),
            Entity("Tin Zaouatine", "LOC", "Tinzaouaten"),
            Entity("Sergueï Lavrov", "PER", "Sergueï Lavrov"),
            Entity("Abdoulaye Diop", "PER", "Abdoulaye Diop"),
            Entity("Viktor Vassiliev", "PER", "Viktor Vassiliev"),
        ],
    )


def _articles() -> list[Article]:
    return [
        Article(
            id="securite",
            title="La sécurité des frontières renforcée",
            sections=[
                Section(None, "Le gouvernement annonce un plan de sécurité pour le Sahel."),
                Section("Les forces armées mobilisées", "Les forces armées patrouillent au nord."),
            ],
            source="Le Monde",
            published=date(2024, 7, 10),
            entities=[
                Entity("Sahel", "LOC", "Sahel"),
                Entity("Macron", "PER", "Emmanuel Macron"),
            ],
        ),
        Article(
            id="force",
            title="Une force armée privée",
            sections=[Section(None, "Une force armée privée recrute dans la région de Gao.")],
            source="Libération",
            published=date(2024, 6, 3),
            entities=[Entity("Gao", "LOC", "Gao"), Entity("Wagner", "ORG", "Groupe Wagner")],
        ),
        Article(
            id="armee",
            title="L'armée en exercice",
            sections=[
                Section(None, "L’armée de terre mène un exercice. Une seule attaque simulée."),
                Section("Bilan", "Le Sahel reste une zone sensible pour l'armée."),
            ],
            source="Le Monde",
            published=date(2023, 12, 24),
            entities=[
                Entity("armée de terre", "ORG", "Armée de terre"),
                Entity("Sahel", "LOC", "Sahel"),
                Entity("Macron", "PER", "Emmanuel Macron"),
            ],
        ),
        Article(
            id="hostile",
            title="<b>Titre</b> piégé",
            sections=[
                Section(
                    None,
                    'Un texte piégé <script>alert("x")</script> qui parle de cybersécurité '
                    "et de piratage & autres menaces.",
                )
            ],
            source="Blog",
            published=None,
        ),
        Article(
            id="meteo",
            title="Canicule en juillet",
            sections=[Section(None, "La canicule touche la France, mais pas le Sahel.")],
            source="Libération",
            published=date(2024, 7, 20),
            entities=[Entity("France", "LOC", "France"), Entity("Sahel", "LOC", "Sahel")],
        ),
        _seed_article(),
    ]


@pytest.fixture(scope="module")
def backend(opensearch_url):
    backend = _backend(opensearch_url, "loupe-test")
    assert backend.build(_articles()) == 6
    return backend


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


def search(backend, query, **options):
    options.setdefault("per_page", 20)
    return backend.search(SearchRequest(query, **options))


# ---------------------------------------------------------------------------
# the node


def test_node_runs_analysis_common_with_the_french_filters(backend):
    tokens = backend.client.indices.analyze(
        index="loupe-test",
        body={"analyzer": "loupe_french", "text": "L’Armée jusqu’à Sécurités"},
    )["tokens"]
    assert [t["token"] for t in tokens] == ["arme", "securit"]


# ---------------------------------------------------------------------------
# French analysis


def test_query_without_accents_finds_accented_text(backend):
    assert "securite" in ids(search(backend, Term("securite")))
    assert ids(search(backend, Term("securite"))) == ids(search(backend, Term("sécurité")))


def test_elided_article_is_ignored_with_either_apostrophe(backend):
    plain = set(ids(search(backend, Term("armée"))))
    assert {"armee", "force", "securite", "seed-mali"} <= plain
    assert set(ids(search(backend, Term("l'armée")))) == plain
    assert set(ids(search(backend, Term("l’armee")))) == plain


def test_stemming_joins_plural_and_singular(backend):
    singular = set(ids(search(backend, Term("attaque"))))
    assert {"armee", "seed-mali"} <= singular
    assert set(ids(search(backend, Term("attaques")))) == singular


def test_exact_form_ranks_above_a_stem_match(opensearch_url):
    backend = _backend(opensearch_url, "loupe-exact")
    backend.build(
        [
            Article("stem", "Bilan", [Section(None, "Une attaque répétée au nord du pays.")]),
            Article("exact", "Bilan", [Section(None, "Des attaques répétées au nord du pays.")]),
        ]
    )
    assert ids(search(backend, Term("attaques"))) == ["exact", "stem"]
    assert ids(search(backend, Term("attaque"))) == ["stem", "exact"]


def test_phrase_matches_the_exact_forms_only(backend):
    found = ids(search(backend, Phrase("forces armees")))
    assert "securite" in found and "seed-mali" in found
    assert "force" not in found  # « force armée »: same stems, other forms
    assert "force" in ids(search(backend, Phrase("force armée")))


def test_hyphenated_names_and_hashtags_are_found_whole_and_by_part(backend):
    assert ids(search(backend, Term("Al-Qaïda"))) == ["seed-mali"]
    assert ids(search(backend, Term("qaida"))) == ["seed-mali"]
    assert ids(search(backend, Term("etat-major"))) == ["seed-mali"]
    assert ids(search(backend, Term("Tinzawaten"))) == ["seed-mali"]


def test_other_spellings_of_a_name_are_found_as_whoosh_finds_them(opensearch_url):
    """Gazetteer aliases indexed with the entity, the gazetteer stored with the
    generation to expand queries, and transliteration keys (search.variants)."""
    from search.backends.opensearch import OpenSearchBackend
    from search.gazetteer import Gazetteer, GazetteerEntry

    gazetteer = Gazetteer(
        [GazetteerEntry("Vladimir Poutine", "PER", ("Poutine", "Vladimir Putin", "Putin"))]
    )
    backend = _backend(opensearch_url, "loupe-names")
    backend.build(
        [
            Article(
                "tagged",
                "Visite officielle",
                [Section(None, "Le président russe Poutine reçoit son homologue.")],
                entities=[Entity("Poutine", "PER", "Vladimir Poutine")],
            ),
            # no entity tagged: only the query's expansion can reach it
            Article("untagged", "Sommet", [Section(None, "Vladimir Poutine est arrivé.")]),
            Article(
                "place",
                "Attaque dans le nord",
                [Section(None, "Des combats près de Tin Zaouatine.")],
                entities=[Entity("Tin Zaouatine", "LOC", "Tin Zaouatine")],
            ),
            Article("other", "Lettres", [Section(None, "Vladimir Nabokov écrivait en russe.")]),
        ],
        gazetteer=gazetteer,
    )
    # the aliases are indexed with the entity (a phrase is not expanded)
    assert ids(search(backend, Phrase("Vladimir Putin"))) == ["tagged"]
    fresh = OpenSearchBackend(opensearch_url, index_name="loupe-names")  # reads _meta
    found = ids(search(fresh, Words((Term("Vladimir"), Term("Putin")))))
    assert set(found) == {"tagged", "untagged"}
    assert ids(search(fresh, Term("Tinzawaten"))) == ["place"]  # same name key


def test_stop_word_alone_finds_nothing_and_is_dropped_among_words(backend):
    assert search(backend, Term("le")).total == 0
    assert set(ids(search(backend, Words((Term("le"), Term("canicule")))))) == {"meteo"}


# ---------------------------------------------------------------------------
# operators


def test_words_rank_articles_with_all_words_first_but_keep_the_others(backend):
    query = Words((Term("armée"), Term("Sahel"), Term("exercice")))
    found = ids(search(backend, query))
    assert found[0] == "armee"  # the only one with all three words
    assert "securite" in found  # armée + Sahel: two of three still match
    assert "meteo" in found  # Sahel only: listed, after those with more words
    assert found.index("meteo") > found.index("armee")


def test_two_juxtaposed_words_rank_the_article_with_both_first(backend):
    found = ids(search(backend, Words((Term("canicule"), Term("Sahel")))))
    assert found[0] == "meteo"
    assert {"securite", "armee"} <= set(found)


def test_and_requires_every_item(backend):
    assert set(ids(search(backend, And((Term("Sahel"), Term("plan")))))) == {"securite"}
    assert search(backend, And((Term("le"), Term("des")))).total == 0


def test_or_accepts_any_item(backend):
    assert set(ids(search(backend, Or((Term("canicule"), Term("piratage")))))) == {
        "meteo",
        "hostile",
    }


def test_not_excludes_and_minus_word_inside_words(backend):
    sahel = set(ids(search(backend, Term("Sahel"))))
    assert {"securite", "armee", "meteo"} <= sahel
    without = set(ids(search(backend, And((Term("Sahel"), Not(Term("canicule")))))))
    assert without == sahel - {"meteo"}
    minus = set(ids(search(backend, Words((Term("Sahel"), Not(Term("canicule")))))))
    assert minus == without
    assert "meteo" not in ids(search(backend, Not(Term("canicule"))))


def test_prefix_matches_word_starts_without_accents(backend):
    found = ids(search(backend, Term("secu", prefix=True)))
    assert {"securite", "seed-mali"} <= set(found)
    assert "hostile" not in found  # « cybersécurité » does not start with secu
    assert "hostile" in ids(search(backend, Term("cybersecu", prefix=True)))


def test_fuzzy_tolerates_a_typo(backend):
    assert search(backend, Term("canicyle")).total == 0
    assert "meteo" in ids(search(backend, Term("canicyle", fuzzy=True)))
    assert ids(search(backend, Term("Al-Qaeda", fuzzy=True))) == ["seed-mali"]


def test_field_prefix_restricts_the_search(backend):
    in_title = set(ids(search(backend, Term("armée", field="title"))))
    assert in_title == {"force", "armee"}
    assert set(ids(search(backend, Term("forces", field="headings")))) == {"securite"}
    assert set(ids(search(backend, Term("Lavrov", field="person")))) == {"seed-mali"}
    # a spelling met in the text, not the canonical name
    assert ids(search(backend, Term("Zaouatine", field="place"))) == ["seed-mali"]
    assert search(backend, Term("Zaouatine", field="person")).total == 0
    assert set(ids(search(backend, Term("Wagner", field="org")))) == {"force", "seed-mali"}
    assert set(ids(search(backend, Phrase("le monde", field="source")))) == {
        "securite",
        "armee",
    }


# ---------------------------------------------------------------------------
# filters, facets, sorting, pagination


def test_filters_narrow_by_entity_source_and_date(backend):
    by_place = search(backend, None, filters=Filters(places=("Sahel",)))
    assert set(ids(by_place)) == {"securite", "armee", "meteo"}
    both = search(backend, None, filters=Filters(places=("Sahel",), persons=("emmanuel macron",)))
    assert set(ids(both)) == {"securite", "armee"}  # values AND, case and accents blind
    by_source = search(backend, Term("Sahel"), filters=Filters(sources=("Libération",)))
    assert ids(by_source) == ["meteo"]
    dated = search(
        backend, None, filters=Filters(date_from=date(2024, 7, 1), date_to=date(2024, 7, 31))
    )
    assert set(ids(dated)) == {"securite", "meteo"}


def test_facets_count_the_whole_result_set_not_the_page(backend):
    results = search(backend, Term("Sahel"), per_page=1)
    assert len(results.hits) == 1 and results.total == 4
    places = {f.value: f.count for f in results.facets["places"]}
    assert places["Sahel"] == 3  # the seed names the Sahel but not as a tagged place
    sources = {f.value: f.count for f in results.facets["sources"]}
    assert sources == {"Le Monde": 2, "Libération": 1, "Seed": 1}
    months = [f.value for f in results.facets["months"]]
    assert months == ["2024-08", "2024-07", "2023-12"]
    assert {f.value: f.count for f in results.facets["persons"]}["Emmanuel Macron"] == 2


def test_sorts_by_date_both_ways_and_pages(backend):
    newest = ids(search(backend, None, sort="newest"))
    assert newest[:3] == ["seed-mali", "meteo", "securite"]
    assert newest[-1] == "hostile"  # no date: last
    oldest = ids(search(backend, None, sort="oldest"))
    assert oldest[:2] == ["armee", "force"]
    page2 = search(backend, None, sort="newest", page=2, per_page=2)
    assert ids(page2) == newest[2:4] and page2.total == 6 and page2.page == 2
    with pytest.raises(ValueError):
        search(backend, None, sort="shuffle")


def test_results_say_how_long_and_whether_complete(backend):
    results = search(backend, Term("Sahel"), time_limit=5.0)
    assert results.took_ms > 0 and results.partial is False


# ---------------------------------------------------------------------------
# snippets


def test_snippets_mark_matches_and_escape_the_document(backend):
    hit = search(backend, Term("cybersécurité")).hits[0]
    assert hit.id == "hostile"
    html = " ".join(s.html for s in hit.snippets)
    assert "<mark>cybersécurité</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert re.sub(r"</?mark>", "", html).count("<") == 0


def test_snippets_mark_every_form_of_the_stem(backend):
    hit = search(backend, Term("attaque"), filters=Filters(sources=("Seed",))).hits[0]
    html = " ".join(s.html for s in hit.snippets)
    assert "<mark>attaque</mark>" in html and "<mark>attaques</mark>" in html
    assert 1 <= len(hit.snippets) <= 3


def test_snippet_names_the_section_it_stands_in(backend):
    hit = search(backend, Term("patrouillent")).hits[0]
    assert hit.snippets[0].section == "Les forces armées mobilisées"
    assert "<mark>patrouillent</mark>" in hit.snippets[0].html
    lead = search(backend, Term("gouvernement"), filters=Filters(sources=("Le Monde",)))
    assert lead.hits[0].snippets[0].section is None


def test_snippet_marks_the_word_not_its_elided_article(backend):
    hit = search(backend, And((Term("l'armée"), Term("exercice")))).hits[0]
    html = " ".join(s.html for s in hit.snippets)
    assert "L’<mark>armée</mark>" in html  # typographic apostrophe
    assert "l&#x27;<mark>armée</mark>" in html  # ASCII apostrophe, HTML-escaped
    assert "<mark>l" not in html.lower()


def test_seed_article_snippets_and_section(backend):
    hit = search(backend, Phrase("services secrets ukrainiens")).hits[0]
    assert hit.id == "seed-mali"
    assert hit.snippets[0].section == "La présence des services secrets ukrainiens au Mali"
    assert hit.entities["PER"][0] == "Sergueï Lavrov"


# ---------------------------------------------------------------------------
# suggestions, entities, stats, get


def test_unknown_word_gets_a_suggestion(backend):
    results = search(backend, Term("canicuel"))
    assert results.total == 0
    assert results.suggestion == "canicule"
    assert search(backend, Term("canicule")).suggestion is None


def test_suggestion_keeps_the_rest_of_the_query(backend):
    query = Words((Term("canicuel"), Not(Term("Sahel")), Phrase("la France")))
    assert search(backend, query).suggestion == 'canicule -Sahel "la France"'


def test_entities_by_prefix_are_accent_and_case_blind(backend):
    people = backend.entities("PER", "serg", 10)
    assert [p.value for p in people] == ["Sergueï Lavrov"]
    assert [p.value for p in backend.entities("PER", "lav", 10)] == ["Sergueï Lavrov"]
    places = backend.entities("LOC", "", 2)
    assert places[0].value == "Sahel" and places[0].count == 3 and len(places) == 2
    assert {e.value for e in backend.entities(None, "g", 10)} >= {"Gao", "Groupe Wagner"}


def test_suggest_completes_words_and_names(backend):
    assert "sécurité" in backend.suggest("secu", 5)
    assert backend.suggest("serg", 5)[0] == "Sergueï Lavrov"
    assert "forces armées" in backend.suggest("forces arm", 10)
    assert backend.suggest("s", 5) == []


def test_get_round_trips_the_article(backend):
    for article in _articles():
        assert backend.get(article.id) == article
    assert backend.get("nope") is None


def test_stats_describe_the_generation(backend):
    stats = backend.stats()
    assert re.fullmatch(r"loupe-test-\d{8}t\d{12}", stats.generation)
    assert stats.articles == 6 and stats.terms > 100
    assert stats.entities == {"PER": 4, "ORG": 4, "LOC": 5, "MISC": 0}
    assert stats.built_at


# ---------------------------------------------------------------------------
# generations


def test_search_before_any_build_raises_index_missing(opensearch_url):
    empty = _backend(opensearch_url, "loupe-never-built")
    with pytest.raises(IndexMissing):
        empty.search(SearchRequest(Term("x")))
    with pytest.raises(IndexMissing):
        empty.stats()
    with pytest.raises(IndexMissing):
        empty.get("x")


def test_second_build_replaces_the_first_and_drops_it(opensearch_url):
    backend = _backend(opensearch_url, "loupe-generations")
    first_articles = _articles()[:2]
    backend.build(first_articles)
    first = backend.current_generation()
    backend.build([_articles()[4]])
    second = backend.current_generation()
    assert second != first and backend.generations() == [second]
    assert ids(search(backend, None)) == ["meteo"]


def test_failed_build_leaves_the_old_generation_serving(opensearch_url):
    backend = _backend(opensearch_url, "loupe-failures")
    backend.build(_articles()[:3])
    good = backend.current_generation()

    def broken() -> Iterator[Article]:
        yield from _articles()[3:5]
        raise OSError("disk full while reading the corpus")

    with pytest.raises(OSError, match="disk full"):
        backend.build(broken())
    assert backend.current_generation() == good
    assert backend.generations() == [good]  # the half-built index is gone
    assert set(ids(search(backend, None))) == {"securite", "force", "armee"}
