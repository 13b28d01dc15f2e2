"""The search engine on a real Whoosh index: the query language, ranking rules,
snippets, facets, filters, suggestions and bounds, as a user meets them."""

from __future__ import annotations

from datetime import date

import pytest
from whoosh import query as whoosh_query

from search.article import Article, Entity, Section
from search.backends.base import Filters
from search.backends.whoosh import WhooshBackend
from search.backends.whoosh.querying import MAX_EXPANSIONS, Translator
from search.gazetteer import Gazetteer, GazetteerEntry
from search.query import QueryError
from search.query import parse as parse_query
from search.searcher import Limits, Searcher

ARTICLES = [
    Article(
        id="mali-attaque",
        title="Mali : attaque près de Tin Zaouatine",
        sections=[
            Section(None, "Les forces armées maliennes ont repoussé une attaque du JNIM."),
            Section("Réactions à Bamako", "Le gouvernement parle de sécurité et d'unité."),
        ],
        published=date(2024, 8, 1),
        source="Sahel Info",
        entities=[
            Entity("Tin Zaouatine", "LOC", "Tinzaouaten"),
            Entity("JNIM", "ORG", "JNIM"),
            Entity("Bamako", "LOC", "Bamako"),
            Entity("Assimi Goïta", "PER", "Assimi Goïta"),
        ],
    ),
    Article(
        id="mali-elections",
        title="Mali : les élections reportées",
        sections=[
            Section(None, "La junte reporte l'élection présidentielle ; l'armée garde le pouvoir.")
        ],
        published=date(2023, 9, 25),
        source="Sahel Info",
        entities=[Entity("Mali", "LOC", "Mali"), Entity("Assimi Goïta", "PER", "Assimi Goïta")],
    ),
    Article(
        id="turquie-erdogan",
        title="Turquie : Erdoğan réélu",
        sections=[
            Section(None, "Recep Tayyip Erdoğan remporte l'élection. La force armée reste neutre.")
        ],
        published=date(2023, 5, 28),
        source="Dépêches",
        entities=[
            Entity("Erdoğan", "PER", "Recep Tayyip Erdoğan"),
            Entity("Turquie", "LOC", "Turquie"),
        ],
    ),
    Article(
        id="russie-wagner",
        title="Le groupe Wagner devient Africa Corps",
        sections=[
            Section(
                None,
                "Moscou réorganise ses forces en Afrique, dont au Mali. "
                "Le gouvernement russe confirme.",
            )
        ],
        published=date(2024, 2, 10),
        source="Dépêches",
        entities=[Entity("Wagner", "ORG", "Wagner"), Entity("Mali", "LOC", "Mali")],
    ),
    Article(
        id="hostile",
        title="Un titre <script>alert(1)</script>",
        sections=[Section(None, "Du texte <img src=x onerror=alert(1)> sur la sécurité.")],
        published=date(2022, 1, 3),
        source="Inconnu",
    ),
]

GAZETTEER = Gazetteer(
    [
        GazetteerEntry("Tinzaouaten", "LOC", ("Tin Zaouatine", "Tinzawaten")),
        GazetteerEntry("JNIM", "ORG", ("GSIM",)),
    ]
)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Searcher:
    root = tmp_path_factory.mktemp("engine")
    WhooshBackend(root).build(iter(ARTICLES), gazetteer=GAZETTEER)
    return Searcher(WhooshBackend(root))


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


# -- accents, elision, inflection --------------------------------------------------
def test_query_without_accents_finds_accented_text(searcher):
    assert set(ids(searcher.search("securite"))) == {"mali-attaque", "hostile"}


def test_elided_and_bare_forms_find_the_same_articles(searcher):
    assert ids(searcher.search("l'armée")) == ids(searcher.search("armee"))


def test_plural_query_finds_singular_text(searcher):
    assert "turquie-erdogan" in ids(searcher.search("élections"))
    assert "mali-elections" in ids(searcher.search("election"))


def test_exact_form_ranks_above_a_stem_match(searcher):
    # « forces armées » written as such beats « force armée » (same stems)
    hits = ids(searcher.search("forces armées"))
    assert hits.index("mali-attaque") < hits.index("turquie-erdogan")


