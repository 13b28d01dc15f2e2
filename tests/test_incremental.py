"""Incremental `loupe index`: an update gives the index a full rebuild would, on disk.

Every check compares the updated index with a full build of the same folder
into another directory (same ids, paths, checksums, entities; same hits, totals
and facet counts for a set of queries), with the real Whoosh index and, where
entities matter, the real spaCy model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.backends.whoosh import WhooshBackend, store
from search.backends.whoosh.segments import MAX_SEGMENTS
from search.corpus_state import IN_MOTION, VANISHED, read_tracked
from search.indexer import GenerationChange, index_corpus
from search.readers import corpus_files
from search.searcher import Searcher

REPO = Path(__file__).resolve().parents[1]
HTML = sorted((REPO / "corpus" / "html").glob("*.html"))
RECORDS = (REPO / "corpus" / "wikinews-winer.jsonl").read_text("utf-8").splitlines()
QUERIES = ["securite", "Mali", "attaque", "président", "élections", "football", "l'armée"]


def make_corpus(folder: Path, html: int = 12, records: int = 20) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in HTML[:html]:
        shutil.copy(p, folder / p.name)
    (folder / "depeches.jsonl").write_text("\n".join(RECORDS[:records]) + "\n", "utf-8")
    return folder


def snapshot(index_dir: Path) -> dict:
    """Everything a reader can see of an index, order-free where ranking may differ."""
    backend = WhooshBackend(index_dir)
    searcher = Searcher(backend)
    articles = {
        a.id: (a.path, a.checksum, sorted((e.type, e.canonical) for e in a.entities))
        for a in backend.all_articles()
    }
    searches = {}
    for q in QUERIES:
        # As typed (relax=False): the spelling table behind relaxation counts the
        # words of deleted documents until their segment is merged, so an updated
        # index may correct a word a rebuilt one leaves alone (documented).
        r = searcher.search(q, per_page=100, with_snippets=False, relax=False)
        facets = {f: sorted((v.value, v.count) for v in vs) for f, vs in r.facets.items()}
        searches[q] = (r.total, sorted(h.id for h in r.hits), facets)
    stats = backend.stats()
    return {"articles": articles, "searches": searches, "entities": stats.entities}


def rebuilt(corpus: Path, tmp: Path, **options) -> dict:
    fresh = tmp / f"fresh-{time.monotonic_ns()}"
    index_corpus(corpus, fresh, full=True, **options)
    snap = snapshot(fresh)
    shutil.rmtree(fresh)
    return snap


def generation_files_digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_add_change_remove_rename_match_a_full_rebuild_with_ner(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    index = tmp_path / "ix"
    cache = tmp_path / "ner.sqlite"
    options = {"ner": True, "ner_cache": cache}
    first = index_corpus(corpus, index, **options)
    assert first.mode == "full" and first.indexed == 32

    # add an HTML page and two records, change one page and one record, remove a page
    shutil.copy(HTML[20], corpus / HTML[20].name)
    changed = corpus / HTML[0].name
    changed.write_text(
        changed.read_text("utf-8").replace("<p>", "<p>Emmanuel Macron est à Bamako. ", 1),
        "utf-8",
    )
    lines = RECORDS[:20] + RECORDS[40:42]
    record = json.loads(lines[3])
    record["title"] += " : Ségolène Royal à Tombouctou"
    lines[3] = json.dumps(record, ensure_ascii=False)
    (corpus / "depeches.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (corpus / HTML[5].name).unlink()

    report = index_corpus(corpus, index, **options)
    assert report.mode == "incremental"
    assert (report.added, report.updated, report.removed) == (3, 2, 1)
    assert report.unchanged == 29
    assert report.ner_computed == 3 + 2, "NER runs on the new and changed articles only"
    assert snapshot(index) == rebuilt(corpus, tmp_path, **options)

    # rename a page (its id follows the file name) and move the records to a sub-folder
    (corpus / HTML[1].name).rename(corpus / ("z-" + HTML[1].name))
    (corpus / "sub").mkdir()
    (corpus / "depeches.jsonl").rename(corpus / "sub" / "depeches.jsonl")
    report = index_corpus(corpus, index, **options)
    assert report.mode == "incremental" and report.ner_computed == 0
    assert snapshot(index) == rebuilt(corpus, tmp_path, **options)

    # The cache keeps the entities of the removed page and of the texts changed
    # since; once unused for longer than MAX_AGE_DAYS they are pruned, the rest kept.
    import sqlite3

    from search.ner_cache import MAX_AGE_DAYS

    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*) FROM entities").fetchone()[0] == 32 + 3 + 2
        db.execute("UPDATE entities SET used = used - ?", (MAX_AGE_DAYS + 1,))
        db.execute("DELETE FROM state")
    report = index_corpus(corpus, index, **options)
    assert report.ner_pruned == 3  # the removed page, the two texts before their change
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*) FROM entities").fetchone()[0] == 34


def test_duplicates_resolve_as_in_a_full_build(tmp_path):
    """The first of a repeated id wins in walk order: removing the first file
    brings the second one's article in, though that file did not change."""
    corpus = make_corpus(tmp_path / "corpus", html=2, records=5)
    (corpus / "a.jsonl").write_text(RECORDS[50] + "\n", "utf-8")
    record = json.loads(RECORDS[50])
    record["title"] += " (autre version)"
    (corpus / "b.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    assert len(index_corpus(corpus, index, ner=False).duplicates) == 1
    (corpus / "a.jsonl").unlink()
    report = index_corpus(corpus, index, ner=False)
    assert report.mode == "incremental" and report.updated == 1 and not report.duplicates
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_an_update_never_writes_to_the_live_generation(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=6, records=10)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    live = index / store.current_generation(index)
    before = generation_files_digest(live)
    for i in range(3):
        shutil.copy(HTML[30 + i], corpus / HTML[30 + i].name)
        (corpus / HTML[i].name).unlink()
        index_corpus(corpus, index, ner=False)
        if i == 0:
            assert generation_files_digest(live) == before, "segments are shared, never modified"
            # and the segments were linked, not copied
            new = index / store.current_generation(index)
            shared = [p for p in new.iterdir() if (live / p.name).exists() and p.name[0] != "m"]
            assert any(p.stat().st_nlink > 1 for p in shared)


def test_segments_stay_bounded_and_queries_match_after_many_updates(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=4, records=10)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    for i in range(8):
        shutil.copy(HTML[40 + i], corpus / HTML[40 + i].name)
        if i % 3 == 0:
            (corpus / HTML[i // 3].name).unlink()
        report = index_corpus(corpus, index, ner=False)
        assert report.mode == "incremental" and report.added == 1
        meta = store.read_meta(index, store.current_generation(index))
        assert meta["segments"] <= MAX_SEGMENTS
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_nothing_changed_writes_nothing_and_touch_is_not_a_change(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=3, records=4)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    generation = store.current_generation(index)
    page = corpus / HTML[0].name
    os.utime(page, ns=(time.time_ns(), time.time_ns() + 5 * 10**9))
    report = index_corpus(corpus, index, ner=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 7)
    assert report.files_read == 0
    assert store.current_generation(index) == generation


def _rewrite_keeping_size_and_mtime(path: Path) -> None:
    """Change one ASCII letter of the first paragraph, then put the mtime back."""
    stat = path.stat()
    text = path.read_text("utf-8")
    i = text.index("<p>") + 3
    while not (text[i].isascii() and text[i].isalpha()):
        i += 1
    text = text[:i] + ("Q" if text[i] != "Q" else "R") + text[i + 1 :]
    path.write_text(text, "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_content_changed_with_size_and_mtime_kept_in_the_future(tmp_path):
    """Clock skew: an mtime in the future is never trusted; the checksum decides."""
    corpus = make_corpus(tmp_path / "corpus", html=2, records=2)
    page = corpus / HTML[0].name
    future = time.time_ns() + 86_400 * 10**9
    os.utime(page, ns=(future, future))
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    _rewrite_keeping_size_and_mtime(page)
    report = index_corpus(corpus, index, ner=False)
    assert report.updated == 1, report
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_content_changed_within_the_same_mtime_tick_as_the_last_run(tmp_path):
    """A file rewritten within the mtime granularity right after a run keeps its
    size and mtime: a recent mtime is checksummed."""
    corpus = make_corpus(tmp_path / "corpus", html=2, records=2)
    index = tmp_path / "ix"
    page = corpus / HTML[1].name
    index_corpus(corpus, index, ner=False)
    _rewrite_keeping_size_and_mtime(page)
    report = index_corpus(corpus, index, ner=False)
    assert report.updated == 1


def test_a_file_being_written_is_skipped_then_read_complete(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=2, records=3)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    page = HTML[10].read_text("utf-8")
    target = corpus / "arrivee.html"
    with target.open("w", encoding="utf-8") as writer:
        writer.write(page[: len(page) // 2])
        writer.flush()
        report = index_corpus(corpus, index, ner=False)
        assert [(s.path, s.reason) for s in report.skipped] == [(str(target), IN_MOTION)]
        assert report.added == 0
        writer.write(page[len(page) // 2 :])
    report = index_corpus(corpus, index, ner=False)
    assert report.added == 1 and not report.skipped
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_a_half_written_json_line_is_skipped_then_read_complete(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=1, records=3)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    dump = corpus / "depeches.jsonl"
    line = RECORDS[60]
    with dump.open("a", encoding="utf-8") as f:
        f.write(line[:100])
    report = index_corpus(corpus, index, ner=False)
    assert report.added == 0 and report.skipped
    with dump.open("a", encoding="utf-8") as f:
        f.write(line[100:] + "\n")
    report = index_corpus(corpus, index, ner=False)
    assert report.added == 1 and not report.skipped
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_a_dump_kept_open_by_its_exporter_gives_its_complete_lines(tmp_path):
    """A JSON-lines file an exporter keeps open and appends to is still read:
    its complete lines are indexed, the half-written one waits for the next run."""
    corpus = make_corpus(tmp_path / "corpus", html=1, records=3)
    index = tmp_path / "ix"
    dump = corpus / "depeches.jsonl"
    with dump.open("a", encoding="utf-8") as exporter:
        exporter.write(RECORDS[70] + "\n" + RECORDS[71][:80])
        exporter.flush()
        report = index_corpus(corpus, index, ner=False)
        assert report.indexed == 5 and len(report.skipped) == 1
        exporter.write(RECORDS[71][80:] + "\n")
        exporter.flush()
        report = index_corpus(corpus, index, ner=False)
        assert report.added == 1 and not report.skipped
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_a_file_vanishing_between_listing_and_reading_is_a_skip(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=2, records=1)
    listed = [p for p in corpus_files(corpus) if isinstance(p, Path)]
    listed[0].unlink()
    state, outcomes = read_tracked(listed[0], 2**20)
    assert state is None and outcomes[0].reason == VANISHED


def test_a_renamed_corpus_folder_gives_the_same_index_as_a_rebuild(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=3, records=3)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    moved = corpus.rename(tmp_path / "archive")
    report = index_corpus(moved, index, ner=False)
    assert report.mode == "incremental" and report.updated == 6
    assert snapshot(index) == rebuilt(moved, tmp_path, ner=False)


def test_the_hook_gets_the_changed_ids(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=3, records=2)
    index = tmp_path / "ix"
    seen: list[GenerationChange] = []
    index_corpus(corpus, index, ner=False, on_generation=seen.append)
    assert seen[-1].full and len(seen[-1].added) == 5
    shutil.copy(HTML[50], corpus / HTML[50].name)
    (corpus / HTML[0].name).unlink()
    index_corpus(corpus, index, ner=False, on_generation=seen.append)
    change = seen[-1]
    assert not change.full and len(change.added) == 1 and len(change.removed) == 1
    assert change.generation == store.current_generation(index)


# -- crashes -------------------------------------------------------------------

CRASH_POINTS = ["segment", "merge", "publish", "switch"]


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_during_an_update_leaves_the_previous_generation_serving(tmp_path, point):
    corpus = make_corpus(tmp_path / "corpus", html=4, records=6)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    if point == "merge":  # leave a small segment beside the first: the next update merges it
        for i in range(10):
            shutil.copy(HTML[60 + i], corpus / HTML[60 + i].name)
            index_corpus(corpus, index, ner=False)
            if store.read_meta(index, store.current_generation(index))["segments"] >= 2:
                break
    live = store.current_generation(index)
    before = snapshot(index)
    shutil.copy(HTML[70], corpus / HTML[70].name)
    (corpus / HTML[0].name).unlink()
    run = subprocess.run(
        [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index)]
        + ["--no-ner", "-q"],
        env={**os.environ, store.CRASH_AT_ENV: point, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == -9, run.stderr
    assert store.current_generation(index) == live
    assert snapshot(index) == before
    report = index_corpus(corpus, index, ner=False)
    assert report.mode == "incremental" and (report.added, report.removed) == (1, 1)
    assert not list(index.glob("*.building"))
    assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


# -- a full disk ---------------------------------------------------------------


@contextlib.contextmanager
def tiny_disk(where: Path, size: str):
    """A real, small tmpfs (needs mount rights: root, as in CI's container)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no mount rights for a small filesystem: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.slow
def test_a_full_disk_fails_the_update_cleanly_and_the_next_run_completes(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=6, records=10)
    with tiny_disk(tmp_path / "disk", "8m") as disk:
        index = disk / "ix"
        index_corpus(corpus, index, ner=False)
        live = store.current_generation(index)
        before = snapshot(index)
        for p in HTML[20:80]:
            shutil.copy(p, corpus / p.name)
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (free - 64 * 1024))  # 64 KB left: not enough for 60 pages
        run = subprocess.run(
            [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index)]
            + ["--no-ner", "-q"],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 1, run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0], run.stderr
        assert store.current_generation(index) == live
        assert snapshot(index) == before
        assert not list(index.glob("*.building"))
        filler.unlink()
        report = index_corpus(corpus, index, ner=False)
        assert report.mode == "incremental" and report.added == 60
        assert snapshot(index) == rebuilt(corpus, tmp_path, ner=False)


def test_an_update_is_refused_while_another_run_holds_the_lock(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", html=2, records=2)
    index = tmp_path / "ix"
    index_corpus(corpus, index, ner=False)
    live = store.current_generation(index)
    shutil.copy(HTML[90], corpus / HTML[90].name)
    with store.build_lock(index), pytest.raises(store.IndexBusy):
        index_corpus(corpus, index, ner=False)
    assert store.current_generation(index) == live
    assert index_corpus(corpus, index, ner=False).added == 1
