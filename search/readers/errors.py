"""The one exception format readers raise, so the walker can turn it into a skip.

Readers know *why* a file or a record is unusable; only the walker knows which
file it was reading. Keeping the reason and the line apart lets it build a
`Skipped` that names both without parsing messages.
"""

from __future__ import annotations


class ReaderError(Exception):
    """A file or record that cannot become an article, and why (in English)."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
