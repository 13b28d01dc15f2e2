"""The entity errors a reader of the founding article saw first, fixed by general rules.

Issue #15: « Télégram » listed as a place (a platform is a service, MISC),
« État-major général des forces armées » as a place, « Coopération
internationale » as an organisation (a fragment of the ministry), « Tin
Zaouatine » marked only on « Zaouatine » in snippets. Each is checked on the
founding article with the shipped model and on small examples of the same
phenomenon.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.article import Entity
from search.entities import EntityExtractor
from search.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "000_ca1515ff46768185.txt"


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor(Gazetteer.load(ROOT / "corpus" / "entities.yml"))


@pytest.fixture(scope="module")
def seed_entities(extractor) -> list[Entity]:
    return extractor.extract(SEED.read_text(encoding="utf-8"))


def types_of(entities: list[Entity], text: str) -> set[str]:
    return {e.type for e in entities if e.text == text}


def test_a_messaging_platform_is_a_service_not_a_place(seed_entities, extractor):
    assert types_of(seed_entities, "Télégram") == {"MISC"}
    found = extractor.extract(
        "Le message a circulé sur une chaîne Telegram, sur Twitter et sur le réseau "
        "social Mastodon."
    )
    for platform in ("Telegram", "Twitter", "Mastodon"):
        assert types_of(found, platform) == {"MISC"}, platform


def test_a_news_agency_is_an_organisation(seed_entities, extractor):
    assert types_of(seed_entities, "TASS") == {"ORG"}
    found = extractor.extract("Selon l'agence Interfax, les combats ont repris à Donetsk.")
    assert types_of(found, "Interfax") == {"ORG"}


def test_a_military_staff_is_an_organisation(seed_entities, extractor):
    assert types_of(seed_entities, "État-major général des forces armées") == {"ORG"}
    found = extractor.extract("Le Commandement des opérations spéciales a confirmé la frappe.")
    assert "LOC" not in types_of(found, "Commandement des opérations spéciales")


def test_a_ministry_is_kept_whole(seed_entities, extractor):
    ministry = "ministère des Affaires étrangères et de la Coopération internationale"
    assert not types_of(seed_entities, "Coopération internationale")
    assert ministry in {e.canonical for e in seed_entities if e.type == "ORG"}
    found = extractor.extract("Le ministère de la Santé publique et de la Population a réagi.")
    assert (
        Entity(
            "ministère de la Santé publique et de la Population",
            "ORG",
            "ministère de la Santé publique et de la Population",
        )
        in found
    )


def test_a_multi_word_place_from_the_gazetteer_is_marked_whole_in_snippets(client):
    body = client.get("/api/search?q=Tinzawaten").get_json()
    html = " ".join(s["html"] for hit in body["hits"] for s in hit["snippets"])
    assert "Zaouatine" in html
    assert "<mark>Tin</mark> <mark>Zaouatine</mark>" in html
    assert "Tin <mark>Zaouatine</mark>" not in html
