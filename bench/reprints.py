"""Reprint detection: quality on derived republications, and what it costs.

    python -m bench.reprints                 # quality (bundled corpus + derived reprints)
    python -m bench.reprints --sweep         # shingle size × threshold, exact containment
    python -m bench.reprints --cost 10k      # cluster build time/memory, incremental, /similar

Quality: real articles of `corpus/` (at least three paragraphs and 120 words,
in no real cluster) each get one republication per kind of edit
(bench/reprint_edits.py); they are mixed into the whole corpus and the store
is built as `loupe index` builds it. Recall of a kind: derived articles found
in their original's cluster. Precision of a kind: of the cluster pairs a
derived article is in, those with its own family. Hard negatives: pairs of
real articles a week apart at most that share at least three capitalised
names but are different articles — the share of them put in one cluster.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.reprint_edits import EDITS, Story, record, story_of
from search.article import Article
from search.readers import read_corpus
from search.readers.jsonl import record_to_article
from search.reprints import Params, ReprintStore, shingled
from search.reprints.shingles import shingle_hashes, words

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = 16
N_ORIGINALS = 150
_NAME = re.compile(r"\b[A-ZÉÈÀÂÎÔÛ][\w-]{2,}")


def load_corpus() -> list[Article]:
    return [a for a in read_corpus(CORPUS) if isinstance(a, Article)]


N_FILLERS = 200


def derive(articles: list[Article], n: int = N_ORIGINALS, seed: int = SEED):
    """(originals, derived articles, family of each derived id, kind of each).

    The text an embedded story is pasted into comes from the last `N_FILLERS`
    articles, which `split` keeps out of the archive: an article that carries
    another archived article whole *is* its reprint too."""
    rng = random.Random(seed)
    articles, held_out = split(articles)
    real = ReprintStore.build(shingled(a) for a in articles)
    eligible = [
        a
        for a in articles
        if len(story_of(a).paragraphs) >= 3
        and len(a.body.split()) >= 120
        and real.cluster_of(a.id) is None
    ]
    originals = rng.sample(eligible, min(n, len(eligible)))
    vocabulary = sorted({w for a in articles[:300] for w in a.body.split() if w.isalpha()})
    fillers = [p for a in held_out for p in story_of(a).paragraphs]
    rng.shuffle(fillers)
    derived, family, kind_of = [], {}, {}
    for original in originals:
        story = story_of(original)
        for kind, edit in EDITS.items():
            edited: Story = edit(story, rng, vocabulary=vocabulary, fillers=fillers)
            new_id = f"{original.id}~{kind}"
            day = original.published.isoformat() if original.published else "2020-01-01"
            rec = record(edited, new_id, day, f"Reprise {kind}")
            article = record_to_article(rec, Path("derived.jsonl"))
            derived.append(article)
            family[new_id] = original.id
            kind_of[new_id] = kind
    return originals, derived, family, kind_of


def series(title: str) -> str | None:
    """« Tour de France 2016 » of « Tour de France 2016 : Sagan remporte… »: a
    heading of three words or more before the colon names a recurring series
    (daily results of one event), whose pages repeat the same standings."""
    head = title.split(":")[0].strip().lower() if ":" in title else ""
    return head if len(head.split()) >= 3 else None


def split(articles: list[Article]) -> tuple[list[Article], list[Article]]:
    """(the archive, the articles held out as filler text)."""
    return articles[:-N_FILLERS], articles[-N_FILLERS:]


def hard_negatives(
    articles: list[Article], limit: int = 2000, with_series: bool = False
) -> list[tuple[str, str]]:
    """Real pairs: published within 7 days, ≥ 3 capitalised names in common;
    pages of one recurring series are left out unless `with_series`."""
    dated = sorted((a for a in articles if a.published), key=lambda a: a.published)
    names = {a.id: set(_NAME.findall(a.body)) for a in dated}
    pairs = []
    for i, a in enumerate(dated):
        for b in dated[i + 1 :]:
            if (b.published - a.published).days > 7:
                break
            same_series = series(a.title) is not None and series(a.title) == series(b.title)
            if len(names[a.id] & names[b.id]) >= 3 and (with_series or not same_series):
                pairs.append((a.id, b.id))
    random.Random(SEED).shuffle(pairs)
    return pairs[:limit]


def quality(params: Params | None = None) -> dict:
    articles, _ = split(load_corpus())
    originals, derived, family, kind_of = derive(load_corpus())
    negatives = hard_negatives(articles)
    with_series = hard_negatives(articles, with_series=True)
    started = time.perf_counter()
    store = ReprintStore.build((shingled(a) for a in [*articles, *derived]), params)
    built = time.perf_counter() - started
    fam = {o.id: o.id for o in originals} | family
    found, total = defaultdict(int), defaultdict(int)
    right, claimed = defaultdict(int), defaultdict(int)
    for new_id, kind in kind_of.items():
        total[kind] += 1
        cluster = store.cluster_of(new_id)
        members = cluster.members if cluster else []
        if family[new_id] in members:
            found[kind] += 1
        for other in members:
            if other != new_id:
                claimed[kind] += 1
                right[kind] += fam.get(other) == family[new_id]
    false_negatives = [
        (a, b) for a, b in negatives if (c := store.cluster_of(a)) and b in c.members
    ]
    in_series = [(a, b) for a, b in with_series if (c := store.cluster_of(a)) and b in c.members]
    return {
        "series_pairs": (len(in_series), len(with_series)),
        "originals": len(originals),
        "derived": len(derived),
        "articles": len(articles) + len(derived),
        "build_s": built,
        "per_kind": {
            k: (found[k] / total[k], right[k] / claimed[k] if claimed[k] else 1.0, total[k])
            for k in EDITS
        },
        "overall": (
            sum(found.values()) / sum(total.values()),
            sum(right.values()) / max(1, sum(claimed.values())),
        ),
        "negatives": len(negatives),
        "false_reprints": false_negatives,
        "store": store,
        "corpus": articles,
    }


def neighbours_apart(n_originals: int = 60) -> dict:
    """Through the real pipeline (`index_corpus`, Whoosh, `Searcher.similar`): of
    the engine's raw « more like this » top 10 for an original, how many are its
    own reprints — what « Articles proches » would show without the separation —
    and how many are left among the neighbours once reprints are listed apart."""
    import json
    import shutil
    import tempfile

    from search.indexer import index_corpus
    from search.searcher import Searcher

    articles, _ = split(load_corpus())
    originals, derived, family, _ = derive(load_corpus())
    work = Path(tempfile.mkdtemp(prefix="loupe-reprints-bench-"))
    try:
        (work / "corpus").mkdir()
        with (work / "corpus" / "all.jsonl").open("w", encoding="utf-8") as out:
            for a in [*articles, *derived]:
                text = "\n".join([a.title, *(s.text for s in a.sections if s.text)])
                published = a.published.isoformat() if a.published else None
                rec = {"id": a.id, "title": a.title, "date": published, "source": a.source}
                out.write(json.dumps({**rec, "text": text}, ensure_ascii=False) + "\n")
        index_corpus(work / "corpus", work / "index", ner=False)
        searcher = Searcher.open(work / "index")
        raw_reprints = raw_total = kept = listed = expected = 0
        for original in originals[:n_originals]:
            own = {d for d, o in family.items() if o == original.id}
            article = searcher.get(original.id)
            raw = [h.id for h in searcher.backend.more_like(article, 10)]
            raw_total += len(raw)
            raw_reprints += len(own & set(raw))
            found = searcher.similar(original.id, neighbours=10)
            kept += len(own & {n.id for n in found.neighbours})
            present = {d for d in own if searcher.get(d) is not None}  # verbatim: dropped
            expected += len(present)
            listed += len(present & {r.id for r in found.reprints})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "originals": min(n_originals, len(originals)),
        "raw_share": raw_reprints / max(1, raw_total),
        "kept": kept,
        "reprint_recall": listed / max(1, expected),
    }


def print_quality(result: dict) -> None:
    print(
        f"corpus: {result['articles']} articles ({result['originals']} originals × "
        f"{len(EDITS)} edits = {result['derived']} derived); store built in "
        f"{result['build_s']:.1f} s; load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| edit | n | recall | precision |\n|---|---:|---:|---:|")
    for kind, (rec, prec, n) in result["per_kind"].items():
        print(f"| {kind} | {n} | {rec:.3f} | {prec:.3f} |")
    rec, prec = result["overall"]
    print(f"| **all** | {result['derived']} | **{rec:.3f}** | **{prec:.3f}** |\n")
    n_fp, n_neg = len(result["false_reprints"]), result["negatives"]
    print(
        f"hard negatives (same week, ≥ 3 names in common): {n_fp} / {n_neg} put in one "
        f"cluster ({n_fp / max(1, n_neg):.1%})"
    )
    n_in, n_all = result["series_pairs"]
    print(
        f"the same with pages of one series of results (« Tour de France 2016 : … »): "
        f"{n_in} / {n_all} ({n_in / max(1, n_all):.1%})"
    )
    byid = {a.id: a for a in result["corpus"]}
    for a, b in result["false_reprints"][:5]:
        print(f"   {byid[a].title[:60]!r} ~ {byid[b].title[:60]!r}")
    real = ReprintStore.build(shingled(a) for a in result["corpus"])
    pairs = sum(len(c.members) * (len(c.members) - 1) // 2 for c in real.clusters())
    direct = sum(len(v) for v in real.pairs.values()) // 2
    print(
        f"\nbundled corpus alone: {len(real.clusters())} clusters, {direct} near-duplicate "
        f"pairs ({pairs} pairs within clusters), {real.reprinted_articles()} reprinted articles"
    )
    for cluster in real.clusters()[:6]:
        a, b = cluster.members[:2]
        ca, cb = real.containment(a, b) or (0, 0)
        print(
            f"   {len(cluster.members)} articles, e.g. {byid[a].title[:50]!r} / "
            f"{byid[b].title[:50]!r}: {ca:.0%} / {cb:.0%}"
        )


def sweep() -> None:
    """Exact containment of every positive and hard-negative pair, for each
    shingle size: recall and false reprints at each threshold."""
    articles = load_corpus()
    originals, derived, family, kind_of = derive(articles)
    articles, _ = split(articles)
    byid = {a.id: a for a in [*articles, *derived]}
    negatives = hard_negatives(articles)
    print("| shingle | threshold | recall (all edits) | worst edit | hard negatives |")
    print("|---:|---:|---:|---|---:|")
    for size in (2, 3, 4, 5):
        sets: dict[str, np.ndarray] = {}

        def hashes(article_id: str, size: int = size, sets: dict = sets) -> np.ndarray:
            if article_id not in sets:
                sets[article_id] = shingle_hashes(
                    [w.folded for w in words(byid[article_id].body)], size
                )
            return sets[article_id]

        def score(a: str, b: str) -> float:
            x, y = hashes(a), hashes(b)
            shared = len(np.intersect1d(x, y, assume_unique=True))
            return shared / max(1, min(len(x), len(y)))

        positive = {d: score(d, family[d]) for d in family}
        negative = [score(a, b) for a, b in negatives]
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            per_kind = defaultdict(list)
            for d, s in positive.items():
                per_kind[kind_of[d]].append(s >= threshold)
            worst = min(per_kind, key=lambda k: np.mean(per_kind[k]))
            recall = np.mean([s >= threshold for s in positive.values()])
            fp = np.mean([s >= threshold for s in negative])
            print(
                f"| {size} | {threshold} | {recall:.3f} | {worst} "
                f"{np.mean(per_kind[worst]):.3f} | {fp:.3%} |"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reprints", description=__doc__)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--cost", metavar="SIZES", help="e.g. 10k or 10k,100k")
    parser.add_argument(
        "--no-loupe-build", action="store_true", help="with --cost: skip the whole-build reference"
    )
    parser.add_argument(
        "--similar-only", action="store_true", help="with --cost: /similar on the last index"
    )
    args = parser.parse_args(argv)
    if args.sweep:
        sweep()
    elif args.cost:
        from bench.reprints_cost import run_cost

        run_cost(
            args.cost.split(","),
            with_loupe=not args.no_loupe_build,
            similar_only=args.similar_only,
        )
    else:
        print_quality(quality())
        apart = neighbours_apart()
        print(
            f"\ntopical neighbours ({apart['originals']} originals, real index): "
            f"{apart['raw_share']:.0%} of the engine's raw more-like-this top 10 are the "
            f"original's own reprints; after separation {apart['kept']} left among "
            f"« Articles proches »; reprints listed under « Même texte ailleurs »: "
            f"{apart['reprint_recall']:.1%} of those indexed"
        )


if __name__ == "__main__":
    main()
