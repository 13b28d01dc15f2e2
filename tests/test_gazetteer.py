"""The gazetteer: loading the user's YAML, refusing bad entries clearly, and
matching names whatever their accents, case, hyphens or leading elision."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.gazetteer import Gazetteer, GazetteerEntry, GazetteerError

BUNDLED = Path(__file__).resolve().parents[1] / "corpus" / "entities.yml"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(BUNDLED)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "entities.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_gazetteer_loads_with_the_sahel_actors(gazetteer):
    canonicals = {e.canonical: e.type for e in gazetteer.entries}
    assert canonicals["JNIM"] == "ORG"
    assert canonicals["Tinzaouaten"] == "LOC"
    assert canonicals["État islamique"] == "ORG"


@pytest.mark.parametrize(
    ("written", "canonical", "entity_type"),
    [
        ("FO", "Force ouvrière", "ORG"),
        ("PSG", "Paris Saint-Germain", "ORG"),
        ("l'Insee", "Insee", "ORG"),
        ("Franceinfo", "France Info", "ORG"),
        ("Saint-Siège", "Vatican", "ORG"),
    ],
)
def test_bundled_gazetteer_knows_the_newsroom_institutions(
    gazetteer, written, canonical, entity_type
):
    entry = gazetteer.lookup(written)
    assert entry is not None
    assert (entry.canonical, entry.type) == (canonical, entity_type)


@pytest.mark.parametrize(
    "written",
    ["Tin Zaouatine", "tin-zaouatine", "TINZAWATEN", "Tinzaouatene", "Tinzaouaten"],
)
def test_place_spellings_share_one_canonical_name(gazetteer, written):
    assert gazetteer.canonical(written) == "Tinzaouaten"


def test_matching_ignores_accents_case_hyphens_and_elision(gazetteer):
    assert gazetteer.canonical("etat islamique") == "État islamique"
    assert gazetteer.canonical("DAECH") == "État islamique"
    assert gazetteer.canonical("l’ONU") == "Organisation des Nations unies"
    assert gazetteer.canonical("Jamaat Nusrat al Islam wal Muslimin") == "JNIM"


def test_canonical_with_a_type_refuses_another_type(gazetteer):
    assert gazetteer.canonical("GSIM", type="ORG") == "JNIM"
    assert gazetteer.canonical("GSIM", type="LOC") is None
    assert gazetteer.canonical("Zorglub") is None


def test_variants_give_every_spelling_of_the_entry(gazetteer):
    variants = gazetteer.variants("gsim")
    assert variants[0] == "JNIM"
    assert {"GSIM", "Groupe de soutien à l'islam et aux musulmans"} <= set(variants)
    assert gazetteer.variants("Zorglub") == []
    assert "Daech" in gazetteer.aliases_of("État islamique")


def test_find_locates_aliases_in_running_text_by_offsets(gazetteer):
    text = "Des combats ont eu lieu à Tin Zaouatine, selon le GSIM."
    found = {text[m.start : m.end]: m.entry.canonical for m in gazetteer.find(text)}
    assert found == {"Tin Zaouatine": "Tinzaouaten", "GSIM": "JNIM"}


def test_find_needs_the_capitals_that_make_a_name(gazetteer):
    # « le monde » of « tout le monde » is not the newspaper; « ei » is not EI.
    text = "Tout le monde le sait, ei. Le Monde le dit."
    found = [text[m.start : m.end] for m in gazetteer.find(text)]
    assert found == ["Le Monde"]


def test_an_acronym_read_in_an_article_needs_its_capitals(gazetteer):
    assert gazetteer.lookup("Sud").canonical == "Solidaires"  # a query: case means nothing
    assert gazetteer.lookup_written("Sud") is None  # « le Sud Africain Richard Murray »
    assert gazetteer.lookup_written("SUD").canonical == "Solidaires"
    assert gazetteer.lookup_written("daech").canonical == "État islamique"


def test_load_rejects_an_unknown_type_naming_file_and_entry(tmp_path):
    path = write(
        tmp_path,
        "entities:\n  - canonical: JNIM\n    type: ORG\n  - canonical: Gao\n    type: PLACE\n",
    )
    with pytest.raises(GazetteerError, match=r"entities\.yml: entry 2 \('Gao'\): 'type'"):
        Gazetteer.load(path)


def test_load_rejects_invalid_yaml_naming_the_file(tmp_path):
    path = write(tmp_path, "entities:\n  - canonical: [unclosed\n")
    with pytest.raises(GazetteerError, match=r"entities\.yml: not valid YAML"):
        Gazetteer.load(path)


def test_load_rejects_an_alias_claimed_by_two_entries(tmp_path):
    path = write(
        tmp_path,
        "entities:\n"
        "  - {canonical: JNIM, type: ORG, aliases: [GSIM]}\n"
        "  - {canonical: Autre, type: ORG, aliases: [gsim]}\n",
    )
    with pytest.raises(GazetteerError, match=r"entry 2 \('Autre'\).*'gsim'.*'JNIM'"):
        Gazetteer.load(path)


def test_load_rejects_aliases_that_are_not_a_list_of_strings(tmp_path):
    path = write(tmp_path, "entities:\n  - {canonical: Gao, type: LOC, aliases: Gao-ville}\n")
    with pytest.raises(GazetteerError, match="'aliases' must be a list"):
        Gazetteer.load(path)


def test_fingerprint_changes_with_the_content():
    one = Gazetteer([GazetteerEntry("Gao", "LOC")])
    same = Gazetteer([GazetteerEntry("Gao", "LOC")])
    other = Gazetteer([GazetteerEntry("Gao", "LOC", ("Kawkaw",))])
    assert one.fingerprint == same.fingerprint != other.fingerprint
