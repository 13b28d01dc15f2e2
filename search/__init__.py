"""Loupe's search engine: readers, French analysis, entities, index and search.

This package never imports Flask; the web front end lives in `web/`.
"""

__version__ = "0.1.0"
