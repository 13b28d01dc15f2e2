"""Cross-validated entity scores: what to expect on articles no rule or weight has seen.

Article i of the gold file is held out in fold i % k. For each fold, a model
fine-tuned on the other folds (`bench.ner_train`, trained if missing, cached
under `.cache/bench/ner-folds/`) and the base model read the held-out articles;
each model's spans are scored raw and through Loupe's rules (gazetteer, span
rules, mention rules, article rules). The rules themselves were written on the
whole file before this measure existed, so « + rules » is still optimistic by
whatever they fitted; `--ablate` therefore measures each rule's gain fold by
fold and says on how many held-out folds it pays.

    python -m bench.ner_eval --folds 5 [--epochs 2] [--ablate] [--errors ORG]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench.ner_eval import (
    GAZETTEER,
    TYPES,
    Key,
    Score,
    as_keys,
    load_gold,
    load_texts,
    show_errors,
)
from bench.ner_train import fold_models, fold_of
from search.entities import _chunks, _GazetteerSpans, _mark_initial_only, doc_mentions
from search.entity_rules import ARTICLE_RULES, MENTION_RULES, resolve
from search.entity_spans import SPAN_RULES
from search.gazetteer import Gazetteer
from search.ner_model import load_pipeline

if TYPE_CHECKING:
    from spacy.tokens import Doc

Predictions = dict[str, set[Key]]


def model_docs(weights: Path | None, texts: Sequence[str]) -> list[list[Doc]]:
    """The model's own spans on each text, cut in chunks as `loupe index` cuts them."""
    nlp = load_pipeline(weights=weights)
    pieces = [(chunk, owner) for owner, t in enumerate(texts) for chunk in _chunks(t)]
    docs: list[list[Doc]] = [[] for _ in texts]
    for doc, owner in nlp.pipe(pieces, as_tuples=True, batch_size=32):
        docs[owner].append(doc)
    return docs


def raw_keys(docs: list[Doc]) -> set[Key]:
    return as_keys([(e.text, e.label_) for doc in docs for e in doc.ents])


def loupe_keys(
    docs: list[Doc], text: str, gazetteer: Gazetteer, skip: frozenset[str] = frozenset()
) -> set[Key]:
    """The article's entities through Loupe's rules, leaving out the rules in `skip`."""
    spans = _GazetteerSpans(
        gazetteer if "gazetteer" not in skip else Gazetteer([]),
        tuple(r for r in SPAN_RULES if r.__name__ not in skip),
    )
    mentions = [m for doc in docs for m in doc_mentions(spans(doc.copy()))]
    entities = resolve(_mark_initial_only(text, mentions), gazetteer, skip)
    return as_keys([(e.text, e.type) for e in entities])


def _score(gold: dict[str, set[Key]], predicted: Predictions) -> Score:
    score = Score()
    for article_id, keys in predicted.items():
        score.add(keys, gold[article_id])
    return score


def print_fold_table(title: str, scores: dict[str, Score]) -> None:
    names = list(scores)
    print(f"\n{title}")
    print(f"{'type':<5}" + "".join(f"{name:>23}" for name in names))
    print(f"{'':<5}" + "".join(f"{'P     R     F1':>23}" for _ in names))
    for entity_type in (*TYPES, None):
        cells = "".join(
            "{:>11.3f}{:>6.3f}{:>6.3f}".format(*scores[n].prf(entity_type)) for n in names
        )
        print(f"{entity_type or 'ALL':<5}{cells}")


