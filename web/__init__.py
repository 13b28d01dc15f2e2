"""Loupe's Flask front end: HTML pages and their JSON twins over one engine call.

`create_app(config)` follows the Flask tutorial's factory: configuration comes
in (or from `LOUPE_INDEX`, `LOUPE_BACKEND`, `LOUPE_OPENSEARCH_URL` and
`LOUPE_OPENSEARCH_INDEX` in the environment) when the app is built, never at
import time, so tests and `loupe serve` each get the app they ask for. The app
holds one `Searcher`; the engine re-reads the index's current generation on
every request, so a rebuilt index is served without a restart. The web layer
itself holds no search logic and no Whoosh object.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from search.searcher import Searcher
from web import api, errors, formatting, investigate, pages, security
from web.context import SEARCHER_KEY, get_searcher  # noqa: F401 - get_searcher re-exported

DEFAULT_INDEX = "index"
DEFAULT_BACKEND = "whoosh"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    # The static route is added by hand below so that, like every other
    # route, it answers GET and HEAD only (no automatic OPTIONS).
    app = Flask(__name__, static_folder=None)
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    # `//x` is not `/x`: no redirect (werkzeug's English page), just not found.
    app.url_map.merge_slashes = False
    app.config.from_mapping(
        LOUPE_INDEX=os.environ.get("LOUPE_INDEX", DEFAULT_INDEX),
        LOUPE_BACKEND=os.environ.get("LOUPE_BACKEND", DEFAULT_BACKEND),
        LOUPE_OPENSEARCH_URL=os.environ.get("LOUPE_OPENSEARCH_URL"),
        LOUPE_OPENSEARCH_INDEX=os.environ.get("LOUPE_OPENSEARCH_INDEX"),
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False  # French text stays readable in the API
    app.json.sort_keys = False  # keys in the documented order

    # Which engine answers is configuration; nothing below this line knows it.
    app.extensions[SEARCHER_KEY] = Searcher.open(
        Path(app.config["LOUPE_INDEX"]),
        backend=app.config["LOUPE_BACKEND"],
        opensearch_url=app.config["LOUPE_OPENSEARCH_URL"],
        opensearch_index=app.config["LOUPE_OPENSEARCH_INDEX"],
    )

    if app.config.get("LOUPE_WARM_THREADS"):  # `loupe serve`: open the index before serving
        app.extensions["loupe.searcher"].warm(int(app.config["LOUPE_WARM_THREADS"]))
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    app.static_folder = "static"
    app.add_url_rule(
        "/static/<path:filename>",
        endpoint="static",
        view_func=app.send_static_file,
        methods=["GET"],
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(investigate.bp)
    if app.config.get("LOUPE_WARM_THREADS"):  # and the templates, compiled before the first page
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)
    return app
