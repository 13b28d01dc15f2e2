"""Experiment: would corpus co-occurrence expansion help? (issue 14, item 5c)

    python -m bench.cooccurrence [--lift 8] [--weight 0.2]

For each query word found in at most 5% of the articles, the words that stand
in at least 30% of its articles and are `--lift` times likelier there than
anywhere (at most 3, each in at least 2 of its articles and 3 overall) are
added as related forms of weight `--weight`, next to the shipped rules
(`search.expansion.related.related_forms`, patched in this process only). Then
both query files are scored as `python -m bench.relevance --system loupe`
does. The statistics are read from the judged corpus itself, in memory: this
measures the idea, it is not how it would run at 100,000 articles (an
index-time table stored with the generation, as the acronyms are).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

from bench.corpora import iter_docs, real_corpus_dir
from bench.relevance import main as relevance_main

MAX_SHARE = 0.05
MIN_TOGETHER = 2
MIN_DF = 3
MIN_CONFIDENCE = 0.3
TOP = 3


def article_stems() -> list[set[str]]:
    from search.core.french import analyze

    return [
        {w for w in analyze(f"{doc.title} {doc.text}") if keep(w)}
        for doc in iter_docs(real_corpus_dir())
    ]


def keep(stem: str) -> bool:
    return "-" not in stem and not stem.isdigit() and len(stem) > 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cooccurrence", description=__doc__)
    parser.add_argument("--lift", type=float, default=8.0)
    parser.add_argument("--weight", type=float, default=0.2)
    args = parser.parse_args(argv)

    import search.expansion.related as related
    from search.core.french import analyze
    from search.query import Term

    docs = article_stems()
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        for w in d:
            postings[w].append(i)

    def neighbours(stem: str) -> list[str]:
        ids = postings.get(stem, [])
        if not ids or len(ids) > MAX_SHARE * n:
            return []
        together = Counter(w for i in ids for w in docs[i] if w != stem)
        scored = []
        for w, k in together.items():
            if k < MIN_TOGETHER or df[w] < MIN_DF or df[w] > MAX_SHARE * n:
                continue
            lift = (k / len(ids)) / (df[w] / n)
            if lift >= args.lift and k / len(ids) >= MIN_CONFIDENCE:
                scored.append((lift * k, w))
        return [w for _, w in sorted(scored, reverse=True)[:TOP]]

    shipped = related.related_forms

    def with_neighbours(term: Term):
        found = list(shipped(term))
        stems = analyze(term.text)
        if len(stems) == 1:
            found += [(Term(w), args.weight) for w in neighbours(stems[0])]
        return tuple(found)

    related.related_forms = with_neighbours
    for word in ("séisme", "tuerie", "chômage", "chanteuse"):
        print(f"{word}: {', '.join(neighbours(analyze(word)[0])) or '—'}")
    relevance_main(["--queries", "bench/data/queries-kinds.jsonl", "--system", "loupe"])
    relevance_main(["--system", "loupe"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
