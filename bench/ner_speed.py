"""Words per second of two `ner` weights, timed interleaved in one process.

On a shared machine the load drifts by a factor of two within minutes, so two
speed figures taken one after the other say more about the neighbours than about
the weights. Here both pipelines are loaded once, then read the same articles in
turns (A, B, A, B…); each one's best round is compared, and the load average is
printed beside it.

    python -m bench.ner_speed [--limit 300] [--rounds 3] [--a base] [--b shipped]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.ner_eval import load_gold, load_texts
from search.entities import _chunks
from search.ner_model import SHIPPED_WEIGHTS, load_pipeline, weights_version


def _weights(name: str) -> Path | None:
    return {"base": None, "shipped": SHIPPED_WEIGHTS}.get(name, Path(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="gold articles read per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--a", default="base", help="base, shipped or a weights folder")
    parser.add_argument("--b", default="shipped", help="base, shipped or a weights folder")
    args = parser.parse_args(argv)
    ids = [article_id for article_id, _ in load_gold()[: args.limit]]
    texts = load_texts(set(ids))
    chunks = [c for i in ids for c in _chunks(texts[i])]
    words = sum(len(texts[i].split()) for i in ids)
    pipelines = {name: load_pipeline(weights=_weights(name)) for name in (args.a, args.b)}
    best: dict[str, float] = {}
    for round_ in range(args.rounds):
        for name, nlp in pipelines.items():
            started = time.perf_counter()
            for _ in nlp.pipe(chunks, batch_size=32):
                pass
            rate = words / (time.perf_counter() - started)
            best[name] = max(best.get(name, 0.0), rate)
            print(f"round {round_ + 1} {name:<8} {rate:,.0f} words/s   load {os.getloadavg()}")
    a, b = best[args.a], best[args.b]
    print(
        f"\n{len(ids)} articles, {words:,} words, best of {args.rounds}: "
        f"{args.a} ({weights_version(_weights(args.a))}) {a:,.0f} words/s, "
        f"{args.b} ({weights_version(_weights(args.b))}) {b:,.0f} words/s ({b / a - 1:+.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