# -- phrases and operators -----------------------------------------------------------
def test_phrase_matches_folded_unstemmed_words_only(searcher):
    assert ids(searcher.search('"forces armees"')) == ["mali-attaque"]


def test_all_words_rank_before_some_words(searcher):
    hits = ids(searcher.search("gouvernement sécurité Bamako"))
    assert hits[0] == "mali-attaque"
    assert "russie-wagner" in hits  # holds only « gouvernement », still listed


@pytest.mark.parametrize(
    "query", ["Mali AND gouvernement", "Mali ET gouvernement", "+Mali +gouvernement"]
)
def test_and_requires_every_word(searcher, query):
    assert set(ids(searcher.search(query))) == {"mali-attaque", "russie-wagner"}


@pytest.mark.parametrize("query", ["Turquie OR Wagner", "Turquie OU Wagner"])
def test_or_takes_either_word(searcher, query):
    assert set(ids(searcher.search(query))) == {"turquie-erdogan", "russie-wagner"}


@pytest.mark.parametrize("query", ["Mali -Wagner", "Mali NOT Wagner", "Mali SAUF Wagner"])
def test_not_excludes_a_word(searcher, query):
    found = set(ids(searcher.search(query)))
    assert "russie-wagner" not in found
    assert {"mali-attaque", "mali-elections"} <= found


def test_parentheses_group_operators(searcher):
    assert set(ids(searcher.search("(Turquie OR Wagner) AND gouvernement"))) == {"russie-wagner"}


def test_prefix_and_fuzzy(searcher):
    assert "mali-elections" in ids(searcher.search("électi*"))
    assert "mali-elections" in ids(searcher.search("elections~"))
    assert "mali-attaque" in ids(searcher.search("Bamakko~"))


# -- field prefixes --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("titre:élections", {"mali-elections"}),
        ("section:Bamako", {"mali-attaque"}),
        ("personne:Goïta", {"mali-attaque", "mali-elections"}),
        ("org:JNIM", {"mali-attaque"}),
        ("lieu:Turquie", {"turquie-erdogan"}),
        ('source:"Sahel Info"', {"mali-attaque", "mali-elections"}),
    ],
)
def test_field_prefix_restricts_to_that_field(searcher, query, expected):
    assert set(ids(searcher.search(query))) == expected


# -- name variants -------------------------------------------------------------------
def test_gazetteer_alias_finds_the_other_spelling(searcher):
    assert ids(searcher.search("Tinzawaten"))[0] == "mali-attaque"
    assert ids(searcher.search("GSIM"))[0] == "mali-attaque"


def test_accented_name_is_found_without_its_accents(searcher):
    assert ids(searcher.search("Erdogan")) == ["turquie-erdogan"]


# -- snippets ------------------------------------------------------------------------
def test_snippet_marks_the_word_as_written_and_names_its_section(searcher):
    hit = searcher.search("sécurité", filters=Filters(sources=("Sahel Info",))).hits[0]
    (snippet,) = [s for s in hit.snippets if "<mark>" in s.html]
    assert "<mark>sécurité</mark>" in snippet.html
    assert snippet.section == "Réactions à Bamako"


def test_snippet_escapes_the_document_text(searcher):
    (hit,) = searcher.search("securite", filters=Filters(sources=("Inconnu",))).hits
    html = " ".join(s.html for s in hit.snippets)
    assert "<img" not in html and "&lt;img" in html


# -- facets and filters --------------------------------------------------------------
def test_facets_count_every_hit_not_only_the_page(searcher):
    results = searcher.search("Mali", per_page=1)
    assert results.total == 3 and len(results.hits) == 1
    places = {v.value: v.count for v in results.facets["places"]}
    assert places["Mali"] == 2
    sources = {v.value: v.count for v in results.facets["sources"]}
    assert sources == {"Sahel Info": 2, "Dépêches": 1}


def test_filters_combine_with_the_query_and_each_other(searcher):
    both = Filters(persons=("Assimi Goïta",), places=("Bamako",))
    assert ids(searcher.search("Mali", filters=both)) == ["mali-attaque"]
    dated = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert set(ids(searcher.search("Mali", filters=dated))) == {"mali-attaque", "russie-wagner"}


