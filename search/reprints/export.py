"""The JSON shapes of reprints, shared by the API and `loupe duplicates`.

One module writes both, so `GET /api/articles/<id>/similar` and the CLI's
export say the same thing about the same pair: the API reads it from one
article's side, the export from the side of each cluster's first known one.
"""

from __future__ import annotations

from collections.abc import Iterator

from search.article import Article
from search.reprints.similar import Similar, overlap
from search.reprints.store import Cluster, ReprintStore

CSV_COLUMNS = (
    "cluster",
    "size",
    "id",
    "source",
    "published",
    "published_inferred",
    "first_known",
    "share_in_first",
    "share_of_first",
)


def _share(value: float) -> float:
    return round(value, 4)


def similar_to_json(found: Similar) -> dict:
    return {
        "id": found.article_id,
        "available": found.available,
        "reprints": {
            "count": found.count,
            "first_known": found.first_known,
            "first_date_inferred": found.first_inferred,
            "this_is_first": found.this_is_first,
            "items": [
                {
                    "id": r.id,
                    "title": r.title,
                    "source": r.source,
                    "url": r.url,
                    "published": r.published.isoformat() if r.published else None,
                    "published_inferred": r.published_inferred,
                    "first_known": r.first_known,
                    "share_of_this": _share(r.overlap.share_here),
                    "share_of_other": _share(r.overlap.share_there),
                    "passages": [
                        {
                            "start": p.start,
                            "end": p.end,
                            "other_start": p.other_start,
                            "other_end": p.other_end,
                            "words": p.words,
                        }
                        for p in r.passages
                    ],
                }
                for r in found.reprints
            ],
        },
        "neighbours": [
            {
                "id": n.id,
                "title": n.title,
                "source": n.source,
                "published": n.published.isoformat() if n.published else None,
                "score": n.score,
            }
            for n in found.neighbours
        ],
    }


def cluster_rows(
    number: int, cluster: Cluster, articles: dict[str, Article], store: ReprintStore
) -> list[dict]:
    """One row per member: its share of text found in the cluster's first known
    article and the share of the first's text found in it (1.0 for the first)."""
    reference = articles.get(cluster.first or cluster.members[0])
    rows = []
    for member_id in cluster.members:
        article = articles.get(member_id)
        if article is None:
            continue
        if reference is None or member_id == reference.id:
            in_first = of_first = 1.0
        else:
            o = overlap(article, reference, store)
            in_first, of_first = o.share_here, o.share_there
        rows.append(
            {
                "cluster": number,
                "size": len(cluster.members),
                "id": member_id,
                "source": article.source,
                "published": article.published.isoformat() if article.published else None,
                "published_inferred": article.published_inferred,
                "first_known": member_id == cluster.first,
                "share_in_first": _share(in_first),
                "share_of_first": _share(of_first),
            }
        )
    return rows


def export_clusters(
    store: ReprintStore, get, min_similarity: float = 0.0
) -> Iterator[tuple[Cluster, list[dict]]]:
    """Every cluster with its member rows; members whose similarity to the first
    (the larger of the two shares) is under `min_similarity` are left out, and
    a cluster left with one member is not exported."""
    for number, cluster in enumerate(store.clusters(), start=1):
        articles = {m: a for m in cluster.members if (a := get(m)) is not None}
        rows = [
            row
            for row in cluster_rows(number, cluster, articles, store)
            if max(row["share_in_first"], row["share_of_first"]) >= min_similarity
        ]
        if len(rows) >= 2:
            yield cluster, rows


def grouped_hits_json(groups, hits: list[dict]) -> list[dict]:
    """A results page's hits (as `search.serialize.results_to_json` wrote them)
    grouped as the HTML page groups them (`Searcher.group_reprints`): each
    group's earliest hit, carrying the others of its text found on the page
    under `reprints`. Totals and facets are untouched: they count articles."""
    by_id = {hit["id"]: hit for hit in hits}
    return [
        {**by_id[group.head.id], "reprints": [by_id[r.id] for r in group.reprints]}
        for group in groups
    ]
