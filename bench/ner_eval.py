"""Score Loupe's named entities against the hand-checked WiNER-fr entities.

Scoring follows bench/data/README.md: per article, sets of (type, text)
with the text folded (lower case, no accents, hyphens and spaces unified,
surrounding punctuation trimmed), PER/ORG/LOC only, gold entities with
nested=false; micro-averaged P/R/F1 per type and overall.

We compare the entity *text as written* (after normalisation: determiners and
titles stripped), not the canonical form: the gold lists each spelling found in
the article (« Daech » and « EI » and « État islamique »), so scoring canonical
forms would punish the very merging the gazetteer is for.

Two systems are scored from one model pass: the raw model (its spans as they
are) and Loupe (gazetteer + normalisation). Articles are split by their position
in the gold file, even/odd, so that rules tuned while looking at one half can be
checked on the other.

    python -m bench.ner_eval [--limit N] [--errors TYPE] [--n-process 2]
    python -m bench.ner_eval --speed [--n-process 2]
    python -m bench.ner_eval --folds 5 [--ablate]   # cross-validated (see bench.ner_folds)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from unidecode import unidecode

from bench.cache import BUNDLED_CORPUS, NER_GOLD, WINER_JSONL
from search.entities import EntityExtractor
from search.entity_rules import Mention, resolve
from search.gazetteer import Gazetteer
from search.ner_model import SHIPPED_WEIGHTS, weights_version

GOLD = NER_GOLD
CORPUS = WINER_JSONL  # the annotated articles are the bundled winer-* records
GAZETTEER = BUNDLED_CORPUS / "entities.yml"
TYPES = ("PER", "ORG", "LOC")

Key = tuple[str, str]


def fold_for_scoring(text: str) -> str:
    """The README's folding: lower case, no accents, one space for hyphens and spaces.

    An elided article is joined to its word (« d' Annecy » → « d'annecy »): the
    gold was tokenised before it was written out, so 14 of its strings hold a
    space after the apostrophe that the article does not have (« hôpital d'
    Annecy », « université d' Osaka »), and no system could ever match them.
    This folding applies to the gold and to every system alike."""
    text = re.sub(r"[\s\-\u2010\u2011\u2013\u2014]+", " ", unidecode(text).lower())
    text = re.sub(r"(?<=\w)' (?=\w)", "'", text)
    return text.strip(" .,;:!?\"'()[]{}«»")


def load_gold(path: Path = GOLD) -> list[tuple[str, set[Key]]]:
    gold = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            keys = {
                (e["type"], fold_for_scoring(e["text"]))
                for e in record["entities"]
                if not e["nested"] and e["type"] in TYPES
            }
            gold.append((record["id"], keys))
    return gold


def load_texts(ids: set[str], path: Path = CORPUS) -> dict[str, str]:
    """Title + text of each record; the records' text already opens with the title."""
    texts = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in ids:
                body = record["text"]
                title = record["title"]
                texts[record["id"]] = body if body.startswith(title) else f"{title}\n\n{body}"
    return texts


def as_keys(pairs: list[tuple[str, str]]) -> set[Key]:
    return {(t, fold_for_scoring(x)) for x, t in pairs if t in TYPES and fold_for_scoring(x)}


class Score:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, predicted: set[Key], gold: set[Key]) -> None:
        for t, _ in predicted & gold:
            self.tp[t] += 1
        for t, _ in predicted - gold:
            self.fp[t] += 1
        for t, _ in gold - predicted:
            self.fn[t] += 1

    def prf(self, entity_type: str | None = None) -> tuple[float, float, float]:
        def total(c: Counter[str]) -> int:
            return sum(c.values()) if entity_type is None else c[entity_type]

        tp, fp, fn = total(self.tp), total(self.fp), total(self.fn)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def print_table(title: str, scores: dict[str, Score]) -> None:
    print(f"\n{title}")
    names = list(scores)
    print(f"{'type':<6}" + "".join(f"{n + ' P/R/F1':>24}" for n in names))
    for entity_type in (*TYPES, None):
        cells = []
        for name in names:
            p, r, f = scores[name].prf(entity_type)
            cells.append(f"{p:>8.3f}{r:>8.3f}{f:>8.3f}")
        print(f"{entity_type or 'ALL':<6}" + "".join(cells))