def cross_validate(
    k: int,
    epochs: int,
    ablate: bool,
    errors: str | None = None,
    log: Callable[[str], None] = print,
) -> None:
    started = time.perf_counter()
    gold_list = load_gold()
    gold = dict(gold_list)
    ids = [article_id for article_id, _ in gold_list]
    texts = load_texts(set(ids))
    gazetteer = Gazetteer.load(GAZETTEER)
    folders = fold_models(k, epochs, log=log)
    base_docs = dict(zip(ids, model_docs(None, [texts[i] for i in ids]), strict=True))
    tuned_docs: dict[str, list[Doc]] = {}
    for fold, folder in enumerate(folders):
        held = [i for p, i in enumerate(ids) if fold_of(p, k) == fold]
        tuned_docs.update(zip(held, model_docs(folder, [texts[i] for i in held]), strict=True))

    systems: dict[str, Predictions] = {
        "raw model": {i: raw_keys(base_docs[i]) for i in ids},
        "model + rules": {i: loupe_keys(base_docs[i], texts[i], gazetteer) for i in ids},
        "fine-tuned": {i: raw_keys(tuned_docs[i]) for i in ids},
        "fine-tuned + rules": {i: loupe_keys(tuned_docs[i], texts[i], gazetteer) for i in ids},
    }
    folds = [[i for p, i in enumerate(ids) if fold_of(p, k) == f] for f in range(k)]
    f1s: dict[str, list[float]] = {name: [] for name in systems}
    for fold, held in enumerate(folds):
        scores = {n: _score(gold, {i: p[i] for i in held}) for n, p in systems.items()}
        for name, score in scores.items():
            f1s[name].append(score.prf()[2])
        print_fold_table(f"fold {fold + 1}/{k} (held out: {len(held)} articles)", scores)
    pooled = {n: _score(gold, p) for n, p in systems.items()}
    print_fold_table(f"all {k} held-out folds pooled ({len(ids)} articles)", pooled)
    print("\noverall F1 per fold:")
    for name, values in f1s.items():
        mean = sum(values) / len(values)
        spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        cells = " ".join(f"{v:.3f}" for v in values)
        print(f"  {name:<20} {cells}   mean {mean:.3f} ± {spread:.3f}")
    if errors:
        show_errors(gold_list, systems["fine-tuned + rules"], errors, lambda _: True)
    if ablate:
        ablation(folds, gold, tuned_docs, texts, gazetteer, systems["fine-tuned + rules"])
    print(f"\n{k} folds, {epochs} epochs, {time.perf_counter() - started:.0f} s")


def ablation(
    folds: list[list[str]],
    gold: dict[str, set[Key]],
    docs: dict[str, list[Doc]],
    texts: dict[str, str],
    gazetteer: Gazetteer,
    full: Predictions,
) -> None:
    """Each rule's gain: F1 with all rules minus F1 without it, per held-out fold."""
    names = (
        ["gazetteer"]
        + [r.__name__ for r in SPAN_RULES]
        + [r.__name__ for r in MENTION_RULES]
        + ["split_mention"]
        + [r.__name__ for r in ARTICLE_RULES]
    )
    print("\nrule gains on the fine-tuned model (F1 with the rule − without it), per fold:")
    print(f"{'rule':<26}{'ALL':>8}{'PER':>8}{'ORG':>8}{'LOC':>8}   folds won   per fold (ALL)")
    for name in names:
        skip = frozenset({name})
        without = {i: loupe_keys(docs[i], texts[i], gazetteer, skip) for i in full}
        gains = []
        for held in folds:
            with_rule = _score(gold, {i: full[i] for i in held}).prf()[2]
            without_rule = _score(gold, {i: without[i] for i in held}).prf()[2]
            gains.append(with_rule - without_rule)
        pooled_with, pooled_without = _score(gold, full), _score(gold, without)
        by_type = [pooled_with.prf(t)[2] - pooled_without.prf(t)[2] for t in (None, *TYPES)]
        won = sum(g > 0 for g in gains)
        lost = sum(g < 0 for g in gains)
        cells = "".join(f"{g:>+8.4f}" for g in by_type)
        per_fold = " ".join(f"{g:+.4f}" for g in gains)
        print(f"{name:<26}{cells}   {won} up {lost} down   {per_fold}")
