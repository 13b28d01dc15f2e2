"""A name lexicon learnt from the training folds' gold, tried on the held-out folds.

The gold lists an ORG string in some of the articles that contain it and not
in others. Per fold, from the other folds' articles only, each string gets the
share of the articles containing it whose gold lists it as ORG; the held-out
predictions of the fine-tuned model + rules are then edited:

- drop: a predicted ORG whose share is under `--drop` (in at least `--min`
  training articles): the names the annotators rarely list;
- add: a training ORG string found in the held-out article, listed in at least
  `--add` of the training articles containing it (and in `--min` of them).

Measured and not kept (docs/ner-cross-validation.md, « Fourth round »): the
model's own ORG prediction on a string is right far more often than the share
of articles whose gold lists it, and what the gold lists most consistently the
fine-tuned model has already learnt from the same articles.

    python -m bench.ner_lexicon --drop 0.2 0.3 0.4 --add 0.6 0.8 0.9
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict

from bench.ner_eval import GAZETTEER, Key, Score, fold_for_scoring, load_gold, load_texts
from bench.ner_folds import loupe_keys, model_docs
from bench.ner_train import (
    SHIPPED_AVERAGE,
    SHIPPED_EPOCHS,
    SHIPPED_SEEDS,
    fold_of,
    soup_fold_models,
)
from search.gazetteer import Gazetteer


def words(text: str) -> str:
    """Folded text as space-separated words, padded, for whole-word containment; an
    elision is a word of its own (« l'ONU » contains « ONU »)."""
    return " " + re.sub(r"\W+", " ", fold_for_scoring(text)).strip() + " "


class FoldLexicon:
    """What one fold's training articles say about each string: listed as ORG in
    how many of the articles whose text contains it."""

    def __init__(self, train: list[str], gold: dict[str, set[Key]], folded: dict[str, str]):
        self.train = train
        self.folded = folded
        self.listed: dict[str, Counter[str]] = defaultdict(Counter)
        for i in train:
            for t, x in gold[i]:
                self.listed[x][t] += 1
        self.containing: dict[str, int] = {}

    def share(self, name: str) -> tuple[float, int]:
        """(share of the containing training articles listing `name` as ORG, how many)."""
        if name not in self.containing:
            padded = words(name)
            self.containing[name] = sum(padded in self.folded[i] for i in self.train)
        n = self.containing[name]
        return (self.listed[name]["ORG"] / n if n else 0.0), n


def edit(
    predicted: dict[str, set[Key]],
    gold: dict[str, set[Key]],
    texts: dict[str, str],
    k: int,
    drop: float | None,
    add: float | None,
    minimum: int,
) -> dict[str, set[Key]]:
    """The predictions with each held-out fold edited by its training folds' lexicon."""
    ids = list(gold)
    folded = {i: words(texts[i]) for i in ids}
    edited: dict[str, set[Key]] = {}
    for fold in range(k):
        train = [i for p, i in enumerate(ids) if fold_of(p, k) != fold]
        lexicon = FoldLexicon(train, gold, folded)
        for i in (i for p, i in enumerate(ids) if fold_of(p, k) == fold):
            keys = set(predicted[i])
            if drop is not None:
                for t, x in list(keys):
                    rate, n = lexicon.share(x)
                    if t == "ORG" and n >= minimum and rate < drop:
                        keys.discard((t, x))
            if add is not None:
                present = {x for _, x in keys}
                for x, types in lexicon.listed.items():
                    if (
                        types["ORG"] >= minimum
                        and x not in present
                        and words(x) in folded[i]
                        and lexicon.share(x)[0] >= add
                    ):
                        keys.add(("ORG", x))
            edited[i] = keys
    return edited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--drop", type=float, nargs="*", default=[0.2, 0.3, 0.4])
    parser.add_argument("--add", type=float, nargs="*", default=[0.6, 0.7, 0.8, 0.9])
    parser.add_argument("--min", type=int, default=3, help="training articles a share needs")
    args = parser.parse_args(argv)

    gold_list = load_gold()
    gold = dict(gold_list)
    ids = [i for i, _ in gold_list]
    texts = load_texts(set(ids))
    gazetteer = Gazetteer.load(GAZETTEER)
    folders = soup_fold_models(args.k, SHIPPED_EPOCHS, 0.2, SHIPPED_SEEDS, SHIPPED_AVERAGE)
    predicted: dict[str, set[Key]] = {}
    for fold in range(args.k):
        held = [i for p, i in enumerate(ids) if fold_of(p, args.k) == fold]
        docs = model_docs(folders[fold], [texts[i] for i in held])
        for i, article_docs in zip(held, docs, strict=True):
            predicted[i] = loupe_keys(article_docs, texts[i], gazetteer)

    def report(label: str, keys: dict[str, set[Key]]) -> None:
        pooled, folds = Score(), [Score() for _ in range(args.k)]
        for p, i in enumerate(ids):
            pooled.add(keys[i], gold[i])
            folds[fold_of(p, args.k)].add(keys[i], gold[i])
        p, r, f = pooled.prf("ORG")
        per_fold = " ".join(f"{s.prf('ORG')[2]:.3f}" for s in folds)
        print(f"{label:<14} ORG {p:.3f} / {r:.3f} / {f:.3f}  all {pooled.prf()[2]:.3f}  {per_fold}")

    print(f"{'':<14} ORG P / R / F1          all    ORG F1 per fold")
    report("fine-tuned+r.", predicted)
    for threshold in args.drop:
        dropped = edit(predicted, gold, texts, args.k, threshold, None, args.min)
        report(f"drop < {threshold}", dropped)
    for threshold in args.add:
        added = edit(predicted, gold, texts, args.k, None, threshold, args.min)
        report(f"add ≥ {threshold}", added)
    return 0


if __name__ == "__main__":
    sys.exit(main())
