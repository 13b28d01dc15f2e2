"""One core, engines translate: both backends index what `search.core` says.

The French chain is written once (`search/core/french.py`); the Whoosh analyzer
wraps it and the OpenSearch mapping is built from its tables. These tests read
the bundled corpus through all three and compare the tokens.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from search.article import Article, Entity, Section
from search.backends.opensearch.mapping import index_body
from search.backends.whoosh.analysis import exact_analyzer, stemmed_analyzer
from search.core import french
from search.core.entity_types import group_entities, listed_types
from search.core.records import article_from_record, article_to_record, name_spellings
from search.core.suggestions import autocomplete, corrected_query
from search.indexer import BUNDLED_GAZETTEER, find_gazetteer
from search.query import parse
from search.readers import read_corpus

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def corpus_texts() -> tuple[str, ...]:
    """Title and sections of each article of the bundled corpus."""
    texts = []
    for item in read_corpus(ROOT / "corpus"):
        if isinstance(item, Article):
            texts.append("\n".join([item.title, *(s.text for s in item.sections)]))
    assert len(texts) > 1000, "the bundled corpus should hold the Wikinews articles"
    return tuple(texts)


# -- the Whoosh analyzer is the core chain ---------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("stemmed", [True, False], ids=["stemmed", "exact"])
@pytest.mark.parametrize(
    "call",
    [{}, {"keeporiginal": True}],
    ids=["fast-path", "whoosh-filters"],  # keeporiginal: a call the fast path leaves to the filters
)
def test_whoosh_indexes_the_core_tokens_for_every_bundled_article(stemmed, call):
    analyzer = stemmed_analyzer() if stemmed else exact_analyzer()
    for text in corpus_texts():
        whoosh = [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, **call)
        ]
        core = [(t.text, t.pos, t.start, t.end) for t in french.tokens(text, stemmed=stemmed)]
        assert whoosh == core, text[:80]


def test_the_fast_path_gives_each_field_of_a_pair_its_own_terms():
    """`text` and `text_exact` hold the same string: the second reuses the
    first's analysis, and still gets its own chain's terms."""
    text = "Les forces armées maliennes à Tin-Zaouatine, l'attaque d'aujourd'hui"
    stemmed = [t.text for t in stemmed_analyzer()(text, positions=True)]
    exact = [t.text for t in exact_analyzer()(text, positions=True)]
    assert exact == [t.text for t in french.tokens(text, stemmed=False)]
    assert stemmed == [t.text for t in french.tokens(text, stemmed=True)]
    assert "armees" in exact and "armees" not in stemmed and "tin-zaouatine" in exact
    # morphology off (Whoosh's spelling words) goes through the filters: no stems
    assert [t.text for t in stemmed_analyzer()(text, no_morph=True)] == exact


def test_both_backends_are_built_from_the_one_stop_list_and_elision_table():
    analysis = index_body()["settings"]["analysis"]
    assert set(analysis["filter"]["loupe_stop"]["stopwords"]) == french.STOP_WORDS
    assert set(analysis["filter"]["loupe_elision"]["articles"]) == french.ELISIONS
    stop_filter = next(f for f in stemmed_analyzer().items if hasattr(f, "stops"))
    assert stop_filter.stops == french.STOP_WORDS
    # The words the two lists used to disagree on are stop words for both now.
    assert {"plus", "comme", "est", "si"} <= french.STOP_WORDS


# -- the OpenSearch analyzers give the same tokens (a real node) ---------------------------
@pytest.fixture(scope="module")
def opensearch_analyze(opensearch_url):
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[opensearch_url])
    name = "loupe-test-core-analysis"
    client.indices.delete(index=name, ignore_unavailable=True)
    client.indices.create(index=name, body=index_body())

    def analyze(analyzer: str, text: str) -> list[str]:
        found = client.indices.analyze(index=name, body={"analyzer": analyzer, "text": text})
        return [t["token"] for t in found["tokens"]]

    yield analyze
    client.indices.delete(index=name, ignore_unavailable=True)


@pytest.mark.slow
@pytest.mark.opensearch
def test_opensearch_indexes_the_core_tokens_for_the_bundled_corpus(opensearch_analyze):
    """Exact tokens: the same for (nearly) every article — the only differences are
    symbols unidecode spells out and asciifolding drops (µ, ², º). Stemmed
    tokens: the same words, stemmed alike except where Lucene's Snowball French
    is older than PyStemmer's (« française » → francais / franc)."""
    exact_mismatches = 0
    stems, stem_mismatches = 0, Counter()
    for text in corpus_texts():
        core_exact = french.analyze(text, stemmed=False)
        if opensearch_analyze("loupe_exact", text) != core_exact:
            exact_mismatches += 1
            continue
        ours = french.analyze(text, stemmed=True)
        theirs = opensearch_analyze("loupe_french", text)
        assert len(theirs) == len(ours), text[:80]  # the same words, one stem each
        stems += len(ours)
        for word, mine, lucene in zip(core_exact, ours, theirs, strict=True):
            if mine != lucene:
                stem_mismatches[word] += 1
    assert exact_mismatches <= 10, exact_mismatches
    assert sum(stem_mismatches.values()) / stems < 0.005, stem_mismatches.most_common(10)


