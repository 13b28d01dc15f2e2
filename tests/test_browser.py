"""Real browser, real server: `loupe serve` in a subprocess, Debian's Chromium
driven by Playwright. What a reader does — type and press Enter, click a
facet, change page, open an article, search without JavaScript — and what a
hostile article must never do: run script or reach another host."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_page import CHROMIUM, OUTPUT, result_count
from conftest import HOSTILE_ID, HOSTILE_WORD, SEED_ID

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]


def test_typing_a_query_and_pressing_enter_shows_marked_snippets(page, base_url):
    page.page.goto(base_url + "/")
    box = page.page.get_by_label("Rechercher dans les articles")
    box.fill("Tinzawaten")
    box.press("Enter")
    page.page.wait_for_url("**/search?q=Tinzawaten")
    assert page.page.locator(".snippet mark").first.inner_text() == "Tinzawaten"
    assert (
        page.page.locator(".hit-title a")
        .first.get_attribute("href")
        .startswith(f"/articles/{SEED_ID}")
    )
    OUTPUT.mkdir(exist_ok=True)
    page.page.goto(base_url + "/search?q=pr%C3%A9sident")
    page.page.screenshot(path=str(OUTPUT / "results.png"), full_page=False)
    assert not page.errors and not page.dialogs


def test_clicking_a_facet_changes_the_count(page, base_url):
    page.page.goto(base_url + "/search?q=france")
    before = result_count(page.page)
    facet = page.page.locator(".facet a", has_text="France").first
    facet.click()
    page.page.wait_for_url("**place=France**")
    after = result_count(page.page)
    assert 0 < after < before
    assert page.page.locator(".active-filters").inner_text().count("France") >= 1


def test_going_to_page_two(page, base_url):
    page.page.goto(base_url + "/search?q=france&per_page=5")
    first_titles = page.page.locator(".hit-title").all_inner_texts()
    page.page.get_by_role("link", name="Page 2").click()
    page.page.wait_for_url("**page=2**")
    second_titles = page.page.locator(".hit-title").all_inner_texts()
    assert second_titles and not set(first_titles) & set(second_titles)
    assert page.page.locator('.pagination [aria-current="page"]').inner_text() == "2"


def test_opening_an_article_from_the_results(page, base_url):
    page.page.goto(base_url + "/search?q=Tinzawaten")
    page.page.locator(".hit-title a").first.click()
    page.page.wait_for_url(f"**/articles/{SEED_ID}?q=Tinzawaten")
    assert page.page.locator("article h2").count() >= 2
    assert page.page.locator(".section-text mark").count() >= 1
    assert page.page.locator(".entities .chip").count() > 3


def test_search_works_with_javascript_disabled(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        page.get_by_label("Rechercher dans les articles").fill("armée")
        page.get_by_role("button", name="Rechercher").click()
        page.wait_for_url("**/search?q=arm%C3%A9e")
        assert page.locator(".hit").count() >= 1
        assert page.locator(".snippet mark").count() >= 1
    finally:
        context.close()


def test_autocomplete_fills_suggestions_without_blocking_typing(page, base_url):
    page.page.goto(base_url + "/")
    box = page.page.get_by_label("Rechercher dans les articles")
    box.press_sequentially("mal", delay=30)
    # A locator wait, not wait_for_function: the CSP forbids the eval it would need.
    page.page.locator("#q-suggestions option").first.wait_for(state="attached", timeout=5000)
    values = page.page.eval_on_selector_all("#q-suggestions option", "os => os.map(o => o.value)")
    assert "Mali" in values
    assert box.input_value() == "mal"
    assert not page.errors


@pytest.mark.parametrize(
    "path",
    [f"/search?q={HOSTILE_WORD}", f"/articles/{HOSTILE_ID}?q={HOSTILE_WORD}", "/search?q=mali"],
)
def test_hostile_article_pages_execute_nothing_and_call_no_other_host(page, base_url, path):
    page.page.goto(base_url + path)
    page.page.wait_for_load_state("networkidle")
    assert "<script>alert(1)</script>" in page.page.locator("main").inner_text()
    assert page.dialogs == []
    assert page.errors == []
    assert page.page.locator("main img").count() == 0
    assert page.foreign_requests() == []
