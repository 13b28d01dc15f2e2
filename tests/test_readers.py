"""Each reader on real files: the founding text, HTML pages, JSON lines, odd encodings."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from search.article import Article, Section
from search.readers import Note, Skipped, read_file
from search.readers.dates import find_dates, latest_date, parse_date
from search.readers.encoding import decode
from search.readers.errors import ReaderError
from search.readers.text import extract_hashtags, title_from_text

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "readers"
SEED = REPO / "corpus" / "000_ca1515ff46768185.txt"


def only_article(path: Path, **kwargs) -> Article:
    outcomes = list(read_file(path, **kwargs))
    articles = [o for o in outcomes if isinstance(o, Article)]
    assert len(articles) == 1, outcomes
    return articles[0]


# --- plain text: the founding example -------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Article:
    return only_article(SEED)


def test_seed_id_is_the_file_stem(seed: Article) -> None:
    assert seed.id == "000_ca1515ff46768185"


def test_seed_title_is_its_first_sentence(seed: Article) -> None:
    assert seed.title == (
        "Entre le 25 et le 27 juillet, le Mali a été le théâtre d'une attaque terroriste "
        "d'une gravité exceptionnelle"
    )


def test_seed_has_an_untitled_lead_and_two_titled_sections(seed: Article) -> None:
    assert [s.heading for s in seed.sections] == [
        None,
        "La présence des services secrets ukrainiens au Mali",
        "Echange téléphonique entre le ministre des étrangères de Russie et son homologue du Mali",
    ]
    assert seed.lead.startswith("Entre le 25 et le 27 juillet")
    assert seed.sections[1].text.startswith("Selon plusieurs experts")
    # Paragraphs of a section stay apart, one a line.
    assert len(seed.sections[1].text.split("\n")) == 4
    assert seed.sections[2].text.startswith("Son ex-Abdoulaye Diop")


def test_seed_hashtag_is_kept_and_its_word_stays_in_the_text(seed: Article) -> None:
    assert seed.hashtags == ["Tinzawaten"]
    assert "près de Tinzawaten, dans le nord du Mali" in seed.lead
    assert "#" not in seed.body


def test_seed_publication_date_is_inferred_from_the_latest_date_in_the_text(
    seed: Article,
) -> None:
    assert seed.published == date(2024, 8, 1)
    assert seed.published_inferred is True


def test_text_file_opening_on_a_heading_line_takes_it_as_title(tmp_path: Path) -> None:
    path = tmp_path / "depeche.txt"
    path.write_text(
        "Inondations à Niamey\n"
        "Les pluies du 2 septembre 2024 ont inondé plusieurs quartiers.\n"
        "\n"
        "Le bilan\n"
        "Trois personnes sont portées disparues.\n",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.title == "Inondations à Niamey"
    assert article.sections == [
        Section(None, "Les pluies du 2 septembre 2024 ont inondé plusieurs quartiers."),
        Section("Le bilan", "Trois personnes sont portées disparues."),
    ]


def test_short_lines_in_a_row_are_a_list_not_headings(tmp_path: Path) -> None:
    path = tmp_path / "liste.txt"
    path.write_text(
        "Voici les villes touchées par les coupures ce lundi.\nBamako\nSégou\nMopti\n"
        "Le courant devrait revenir demain.\n",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.headings == []
    assert "Bamako\nSégou\nMopti" in article.body


def test_long_first_sentence_is_cut_at_a_word_boundary_for_the_title() -> None:
    sentence = "Le " + "très " * 60 + "long article."
    title = title_from_text(sentence)
    assert len(title) <= 140
    assert title.endswith("très…")


def test_hashtags_need_a_letter_and_a_word_start() -> None:
    text, tags = extract_hashtags("Le #Mali, le #1 du classement, du C# et #Sahel-2024.")
    assert tags == ["Mali", "Sahel-2024"]
    assert text == "Le Mali, le #1 du classement, du C# et Sahel-2024."


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1er août 2024", date(2024, 8, 1)),
        ("01 aout 2024", date(2024, 8, 1)),
        ("jeudi 1 Août 2024", date(2024, 8, 1)),
        ("12 décembre 2023", date(2023, 12, 12)),
        ("12 decembre 2023", date(2023, 12, 12)),
        ("3 février 2016", date(2016, 2, 3)),
        ("2024-08-01", date(2024, 8, 1)),
        ("2012-05-22T23:30:00+02:00", date(2012, 5, 22)),
        ("01/08/2024", date(2024, 8, 1)),
        ("31 février 2024", None),
        ("juillet 2024", None),
        ("", None),
    ],
)
def test_french_and_iso_dates_are_parsed(value: str, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_latest_full_date_wins_and_partial_dates_are_ignored() -> None:
    text = "Le 25 juillet 2024, puis le 2024-07-28 et le 01/08/2024 ; en septembre 2025, rien."
    assert [d for _, d in find_dates(text)] == [
        date(2024, 7, 25),
        date(2024, 7, 28),
        date(2024, 8, 1),
    ]
    assert latest_date(text) == date(2024, 8, 1)


# --- HTML -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> Article:
    return only_article(DATA / "article.html")


def test_html_metadata_comes_from_the_head(page: Article) -> None:
    assert page.id == "article"
    assert page.title == "Mali : attaque près de Tinzaouaten"
    assert page.author == "Awa Traoré"
    assert page.source == "Le Journal du Sahel"
    assert page.url == "https://exemple.ml/2024/08/attaque-tinzaouaten"
    assert page.license == "CC BY 4.0"
    assert page.hashtags == ["Tinzaouaten"]


def test_html_date_comes_from_the_time_element_not_inferred(page: Article) -> None:
    assert page.published == date(2024, 8, 1)
    assert page.published_inferred is False


def test_html_sections_follow_h2_to_h4(page: Article) -> None:
    assert [s.heading for s in page.sections] == [
        None,
        "Les services secrets ukrainiens",
        "Réaction de Moscou",
    ]
    assert page.sections[1].text == (
        "Selon plusieurs experts, des drones ont servi dans les attaques.\n"
        "Une opération aérienne a été lancée."
    )


def test_html_boilerplate_never_reaches_the_text(page: Article) -> None:
    text = page.full_text
    for marker in (
        "MOUCHARD_SCRIPT",
        "BANNIERE_DU_SITE",
        "MENU_POLITIQUE",
        "LIRE_AUSSI",
        "NEWSLETTER_FORM",
        "COMMENTAIRE_CACHE",
        "IFRAME_TEXT",
        "NOSCRIPT_TEXT",
        "FOOTER_ARTICLE",
        "FOOTER_SITE",
        "color: red",
        "1er août 2024",  # the dateline is metadata
    ):
        assert marker not in text, marker


def test_html_escaped_markup_stays_text_and_whitespace_is_normalised(page: Article) -> None:
    assert "Un expert explique : « la balise <script> n'est pas du texte » & c'est tout." in (
        page.lead.split("\n")
    )


def test_meta_loupe_id_overrides_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "page-sauvegardee.html"
    path.write_text(
        '<html><head><meta name="loupe:id" content="sahel-42"><title>Titre</title></head>'
        "<body><p>Un paragraphe.</p></body></html>",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.id == "sahel-42"
    assert article.title == "Titre"


def test_page_without_article_element_drops_its_site_header(tmp_path: Path) -> None:
    path = tmp_path / "simple.htm"
    path.write_text(
        "<html><body><header>BANDEAU</header><h1>Le titre</h1>"
        "<div>Texte nu dans un div<br>puis une ligne</div></body></html>",
        encoding="utf-8",
    )
    article = only_article(path)
    assert article.title == "Le titre"
    assert article.sections == [Section(None, "Texte nu dans un div\npuis une ligne")]


def test_malformed_html_is_still_read(tmp_path: Path) -> None:
    article = only_article(DATA / "malformed.html")
    assert article.title == "Page cassée"
    assert article.lead.startswith("Bamako, le marché rouvre ses portes")
    assert article.headings == ["Prix en hausse"]
    assert "Le riz coûte plus cher" in article.sections[-1].text
    assert "<" not in article.full_text


def test_html_without_text_is_skipped_with_a_reason() -> None:
    outcomes = list(read_file(DATA / "no_text.html"))
    assert outcomes == [Skipped(str(DATA / "no_text.html"), "malformed HTML: no text found")]


# --- JSON lines -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> list:
    return list(read_file(DATA / "records.jsonl"))


def test_jsonl_good_lines_are_read_around_broken_ones(records: list) -> None:
    articles = [o for o in records if isinstance(o, Article)]
    assert [a.id for a in articles] == ["rec-1", "rec-2", "rec-5"]


def test_jsonl_broken_lines_are_named_by_line_number(records: list) -> None:
    skipped = [o for o in records if isinstance(o, Skipped)]
    path = str(DATA / "records.jsonl")
    assert [(s.path, s.line) for s in skipped] == [(path, 3), (path, 4)]
    assert skipped[0].reason.startswith("invalid JSON at line 3: ")
    assert skipped[1].reason == "missing 'title' at line 4"


def test_jsonl_record_fields_become_article_fields(records: list) -> None:
    first = records[0]
    assert (first.title, first.published, first.url, first.source, first.license) == (
        "Premier article",
        date(2024, 8, 1),
        "https://exemple.ml/1",
        "Exemple",
        "CC BY 4.0",
    )
    # The title repeated as the text's first line is not body text.
    assert first.sections == [Section(None, "Le premier paragraphe du premier article.")]


def test_jsonl_record_without_date_gets_one_inferred_from_its_text(records: list) -> None:
    second = records[1]
    assert second.published == date(2024, 9, 3)
    assert second.published_inferred is True


def test_jsonl_sections_come_from_the_html_headings(records: list) -> None:
    fifth = [o for o in records if isinstance(o, Article) and o.id == "rec-5"][0]
    assert fifth.sections == [Section(None, "Chapô."), Section("La suite", "Corps.")]


def test_json_file_with_a_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "lot.json"
    path.write_text(
        '[{"id": 7, "title": "Sept", "text": "Le septième."}, {"id": "x", "title": "Sans texte"}]',
        encoding="utf-8",
    )
    outcomes = list(read_file(path))
    assert isinstance(outcomes[0], Article) and outcomes[0].id == "7"
    assert outcomes[1] == Skipped(str(path), "missing 'text' in record 2")


# --- encodings and refusals -----------------------------------------------------------


def test_cp1252_file_is_read_with_a_note() -> None:
    path = DATA / "cp1252.txt"
    outcomes = list(read_file(path))
    assert outcomes[0] == Note(str(path), "not valid UTF-8, read as cp1252")
    article = outcomes[1]
    assert isinstance(article, Article)
    assert "Le président a visité l’hôpital – une première € depuis août." in article.lead


def test_file_with_bytes_cp1252_lacks_falls_back_to_latin1() -> None:
    path = DATA / "latin1.txt"
    outcomes = list(read_file(path))
    assert outcomes[0] == Note(str(path), "not valid UTF-8, read as latin-1")
    assert "la bibliothèque rouvre" in outcomes[1].lead
    assert "maître des lieux" in outcomes[1].lead


def test_utf8_bom_is_stripped() -> None:
    decoded = decode("\ufeffÉté au Sahel.".encode())
    assert (decoded.text, decoded.encoding, decoded.fallback) == ("Été au Sahel.", "utf-8", False)


def test_binary_file_with_txt_extension_is_refused() -> None:
    [outcome] = list(read_file(DATA / "binary.txt"))
    assert isinstance(outcome, Skipped)
    assert outcome.reason.startswith("binary file")


def test_control_characters_make_a_file_binary() -> None:
    with pytest.raises(ReaderError, match="control characters"):
        decode(bytes(range(1, 9)) * 20 + b"texte")


def test_empty_file_is_skipped() -> None:
    assert list(read_file(DATA / "empty.txt")) == [Skipped(str(DATA / "empty.txt"), "empty file")]


def test_whitespace_only_file_is_skipped_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "blanc.txt"
    path.write_text("  \n\t\n", encoding="utf-8")
    assert list(read_file(path)) == [Skipped(str(path), "empty file")]


def test_file_over_the_size_limit_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "gros.txt"
    path.write_text("Un article bien trop long. " * 100, encoding="utf-8")
    [outcome] = list(read_file(path, max_bytes=1024))
    assert outcome == Skipped(str(path), "larger than 1 KB limit (2.6 KB)")


def test_unsupported_extension_is_skipped_when_asked_for_directly() -> None:
    [outcome] = list(read_file(REPO / "pyproject.toml"))
    assert isinstance(outcome, Skipped)
    assert outcome.reason == "unsupported file type '.toml'"


def test_control_bytes_are_counted_as_a_byte_loop_counts_them():
    from search.readers import encoding

    rng = random.Random(5)
    for size in (1, 10, 500, 9000):
        for control_share in (0.0, 0.05, 0.2):
            data = bytes(
                rng.choice(b"\x01\x02\x7f\x1b\t\n")
                if rng.random() < control_share
                else rng.randrange(32, 127)
                for _ in range(size)
            )
            sample = data[: encoding._SAMPLE]
            counted = sum(
                1 for b in sample if (b < 0x20 and b not in encoding._TEXT_CONTROLS) or b == 0x7F
            )
            expected = (
                f"{counted / len(sample):.0%} control characters"
                if counted / len(sample) > encoding._MAX_CONTROL_RATIO
                else None
            )
            assert encoding.looks_binary(data) == expected
