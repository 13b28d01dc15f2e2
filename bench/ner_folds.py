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
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from bench.cache import CACHE_ROOT, key
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
from bench.ner_train import (
    DEFAULT_SCHEDULE,
    SEED,
    Member,
    Schedule,
    fold_models,
    fold_of,
    soup_fold_models,
)
from search.entities import _chunks, _GazetteerSpans, _mark_initial_only, doc_mentions
from search.entity_rules import ARTICLE_RULES, MENTION_RULES, resolve
from search.entity_spans import SPAN_RULES
from search.gazetteer import Gazetteer
from search.lexicon import MODEL_NAME
from search.ner_model import load_pipeline, weights_version

if TYPE_CHECKING:
    from spacy.tokens import Doc

Predictions = dict[str, set[Key]]
DOCS_ROOT = CACHE_ROOT / "ner-folds" / "docs"


def model_docs(weights: Path | None, texts: Sequence[str]) -> list[list[Doc]]:
    """The model's own spans on each text, cut in chunks as `loupe index` cuts them.

    Cached on disk, keyed on the weights' version and the texts: running the
    models is most of the cost of a cross-validation, and a change of rules
    (all that most iterations change) does not change what the models say.
    """
    import spacy
    from spacy.tokens import DocBin

    pieces = [(chunk, owner) for owner, t in enumerate(texts) for chunk in _chunks(t)]
    version = f"{MODEL_NAME}-{metadata.version(MODEL_NAME)}|{weights_version(weights)}"
    path = DOCS_ROOT / f"{key([version, *(chunk for chunk, _ in pieces)])}.spacy"
    docs: list[list[Doc]] = [[] for _ in texts]
    if path.exists():
        flat = DocBin().from_disk(path).get_docs(spacy.blank("fr").vocab)
        for doc, (_, owner) in zip(flat, pieces, strict=True):
            docs[owner].append(doc)
        return docs
    nlp = load_pipeline(weights=weights)
    for doc, owner in nlp.pipe(pieces, as_tuples=True, batch_size=32):
        docs[owner].append(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    DocBin(docs=[d for per in docs for d in per]).to_disk(path)
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
    ablate: Sequence[str] | None,
    errors: str | None = None,
    log: Callable[[str], None] = print,
    only: Sequence[int] | None = None,
    dropout: float | Sequence[float] = 0.2,
    seeds: Sequence[int] = (SEED,),
    average: bool = False,
    silver: str = "misc",
    schedule: Schedule = DEFAULT_SCHEDULE,
    also: Sequence[Member] = (),
) -> None:
    """Score the held-out folds (`only`: these 0-based folds, e.g. those kept
    out of an error analysis), training the fold models that are missing."""
    started = time.perf_counter()
    gold_list = load_gold()
    ids = [
        article_id
        for p, (article_id, _) in enumerate(gold_list)
        if only is None or fold_of(p, k) in only
    ]
    gold = {i: keys for i, keys in gold_list if i in set(ids)}
    positions = {article_id: p for p, (article_id, _) in enumerate(gold_list)}
    texts = load_texts(set(ids))
    gazetteer = Gazetteer.load(GAZETTEER)
    if len(seeds) == 1 and isinstance(dropout, float | int) and not also:
        folders = fold_models(
            k, epochs, dropout, only, log, False, silver, seeds[0], average, schedule
        )
    else:
        folders = soup_fold_models(
            k, epochs, dropout, seeds, average, only, log, silver, schedule, also
        )
    base_docs = dict(zip(ids, model_docs(None, [texts[i] for i in ids]), strict=True))
    tuned_docs: dict[str, list[Doc]] = {}
    kept = [f for f in range(k) if only is None or f in only]
    for fold in kept:
        held = [i for i in ids if fold_of(positions[i], k) == fold]
        docs = model_docs(folders[fold], [texts[i] for i in held])
        tuned_docs.update(zip(held, docs, strict=True))

    systems: dict[str, Predictions] = {
        "raw model": {i: raw_keys(base_docs[i]) for i in ids},
        "model + rules": {i: loupe_keys(base_docs[i], texts[i], gazetteer) for i in ids},
        "fine-tuned": {i: raw_keys(tuned_docs[i]) for i in ids},
        "fine-tuned + rules": {i: loupe_keys(tuned_docs[i], texts[i], gazetteer) for i in ids},
    }
    folds = [[i for i in ids if fold_of(positions[i], k) == f] for f in kept]
    f1s: dict[str, list[float]] = {name: [] for name in systems}
    for fold, held in zip(kept, folds, strict=True):
        scores = {n: _score(gold, {i: p[i] for i in held}) for n, p in systems.items()}
        for name, score in scores.items():
            f1s[name].append(score.prf()[2])
        print_fold_table(f"fold {fold + 1}/{k} (held out: {len(held)} articles)", scores)
    pooled = {n: _score(gold, p) for n, p in systems.items()}
    print_fold_table(f"{len(kept)} held-out folds pooled ({len(ids)} articles)", pooled)
    print("\noverall F1 per fold:")
    for name, values in f1s.items():
        mean = sum(values) / len(values)
        spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        cells = " ".join(f"{v:.3f}" for v in values)
        print(f"  {name:<20} {cells}   mean {mean:.3f} ± {spread:.3f}")
    if errors:
        held_list = [(i, keys) for i, keys in gold_list if i in gold]
        show_errors(held_list, systems["fine-tuned + rules"], errors, lambda _: True)
    if ablate is not None:
        ablation(folds, gold, tuned_docs, texts, gazetteer, systems["fine-tuned + rules"], ablate)
    extra = "".join(
        f" + seed {m.seed} ({m.dropout}, {' '.join(m.schedule.key_parts()) or 'default'})"
        for m in also
    )
    print(
        f"\n{len(kept)} of {k} folds, {epochs} epochs, dropout {dropout}, "
        f"seed {' + '.join(map(str, seeds))}{extra}, "
        f"{'averaged' if average else 'last'} weights, "
        f"{' '.join(schedule.key_parts()) or 'default schedule'}, "
        f"{time.perf_counter() - started:.0f} s"
    )


