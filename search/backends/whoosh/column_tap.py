"""The fast path's columns, taken from the postings as a commit writes them.

`build_fast_path` used to read every posting list of a new segment back from
disk right after the commit had written it: one Whoosh matcher per term, its
blocks decoded again. In the bundled build's profile that was 7.7 of 27 s, in
a segment writer of the 10,000-article bench about a tenth of its time. The
commit already holds each term's postings, block by block, as arrays of
document numbers and weights: this module keeps a copy of those arrays for
the fields the fast path reads and writes their columns as soon as each field
is complete (so no more than one field is held in memory, as before).

The hooks are two subclasses of Whoosh's own writers, chosen by a codec used
only for writing; the segments it makes name Whoosh's plain codec, so an
index written with the tap is read like any other. What they write is, file
for file, what `build_fast_path` writes by reading the segment
(tests/test_fastpath.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3Segment
from whoosh.writing import SegmentWriter

from search.backends.whoosh import fastpath
from search.backends.whoosh.field_lengths import FieldLengths


class ColumnTap:
    """The postings of the fast path's fields, collected term by term and
    written field by field into `folder` (the segment's column folder, still
    under a temporary name)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.fields = set(fastpath.SCORED_FIELDS) | set(fastpath.FACET_FIELDS)
        self.saved: set[str] = set()
        self._field: str | None = None
        self._blocks: list[tuple[np.ndarray, np.ndarray]] = []
        self._reset()

    def _reset(self) -> None:
        self._keys: list[int] = []
        self._terms: list[str] = []
        self._ptr = [0]
        self._docs: list[np.ndarray] = []
        self._tfs: list[np.ndarray] = []

    def wants(self, fieldname: str) -> bool:
        return fieldname in self.fields

    def start_field(self, fieldname: str) -> None:
        self._field = fieldname
        self._reset()

    def block(self, ids, weights) -> None:
        """One block of the current term (Whoosh's `array('I')` and `array('f')`)."""
        self._blocks.append(
            (
                np.frombuffer(ids, dtype=np.uint32).astype(np.int32),
                np.frombuffer(weights, dtype=np.float32).copy(),
            )
        )

    def finish_term(self, btext: bytes) -> None:
        blocks, self._blocks = self._blocks, []
        if len(blocks) == 1:
            ids, weights = blocks[0]
        else:
            ids = np.concatenate([b[0] for b in blocks])
            weights = np.concatenate([b[1] for b in blocks])
        self._keys.append(fastpath.term_hash(btext))
        if self._field in fastpath.FACET_FIELDS:
            self._terms.append(btext.decode("utf-8"))
        self._docs.append(ids)
        self._tfs.append(weights)
        self._ptr.append(self._ptr[-1] + len(ids))

    def finish_field(self) -> None:
        field = self._field
        assert field is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        fastpath.save_field_columns(
            self.folder, field, self._keys, self._terms, self._ptr, self._docs, self._tfs
        )
        self.saved.add(field)
        self._field = None
        self._reset()

    def finish_segment(self, segreader) -> None:
        """After the commit: the fields no posting reached, the lengths and the
        format stamp (what makes the folder complete)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for field in sorted(self.fields - self.saved):
            fastpath.save_field_columns(self.folder, field, [], [], [0], [], [])
        fastpath.save_lengths_and_format(self.folder, segreader)


class _TapPostingsWriter(W3PostingsWriter):
    tap: ColumnTap | None = None

    def _write_block(self, last=False):
        if self.tap is not None:
            self.tap.block(self._ids, self._weights)
        super()._write_block(last)

    def finish_postings(self):
        # A short list is inlined in its term info: no block is written for it.
        if self.tap is not None and not self.written() and len(self) < self._inlinelimit:
            self.tap.block(self._ids, self._weights)
        return super().finish_postings()


class _TapFieldWriter(W3FieldWriter):
    tap: ColumnTap

    def start_field(self, fieldname, fieldobj):
        super().start_field(fieldname, fieldobj)
        codec = self._codec
        self._postwriter = _TapPostingsWriter(
            self._postfile,
            blocklimit=codec._blocklimit,
            compression=codec._compression,
            inlinelimit=codec._inlinelimit,
        )
        if self.tap.wants(fieldname):
            self.tap.start_field(fieldname)
            self._postwriter.tap = self.tap

    def finish_term(self):
        super().finish_term()
        if self._postwriter.tap is not None:
            self.tap.finish_term(self._btext)

    def finish_field(self):
        if self._postwriter is not None and self._postwriter.tap is not None:
            self.tap.finish_field()
        super().finish_field()


class TapCodec(W3Codec):
    """Whoosh's codec, whose field writer feeds a `ColumnTap`; its segments
    name the plain codec (nothing of this module is needed to read them)."""

    def __init__(self, tap: ColumnTap) -> None:
        super().__init__()
        self.tap = tap

    def field_writer(self, storage, segment):
        writer = _TapFieldWriter(self, storage, segment)
        writer.tap = self.tap
        return writer

    def new_segment(self, storage, indexname):
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)


class TappedSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, whose commit also writes the new segment's
    fast-path columns (under `fastpath/<segment id>/` of the index folder)."""

    def __init__(self, ix, **options) -> None:
        self.tap = ColumnTap(Path("."))  # its folder is named after the new segment, below
        super().__init__(ix, codec=TapCodec(self.tap), **options)
        self._index_folder = Path(ix.storage.folder)
        self.tap.folder = self._fast_dir() / f"{self.newsegment.segment_id()}.tapped"

    def _fast_dir(self) -> Path:
        return self._index_folder / fastpath.FAST_DIR

    def _flush_segment(self) -> None:
        """Whoosh's, with the field lengths read once per field (field_lengths)."""
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = FieldLengths(pdr) if pdr is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()

    def commit(self, *args, **kwargs) -> None:
        try:
            super().commit(*args, **kwargs)
        except BaseException:
            shutil.rmtree(self.tap.folder, ignore_errors=True)
            raise
        self._publish_tapped()

    def cancel(self) -> None:
        super().cancel()
        shutil.rmtree(self.tap.folder, ignore_errors=True)

    def _publish_tapped(self) -> None:
        """Complete the tapped columns and give them the segment's name, where
        `build_fast_path` finds them complete (a commit that wrote no segment,
        deletions only, leaves nothing)."""
        segment_id = self.newsegment.segment_id()
        if not self.tap.saved and not self.tap.folder.exists():
            return
        ix = windex.open_dir(str(self._index_folder), indexname=self.indexname)
        with ix.reader() as reader:
            for segreader, _ in reader.leaf_readers():
                if segreader.segment().segment_id() == segment_id:
                    self.tap.finish_segment(segreader)
                    target = self._fast_dir() / segment_id
                    shutil.rmtree(target, ignore_errors=True)
                    self.tap.folder.rename(target)
                    return
        shutil.rmtree(self.tap.folder, ignore_errors=True)
