"""`loupe index --watch`: new, changed and deleted files become searchable (or
not) within the interval plus the update's time, a flood is batched, a file
rewritten in a burst is read once complete, `loupe serve` stays healthy, and
SIGTERM stops the watcher. Real processes, real index, real server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from search.backends.whoosh import WhooshBackend
from search.searcher import Searcher

REPO = Path(__file__).resolve().parents[1]
HTML = sorted((REPO / "corpus" / "html").glob("*.html"))


def loupe(*args: str) -> list[str]:
    return [sys.executable, "-m", "web.cli", *args]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def article(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


def total(index: Path, query: str) -> int:
    try:
        # relax=False: what the index holds, not a loosened query's matches
        return Searcher(WhooshBackend(index)).search(query, with_snippets=False, relax=False).total
    except Exception:  # noqa: BLE001 — no index yet
        return -1


def wait_for(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


@contextlib.contextmanager
def watching(corpus: Path, index: Path, log: Path, *extra: str):
    with log.open("wb") as out:
        proc = subprocess.Popen(
            loupe("index", str(corpus), "--index", str(index), "--no-ner", "-q", "--watch")
            + list(extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env(),
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc: subprocess.Popen, log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, log.read_text()
    assert "surveillance terminée" in log.read_text()
    assert "Traceback" not in log.read_text()


def test_watch_picks_up_a_new_a_changed_and_a_deleted_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in HTML[:3]:
        (corpus / p.name).write_bytes(p.read_bytes())
    index, log = tmp_path / "ix", tmp_path / "watch.log"
    interval = 0.5
    with watching(corpus, index, log, "--interval", str(interval), "--settle", "0.3") as proc:
        wait_for(lambda: total(index, "Mali") >= 0, 60, "first build")
        (corpus / "neuf.txt").write_text(article("Zanzibar", "Le port de Zanzibar rouvre."))
        took = wait_for(lambda: total(index, "zanzibar") == 1, 30, "new file")
        (corpus / "neuf.txt").write_text(article("Zanzibar", "Le port de Kilwa rouvre."))
        wait_for(lambda: total(index, "kilwa") == 1, 30, "changed file")
        assert total(index, "port zanzibar rouvre") == 1
        (corpus / "neuf.txt").unlink()
        wait_for(lambda: total(index, "kilwa") == 0, 30, "deleted file")
        stop(proc, log)
    lines = log.read_text().splitlines()
    assert any("+1 ~0 -0" in line for line in lines), lines
    assert any("+0 ~1 -0" in line for line in lines), lines
    assert any("+0 ~0 -1" in line for line in lines), lines
    print(f"new file searchable after {took:.1f} s (interval {interval} s)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(url: str) -> int:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.slow
def test_a_flood_is_batched_a_burst_read_once_and_serve_stays_healthy(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "graine.txt").write_text(article("Graine", "Premier article du dossier."))
    index, log = tmp_path / "ix", tmp_path / "watch.log"
    subprocess.run(
        loupe("index", str(corpus), "--index", str(index), "--no-ner", "-q"), env=env(), check=True
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        loupe("serve", "--index", str(index), "--port", str(port), "--workers", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env(),
    )
    try:
        wait_for(lambda: health(url) == 200, 60, "loupe serve")
        with watching(corpus, index, log, "--interval", "1", "--settle", "1") as proc:
            time.sleep(1.5)
            flood = corpus / "flood"
            flood.mkdir()
            for i in range(5000):
                (flood / f"d{i:05d}.txt").write_text(
                    article(f"Dépêche {i}", f"Communiqué numéro {i} sur le marché du cacao.")
                )
            burst = corpus / "burst.txt"
            started = time.monotonic()
            for n in range(100):
                burst.write_text(article("Rafale", f"Version {n:03d} de la rafale abricot{n}."))
                time.sleep(0.01)
            assert time.monotonic() - started < 3
            statuses = []
            done = lambda: total(index, "cacao") == 5000 and total(index, "abricot99") == 1  # noqa: E731
            deadline = time.monotonic() + 600
            while not done():
                statuses.append(health(url))
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            statuses.append(health(url))
            assert set(statuses) == {200}, statuses
            assert total(index, "rafale") == 1
            assert total(index, "abricot42") == 0, "the burst's intermediate versions never stay"
            rss = peak_rss_mb(proc.pid)
            stop(proc, log)
        updates = [line for line in log.read_text().splitlines() if " → " in line]
        # 5,000 files in a handful of updates, the burst file in one or two
        assert len(updates) <= 6, updates
        assert rss < 1024, f"watcher peak RSS {rss:.0f} MB"
        print(json.dumps({"updates": updates, "peak_rss_mb": round(rss)}, ensure_ascii=False))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.mark.slow
def test_sigterm_during_an_update_lets_it_finish_then_stops(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "graine.txt").write_text(article("Graine", "Premier article du dossier."))
    index, log = tmp_path / "ix", tmp_path / "watch.log"
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(1500):
        (staging / f"d{i:04d}.txt").write_text(article(f"Dépêche {i}", f"Mangue numéro {i}."))
    with watching(corpus, index, log, "--interval", "0.3", "--settle", "0") as proc:
        wait_for(lambda: total(index, "graine") == 1, 60, "first build")
        staging.rename(corpus / "lot")  # 1,500 files at once: one update
        wait_for(lambda: any(index.glob("*.building")), 60, "the update under way")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=300) == 0, log.read_text()
    assert "surveillance terminée" in log.read_text()
    assert not list(index.glob("*.building"))
    assert total(index, "mangue") == 1500, "the update under way was finished, not cut"
