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


MAX_ID_LENGTH = 200
_CONTROL = {*range(0x20), 0x7F}


def check_id(article_id: str) -> str:
    """The id as given, or ReaderError if no link or lookup could carry it.

    Ids are opaque (a file name with spaces and accents is fine), but one
    holding control characters or longer than 200 characters would be indexed
    and listed with no page or API address that reaches it.
    """
    if len(article_id) > MAX_ID_LENGTH:
        raise ReaderError(f"id longer than {MAX_ID_LENGTH} characters")
    if any(ord(c) in _CONTROL for c in article_id):
        raise ReaderError("id contains control characters")
    return article_id
