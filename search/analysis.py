"""Compatibility re-exports: French analysis now lives in two places.

The rules and tables are in `search.core.french` (backend-neutral, imported
from here by older code); the Whoosh analyzer chains built from them
(`stemmed_analyzer`, `exact_analyzer`) are in `search.backends.whoosh.analysis`.
"""

from search.core.french import (  # noqa: F401
    ELISIONS,
    WORD_PATTERN,
    analyze,
    fold,
    stem,
)
from search.core.french import STOP_WORDS as FRENCH_STOP_WORDS  # noqa: F401
