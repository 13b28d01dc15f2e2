"""The app's engine, as the blueprints reach it.

Kept apart from `web/__init__` (which builds the app and registers the
blueprints) so that `web.api` and `web.pages` import it without importing the
package that imports them.
"""

from __future__ import annotations

from flask import current_app

from search.searcher import Searcher

SEARCHER_KEY = "loupe.searcher"


def get_searcher() -> Searcher:
    """The app's one `Searcher` (thread-safe: the backend keeps one reader per thread)."""
    return current_app.extensions[SEARCHER_KEY]
