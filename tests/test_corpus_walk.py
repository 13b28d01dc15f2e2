"""The corpus walker on real folders: order, what it skips, links, refusals, the bundled corpus."""

from __future__ import annotations

import filecmp
import importlib.util
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from search.article import Article
from search.readers import CorpusError, Note, Skipped, read_corpus, read_file

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
DATA = Path(__file__).resolve().parent / "data" / "readers"
# A few records of the Wikinews export the bundled corpus was generated from, as
# they were (CC BY 2.5, Wikinews contributors; see corpus/NOTICE.md).
EXPORT_SAMPLE = Path(__file__).resolve().parent / "data" / "wikinews-export-sample.jsonl"

ARTICLE_TEXT = "Un paragraphe d'article, avec une phrase complète.\n"


def write(path: Path, text: str = ARTICLE_TEXT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids(outcomes: list) -> list[str]:
    return [o.id for o in outcomes if isinstance(o, Article)]


def test_walk_is_recursive_and_in_name_order(tmp_path: Path) -> None:
    write(tmp_path / "b.txt")
    write(tmp_path / "a" / "z.txt")
    write(tmp_path / "a" / "sub" / "m.html", "<html><body><p>Texte.</p></body></html>")
    write(tmp_path / "c.jsonl", '{"id": "c-1", "title": "C", "text": "Texte."}\n')
    assert ids(list(read_corpus(tmp_path))) == ["m", "z", "b", "c-1"]


def test_notices_readmes_yaml_hidden_and_other_files_are_passed_over_silently(
    tmp_path: Path,
) -> None:
    write(tmp_path / "article.txt")
    for name in ("NOTICE.md", "README.txt", "readme.html", "entities.yml", "photo.jpg", ".x.txt"):
        write(tmp_path / name)
    write(tmp_path / ".git" / "HEAD.txt")
    assert list(read_corpus(tmp_path)) == [
        *read_file(tmp_path / "article.txt"),
    ]


def test_a_broken_file_never_stops_the_walk(tmp_path: Path) -> None:
    shutil.copy(DATA / "binary.txt", tmp_path / "a-binaire.txt")
    shutil.copy(DATA / "empty.txt", tmp_path / "b-vide.txt")
    write(tmp_path / "c-casse.jsonl", "{pas du json\n")
    write(tmp_path / "d-bon.txt")
    outcomes = list(read_corpus(tmp_path))
    assert [type(o).__name__ for o in outcomes] == ["Skipped", "Skipped", "Skipped", "Article"]
    assert outcomes[2].line == 1
    assert ids(outcomes) == ["d-bon"]


def test_encoding_fallback_is_a_note_not_a_skip(tmp_path: Path) -> None:
    shutil.copy(DATA / "cp1252.txt", tmp_path / "ancien.txt")
    outcomes = list(read_corpus(tmp_path))
    assert outcomes[0] == Note(str(tmp_path / "ancien.txt"), "not valid UTF-8, read as cp1252")
    assert ids(outcomes) == ["ancien"]


def test_oversize_files_are_skipped_by_the_walker(tmp_path: Path) -> None:
    write(tmp_path / "petit.txt")
    write(tmp_path / "gros.txt", ARTICLE_TEXT * 50)
    outcomes = list(read_corpus(tmp_path, max_bytes=1000))
    assert ids(outcomes) == ["petit"]
    [skipped] = [o for o in outcomes if isinstance(o, Skipped)]
    assert skipped.path == str(tmp_path / "gros.txt")
    assert skipped.reason.startswith("larger than 1000 bytes limit")


def test_symlink_loop_is_entered_once(tmp_path: Path) -> None:
    write(tmp_path / "dossier" / "article.txt")
    os.symlink(tmp_path, tmp_path / "dossier" / "boucle")
    outcomes = list(read_corpus(tmp_path))
    assert ids(outcomes) == ["article"]
    notes = [o for o in outcomes if isinstance(o, Note)]
    assert [n.path for n in notes] == [str(tmp_path / "dossier" / "boucle")]
    assert notes[0].message.startswith("symlink loop")


def test_linked_file_and_folder_are_followed_but_each_file_read_once(tmp_path: Path) -> None:
    real = write(tmp_path / "ailleurs" / "reel.txt")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(real, corpus / "lien.txt")
    os.symlink(tmp_path / "ailleurs", corpus / "z-dossier-lie")
    outcomes = list(read_corpus(corpus))
    assert ids(outcomes) == ["lien"]
    assert outcomes[1] == Note(
        str(corpus / "z-dossier-lie" / "reel.txt"),
        f"same file as {corpus / 'lien.txt'}, not read again",
    )


def test_broken_symlink_is_skipped_with_its_target(tmp_path: Path) -> None:
    os.symlink(tmp_path / "disparu.txt", tmp_path / "lien.txt")
    assert list(read_corpus(tmp_path)) == [
        Skipped(str(tmp_path / "lien.txt"), f"broken symlink to {tmp_path / 'disparu.txt'}")
    ]


def test_fifo_with_article_extension_is_skipped_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "tube.txt")
    assert list(read_corpus(tmp_path)) == [
        Skipped(str(tmp_path / "tube.txt"), "not a regular file")
    ]


