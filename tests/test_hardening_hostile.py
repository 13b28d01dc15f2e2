"""Hardening — hostile documents: markup in every field is shown as text, nowhere run.

tests/test_browser.py already drives the session index's hostile record
(title, text, heading, `javascript:` URL, source) through the results and
article pages. What it cannot reach are the fields the pipeline fills itself:
entity names (NER output) and the facets and chips built from them, the
article id, and the home page. So a tiny dedicated index is built here with
`WhooshBackend.build` from an `Article` whose entities are set by hand, served
by a real `loupe serve`, and every page is opened in real Chromium: no dialog,
no script error, no request leaving localhost, no element the markup would
create; the JSON is valid and every value a string.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from browser_page import CHROMIUM, Watched
from live_server import get, serving

from search.article import Article, Entity, Section
from search.backends.whoosh import WhooshBackend

WORD = "vortigernix"  # in both articles, nowhere else
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)"
SVG = '"><svg onload=alert(1)>'
TEXTAREA = "</textarea><script>alert(2)</script>"
JS_LINK = '<a href="javascript:alert(3)">clic</a>'
PAYLOADS = (SCRIPT, IMG, SVG, TEXTAREA, JS_LINK)
HOSTILE_ID = f"hostile {SVG}"
PERSON = f"Jean {SCRIPT} Dupont"
ORG = f"Société {SVG}"
PLACE = f"Ville {IMG}"
MISC = f"Prix {TEXTAREA}"
SOURCE = f"Le Canard {JS_LINK}"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]


def hostile_articles() -> list[Article]:
    mixed = " ".join(PAYLOADS)
    hostile = Article(
        id=HOSTILE_ID,
        title=f"{SCRIPT} Titre {WORD} {SVG}",
        url="javascript:alert(4)",
        source=SOURCE,
        published=date(2024, 8, 2),
        author=IMG,
        license=f"{SVG} licence",
        sections=[
            Section(None, f"Chapeau {WORD} {mixed} avec {PERSON} et {ORG}."),
            Section(f"Intertitre {TEXTAREA} {IMG}", f"Suite {WORD} {mixed} à {PLACE}."),
        ],
        hashtags=["#<b>gras</b>"],
        entities=[
            Entity(PERSON, "PER", PERSON),
            Entity(ORG, "ORG", ORG),
            Entity(PLACE, "LOC", PLACE),
            Entity(MISC, "MISC", MISC),
        ],
    )
    neighbour = Article(
        id="voisin-1",
        title=f"Un article ordinaire {WORD}",
        url=f"https://example.org/a?x={quote(SVG)}",
        source=SOURCE,
        published=date(2024, 8, 3),
        sections=[Section(None, f"Rien de spécial {WORD}, sinon {PERSON} cité.")],
        entities=[Entity(PERSON, "PER", PERSON), Entity(PLACE, "LOC", PLACE)],
    )
    return [hostile, neighbour]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    WhooshBackend(base / "index").build(hostile_articles())
    with serving(base / "index", base / "serve.log", "--workers", "1") as url:
        yield url


def pages() -> dict[str, str]:
    person = urlencode({"person": PERSON})
    return {
        "home": "/",
        "results": f"/search?q={WORD}",
        "results filtered by the hostile person": f"/search?q={WORD}&{person}",
        "filters only": f"/search?{urlencode({'source': SOURCE, 'place': PLACE})}",
        "query that is markup": "/search?" + urlencode({"q": f"{WORD} {SVG} {TEXTAREA}"}),
        "article": f"/articles/{quote(HOSTILE_ID, safe='')}?q={WORD}",
        "article with markup query": f"/articles/{quote(HOSTILE_ID, safe='')}?"
        + urlencode({"q": SCRIPT}),
        "neighbour article": f"/articles/voisin-1?q={WORD}",
    }


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", list(pages()))
def test_hostile_fields_are_inert_on_every_page(browser, hostile_url, name):
    context = browser.new_context()
    try:
        watched = Watched(context)
        watched.page.goto(hostile_url + pages()[name])
        watched.page.wait_for_load_state("networkidle")
        main = watched.page.locator("main")
        assert watched.dialogs == []
        assert watched.errors == []
        assert watched.foreign_requests() == []
        # No element the markup would have made exists (the results page's own
        # timeline chart is an <svg class="timeline-chart">); every link is http(s) or local.
        made = "script, img, svg:not(.timeline-chart), textarea, iframe, object"
        assert main.locator(made).count() == 0
        assert main.locator("svg.timeline-chart").count() <= 1
        assert watched.page.locator("[onerror], [onload]").count() == 0
        # an SVG link's href is an SVGAnimatedString: resolve its value the same way
        hrefs = watched.page.eval_on_selector_all(
            "a",
            "as => as.map(a => typeof a.href === 'string' ? a.href"
            " : new URL(a.href.baseVal, document.baseURI).href)",
        )
        assert not [h for h in hrefs if not h.startswith(("http://127.0.0.1", "https://"))]
        if name != "home":
            assert SCRIPT in main.inner_text() or SVG in main.inner_text()
    finally:
        context.close()


def test_entity_chips_and_facets_show_the_names_as_text(browser, hostile_url):
    context = browser.new_context()
    try:
        watched = Watched(context)
        watched.page.goto(hostile_url + f"/search?q={WORD}")
        facets = watched.page.locator(".facets").inner_text()
        for name in (PERSON, ORG, PLACE, SOURCE):
            assert name in facets
        chips = watched.page.locator(".hit .chip").all_inner_texts()
        assert PERSON in chips and PLACE in chips
        # Following the hostile person's facet filters on exactly that name.
        watched.page.locator(".facet a", has_text="Jean").first.click()
        watched.page.wait_for_load_state("networkidle")
        assert watched.page.locator(".hit").count() == 2
        assert PERSON in watched.page.locator(".active-filters").inner_text()
        watched.page.goto(hostile_url + f"/articles/{quote(HOSTILE_ID, safe='')}")
        aside = watched.page.locator("aside.entities").inner_text()
        for name in (PERSON, ORG, PLACE, MISC):
            assert name in aside
        assert watched.dialogs == [] and watched.errors == []
    finally:
        context.close()


def test_javascript_url_is_text_and_http_url_is_a_link(browser, hostile_url):
    context = browser.new_context()
    try:
        watched = Watched(context)
        watched.page.goto(hostile_url + f"/articles/{quote(HOSTILE_ID, safe='')}")
        footer = watched.page.locator(".article-footer")
        assert "javascript:alert(4)" in footer.inner_text()
        assert footer.locator("a").count() == 0
        watched.page.goto(hostile_url + "/articles/voisin-1")
        links = watched.page.locator(".article-footer a")
        assert links.count() == 1
        assert links.get_attribute("href") == f"https://example.org/a?x={quote(SVG)}"
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/search?q={WORD}",
        f"/api/articles/{quote(HOSTILE_ID, safe='')}",
        "/api/entities",
        "/api/suggest?q=Jean",
        "/api/search?" + urlencode({"q": WORD, "person": PERSON}),
    ],
)
def test_hostile_values_are_plain_strings_in_valid_json(hostile_url, path):
    status, headers, body = get(hostile_url + path)
    assert status == 200, body[:300]
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(body)  # valid JSON, whatever the payloads

    def strings(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        elif isinstance(value, str):
            yield value

    found = list(strings(data))
    assert any(SCRIPT in s or SVG in s or IMG in s for s in found), found[:20]
    # Snippets are the only HTML the API returns, and it is escaped text plus <mark>.
    for hit in data.get("hits", []):
        for snippet in hit["snippets"]:
            assert "<script" not in snippet["html"] and "<svg" not in snippet["html"]
            assert "&lt;" in snippet["html"] or "<" not in snippet["html"].replace("<mark>", "")
