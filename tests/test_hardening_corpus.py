"""Hardening — bad corpora: `loupe index` names every faulty file and indexes the rest.

One folder holds every kind of fault a saved corpus brings (broken markup,
binaries renamed `.html`/`.txt`, legacy encodings, an empty file, an oversize
file, a JSON-lines dump with one torn line, a repeated id, a symlink loop, an
unreadable file) beside good articles. Everything goes through the real CLI
(click's runner, or a forked unprivileged child for the permission case) and
a real index on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.backends.whoosh import store
from search.cli import EXIT_SKIPPED, main
from search.searcher import Searcher

DATA = Path(__file__).resolve().parent / "data" / "readers"
ROOT = Path(__file__).resolve().parents[1]

GOOD_TEXT = (
    "La coopérative ostréicole {word} de Cancale rouvre ses parcs après la tempête.\n\n"
    "Les producteurs reprennent la vente dès lundi, avec des prix inchangés.\n"
)
OVERSIZE_KB = 4  # `--max-size` in MB below is 4 KB


def record(article_id: str, title: str, text: str) -> str:
    return json.dumps({"id": article_id, "title": title, "text": text}, ensure_ascii=False)


def write_faulty_corpus(folder: Path) -> dict[str, Path]:
    """Every fault in one folder, beside three good articles; returns the faulty paths."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bon-1.txt").write_text(GOOD_TEXT.format(word="huitrebleue"), "utf-8")
    (folder / "bon-2.html").write_text(
        "<html><head><title>Marée</title></head><body><h1>Grande marée à Cancale</h1>"
        "<p>Le coefficient marégraphe atteint 118, un record pour les pêcheurs à pied.</p>"
        "</body></html>",
        "utf-8",
    )
    shutil.copy(DATA / "malformed.html", folder / "casse.html")
    shutil.copy(DATA / "binary.txt", folder / "binaire.html")
    (folder / "binaire.txt").write_bytes(b"%PDF-1.4\n\x00\x01\x02" + bytes(range(256)) * 8)
    (folder / "ancien-cp1252.txt").write_bytes(
        "L’été à Besançon : « œuvre » de la municipalité — 50 € par famille.\n".encode("cp1252")
    )
    # \x81 is undefined in cp1252, so only latin-1 can read this one.
    (folder / "ancien-latin1.txt").write_bytes(
        "Le château de Fontainebleau accueille la fête ; coût \x81 inchangé.\n".encode("latin-1")
    )
    (folder / "vide.txt").write_bytes(b"")
    (folder / "enorme.txt").write_text(GOOD_TEXT.format(word="trop") * 200, "utf-8")
    lines = [
        record("lot-1", "Premier du lot", "Le premier article parle du zébulonite marin."),
        '{"id": "lot-2", "title": "Coupé en plein vol", "text": "Le tex',
        record("lot-3", "Troisième du lot", "Le troisième article parle du xylophonien."),
    ]
    (folder / "lot.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "double-a.jsonl").write_text(
        record("meme-id", "Premier", "Le texte du premier porte le mot alphabetix.") + "\n",
        "utf-8",
    )
    (folder / "double-b.jsonl").write_text(
        record("meme-id", "Second", "Le texte du second porte le mot betabetix.") + "\n", "utf-8"
    )
    (folder / "sous-dossier").mkdir()
    os.symlink("..", folder / "sous-dossier" / "boucle")
    return {
        "binary_html": folder / "binaire.html",
        "binary_txt": folder / "binaire.txt",
        "cp1252": folder / "ancien-cp1252.txt",
        "latin1": folder / "ancien-latin1.txt",
        "empty": folder / "vide.txt",
        "oversize": folder / "enorme.txt",
        "jsonl": folder / "lot.jsonl",
        "duplicate": folder / "double-b.jsonl",
        "loop": folder / "sous-dossier" / "boucle",
    }


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def index_args(corpus: Path, index_dir: Path, *extra: str) -> list[str]:
    max_size = f"{OVERSIZE_KB / 1024:.6f}"
    return ["index", str(corpus), "--index", str(index_dir), "--max-size", max_size, *extra]