def outcomes_as_nobody(folder: Path) -> list:
    """`read_corpus(folder)` as an unprivileged user, in a forked child.

    Root reads files whatever their mode, so as root a chmod 000 proves
    nothing; dropping to `nobody` in a child makes the permission real.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.setgid(65534)
            os.setuid(65534)
            found = [
                (type(o).__name__, o.path, getattr(o, "reason", None)) for o in read_corpus(folder)
            ]
            os.write(write_fd, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return [tuple(item) for item in json.loads(data or b"[]")]


def test_unreadable_file_is_skipped_with_permission_denied() -> None:
    # Not pytest's tmp_path: its parent is private to root, and `nobody` must be
    # stopped by the file's own mode, not by a folder above it.
    folder = Path(tempfile.mkdtemp(prefix="loupe-perm-"))
    try:
        folder.chmod(0o755)
        write(folder / "a-lisible.txt").chmod(0o644)
        secret = write(folder / "b-secret.txt")
        secret.chmod(0)
        if os.geteuid() == 0:
            outcomes = outcomes_as_nobody(folder)
        else:
            outcomes = [
                (type(o).__name__, o.path, getattr(o, "reason", None)) for o in read_corpus(folder)
            ]
        assert outcomes == [
            ("Article", str(folder / "a-lisible.txt"), None),
            ("Skipped", str(secret), "unreadable: permission denied"),
        ]
    finally:
        shutil.rmtree(folder)


def test_missing_folder_raises_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="corpus folder not found"):
        list(read_corpus(tmp_path / "nulle-part"))


def test_file_given_as_folder_raises_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not a folder"):
        list(read_corpus(write(tmp_path / "article.txt")))


# --- the bundled corpus ---------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> list:
    return list(read_corpus(CORPUS))


def test_bundled_corpus_reads_to_1292_articles_without_skips(bundled: list) -> None:
    kinds = Counter(type(o).__name__ for o in bundled)
    assert kinds == {"Article": 1292}
    articles = [o for o in bundled if isinstance(o, Article)]
    assert len({a.id for a in articles}) == 1292
    prefixes = Counter(a.id.split("-")[0] for a in articles)
    assert prefixes == {"wnkp": 100, "winer": 1191, "000_ca1515ff46768185": 1}


def test_bundled_html_pages_carry_their_attribution(bundled: list) -> None:
    pages = [o for o in bundled if isinstance(o, Article) and o.id.startswith("wnkp-")]
    assert all(p.source == "Wikinews" for p in pages)
    assert all(p.url and p.url.startswith("https://fr.wikinews.org/wiki/") for p in pages)
    assert all(p.license and p.license.startswith("CC BY 2.5") for p in pages)
    # The footer's attribution is boilerplate, not article text.
    assert not any("Creative Commons" in p.full_text for p in pages)


def load_make_corpus():
    spec = importlib.util.spec_from_file_location(
        "make_corpus", REPO / "scripts" / "make_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def export_records() -> list[dict]:
    lines = EXPORT_SAMPLE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_bundled_html_pages_match_their_source_records(bundled: list) -> None:
    source = {r["id"]: r for r in export_records() if r["id"].startswith("wnkp-")}
    assert len(source) == 3, "the export sample holds three pages, one of them undated"
    pages = {o.id: o for o in bundled if isinstance(o, Article) and o.id in source}
    assert pages.keys() == source.keys()
    for page_id, page in pages.items():
        record = source[page_id]
        assert page.title == record["title"]
        if record["date"]:
            assert (page.published.isoformat(), page.published_inferred) == (record["date"], False)
        else:
            assert page.published is None or page.published_inferred
    # Same words through two formats: the HTML page and its JSON record agree exactly.
    from_jsonl = {a.id: a for a in read_file(EXPORT_SAMPLE) if a.id in pages}
    assert {i: p.checksum for i, p in pages.items()} == {
        i: a.checksum for i, a in from_jsonl.items()
    }


def test_bundled_corpus_is_exactly_what_make_corpus_generates(tmp_path: Path) -> None:
    """make_corpus on records of the original export writes the bundled files, byte for byte."""
    counts = load_make_corpus().make_corpus(
        EXPORT_SAMPLE, tmp_path, seed=CORPUS / "000_ca1515ff46768185.txt"
    )
    assert counts == {"txt": 1, "html": 3, "jsonl": 2}
    names = ["000_ca1515ff46768185.txt", "NOTICE.md"]
    names += [f"html/{p.name}" for p in sorted((tmp_path / "html").iterdir())]
    match, mismatch, errors = filecmp.cmpfiles(CORPUS, tmp_path, names, shallow=False)
    assert (mismatch, errors, len(match)) == ([], [], 5)
    bundled_lines = set((CORPUS / "wikinews-winer.jsonl").read_text("utf-8").splitlines())
    generated = (tmp_path / "wikinews-winer.jsonl").read_text("utf-8").splitlines()
    assert len(generated) == 2 and set(generated) <= bundled_lines


def test_jsonl_export_larger_than_the_file_limit_is_read_record_by_record(tmp_path):
    record = {"id": "r{}", "title": "Titre {}", "text": "Un texte assez long. " * 20}
    lines = [json.dumps({k: v.format(i) for k, v in record.items()}) for i in range(50)]
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    big_record = json.dumps({"id": "big", "title": "Gros", "text": "x" * 5000})
    with (tmp_path / "export.jsonl").open("a", encoding="utf-8") as f:
        f.write(big_record + "\n")
    outcomes = list(read_corpus(tmp_path, max_bytes=2000))
    articles = [o for o in outcomes if isinstance(o, Article)]
    skipped = [o for o in outcomes if isinstance(o, Skipped)]
    assert len(articles) == 50, "the file is far over the limit, but each record is under it"
    assert [(s.line, s.reason) for s in skipped] == [(51, "record larger than 2 KB limit")]
