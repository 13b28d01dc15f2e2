"""The HTML pages over a real index: results, facets, pagination, article,
errors, and the promises made to the browser (headers, no inline script,
hostile text shown as text)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import HOSTILE_ID, HOSTILE_WORD, SEED_ID


class Page(HTMLParser):
    """The tags of a page with their attributes, and the text inside each <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and a.get("href")]

    def links_with(self, param: str) -> list[str]:
        return [h for h in self.links() if param in parse_qs(urlsplit(h).query)]


def get_page(client, url: str, status: int = 200) -> tuple[str, Page]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    return html, Page(html)


def total_on(html: str) -> int:
    match = re.search(r"([\d\u202f]+) résultats?", html)
    assert match, "no result count on the page"
    return int(match.group(1).replace("\u202f", ""))


# -- home ------------------------------------------------------------------------------
def test_home_has_a_labelled_search_box_the_syntax_and_corpus_counts(client):
    html, page = get_page(client, "/")
    assert '<label for="q">' in html
    assert ("input", "q") in [(t, a.get("id")) for t, a in page.tags]
    for syntax in ["expression exacte", "-mot", "OU", "personne:", "lieu:", "titre:", "sécur*"]:
        assert syntax in html
    assert re.search(r"46 articles indexés", html)
    assert "entités nommées" in html


# -- results ---------------------------------------------------------------------------
def test_results_page_lists_hits_with_marked_snippets_and_article_links(client):
    html, page = get_page(client, "/search?q=Tinzawaten")
    assert "<mark>Tinzawaten</mark>" in html
    assert f"/articles/{SEED_ID}?q=Tinzawaten" in page.links()
    assert 'value="Tinzawaten"' in html  # the query stays in the box
    assert "1er août 2024" in html  # French date


def test_snippets_name_the_section_they_stand_in(client):
    html, _ = get_page(client, "/search?q=ukrainiens")
    assert '<span class="section-heading">La présence des services secrets' in html


def test_facet_values_are_links_that_add_a_filter(client):
    html, page = get_page(client, "/search?q=président")
    for param in ["person", "org", "place", "source"]:
        links = page.links_with(param)
        assert links, f"no facet link adding {param}="
        assert all(parse_qs(urlsplit(h).query)["q"] == ["président"] for h in links)
    months = [h for h in page.links_with("from") if "to" in parse_qs(urlsplit(h).query)]
    assert months
    query = parse_qs(urlsplit(months[0]).query)
    assert query["from"][0].endswith("-01")
    assert query["to"][0][:7] == query["from"][0][:7]


def test_following_a_facet_link_narrows_results_and_shows_a_removable_filter(client):
    html, page = get_page(client, "/search?q=france")
    before = total_on(html)
    link = next(
        h for h in page.links_with("place") if "France" in parse_qs(urlsplit(h).query)["place"]
    )
    narrowed_html, narrowed = get_page(client, unescape(link))
    assert total_on(narrowed_html) < before
    assert "lieu : France" in narrowed_html
    removal = [h for h in narrowed.links() if "place=" not in h and "q=france" in h]
    assert removal, "no link removing the active filter"


def test_entity_chips_link_to_a_filtered_search(client):
    html, page = get_page(client, "/search?q=Tinzawaten")
    chips = [a["href"] for t, a in page.tags if t == "a" and "chip" in (a.get("class") or "")]
    assert any("person=Sergue" in unescape(h) for h in chips)


def test_filters_only_search_lists_articles(client):
    html, _ = get_page(client, "/search?place=France")
    assert total_on(html) > 1
    assert "Articles filtrés" in html


def test_pagination_offers_numbers_and_next_then_previous(client):
    html, page = get_page(client, "/search?q=france&per_page=5")
    assert total_on(html) > 10
    next_links = [a["href"] for t, a in page.tags if t == "a" and a.get("rel") == "next"]
    assert next_links and "page=2" in next_links[0]
    assert any("page=3" in h for h in page.links())
    html2, page2 = get_page(client, unescape(next_links[0]))
    assert [a for t, a in page2.tags if t == "a" and a.get("rel") == "prev"]
    assert 'aria-current="page"' in html2 and 'start="6"' in html2


def test_sort_links_switch_the_order(client):
    html, page = get_page(client, "/search?q=france")
    assert any("sort=newest" in h for h in page.links())
    newest, _ = get_page(client, "/search?q=france&sort=newest")
    dates = re.findall(r'<time datetime="([\d-]+)"', newest)
    assert dates == sorted(dates, reverse=True)


def test_did_you_mean_links_to_the_corrected_query(client):
    # relax=0: without it, a query that finds nothing is searched corrected at once
    html, page = get_page(client, "/search?q=gouvernemnt&relax=0")
    assert "Vouliez-vous dire" in html
    assert "/search?q=gouvernement" in page.links()


def test_nothing_found_says_so(client):
    html, _ = get_page(client, "/search?q=xqzwvkj")
    assert "Aucun article ne correspond" in html


def test_malformed_query_shows_the_message_with_status_400(client):
    html, _ = get_page(client, "/search?q=mali+AND+OR+niger", status=400)
    assert "Requête mal formée" in html
    assert "« AND » suivi de « OR »" in html
    assert 'value="mali AND OR niger"' in html


