"""Build speed and footprint: each system indexes the same corpus, one at a time.

Each build runs in its own process (see `bench.child`), so peak RSS is that
system's alone. Loupe is built three ways on the real corpus: NER with a cold
cache (a first build), NER with a warm cache (a rebuild of unchanged articles),
and without NER. NER at 10k+ articles takes far too long for a routine run, so
those variants run there only with `--ner-all`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import child
from bench.cache import CACHE_ROOT, dir_size, fresh_dir
from bench.corpora import corpus_dir, corpus_stats
from bench.engines import EngineUnavailable, get_engine
from search.worker_processes import default_workers

INDEXES = CACHE_ROOT / "indexes"
NER_CACHES = CACHE_ROOT / "ner"


@dataclass(frozen=True)
class Variant:
    key: str  # row name in tables, index folder name
    engine: str
    label: str
    ner: bool | None = None  # Loupe only
    cold: bool = False  # Loupe only: empty the NER cache first
    workers: int | None = None  # Loupe only: processes (None: one per core, as `loupe index`)


VARIANTS = (
    Variant("loupe-ner-cold", "loupe", "Loupe, NER, cold cache", ner=True, cold=True),
    Variant("loupe-ner-warm", "loupe", "Loupe, NER, warm cache", ner=True),
    Variant("loupe-noner", "loupe", "Loupe, no NER", ner=False),
    Variant("loupe-noner-1p", "loupe", "Loupe, no NER, one process", ner=False, workers=1),
    Variant("whoosh", "whoosh", "Whoosh default"),
    Variant("fts5", "fts5", "SQLite FTS5"),
    Variant("tantivy", "tantivy", "Tantivy French"),
)


@dataclass
class BuildResult:
    size: str
    system: str
    label: str
    articles: int = 0
    text_mb: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    index_mb: float = 0.0
    skipped: str | None = None

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.text_mb / self.wall_s if self.wall_s else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "articles_per_s": self.articles_per_s, "mb_per_s": self.mb_per_s}


def index_dir(size: str, system: str) -> Path:
    return INDEXES / size / system


def ner_cache(size: str) -> Path:
    return NER_CACHES / size / "ner-cache"


def _spec(variant: Variant, size: str, corpus: Path) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if variant.engine == "loupe":
        options = {
            "ner": bool(variant.ner),
            "ner_cache": str(ner_cache(size)),
            "workers": variant.workers or default_workers(),
        }
    return {
        "engine": variant.engine,
        "corpus": str(corpus),
        "index": str(index_dir(size, variant.key)),
        "options": options,
    }


def run_build(variant: Variant, size: str, *, timeout: float = 3600) -> BuildResult:
    """Build one variant in a child process and measure it."""
    corpus = corpus_dir(size)
    stats = corpus_stats(corpus)
    result = BuildResult(size, variant.key, variant.label, text_mb=stats.text_mb)
    if variant.cold:
        shutil.rmtree(ner_cache(size).parent, ignore_errors=True)
    if variant.engine == "loupe":
        ner_cache(size).parent.mkdir(parents=True, exist_ok=True)
    out = child.run("bench.build", _spec(variant, size, corpus), timeout)
    if "error" in out or "skipped" in out:
        result.skipped = out.get("skipped") or f"failed: {out['error']}"
        return result
    result.articles = out["articles"]
    result.wall_s = out["wall_s"]
    result.peak_rss_mb = out["peak_rss_mb"]
    result.index_mb = dir_size(index_dir(size, variant.key)) / 1e6
    return result


def child_main(spec: dict[str, Any]) -> None:
    """In the child: build, then report wall time and peak memory."""
    try:
        engine = get_engine(spec["engine"])
    except EngineUnavailable as exc:
        child.emit({"skipped": str(exc)})
        return
    target = fresh_dir(Path(spec["index"]))
    if spec["engine"] == "loupe":
        target.rmdir()  # Loupe creates its index folder itself, atomically
    start = time.perf_counter()
    articles = engine.build(Path(spec["corpus"]), target, **spec["options"])
    wall = time.perf_counter() - start
    workers = int(spec["options"].get("workers", 1))
    child.emit({"articles": articles, "wall_s": wall, "peak_rss_mb": child.peak_rss_mb(workers)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build")
    parser.add_argument("--child", required=True, help="JSON build spec (internal)")
    args = parser.parse_args(argv)
    child_main(json.loads(args.child))
    return 0


if __name__ == "__main__":
    sys.exit(main())
