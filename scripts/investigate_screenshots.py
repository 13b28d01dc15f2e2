"""Screenshots of the investigation pages for the README (docs/screenshot-*.png).

    loupe serve --index index --port 8765 &
    python scripts/investigate_screenshots.py http://127.0.0.1:8765

Drives Debian's Chromium through Playwright, as the browser tests do.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROSTER = "\n".join(
    [
        "Tinzawaten",
        "JNIM",
        "Daech",
        "Wagner",
        '"Africa Corps" Mali',
        "personne:Lavrov",
        "MNLA",
        "Ansar Dine",
        "titre:",
        "Barkhane",
    ]
)


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page.goto(base + "/batch")
        page.get_by_label("Requêtes, une par ligne").fill(ROSTER)
        page.get_by_role("button", name="Chercher", exact=True).click()
        page.locator(".batch-done").wait_for()
        page.screenshot(path=str(DOCS / "screenshot-batch.png"), full_page=False)
        page.goto(base + "/search?q=Mali&compare=Niger&compare=Syrie")
        page.locator(".timeline").screenshot(path=str(DOCS / "screenshot-timeline.png"))
        page.goto(base + "/search?q=attaque&place=Mali")
        top = page.locator("#results-title").bounding_box()
        bar = page.locator(".results-bar").bounding_box()
        clip = {
            "x": top["x"] - 8,
            "y": top["y"] - 8,
            "width": max(bar["width"], top["width"]) + 16,
            "height": bar["y"] + bar["height"] - top["y"] + 16,
        }
        page.screenshot(path=str(DOCS / "screenshot-export.png"), clip=clip)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
