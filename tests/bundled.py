"""The repository's bundled corpus, as the tests draw samples from it.

Tests read only what the repository ships: `corpus/` holds the seed article,
the 100 Wikinews HTML pages and the 1,191 Wikinews JSON records. Taken in
order — pages by name, then records by line — they are the 1,291 Wikinews
articles in the order of the export the corpus was generated from, so "every
30th article" picks the same articles it always did. A missing file is a
failure that names it, never a skip: a clone that lost its corpus must not
pass by running fewer tests.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEED_ID = "000_ca1515ff46768185"
SEED_FILE = CORPUS / f"{SEED_ID}.txt"
HTML_DIR = CORPUS / "html"
WINER_JSONL = CORPUS / "wikinews-winer.jsonl"


class MissingCorpusFile(RuntimeError):
    """The bundled corpus is incomplete: the clone is broken, not the code."""


def require(path: Path) -> Path:
    if not path.exists():
        raise MissingCorpusFile(
            f"{path.relative_to(REPO)} is missing from the repository's bundled corpus; "
            "restore it with `git checkout -- corpus/`"
        )
    return path


@dataclass(frozen=True)
class WikinewsItem:
    """One bundled Wikinews article: an HTML page or one line of the JSON records."""

    id: str
    page: Path | None = None  # an HTML page of corpus/html/
    record: str | None = None  # a JSON line of corpus/wikinews-winer.jsonl


def wikinews_items() -> list[WikinewsItem]:
    """The 1,291 Wikinews articles of the bundled corpus, in the export's order."""
    import json

    pages = sorted(require(HTML_DIR).glob("*.html"))
    items = [WikinewsItem(id=p.stem, page=p) for p in pages]
    for line in require(WINER_JSONL).read_text("utf-8").splitlines():
        if line.strip():
            items.append(WikinewsItem(id=json.loads(line)["id"], record=line))
    return items


def write_sample(folder: Path, *, every: int, with_seed: bool = True) -> Path:
    """Copy the seed article and every `every`-th Wikinews article into `folder`
    (pages under `html/`, records in one `wikinews-sample.jsonl`)."""
    folder.mkdir(parents=True, exist_ok=True)
    if with_seed:
        shutil.copy(require(SEED_FILE), folder / SEED_FILE.name)
    picked = wikinews_items()[::every]
    pages = [item.page for item in picked if item.page is not None]
    if pages:
        (folder / "html").mkdir(exist_ok=True)
        for page in pages:
            shutil.copy(page, folder / "html" / page.name)
    records = [item.record for item in picked if item.record is not None]
    (folder / "wikinews-sample.jsonl").write_text("\n".join(records) + "\n", "utf-8")
    return folder
