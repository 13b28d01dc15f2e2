"""Where the cross-validated entity errors of one type come from, grouped by phenomenon.

Reads the held-out predictions of the fine-tuned model + Loupe's rules (the
fold models and their docs are cached by `bench.ner_folds`) on the folds
asked for, and sorts every error of one type into a phenomenon a rule or the
training data can address:

- confusion: the same text is gold in another type (or predicted MISC);
- boundary: a gold name of the type overlaps a predicted one of the same type
  that is longer or shorter (« ministère de la Justice » / « Justice »);
- missed / spurious: nothing of any type covers the gold name, or the
  predicted name is nowhere in the gold.

Each error is also tagged by shape (acronym, one word, head noun) so that the
groups say what kind of name fails, not which article.

    python -m bench.ner_errors --type ORG --folds 1 2 3 [--show 40] [--json out.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bench.ner_eval import GAZETTEER, TYPES, fold_for_scoring, load_gold, load_texts
from bench.ner_folds import model_docs
from bench.ner_train import (
    SHIPPED_AVERAGE,
    SHIPPED_EPOCHS,
    SHIPPED_SCHEDULE,
    SHIPPED_SEEDS,
    fold_models,
    fold_of,
    soup_fold_models,
)
from search.entities import _GazetteerSpans, _mark_initial_only, doc_mentions
from search.entity_rules import resolve
from search.entity_spans import SPAN_RULES
from search.gazetteer import Gazetteer

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,9}$")


def shape(text: str) -> str:
    """What a name looks like: an acronym, one word, or its (folded) head word."""
    if _ACRONYM.match(text):
        return "acronym"
    words = text.split()
    if len(words) == 1:
        return "one word"
    return f"head «{fold_for_scoring(words[0])}»"


def all_typed(docs, text: str, gazetteer: Gazetteer) -> dict[str, str]:
    """Folded text → type of every entity Loupe keeps for the article, MISC included."""
    spans = _GazetteerSpans(gazetteer, SPAN_RULES)
    mentions = [m for doc in docs for m in doc_mentions(spans(doc.copy()))]
    found: dict[str, str] = {}
    for e in resolve(_mark_initial_only(text, mentions), gazetteer):
        key = fold_for_scoring(e.text)
        if key:
            found.setdefault(key, e.type)
    return found


def overlaps(a: str, b: str) -> bool:
    return a != b and (f" {a} " in f" {b} " or f" {b} " in f" {a} ")


def classify(entity_type: str, gold: dict[str, str], predicted: dict[str, str]):
    """(kind, side, text, detail) for each error of `entity_type` in one article."""
    predicted_scored = {k: t for k, t in predicted.items() if t in TYPES}
    for text, t in gold.items():
        if t != entity_type or predicted_scored.get(text) == t:
            continue
        if text in predicted:
            yield "FN confusion", text, f"predicted {predicted[text]}"
            continue
        same = [p for p, pt in predicted_scored.items() if pt == t and overlaps(text, p)]
        if same:
            longer = any(len(p) > len(text) for p in same)
            yield (
                "FN boundary",
                text,
                ("predicted longer: " if longer else "predicted part: ") + (" | ".join(same)),
            )
            continue
        other = [f"{p} ({pt})" for p, pt in predicted.items() if overlaps(text, p)]
        if other:
            yield "FN overlap other type", text, " | ".join(other)
        else:
            yield "FN missed", text, ""
    for text, t in predicted_scored.items():
        if t != entity_type or gold.get(text) == t:
            continue
        if text in gold:
            yield "FP confusion", text, f"gold {gold[text]}"
            continue
        same = [g for g, gt in gold.items() if gt == t and overlaps(text, g)]
        if same:
            yield "FP boundary", text, "gold: " + " | ".join(same)
            continue
        other = [f"{g} ({gt})" for g, gt in gold.items() if overlaps(text, g)]
        yield (
            ("FP overlap other type", text, " | ".join(other))
            if other
            else (
                "FP spurious",
                text,
                "",
            )
        )


def gold_types(path_records) -> dict[str, dict[str, str]]:
    return {article_id: {text: t for t, text in sorted(keys)} for article_id, keys in path_records}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--type", choices=TYPES, default="ORG")
    parser.add_argument("--folds", type=int, nargs="+", default=[1, 2, 3], help="1-based")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=SHIPPED_EPOCHS)
    parser.add_argument("--show", type=int, default=25, help="examples per group")
    parser.add_argument("--json", type=Path, help="write every error as a JSON line here")
    args = parser.parse_args(argv)

    gold_list = load_gold()
    gold = gold_types(gold_list)
    ids = [i for i, _ in gold_list]
    texts = load_texts(set(ids))
    gazetteer = Gazetteer.load(GAZETTEER)
    if len(SHIPPED_SEEDS) == 1:
        folders = fold_models(
            args.k,
            args.epochs,
            seed=SHIPPED_SEEDS[0],
            average=SHIPPED_AVERAGE,
            schedule=SHIPPED_SCHEDULE,
        )
    else:
        folders = soup_fold_models(
            args.k, args.epochs, 0.2, SHIPPED_SEEDS, SHIPPED_AVERAGE, schedule=SHIPPED_SCHEDULE
        )
    errors = []
    for fold in args.folds:
        held = [i for p, i in enumerate(ids) if fold_of(p, args.k) == fold - 1]
        docs = model_docs(folders[fold - 1], [texts[i] for i in held])
        for article_id, article_docs in zip(held, docs, strict=True):
            predicted = all_typed(article_docs, texts[article_id], gazetteer)
            for kind, text, detail in classify(args.type, gold[article_id], predicted):
                errors.append(
                    {
                        "fold": fold,
                        "id": article_id,
                        "kind": kind,
                        "text": text,
                        "shape": shape(_as_written(text, texts[article_id])),
                        "detail": detail,
                    }
                )
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for e in errors:
        by_kind[e["kind"]].append(e)
    print(f"{args.type} errors on folds {args.folds}: {len(errors)}")
    for kind, group in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        shapes = Counter(e["shape"] for e in group)
        print(f"\n## {kind}: {len(group)}")
        print("  shapes:", ", ".join(f"{s} {n}" for s, n in shapes.most_common(12)))
        details = Counter(e["detail"].split(":")[0] for e in group if e["detail"])
        if details and kind.endswith("confusion"):
            print("  as:", ", ".join(f"{d} {n}" for d, n in details.most_common()))
        for e in group[: args.show]:
            print(f"  - {e['text']!r} [{e['shape']}] {e['detail']}")
    if args.json:
        with args.json.open("w", encoding="utf-8") as out:
            for e in errors:
                out.write(json.dumps(e, ensure_ascii=False) + "\n")
    return 0


def _as_written(folded: str, text: str) -> str:
    """The first spelling in the article that folds to `folded` (shapes need capitals)."""
    words = len(folded.split())
    tokens = re.findall(r"[\w'’.&-]+", text)
    for i in range(len(tokens) - words + 1):
        candidate = " ".join(tokens[i : i + words])
        if fold_for_scoring(candidate) == folded:
            return candidate
    return folded


if __name__ == "__main__":
    sys.exit(main())
