"""The corpora the benchmarks run on: the real articles and scaled synthetic ones.

The real corpus (1,291 Wikinews articles + the seed article) is too small to show
how Loupe behaves at 10k or 100k articles, and no larger French corpus with a
compatible licence ships with the project. So larger corpora are made by
recombining the real paragraphs: vocabulary, paragraph lengths, title shapes and
date spread stay those of real French news, while the article count grows. A
fixed seed makes every generation byte-identical, so runs on different days or
machines measure the same input.

Each corpus is a folder (what `loupe index` reads) under `.cache/bench/corpora/`.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.cache import BUNDLED_CORPUS, CACHE_ROOT, SEED_TXT
from search.readers.dates import MONTH_NAMES

CORPORA_DIR = CACHE_ROOT / "corpora"
SHARD_SIZE = 1000  # articles per synthetic JSONL file
SYNTH_SEED = 20240801
SEED_ID = "seed-000"
_DATE_LINE = re.compile(r"^\d{1,2}(?:er)? \w+ \d{4}\b")
_MONTHS = MONTH_NAMES


@dataclass(frozen=True)
class Doc:
    """One article as the baseline engines index it (Loupe reads the files itself)."""

    id: str
    title: str
    text: str  # plain body; in the Wikinews records it starts with the title line
    date: str | None = None

    @property
    def body(self) -> str:
        """Title + text: the single searchable field of the plain baselines."""
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class CorpusStats:
    articles: int
    text_bytes: int  # UTF-8 bytes of title + text, the work every engine must analyse

    @property
    def text_mb(self) -> float:
        return self.text_bytes / 1e6


def canonical_id(doc_id: str) -> str:
    """Map whatever id an engine gives the seed file to the id the judgments use."""
    return SEED_ID if SEED_TXT.stem in doc_id else doc_id


# --- reading a corpus folder -------------------------------------------------------


def read_text_file(path: Path) -> Doc:
    """A plain-text article: the first non-empty line is the title."""
    text = path.read_text(encoding="utf-8")
    title = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
    return Doc(id=path.stem, title=title, text=text)


def read_html_file(path: Path) -> Doc:
    """An HTML page as Loupe's reader sees it (boilerplate stripped): the
    baselines must index the same article text, not the navigation around it."""
    from search.readers import read_file

    article = next(iter(read_file(path)))
    published = article.published.isoformat() if article.published else None
    return Doc(id=article.id, title=article.title, text=article.full_text, date=published)


def iter_jsonl(path: Path) -> Iterator[Doc]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                yield Doc(
                    id=rec["id"],
                    title=rec.get("title") or "",
                    text=rec["text"],
                    date=rec.get("date"),
                )


def iter_docs(folder: Path) -> Iterator[Doc]:
    """Every article of a corpus folder and its subfolders, in name order
    (.jsonl, .txt, .html); other files (notices, the gazetteer) are not articles."""
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            yield from iter_docs(path)
        elif path.suffix == ".jsonl":
            yield from iter_jsonl(path)
        elif path.suffix == ".txt":
            yield read_text_file(path)
        elif path.suffix in (".html", ".htm"):
            yield read_html_file(path)


def corpus_stats(folder: Path) -> CorpusStats:
    """Article count and text volume, cached beside the folder (not inside it,
    where Loupe would try to index it)."""
    stats_path = folder.with_name(folder.name + ".stats.json")
    if stats_path.exists() and stats_path.stat().st_mtime >= _newest_mtime(folder):
        return CorpusStats(**json.loads(stats_path.read_text()))
    n = size = 0
    for doc in iter_docs(folder):
        n += 1
        size += len(doc.title.encode()) + len(doc.text.encode())
    stats = CorpusStats(articles=n, text_bytes=size)
    stats_path.write_text(json.dumps(stats.__dict__))
    return stats


def _newest_mtime(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)


# --- the corpora by size label -----------------------------------------------------


def parse_size(label: str) -> int | None:
    """'1k' means the real corpus (None); '10k' → 10,000; '50' → 50."""
    label = label.strip().lower()
    if label in ("1k", "real"):
        return None
    if label.endswith("k"):
        return int(float(label[:-1]) * 1000)
    return int(label)


def corpus_dir(label: str) -> Path:
    """The folder for a size label, generated if missing."""
    n = parse_size(label)
    return real_corpus_dir() if n is None else synthetic_corpus_dir(n)


def real_corpus_dir() -> Path:
    """The real articles: the repository's bundled corpus, read in place."""
    return BUNDLED_CORPUS