def summary_line(output: str, path: Path, line: int | None = None) -> str:
    where = f"{path}:{line}" if line else str(path)
    found = [x.strip() for x in output.splitlines() if x.strip().startswith(f"- {where} :")]
    assert len(found) == 1, f"{where} not listed once in:\n{output}"
    return found[0]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """The faulty corpus, indexed once without NER; (corpus, index, paths, result)."""
    base = tmp_path_factory.mktemp("faulty")
    paths = write_faulty_corpus(base / "corpus")
    result = run(*index_args(base / "corpus", base / "index", "--no-ner"))
    return base / "corpus", base / "index", paths, result


def test_faulty_corpus_is_indexed_with_exit_status_3(faulty):
    _, _, _, result = faulty
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "Traceback" not in result.output
    # bon-1, bon-2, casse, cp1252, latin-1, lot-1, lot-3, meme-id (first copy)
    assert "8 articles indexés" in result.output


@pytest.mark.parametrize(
    ("fault", "line", "reason"),
    [
        ("binary_html", None, "binary file (contains NUL bytes)"),
        ("binary_txt", None, "binary file (contains NUL bytes)"),
        ("empty", None, "empty file"),
        ("oversize", None, f"larger than {OVERSIZE_KB} KB limit"),
        ("jsonl", 2, "invalid JSON at line 2"),
    ],
)
def test_each_skipped_file_is_listed_with_its_reason(faulty, fault, line, reason):
    _, _, paths, result = faulty
    assert reason in summary_line(result.output, paths[fault], line)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("cp1252", "not valid UTF-8, read as cp1252"),
        ("latin1", "not valid UTF-8, read as latin-1"),
        ("loop", "symlink loop"),
    ],
)
def test_encoding_fallbacks_and_symlink_loop_are_noted(faulty, fault, message):
    _, _, paths, result = faulty
    assert message in summary_line(result.output, paths[fault])


def test_second_article_with_the_same_id_is_named_as_a_duplicate(faulty):
    _, _, paths, result = faulty
    line = summary_line(result.output, paths["duplicate"])
    assert "identifiant meme-id déjà lu dans" in line and "double-a.jsonl" in line


@pytest.mark.parametrize(
    ("query", "expected_id"),
    [
        ("huitrebleue", "bon-1"),
        ("marégraphe", "bon-2"),
        ("commerçants", "casse"),
        ("Besançon", "ancien-cp1252"),
        ("Fontainebleau", "ancien-latin1"),
        ("zébulonite", "lot-1"),
        ("xylophonien", "lot-3"),
        ("alphabetix", "meme-id"),
    ],
)
def test_every_readable_article_is_searchable(faulty, query, expected_id):
    _, index_dir, _, _ = faulty
    assert [h.id for h in Searcher.open(index_dir).search(query).hits] == [expected_id]


def test_legacy_encodings_keep_their_accents(faulty):
    _, index_dir, _, _ = faulty
    article = Searcher.open(index_dir).get("ancien-cp1252")
    assert "L’été à Besançon : « œuvre »" in article.full_text
    assert "50 €" in article.full_text


def test_the_losing_duplicate_and_the_torn_line_are_not_indexed(faulty):
    _, index_dir, _, _ = faulty
    searcher = Searcher.open(index_dir)
    assert searcher.search("betabetix").total == 0
    assert searcher.get("lot-2") is None


def test_strict_build_of_the_faulty_corpus_fails_and_keeps_the_previous_index(faulty, tmp_path):
    corpus, _, paths, _ = faulty
    good = tmp_path / "good"
    good.mkdir()
    (good / "bon-1.txt").write_text(GOOD_TEXT.format(word="huitrebleue"), "utf-8")
    index_dir = tmp_path / "index"
    assert run("index", str(good), "--index", str(index_dir), "--no-ner").exit_code == 0
    live = store.current_generation(index_dir)

    result = run(*index_args(corpus, index_dir, "--no-ner", "--strict"))
    assert result.exit_code == 1, result.output
    assert "--strict" in result.output and "index inchangé" in result.output
    assert "Traceback" not in result.output
    # The refusal says which files were at fault, so they can be fixed.
    assert "empty file" in summary_line(result.output, paths["empty"])
    assert "invalid JSON at line 2" in summary_line(result.output, paths["jsonl"], 2)
    assert store.current_generation(index_dir) == live
    assert not list(index_dir.glob("*.building"))
    searcher = Searcher.open(index_dir)
    assert [h.id for h in searcher.search("huitrebleue").hits] == ["bon-1"]
    assert searcher.search("zébulonite").total == 0