# -- serialisation and grouping ---------------------------------------------------------------
def test_an_article_survives_its_record_and_names_add_their_other_spellings():
    article = Article(
        id="a1",
        title="Le GSIM au Mali",
        sections=[Section(None, "Le GSIM attaque."), Section("Suite", "Tinzawaten.")],
        entities=[
            Entity("GSIM", "ORG", "JNIM"),
            Entity("Tinzawaten", "LOC", "Tinzaouaten"),
            Entity("GSIM", "ORG", "JNIM"),
        ],
        hashtags=["#Sahel"],
    )
    assert article_from_record(article_to_record(article)) == article
    assert group_entities(article.entities) == {"ORG": ["JNIM"], "LOC": ["Tinzaouaten"]}
    spellings = name_spellings(article, lambda c: {"JNIM": ["Nusrat al-Islam"]}.get(c, []))
    assert spellings.extra == ["#Sahel", "JNIM", "Nusrat al-Islam", "Tinzaouaten"]
    assert spellings.by_type["ORG"] == ["GSIM", "JNIM", "Nusrat al-Islam"]


def test_entity_listings_cover_the_listed_types_under_any_of_their_names():
    assert listed_types(None) == ("PER", "ORG", "LOC")
    assert listed_types("person") == listed_types("persons") == listed_types("PER") == ("PER",)
    assert listed_types("MISC") == listed_types("colour") == ()


# -- query-side rules -------------------------------------------------------------------------
def test_a_correction_rewrites_only_checked_words_and_keeps_the_rest_of_the_query():
    node = parse('gouvernemnt "forces armées" -mali le secu*')
    asked = []

    def correct(term):
        asked.append(term.text)
        return {"gouvernemnt": "gouvernement"}.get(term.text)

    assert corrected_query(node, correct) == 'gouvernement "forces armées" -mali le secu*'
    assert asked == ["gouvernemnt", "mali"]  # no phrase, stop word or prefix is checked
    assert corrected_query(node, lambda term: None) is None


def test_autocomplete_puts_names_first_then_completes_the_last_word_once_each():
    def names(prefix, limit):
        return ["Mali"]

    def completions(word, limit):
        assert word == "ma"
        return ["mali", "marche", "maison"]

    assert autocomplete("  armée   ma ", 3, names, completions) == [
        "Mali",
        "armée mali",
        "armée marche",
    ]
    assert autocomplete("m", 5, names, completions) == []


# -- engine-free parts and packaging ----------------------------------------------------------
def test_marking_an_article_needs_no_engine():
    """With whoosh and opensearchpy made unimportable, marking still works."""
    code = (
        "import sys; sys.modules['whoosh'] = None; sys.modules['opensearchpy'] = None\n"
        "from search.article import Section\n"
        "from search.marking import mark_sections\n"
        "print(mark_sections([Section(None, \"L'armée <b>tient</b> Al-Qaïda.\")], 'armées qaida'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "L'<mark>armée</mark> &lt;b&gt;tient&lt;/b&gt; Al-<mark>Qaïda</mark>." in done.stdout


def test_the_gazetteer_ships_inside_the_package_and_a_corpus_or_option_overrides_it(tmp_path):
    package = ROOT / "search"
    assert BUNDLED_GAZETTEER.is_file()
    assert BUNDLED_GAZETTEER.parent == package / "data"  # installed with the package
    assert BUNDLED_GAZETTEER.read_bytes() == (ROOT / "corpus" / "entities.yml").read_bytes()
    assert find_gazetteer(tmp_path) == BUNDLED_GAZETTEER
    own = tmp_path / "entities.yml"
    own.write_text("entities: []\n", "utf-8")
    assert find_gazetteer(tmp_path) == own
    explicit = tmp_path / "other.yml"
    assert find_gazetteer(tmp_path, explicit) == explicit
