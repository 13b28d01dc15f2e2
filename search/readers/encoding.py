"""Bytes → text for corpus files whose encoding nobody declared.

French files from older tools are often cp1252 or latin-1 rather than UTF-8;
reading them as UTF-8 with replacement characters would silently mangle every
accented word, and refusing them would lose the article. So: UTF-8 first, then
the two legacy encodings, and say which file needed the fallback. Binary files
(a PDF or an image renamed `.txt`) are refused, because decoding them "works"
and fills the index with noise.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from search.readers.errors import ReaderError

# How much of the file the binary check looks at: enough to see a header and
# some content, little enough to cost nothing on a 20 MB file.
_SAMPLE = 8192
# Control characters other than tab, newline, carriage return, form feed and escape
# are rare in text; above this share of the sample the file is not text.
_MAX_CONTROL_RATIO = 0.10
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_FALLBACKS = ("cp1252", "latin-1")


@dataclass(frozen=True)
class Decoded:
    """The text of a file and how it was read; `fallback` marks a non-UTF-8 file."""

    text: str
    encoding: str
    fallback: bool = False


# The control bytes that do not occur in text (one C pass counts them: a loop
# in Python over every byte was a sixth of reading a corpus)
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS) + b"\x7f"


def looks_binary(data: bytes) -> str | None:
    """Why `data` is not text ("NUL bytes", "control characters"), or None if it is."""
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return "contains NUL bytes"
    if not sample:
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # deleted: counted
    if controls / len(sample) > _MAX_CONTROL_RATIO:
        return f"{controls / len(sample):.0%} control characters"
    return None


def decode(data: bytes) -> Decoded:
    """Decode a corpus file: UTF-8 (BOM stripped), UTF-16 with BOM, else cp1252, else latin-1.

    Raises ReaderError("binary file: …") for data that is not text at all.
    """
    # UTF-16 is full of NUL bytes, so its BOM must be looked at before the binary check.
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(codec), "utf-16")
            except UnicodeDecodeError as e:
                raise ReaderError(f"binary file: invalid UTF-16 ({e.reason})") from e
    why = looks_binary(data)
    if why:
        raise ReaderError(f"binary file ({why})")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    for codec in _FALLBACKS:
        try:
            return Decoded(data.decode(codec), codec, fallback=True)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
