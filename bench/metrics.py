"""Ranking measures for the judged dev queries (see bench/data/README.md).

nDCG@k with gain 2^grade − 1 and the ideal ranking drawn from *all* judged
articles (not only those retrieved), MRR@k and Recall@k. Pure functions over
ids and grades, so a test can check them against numbers worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def _top(ranked: Sequence[str], k: int) -> list[str]:
    """The first `k` distinct ids: a system returning a duplicate gains nothing twice."""
    seen: set[str] = set()
    out: list[str] = []
    for doc_id in ranked:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
            if len(out) == k:
                break
    return out


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judged.get(d, 0) for d in _top(ranked, k)]) / ideal


def mrr_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    for i, doc_id in enumerate(_top(ranked, k)):
        if judged.get(doc_id, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_top(ranked, k))) / len(relevant)


@dataclass(frozen=True)
class Scores:
    ndcg: float
    mrr: float
    recall: float

    @staticmethod
    def of(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> Scores:
        return Scores(
            ndcg_at(ranked, judged, k), mrr_at(ranked, judged, k), recall_at(ranked, judged, k)
        )

    @staticmethod
    def mean(items: Sequence[Scores]) -> Scores:
        n = len(items) or 1
        return Scores(
            sum(s.ndcg for s in items) / n,
            sum(s.mrr for s in items) / n,
            sum(s.recall for s in items) / n,
        )