def show_errors(
    gold: list[tuple[str, set[Key]]],
    predicted: dict[str, set[Key]],
    entity_type: str,
    keep: Callable[[int], bool],
) -> None:
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for position, (article_id, keys) in enumerate(gold):
        if not keep(position):
            continue
        pred = predicted[article_id]
        gold_types = {x: t for t, x in keys}
        for t, x in pred - keys:
            if t == entity_type:
                fp[f"{x} (gold {gold_types[x]})" if x in gold_types else x] += 1
        for t, x in keys - pred:
            if t == entity_type:
                fn[x] += 1
    print(f"\nfalse positives {entity_type} ({fp.total()}):", fp.most_common(80))
    print(f"\nfalse negatives {entity_type} ({fn.total()}):", fn.most_common(80))


def measure_speed(n_process: int, prefix: str = "winer-", weights: Path | None = None) -> None:
    """Words per second of `annotate` (no cache) on the corpus records whose id has `prefix`."""
    from search.article import Article, Section

    articles = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"].startswith(prefix):
                articles.append(
                    Article(record["id"], record["title"], [Section(None, record["text"])])
                )
    words = sum(len(a.full_text.split()) for a in articles)
    started = time.perf_counter()
    extractor = EntityExtractor(Gazetteer.load(GAZETTEER), n_process=n_process, weights=weights)
    extractor.nlp  # noqa: B018 - load time counted apart
    loaded = time.perf_counter()
    count = sum(len(a.entities) for a in extractor.annotate(articles))
    done = time.perf_counter()
    print(
        f"{len(articles)} articles '{prefix}*', {words} words, n_process={n_process}, "
        f"ner {weights_version(weights)}: "
        f"load {loaded - started:.1f} s, annotate {done - loaded:.1f} s "
        f"({words / (done - loaded):.0f} words/s), {count} entities"
    )