@pytest.mark.parametrize(
    "query", ["q=mali&page=abc", "q=mali&from=not-a-date", "q=mali&sort=x", "q=mali&page=-1"]
)
def test_bad_parameters_give_a_400_page_with_the_reason(client, query):
    html, _ = get_page(client, f"/search?{query}", status=400)
    assert "Requête mal formée" in html
    assert 'value="mali"' in html


def test_empty_search_goes_back_home(client):
    response = client.get("/search?q=")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")


# -- article ---------------------------------------------------------------------------
def test_article_page_shows_sections_as_h2_and_marks_the_query(client):
    html, _ = get_page(client, f"/articles/{SEED_ID}?q=armée")
    assert "<h2>La présence des services secrets ukrainiens au Mali</h2>" in html
    assert "<mark>armée</mark>" in html
    assert "<mark>armées</mark>" in html  # the stem, not just the typed form
    assert "date déduite du texte" in html


def test_article_page_without_query_marks_nothing(client):
    html, _ = get_page(client, f"/articles/{SEED_ID}")
    assert "<mark>" not in html


def test_article_entities_are_grouped_and_link_to_a_filtered_search(client):
    html, page = get_page(client, f"/articles/{SEED_ID}")
    assert "<h3>Personnes</h3>" in html and "<h3>Lieux</h3>" in html
    assert any(
        unescape(h) == "/search?person=Abdoulaye Diop".replace(" ", "+") for h in page.links()
    )
    assert page.links_with("place")


def test_wikinews_article_shows_its_source_link_and_licence(client):
    everything = client.get("/api/search?per_page=100").get_json()
    hit = next(h for h in everything["hits"] if h["url"] and h["id"].startswith("wnkp"))
    html, page = get_page(client, f"/articles/{hit['id']}")
    assert "Texte : Wikinews, CC BY 2.5" in html
    assert hit["url"] in [unescape(h) for h in page.links()]


@pytest.mark.parametrize("article_id", ["no-such-article", "-bad", "x" * 201, "bad%20id"])
def test_unknown_or_invalid_article_id_gives_a_404_page(client, article_id):
    html, _ = get_page(client, f"/articles/{article_id}", status=404)
    assert "Page introuvable" in html


# -- the hostile article ---------------------------------------------------------------
@pytest.mark.parametrize(
    "url", [f"/search?q={HOSTILE_WORD}", f"/articles/{HOSTILE_ID}?q={HOSTILE_WORD}"]
)
def test_hostile_text_is_shown_as_text_and_never_as_markup(client, url):
    html, page = get_page(client, url)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img" not in html
    assert not any(a for t, a in page.tags if t == "img")
    assert not any(k.startswith("on") for _, a in page.tags for k in a)
    assert not any(h.strip().lower().startswith("javascript:") for h in page.links())


def test_hostile_javascript_url_is_not_a_link(client):
    html, page = get_page(client, f"/articles/{HOSTILE_ID}")
    assert "non cliquable" in html
    assert "<code>javascript:alert(1)</code>" in html
    assert not [h for h in page.links() if "javascript" in h.lower()]


# -- what every page promises ----------------------------------------------------------
PAGES = [
    "/",
    "/search?q=mali",
    "/search?q=mali+AND+OR+x",
    f"/articles/{SEED_ID}?q=mali",
    f"/articles/{HOSTILE_ID}",
    "/articles/nope",
    "/no/such/page",
]


@pytest.mark.parametrize("url", [*PAGES, "/static/loupe.css", "/static/loupe.js"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_no_page_has_inline_script_or_style(client, url):
    page = Page(client.get(url).get_data(as_text=True))
    scripts = [a for t, a in page.tags if t == "script"]
    assert scripts and all(a.get("src", "").startswith("/static/") for a in scripts)
    assert all(not body.strip() for body in page.scripts)
    assert not any("style" in a for _, a in page.tags)
    assert not any(t == "style" for t, _ in page.tags)
    assert not any(k.startswith("on") for _, a in page.tags for k in a)


def test_pages_have_a_skip_link_to_the_main_content(client):
    html, _ = get_page(client, "/search?q=mali")
    assert '<a class="skip-link" href="#contenu">' in html and '<main id="contenu"' in html


def test_static_folder_is_not_listed(client):
    assert client.get("/static/").status_code == 404


def test_post_to_a_page_is_405(client):
    assert client.post("/search?q=mali").status_code == 405


def test_missing_index_gives_a_503_page(empty_app):
    response = empty_app.test_client().get("/search?q=mali")
    assert response.status_code == 503
    assert "Service indisponible" in response.get_data(as_text=True)


def test_unexpected_error_gives_a_500_page_without_stack_trace(empty_app):
    def explode():
        raise RuntimeError("secret internals")

    empty_app.add_url_rule("/explode", "explode", explode)
    response = empty_app.test_client().get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Erreur interne" in text and "secret" not in text and "Traceback" not in text


def test_a_warmed_app_has_everything_its_first_page_reads(test_index):
    # `loupe serve` warms each worker before it serves: index, tables, templates.
    from web import create_app

    app = create_app({"TESTING": True, "LOUPE_INDEX": str(test_index), "LOUPE_WARM_THREADS": 2})
    searcher = app.extensions["loupe.searcher"]
    assert searcher._reprints is not None  # the reprint store, loaded
    assert app.jinja_env.cache  # the templates, compiled
    response = app.test_client().get("/search?q=Mali")
    assert response.status_code == 200 and "Mali" in response.get_data(as_text=True)