def test_a_filter_written_as_an_alias_means_the_canonical_entity(searcher):
    assert ids(searcher.search("", filters=Filters(places=("Tinzawaten",)))) == ["mali-attaque"]
    assert ids(searcher.search("", filters=Filters(orgs=("GSIM",)))) == ["mali-attaque"]
    # an alias of another type is not this entity: the value stays as typed
    assert searcher.search("", filters=Filters(persons=("GSIM",))).total == 0


def test_filter_without_query_lists_the_filtered_articles(searcher):
    results = searcher.search("", filters=Filters(persons=("Assimi Goïta",)))
    assert results.total == 2


def test_sort_by_date(searcher):
    newest = ids(searcher.search("Mali", sort="newest"))
    oldest = ids(searcher.search("Mali", sort="oldest"))
    assert newest == ["mali-attaque", "russie-wagner", "mali-elections"]
    assert oldest == list(reversed(newest))


# -- suggestions and bounds --------------------------------------------------------
def test_unknown_word_gets_a_suggestion_from_the_corpus(searcher):
    assert searcher.search("gouvernemant").suggestion == "gouvernement"


def test_time_limit_returns_partial_results(tmp_path):
    root = tmp_path / "ix"
    WhooshBackend(root).build(iter(ARTICLES))
    hurried = Searcher(WhooshBackend(root), Limits(time_limit=0.0))
    results = hurried.search("Mali gouvernement sécurité")
    assert results.partial is True


def test_counting_all_matches_stops_at_the_deadline(tmp_path):
    root = tmp_path / "ix"
    backend = WhooshBackend(root)
    backend.build(iter(ARTICLES))
    searcher = backend._generation().searcher()
    everything = whoosh_query.Every()
    found, cut = WhooshBackend._matching(searcher, everything, None)
    assert (len(found), cut) == (len(ARTICLES), False)
    found, cut = WhooshBackend._matching(searcher, everything, None, deadline=0.0)
    assert (found, cut) == ([], True)


def test_prefixes_share_one_expansion_budget(tmp_path):
    """Sixty OR-ed prefixes, each matching ten words: 600 expansions without a
    shared budget; the whole query stays within MAX_EXPANSIONS words."""
    heads = [a + b for a in "bcdfghjlmnoprstuvwxz" for b in "aei"]
    words = [
        f"{head}{tail}"
        for head in heads
        for tail in ("lor", "mir", "nuk", "pat", "ros", "sil", "tam", "vex", "zor", "qil")
    ]
    articles = [
        Article(id=f"w{i}", title=f"Article {i}", sections=[Section(None, " ".join(chunk))])
        for i, chunk in enumerate(words[k : k + 50] for k in range(0, len(words), 50))
    ]
    backend = WhooshBackend(tmp_path / "ix")
    backend.build(iter(articles))
    reader = backend._generation().searcher().reader()
    typed = " OR ".join(f"{head}*" for head in heads)
    translation = Translator(reader).translate(parse_query(typed))
    expanded = {t.text for t in translation.query.leaves() if isinstance(t, whoosh_query.Term)}
    assert len(heads) * 4 <= len(expanded) <= MAX_EXPANSIONS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": 0}, "page"),
        ({"per_page": 1000}, "par page"),
        ({"sort": "alpha"}, "tri"),
        ({"page": 5000, "per_page": 100}, "affinez"),
    ],
)
def test_out_of_bounds_requests_are_query_errors(searcher, kwargs, message):
    with pytest.raises(QueryError, match=message):
        searcher.search("Mali", **kwargs)


def test_overlong_query_is_refused(searcher):
    with pytest.raises(QueryError):
        searcher.search("mot " * 400)


def test_a_thread_whose_first_call_is_autocomplete_does_not_block_the_others(tmp_path):
    """Regression: opening a thread's searcher inside the facet lock deadlocked a
    server worker whose first request was /api/suggest."""
    import threading

    root = tmp_path / "ix"
    WhooshBackend(root).build(iter(ARTICLES))
    shared = Searcher(WhooshBackend(root))
    done: list[str] = []

    def autocomplete_then_search():
        shared.suggest("Ma")
        shared.search("Mali")
        done.append("ok")

    threads = [threading.Thread(target=autocomplete_then_search, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert done == ["ok", "ok", "ok"]