def main(argv: list[str] | None = None) -> int:
    from bench.ner_train import (
        SHIPPED_AVERAGE,
        SHIPPED_EPOCHS,
        SHIPPED_SEEDS,
        Schedule,
        add_also_option,
        add_schedule_options,
        parse_also,
    )

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="score the first N gold articles only")
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--errors", choices=TYPES, help="list Loupe's errors of this type")
    parser.add_argument("--half", choices=("even", "odd", "all"), default="even")
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER)
    parser.add_argument(
        "--weights",
        choices=("shipped", "base"),
        default="shipped",
        help="Loupe's fine-tuned ner (trained on this very file: optimistic) or the base model's",
    )
    parser.add_argument(
        "--speed", action="store_true", help="time annotate on the winer-* and all articles"
    )
    parser.add_argument(
        "--folds", type=int, help="k-fold cross-validation of the fine-tuned model (trains it)"
    )
    parser.add_argument(
        "--epochs", type=int, default=SHIPPED_EPOCHS, help="with --folds: training epochs"
    )
    parser.add_argument(
        "--ablate",
        nargs="*",
        metavar="RULE",
        help="with --folds: each rule's gain (or only these rules')",
    )
    parser.add_argument(
        "--dropout",
        type=float,
        nargs="+",
        default=[0.2],
        help="with --folds: training dropout; several: the mean of one model per dropout and seed",
    )
    parser.add_argument(
        "--only-folds",
        type=int,
        nargs="+",
        help="with --folds: score (and train) these folds only, 1-based (e.g. 4 5)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        nargs="+",
        default=list(SHIPPED_SEEDS),
        help="with --folds: training seed; several: the mean of their weights per fold",
    )
    parser.add_argument(
        "--average",
        action=argparse.BooleanOptionalAction,
        default=SHIPPED_AVERAGE,
        help="with --folds: the fold models' averaged weights (as shipped) or their last ones",
    )
    parser.add_argument(
        "--silver",
        default="misc",
        help="with --folds: the fold models' training docs (see bench.ner_train SILVER_CHOICES)",
    )
    add_schedule_options(parser)
    add_also_option(parser)
    args = parser.parse_args(argv)
    try:
        also = parse_also(args.also)
    except ValueError as error:
        parser.error(str(error))
    if args.folds:
        from bench.ner_folds import cross_validate

        only = [f - 1 for f in args.only_folds] if args.only_folds else None
        cross_validate(
            args.folds,
            args.epochs,
            args.ablate,
            args.errors,
            only=only,
            dropout=args.dropout[0] if len(args.dropout) == 1 else args.dropout,
            seeds=args.seed,
            average=args.average,
            silver=args.silver,
            schedule=Schedule(
                args.learn_rate, args.batch_max, args.augment, args.augment_seed, args.batch_start
            ),
            also=also,
        )
        return 0
    if args.speed:
        weights = SHIPPED_WEIGHTS if args.weights == "shipped" else None
        measure_speed(args.n_process, weights=weights)
        measure_speed(args.n_process, prefix="", weights=weights)
        return 0

    gold = load_gold()[: args.limit]
    texts = load_texts({article_id for article_id, _ in gold})
    gazetteer = Gazetteer.load(args.gazetteer)
    weights = SHIPPED_WEIGHTS if args.weights == "shipped" else None
    extractor = EntityExtractor(gazetteer, n_process=args.n_process, weights=weights)
    if weights_version(weights) != "base":
        print(
            "note: the shipped weights were trained on these articles; "
            "`--folds 5` gives the score expected on unseen ones"
        )

    ordered = [texts[article_id] for article_id, _ in gold]
    started = time.perf_counter()
    # Raw model: the model alone on whole texts, no gazetteer, spans as they are.
    with extractor.nlp.select_pipes(disable=["loupe_gazetteer"]):
        raw_mentions = [
            [Mention(e.text, e.label_) for e in doc.ents]
            for doc in extractor.nlp.pipe(ordered, batch_size=32, n_process=args.n_process)
        ]
    raw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    mentions = extractor.mentions(ordered)  # the model is loaded by now: a fair timing
    loupe = [resolve(m, gazetteer) for m in mentions]
    loupe_seconds = time.perf_counter() - started

    words = sum(len(t.split()) for t in ordered)
    systems: dict[str, dict[str, set[Key]]] = {"raw": {}, "loupe": {}}
    for (article_id, _), raw, ents in zip(gold, raw_mentions, loupe, strict=True):
        systems["raw"][article_id] = as_keys([(m.text, m.label) for m in raw])
        systems["loupe"][article_id] = as_keys([(e.text, e.type) for e in ents])

    halves: dict[str, Callable[[int], bool]] = {
        "even": lambda i: i % 2 == 0,
        "odd": lambda i: i % 2 == 1,
        "all": lambda i: True,
    }
    for half, keep in halves.items():
        scores = {name: Score() for name in systems}
        for position, (article_id, keys) in enumerate(gold):
            if keep(position):
                for name, predicted in systems.items():
                    scores[name].add(predicted[article_id], keys)
        count = sum(1 for i in range(len(gold)) if keep(i))
        print_table(f"{half} articles ({count})", scores)
    print(
        f"\n{len(gold)} articles, {words} words: raw model {raw_seconds:.1f} s incl. load "
        f"({words / raw_seconds:.0f} words/s), Loupe {loupe_seconds:.1f} s "
        f"({words / loupe_seconds:.0f} words/s), n_process={args.n_process}"
    )
    if args.errors:
        show_errors(gold, systems["loupe"], args.errors, halves[args.half])
    return 0


if __name__ == "__main__":
    sys.exit(main())