def synthetic_corpus_dir(n: int, root: Path = CORPORA_DIR, seed: int = SYNTH_SEED) -> Path:
    """`n` recombined articles in JSONL files of SHARD_SIZE articles each: real
    corpora come in many files, and early Loupe readers refused files over 20 MiB."""
    folder = root / f"synth-{n}"
    if not folder.exists():
        tmp = root / f".synth-{n}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        records = synthetic_records(n, seed=seed)
        for start in range(0, n, SHARD_SIZE):
            shard = tmp / f"synth-{start // SHARD_SIZE + 1:04d}.jsonl"
            with shard.open("w", encoding="utf-8") as f:
                for rec in itertools.islice(records, SHARD_SIZE):
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.rename(folder)  # a half-written corpus is never mistaken for a finished one
    return folder


# --- generating ------------------------------------------------------------------


@dataclass
class _Material:
    titles: list[str]
    paragraphs: list[str]
    paragraph_counts: list[int]
    dates: list[date]


def _material(source: Path) -> _Material:
    """Everything the generator draws from: the Wikinews articles of a corpus
    folder (not the seed), in name order (for determinism)."""
    m = _Material([], [], [], [])
    for doc in iter_docs(source):
        if doc.id == SEED_TXT.stem:
            continue
        lines = [x.strip() for x in doc.text.split("\n") if x.strip()]
        if lines and lines[0] == doc.title.strip():
            lines = lines[1:]
        if lines and _DATE_LINE.match(lines[0]):
            lines = lines[1:]
        if not lines:
            continue
        m.titles.append(doc.title.strip())
        m.paragraphs.extend(lines)
        m.paragraph_counts.append(len(lines))
        if doc.date:
            m.dates.append(date.fromisoformat(doc.date[:10]))
    return m


def _title(rng: random.Random, titles: list[str]) -> str:
    """A real title, or the place of one joined to the subject of another
    (« Mali : … » + « … : lancement réussi ») so titles are not all duplicates."""
    first = rng.choice(titles)
    second = rng.choice(titles)
    if " : " in first and " : " in second:
        return first.split(" : ", 1)[0] + " : " + second.split(" : ", 1)[1]
    return first


def _date_line(d: date) -> str:
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {_MONTHS[d.month - 1]} {d.year}. –"


def synthetic_records(
    n: int, *, seed: int = SYNTH_SEED, source: Path = BUNDLED_CORPUS
) -> Iterator[dict[str, object]]:
    """`n` recombined articles as records shaped like the Wikinews ones."""
    m = _material(source)
    lo, hi = min(m.dates), max(m.dates)
    rng = random.Random(seed)
    for i in range(1, n + 1):
        title = _title(rng, m.titles)
        d = rng.choice(m.dates) + timedelta(days=rng.randint(-15, 15))
        d = min(max(d, lo), hi)
        paras = [_date_line(d)] + [
            rng.choice(m.paragraphs) for _ in range(rng.choice(m.paragraph_counts))
        ]
        yield {
            "id": f"synth-{i:06d}",
            "title": title,
            "date": d.isoformat(),
            "url": None,
            "source": "synthetic: paragraphs of fr.wikinews.org recombined (bench)",
            "license": "CC BY 2.5 (Wikinews text; attribution: Wikinews contributors, "
            "https://fr.wikinews.org)",
            "html": f"<h1>{html.escape(title, quote=False)}</h1>\n"
            + "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras),
            "text": title + "\n" + "\n".join(paras),
        }


def generate_synthetic(
    n: int, out: Path, *, seed: int = SYNTH_SEED, source: Path = BUNDLED_CORPUS
) -> Path:
    """Write `n` recombined articles to one JSONL file (atomically)."""
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for rec in synthetic_records(n, seed=seed, source=source):
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return out