def ablation(
    folds: list[list[str]],
    gold: dict[str, set[Key]],
    docs: dict[str, list[Doc]],
    texts: dict[str, str],
    gazetteer: Gazetteer,
    full: Predictions,
    only: Sequence[str] = (),
) -> None:
    """Each rule's gain (or only those named in `only`): F1 with all rules minus
    F1 without it, per held-out fold."""
    names = (
        ["gazetteer"]
        + [r.__name__ for r in SPAN_RULES]
        + [r.__name__ for r in MENTION_RULES]
        + ["split_mention"]
        + [r.__name__ for r in ARTICLE_RULES]
    )
    names = [n for n in names if not only or n in only]
    print("\nrule gains on the fine-tuned model (F1 with the rule − without it), per fold:")
    print(
        f"{'rule':<26}{'ALL':>8}{'PER':>8}{'ORG':>8}{'LOC':>8}   folds won   per fold (ALL)"
        f"{'':<32}ORG folds won   per fold (ORG)"
    )
    for name in names:
        skip = frozenset({name})
        without = {i: loupe_keys(docs[i], texts[i], gazetteer, skip) for i in full}
        gains, org_gains = [], []
        for held in folds:
            with_rule = _score(gold, {i: full[i] for i in held})
            without_rule = _score(gold, {i: without[i] for i in held})
            gains.append(with_rule.prf()[2] - without_rule.prf()[2])
            org_gains.append(with_rule.prf("ORG")[2] - without_rule.prf("ORG")[2])
        pooled_with, pooled_without = _score(gold, full), _score(gold, without)
        by_type = [pooled_with.prf(t)[2] - pooled_without.prf(t)[2] for t in (None, *TYPES)]
        won = sum(g > 0 for g in gains)
        lost = sum(g < 0 for g in gains)
        cells = "".join(f"{g:>+8.4f}" for g in by_type)
        per_fold = " ".join(f"{g:+.4f}" for g in gains)
        # The ORG columns: a rule that creates, retypes or trims organisations
        # is judged on the type the target is set on, fold by fold.
        org_won = sum(g > 0 for g in org_gains)
        org_lost = sum(g < 0 for g in org_gains)
        org_per_fold = " ".join(f"{g:+.4f}" for g in org_gains)
        print(
            f"{name:<26}{cells}   {won} up {lost} down   {per_fold}"
            f"   {org_won} up {org_lost} down   {org_per_fold}"
        )