def test_faulty_corpus_with_ner_reports_the_same_and_finds_entities(faulty, tmp_path):
    corpus, _, paths, plain = faulty
    result = run(*index_args(corpus, tmp_path / "index"))
    assert result.exit_code == EXIT_SKIPPED, result.output
    for fault in ("binary_html", "empty", "oversize"):
        summary_line(result.output, paths[fault])
    assert "8 articles indexés" in result.output
    assert "entités :" in result.output
    facets = Searcher.open(tmp_path / "index").search("Besançon").facets
    assert "Besançon" in [v.value for v in facets["places"]]


def test_corpus_of_only_faulty_files_fails_and_says_why(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vide.txt").write_bytes(b"")
    shutil.copy(DATA / "binary.txt", corpus / "binaire.txt")
    result = run("index", str(corpus), "--index", str(tmp_path / "index"), "--no-ner")
    assert result.exit_code == 1
    assert "aucun article lisible" in result.output
    assert "empty file" in summary_line(result.output, corpus / "vide.txt")
    assert "binary file" in summary_line(result.output, corpus / "binaire.txt")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["missing", "empty", "a-file"])
def test_missing_empty_or_non_folder_corpus_fails_in_one_line(tmp_path, kind):
    corpus = tmp_path / "corpus"
    if kind == "empty":
        corpus.mkdir()
    elif kind == "a-file":
        corpus.write_text(GOOD_TEXT.format(word="x"), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "search.cli", "index", str(corpus)]
        + ["--index", str(tmp_path / "index"), "--no-ner"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur :"), proc.stderr
    assert str(corpus) in lines[0]


def index_as_nobody(corpus: Path, index_dir: Path) -> tuple[int, str]:
    """`loupe index` as the unprivileged `nobody`, in a forked child.

    Root reads any file whatever its mode, so the permission must be met by an
    ordinary user. The child cannot import from root's private folders, so the
    parent has already run the same command once (every import is done).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.setgid(65534)
            os.setuid(65534)
            result = CliRunner().invoke(
                main, ["index", str(corpus), "--index", str(index_dir), "--no-ner"]
            )
            output = result.output + (repr(result.exception) if result.exit_code == 1 else "")
            os.write(write_fd, json.dumps([result.exit_code, output]).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    code, output = json.loads(data or b'[-1, "child wrote nothing"]')
    return code, output


def test_unreadable_file_is_skipped_and_the_rest_indexed(tmp_path):
    # Not tmp_path for the corpus: its parent is private to root, and `nobody`
    # must be stopped by the file's own mode, not by a folder above it.
    base = Path(tempfile.mkdtemp(prefix="loupe-hardening-"))
    try:
        base.chmod(0o755)
        corpus = base / "corpus"
        corpus.mkdir(mode=0o755)
        (corpus / "a-lisible.txt").write_text(GOOD_TEXT.format(word="lisiblix"), "utf-8")
        secret = corpus / "b-secret.txt"
        secret.write_text(GOOD_TEXT.format(word="secretix"), "utf-8")
        (corpus / "a-lisible.txt").chmod(0o644)
        secret.chmod(0)
        index_dir = base / "index"
        index_dir.mkdir(mode=0o777)
        index_dir.chmod(0o777)
        if os.geteuid() == 0:
            # Warm every lazy import as root, then build again as nobody.
            warm = run("index", str(corpus), "--index", str(tmp_path / "warm"), "--no-ner")
            assert warm.exit_code == 0, warm.output
            code, output = index_as_nobody(corpus, index_dir)
        else:
            result = run("index", str(corpus), "--index", str(index_dir), "--no-ner")
            code, output = result.exit_code, result.output
        assert code == EXIT_SKIPPED, output
        assert "unreadable: permission denied" in summary_line(output, secret)
        searcher = Searcher.open(index_dir)
        assert [h.id for h in searcher.search("lisiblix").hits] == ["a-lisible"]
        assert searcher.search("secretix").total == 0
    finally:
        shutil.rmtree(base)
