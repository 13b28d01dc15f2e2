"""Each document's field lengths, read once per field for a commit.

When a commit encodes a segment's postings, Whoosh asks the length of the
posting's field in its document for every posting (`FieldWriter.add_postings`,
for each term's shortest and longest document), and its per-document reader
answers each time with a dict lookup, a seek, a read and an unpack: a tenth of
a segment writer's time in the profile of the 10,000-article build. This table
reads each field's length column once and answers from a list, the same
values (None where the byte is 0, as Whoosh's reader gives).
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import _length_byte_cache

_LENGTH_OF_BYTE = np.array(_length_byte_cache, dtype=np.int64)


class FieldLengths:
    """`doc_field_length(docnum, fieldname)` as the per-document reader `pdr`
    answers it, each field's column read on first use."""

    def __init__(self, pdr) -> None:
        self._pdr = pdr
        self._tables: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        try:
            table = self._tables[fieldname]
        except KeyError:
            table = self._tables[fieldname] = self._load(fieldname)
        if table is None:
            return default
        return table[docnum]

    def _load(self, fieldname: str) -> list[int | None] | None:
        column = _lenfield(fieldname)
        if not self._pdr.has_column(column):
            return None
        raw = np.frombuffer(bytes(self._pdr.column_reader(column, LENGTHS_COLUMN).load()), np.uint8)
        lengths = _LENGTH_OF_BYTE[raw].tolist()
        return [n if b else None for n, b in zip(lengths, raw.tolist(), strict=True)]
