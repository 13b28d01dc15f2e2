"""Whoosh's posting pool, with its sorted runs written in chunks.

A Whoosh writer keeps every posting of the segment it writes in a pool; past
its memory limit the pool sorts what it holds and writes it to a temporary
« run » file, and the commit merges the runs. Whoosh writes and reads a run one
`marshal` call per posting: in a segment writer of the 10,000-article bench,
that was 7 of its 25 s (py-spy). Here a run is the same sorted postings, in
`marshal` calls of `CHUNK` postings each, read back chunk by chunk: the same
merge, the same segment, a few hundred calls instead of millions, and memory
still bounded by the pool's limit (plus one chunk per run while merging).
"""

from __future__ import annotations

import heapq
import marshal
from collections.abc import Iterable, Iterator

from whoosh.writing import PostingPool, SegmentWriter

from search.backends.whoosh.column_tap import TappedSegmentWriter

CHUNK = 20_000  # postings per marshal call: a few MB at most
# marshal's current format (4): repeated objects of a chunk (field names,
# weights) are written once and referenced, so a chunk loads 15–25 % faster
# and is a sixth smaller than in Whoosh's format 2. Runs live only as long as
# the writer that reads them back.
RUN_FORMAT = marshal.version


class ChunkedPostingPool(PostingPool):
    def _write_run(self, f, items: Iterable) -> None:
        if isinstance(items, list):
            for start in range(0, len(items), CHUNK):
                marshal.dump(items[start : start + CHUNK], f, RUN_FORMAT)
        else:  # a merge of runs (`reduce_to`), streamed
            chunk: list = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    marshal.dump(chunk, f, RUN_FORMAT)
                    chunk = []
            if chunk:
                marshal.dump(chunk, f, RUN_FORMAT)
        f.close()

    def items(self, maxfiles: int = 128) -> Iterable:
        """Whoosh's, but the postings still held at the commit are merged from
        memory instead of being written as one more run and read back (a
        posting costs about 3 µs through `marshal` and back: a second of a
        segment writer of the 10,000-article bench)."""
        if not self.runs:
            return sorted(self.current)
        held, self.current = sorted(self.current), []
        self.currentsize = 0
        if len(self.runs) > maxfiles - 1:
            self.reduce_to(maxfiles - 1, maxfiles - 1)
        runs, self.runs = self.runs, []
        return heapq.merge(*[self._read_run(path) for path in runs], held)

    def _read_run(self, path: str) -> Iterator:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def chunked_writer(ix, **options) -> SegmentWriter:
    """`ix.writer(**options)` whose pool writes its runs in chunks, and whose
    commit writes the new segment's fast-path columns from the postings it
    encodes (search.backends.whoosh.column_tap). The pool is set before the
    first document: the writer's own pool is still empty then."""
    writer = TappedSegmentWriter(ix, **options)
    limitmb = options.get("limitmb", 128)
    writer.pool = ChunkedPostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer
