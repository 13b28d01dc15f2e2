"""Shared fixtures: one small real index per test session, and the Flask app over it.

The corpus is written into a temporary folder from the repository's bundled
corpus (`tests/bundled.py`): the seed article, every 30th Wikinews article,
and one hostile record whose title,
text, headings and URL carry script and markup — so that every web test runs
against text that would execute if anything failed to escape it. The index is
built once with the real pipeline (`index_corpus`, spaCy NER included), as
the flaskr tutorial's conftest builds its database once per test.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_page import CHROMIUM, Watched
from bundled import SEED_ID, write_sample  # noqa: F401 - SEED_ID: re-exported for the tests
from live_server import serving

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_ID = "hostile-1"
HOSTILE_WORD = "zorglubienne"  # only in the hostile article: finds it and nothing else
EVERY_NTH_RECORD = 30

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"


def hostile_record() -> dict:
    """An article built to break out of every place its fields are shown."""
    heading = f"{SCRIPT} Intertitre {IMG}"
    paragraph = (
        f"La rédaction {HOSTILE_WORD} publie {SCRIPT} un texte piégé {IMG} au Mali. "
        f'Un lien <a href="{JS_URL}">cliquez</a> et une apostrophe \' et des "guillemets".'
    )
    # The record's HTML escapes the markup, so the parsed heading and text hold
    # it as literal characters — exactly what a hostile source would deliver.
    from html import escape

    html = (
        f"<h1>{escape(SCRIPT)}</h1><p>{escape(paragraph)}</p>"
        f"<h2>{escape(heading)}</h2><p>{escape(paragraph)} Deuxième partie {HOSTILE_WORD}.</p>"
    )
    return {
        "id": HOSTILE_ID,
        "title": f"{SCRIPT} Article {HOSTILE_WORD} {IMG}",
        "date": "2024-08-02",
        "url": JS_URL,
        "source": f"{SCRIPT}source",
        "license": f"{IMG} licence",
        "html": html,
        "text": f"{paragraph}\n{heading}\n{paragraph}",
    }


def write_test_corpus(folder: Path) -> Path:
    write_sample(folder, every=EVERY_NTH_RECORD)
    (folder / "hostile.jsonl").write_text(
        json.dumps(hostile_record(), ensure_ascii=False) + "\n", "utf-8"
    )
    return folder


@pytest.fixture(scope="session")
def test_corpus(tmp_path_factory) -> Path:
    """The test corpus folder, written once per session (every backend indexes this one)."""
    return write_test_corpus(tmp_path_factory.mktemp("loupe-corpus") / "corpus")


@pytest.fixture(scope="session")
def test_index(test_corpus, tmp_path_factory) -> Path:
    """A real index on disk over the test corpus, built once per session.

    Its folder also holds the NER cache (`ner-cache.sqlite`), which other
    backends built from the same corpus reuse."""
    from search.indexer import index_corpus

    index_dir = tmp_path_factory.mktemp("loupe") / "index"
    report = index_corpus(test_corpus, index_dir, ner=True)
    assert report.indexed >= 40, report
    return index_dir


@pytest.fixture(scope="session")
def app(test_index):
    from web import create_app

    return create_app({"TESTING": True, "LOUPE_INDEX": str(test_index)})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def empty_app(tmp_path):
    """An app whose index folder holds nothing: every search page must say 503."""
    from web import create_app

    return create_app({"TESTING": True, "LOUPE_INDEX": str(tmp_path / "no-index")})


# -- a real OpenSearch node, one per session, shared by every test file ------------------
def _load_node_helper():
    """tests/opensearch/node.py is a script beside its Maven project, not a package."""
    spec = importlib.util.spec_from_file_location(
        "loupe_opensearch_node", ROOT / "tests" / "opensearch" / "node.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


opensearch_node = _load_node_helper()
# java or mvn missing is the only reason to skip OpenSearch tests (unless a node is given)
OPENSEARCH_SKIP_REASON = (
    f"OpenSearch tests need {' and '.join(opensearch_node.tools_missing())} on PATH"
    if opensearch_node.tools_missing() and not os.environ.get("LOUPE_TEST_OPENSEARCH_URL")
    else None
)


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """One real node for the whole session (started on first use), or the one named
    by LOUPE_TEST_OPENSEARCH_URL."""
    if OPENSEARCH_SKIP_REASON:
        pytest.skip(OPENSEARCH_SKIP_REASON)
    external = os.environ.get("LOUPE_TEST_OPENSEARCH_URL")
    if external:
        yield external
        return
    url, stop = opensearch_node.start_node()
    try:
        yield url
    finally:
        stop()


# -- a browser and a live server, for the tests that drive Chromium --------------------
@pytest.fixture(scope="module")
def base_url(test_index, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with serving(test_index, log, "--workers", "2") as url:
        assert f"{url}/" in log.read_text()  # it prints its URL
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    watched = Watched(context)
    yield watched
    context.close()


# -- the test corpus on a real OpenSearch node, for parity tests ------------------------
PARITY_ALIAS = "loupe-parity"


@pytest.fixture(scope="session")
def opensearch_built(opensearch_url, test_corpus, test_index, tmp_path_factory) -> str:
    """The test corpus indexed into OpenSearch through `index_corpus`, with the NER
    cache the Whoosh build filled: both engines get the very same entities."""
    from search.backends.opensearch import OpenSearchBackend
    from search.indexer import index_corpus
    from search.searcher import Searcher

    backend = OpenSearchBackend(opensearch_url, index_name=PARITY_ALIAS)
    report = index_corpus(
        test_corpus,
        tmp_path_factory.mktemp("opensearch-parity"),
        ner=True,
        ner_cache=test_index / "ner-cache.sqlite",
        backend=backend,
    )
    assert report.ner_computed == 0, "the Whoosh build's NER cache should answer every article"
    assert report.indexed == Searcher.open(test_index).stats().articles
    return opensearch_url


def opensearch_app_for(url: str, alias: str, index_dir: Path):
    from web import create_app

    return create_app(
        {
            "TESTING": True,
            "LOUPE_INDEX": str(index_dir),  # must not matter: proves the config is obeyed
            "LOUPE_BACKEND": "opensearch",
            "LOUPE_OPENSEARCH_URL": url,
            "LOUPE_OPENSEARCH_INDEX": alias,
        }
    )


@pytest.fixture(scope="session")
def opensearch_app(opensearch_built, tmp_path_factory):
    return opensearch_app_for(opensearch_built, PARITY_ALIAS, tmp_path_factory.mktemp("no-whoosh"))
