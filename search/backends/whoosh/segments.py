"""A new generation from the previous one's segments, and how many segments to keep.

Whoosh segments are immutable: a writer adds new segment files and a new table
of contents (`_MAIN_<n+1>.toc`, written to a temporary name and renamed) and
records deletions in that TOC; it never opens an existing file for writing,
and files it no longer needs are unlinked. So the next generation can start
as hard links to the previous one's files — no data copied — and be updated
in place: unlinking a name in the new folder leaves the previous generation's
link intact, and nothing written can reach a shared inode.

Every update adds a segment; a query pays per segment (one matcher per term
per segment, in pure Python), so the writer merges the smallest segments
within the build whenever there would be more than MAX_SEGMENTS — never in a
reader's path, and the cost of a merge stays proportional to the small
segments it merges.
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh.reading import SegmentReader

from search.backends.whoosh.store import checkpoint

# Whoosh's own files in a generation (index name MAIN); the writer's lock is not shared.
WHOOSH_PREFIXES = ("MAIN_", "_MAIN_")
WRITE_LOCK = "MAIN_WRITELOCK"
MAX_SEGMENTS = 4
# A segment with this share of deleted documents is rewritten at the next merge.
MAX_DELETED_SHARE = 0.3


def link_segments(previous: Path, building: Path) -> int:
    """Hard-link the previous generation's Whoosh files into `building`.

    Returns the number of files linked. Falls back to a copy where the
    filesystem refuses hard links (then the update costs a copy, not a rebuild).
    """
    import shutil

    linked = 0
    for p in sorted(previous.iterdir()):
        if not p.is_file() or not p.name.startswith(WHOOSH_PREFIXES) or p.name == WRITE_LOCK:
            continue
        try:
            os.link(p, building / p.name)
        except OSError:
            shutil.copy2(p, building / p.name)
        linked += 1
    return linked


def bounded_merge(writer, segments):
    """Merge policy: at most MAX_SEGMENTS segments (counting the one being written).

    The smallest segments are merged into the new one, and so is any segment
    whose documents are mostly deleted (its postings would otherwise be read
    and filtered on every query). The largest segments are left alone, so an
    update of 100 articles over a 100,000-article base rewrites only small ones.
    """
    by_size = sorted(segments, key=lambda s: s.doc_count_all())
    keep = MAX_SEGMENTS - 1  # the new segment takes one place
    merge = [s for s in by_size if _mostly_deleted(s)]
    rest = [s for s in by_size if s not in merge]
    while len(rest) > keep:
        merge.append(rest.pop(0))
    if not merge:
        return segments
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
        checkpoint("merge")
    return rest


def _mostly_deleted(segment) -> bool:
    total = segment.doc_count_all()
    return total > 0 and segment.deleted_count() / total > MAX_DELETED_SHARE


def segment_count(index) -> int:
    return len(index._segments())
