"""Candidates to judge: the union of several systems' top results for each query.

    python -m bench.pool --queries bench/data/queries-kinds.jsonl \
        [--system loupe,fts5-or,tantivy-or] [--depth 20] [--out pool.jsonl]

Judging a query means reading the articles any system would show for it, not
only one system's: a pool drawn from one system rewards that system. Each line
of the output is one query with its candidates (id, title, which systems found
it at which rank, the lead), for a person to read and grade (2 = mainly about
it, 1 = substantially discusses it); grades go into the queries file's
`relevant` field.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.corpora import canonical_id, iter_docs, real_corpus_dir
from bench.engines import get_engine
from bench.engines.base import BenchQuery
from bench.relevance import SYSTEMS, cached_index, load_queries


def corpus_texts() -> dict[str, tuple[str, str]]:
    """Article id (as judged) → (title, plain text) for the judged corpus."""
    return {
        canonical_id(doc.id): (doc.title, " ".join(doc.text.split()))
        for doc in iter_docs(real_corpus_dir())
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pool", description=__doc__)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--system", default="loupe,fts5-or,tantivy-or")
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    found: dict[str, dict[str, list[str]]] = {q.qid: {} for q in queries}
    for system in [s.strip() for s in args.system.split(",") if s.strip()]:
        engine_name, operator = SYSTEMS[system]
        engine = get_engine(engine_name)
        session = engine.open(cached_index(engine, rebuild=False, ner=True), operator=operator)
        try:
            for q in queries:
                outcome = session.search(
                    BenchQuery(q.query, q.kind), limit=args.depth, snippets=False
                )
                for rank, doc in enumerate(outcome.ids, start=1):
                    found[q.qid].setdefault(canonical_id(doc), []).append(f"{system}@{rank}")
        finally:
            session.close()
    texts = corpus_texts()
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    for q in queries:
        candidates = [
            {
                "id": doc,
                "by": by,
                "title": texts.get(doc, ("?", ""))[0],
                "lead": texts.get(doc, ("", ""))[1][:400],
                "grade": q.relevant.get(doc),
            }
            for doc, by in sorted(found[q.qid].items(), key=lambda kv: -len(kv[1]))
        ]
        record = {"qid": q.qid, "query": q.query, "kind": q.kind, "candidates": candidates}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
