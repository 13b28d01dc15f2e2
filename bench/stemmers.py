"""Which French stemmer Loupe uses: Whoosh's pure-Python Snowball or PyStemmer (C).

Stems every folded word of the real corpus, uncached and cached, and checks how
often the two disagree. Run: `python -m bench.stemmers`.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import Stemmer
from whoosh.lang.snowball.french import FrenchStemmer

from search.analysis import analyze

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "wikinews-winer.jsonl"


def corpus_words(limit: int | None = None) -> list[str]:
    words: list[str] = []
    with CORPUS.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            record = json.loads(line)
            words.extend(analyze(record["title"] + "\n" + record["text"], stemmed=False))
    return words


def timed(fn, words: list[str]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    out = [fn(w) for w in words]
    return time.perf_counter() - started, out


def main() -> None:
    words = corpus_words()
    snowball = FrenchStemmer().stem
    pystemmer = Stemmer.Stemmer("french").stemWord
    rows = []
    for name, fn in (("whoosh snowball", snowball), ("pystemmer", pystemmer)):
        t_raw, stems = timed(fn, words)
        t_cached, _ = timed(lru_cache(maxsize=200_000)(fn), words)
        rows.append((name, t_raw, t_cached, stems))
    n = len(words)
    print(f"{n:,} tokens, {len(set(words)):,} distinct (real corpus, folded, stop words removed)")
    print(f"{'stemmer':<18}{'µs/token':>10}{'cached µs/token':>18}")
    for name, t_raw, t_cached, _ in rows:
        print(f"{name:<18}{t_raw / n * 1e6:>10.2f}{t_cached / n * 1e6:>18.2f}")
    differ = sum(1 for a, b in zip(rows[0][3], rows[1][3], strict=True) if a != b)
    print(f"tokens stemmed differently: {differ:,} ({differ / n:.2%})")
    print(f"speed-up of pystemmer, uncached: {rows[0][1] / rows[1][1]:.1f}×")


if __name__ == "__main__":
    main()
