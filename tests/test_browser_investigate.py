"""Real browser, real server (issue 17, 19): paste a list and read the batch table,
open a row's search, read the timeline and click a bar, download exports — with
and without JavaScript — and the hostile article inert through all of them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from browser_page import CHROMIUM, Watched, result_count
from conftest import HOSTILE_ID, HOSTILE_WORD, SCRIPT

pytestmark = [pytest.mark.browser]


@pytest.fixture()
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    watched = Watched(context)
    yield watched
    context.close()


@pytest.fixture()
def no_js(browser):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    yield context.new_page()
    context.close()


def test_pasting_a_list_shows_the_table_sorts_it_and_opens_a_row(page, base_url):
    p = page.page
    p.goto(base_url + "/batch")
    p.get_by_label("Requêtes, une par ligne").fill("mali\nTinzawaten\ntitre:\nfrance")
    p.get_by_role("button", name="Chercher", exact=True).click()
    p.locator(".batch-done").wait_for()
    rows = p.locator(".batch-table tbody tr")
    assert rows.count() == 4
    assert p.locator(".batch-row--error").count() == 1
    assert "Tinzaouaten" in rows.nth(1).inner_text()
    # sort by number of articles, largest first (two clicks: ascending, then descending)
    header = p.get_by_role("button", name="Articles", exact=True)
    header.click()
    header.click()
    counts = [int(t) for t in p.locator(".batch-table tbody tr td:nth-child(4)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    p.locator(".batch-search", has_text="Tinzawaten").click()
    p.wait_for_url("**/search?q=Tinzawaten")
    assert result_count(p) >= 1
    assert not page.errors and not page.dialogs


def test_batch_page_works_without_javascript(no_js, base_url):
    no_js.goto(base_url + "/batch")
    no_js.get_by_label("Requêtes, une par ligne").fill("france\n\nprésident")
    no_js.get_by_role("button", name="Chercher", exact=True).click()
    no_js.locator(".batch-done").wait_for()
    assert no_js.locator(".batch-table tbody tr").count() == 3
    no_js.locator(".batch-search", has_text="président").click()
    no_js.wait_for_url("**/search?q=pr%C3%A9sident")
    assert no_js.locator(".hit").count() >= 1


def test_the_timeline_is_drawn_and_a_click_on_a_bar_narrows_to_its_period(page, base_url):
    p = page.page
    p.goto(base_url + "/search?q=france")
    bars = p.locator(".timeline-chart a.bar-link")
    assert bars.count() >= 3
    label = bars.first.locator("title").text_content()
    expected = int(label.split(" : ")[1].split(" article")[0])
    bars.first.click()
    p.wait_for_url("**from=**")
    assert result_count(p) == expected
    assert not page.errors


def test_comparing_two_queries_draws_two_series(page, base_url):
    p = page.page
    p.goto(base_url + "/search?q=france")
    p.get_by_label("Comparer avec").fill("président")
    p.get_by_role("button", name="Comparer").click()
    p.wait_for_url("**compare=**")
    assert p.locator(".timeline-chart .bar--0").count() >= 1
    assert p.locator(".timeline-chart .bar--1").count() >= 1
    assert p.locator(".timeline-legend li").count() == 2


def test_timeline_bar_click_works_without_javascript(no_js, base_url):
    no_js.goto(base_url + "/search?q=président")
    no_js.locator(".timeline-chart a.bar-link").first.click()
    no_js.wait_for_url("**from=**")
    assert no_js.locator(".hit").count() >= 1
    assert no_js.locator(".timeline-table table").count() == 1


def test_export_button_downloads_the_complete_csv(page, base_url):
    p = page.page
    p.goto(base_url + "/search?q=france&per_page=5")
    total = result_count(p)
    with p.expect_download() as download:
        p.get_by_role("link", name="Exporter (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == total > 5


def test_hostile_article_is_inert_in_batch_timeline_and_exports(page, base_url):
    p = page.page
    p.goto(base_url + "/batch")
    p.get_by_label("Requêtes, une par ligne").fill(f"{HOSTILE_WORD}\n{SCRIPT}")
    p.get_by_role("button", name="Chercher", exact=True).click()
    p.locator(".batch-done").wait_for()
    assert SCRIPT in p.locator(".batch-table").inner_text()
    p.goto(base_url + f"/search?q={HOSTILE_WORD}&compare={SCRIPT}")
    p.wait_for_load_state("networkidle")
    assert p.locator(".timeline-chart a.bar-link").count() >= 1
    for name, fmt in (("Exporter (CSV)", "csv"), ("JSON lines", "jsonl")):
        with p.expect_download() as download:
            p.get_by_role("link", name=name).click()
        text = download.value.path().read_text(encoding="utf-8-sig")
        if fmt == "jsonl":
            (row,) = [json.loads(line) for line in text.splitlines()]
            assert row["id"] == HOSTILE_ID and row["title"].startswith(SCRIPT)
        else:
            assert SCRIPT in text
    assert page.dialogs == [] and page.errors == []
    assert p.locator("main img").count() == 0
    assert page.foreign_requests() == []


def test_browser_module_uses_debian_chromium():
    assert CHROMIUM == "/usr/bin/chromium"
