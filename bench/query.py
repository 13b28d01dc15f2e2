"""Query latency: each system answers the bench queries with its index open.

One child process per system (see `bench.child`) opens the index once, warms up
on queries outside the list, then answers every query `reps` times in each mode:

- `snippets`: top 10 with snippets — what a results page needs;
- `bare`: top 10, no snippets — the cost of retrieval and ranking alone;
- `page` (Loupe only): snippets + facet counts over all hits — a full results page.

Every mode also asks for the exact hit count, as a results page shows it. The
first pass of each mode is reported apart (`p50 1st`): repeated queries would
flatter any result cache, so a large gap between the two says one is at work.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import child
from bench.engines import EngineUnavailable, get_engine
from bench.engines.base import BenchQuery

QUERIES_FILE = Path(__file__).with_name("queries.txt")
WARMUP = ("france", "gouvernement", "le président", '"premier ministre"', "economie")


def load_bench_queries(path: Path = QUERIES_FILE) -> list[BenchQuery]:
    """Parse `kind | query | filters` lines; see the header of queries.txt."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        filters: dict[str, tuple[str, ...]] = {}
        if len(parts) > 2 and parts[2]:
            for item in parts[2].split(";"):
                name, _, value = item.partition("=")
                filters[name.strip()] = (*filters.get(name.strip(), ()), value.strip())
        out.append(BenchQuery(text=parts[1], kind=parts[0], filters=filters))
    return out


def _ok(values: list[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    s = sorted(values)
    pos = (len(s) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass
class ModeTimings:
    """Latencies in ms, `[rep][query]`, over the queries this engine ran; None
    where the query raised (its error is in `QueryRun.errors`)."""

    mode: str
    latencies_ms: list[list[float | None]] = field(default_factory=list)
    totals: list[int | None] = field(default_factory=list)  # hit count per query


@dataclass
class QueryRun:
    size: str
    system: str
    label: str
    queries: list[str] = field(default_factory=list)  # the query texts run, in order
    kinds: list[str] = field(default_factory=list)
    modes: list[ModeTimings] = field(default_factory=list)
    open_ms: float = 0.0
    rss_mb: float = 0.0
    skipped: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # query → first error it raised

    def stats(self, mode: str, *, common_only: bool = True) -> dict[str, float]:
        """p50/p95/p99 over all reps, and p50 of the first pass, in ms."""
        m = next((x for x in self.modes if x.mode == mode), None)
        if m is None:
            return {}
        keep = [i for i, k in enumerate(self.kinds) if not (common_only and k == "filter")]
        every = _ok([rep[i] for rep in m.latencies_ms for i in keep])
        first = _ok([m.latencies_ms[0][i] for i in keep]) if m.latencies_ms else []
        return {
            "n": len(keep),
            "p50": percentile(every, 50),
            "p95": percentile(every, 95),
            "p99": percentile(every, 99),
            "p50_first": percentile(first, 50),
        }

    def kind_stats(self, mode: str) -> dict[str, dict[str, float]]:
        m = next((x for x in self.modes if x.mode == mode), None)
        if m is None:
            return {}
        out = {}
        for kind in dict.fromkeys(self.kinds):
            idx = [i for i, k in enumerate(self.kinds) if k == kind]
            every = _ok([rep[i] for rep in m.latencies_ms for i in idx])
            out[kind] = {
                "p50": percentile(every, 50),
                "p95": percentile(every, 95),
                "max": max(every) if every else float("nan"),
            }
        return out


def run_queries(
    size: str,
    system: str,
    label: str,
    engine: str,
    index: Path,
    *,
    reps: int,
    operator: str,
    timeout: float = 1800,
    modes: list[str] | None = None,
) -> QueryRun:
    spec = {
        "engine": engine,
        "index": str(index),
        "reps": reps,
        "operator": operator,
        "modes": modes or [],
    }
    out = child.run("bench.query", spec, timeout)
    run = QueryRun(size, system, label)
    if "error" in out or "skipped" in out:
        run.skipped = out.get("skipped") or f"failed: {out['error']}"
        return run
    run.queries, run.kinds = out["queries"], out["kinds"]
    run.modes = [ModeTimings(**m) for m in out["modes"]]
    run.open_ms, run.rss_mb = out["open_ms"], out["rss_mb"]
    run.errors = out.get("errors", {})
    return run


def child_main(spec: dict[str, Any]) -> None:
    try:
        engine = get_engine(spec["engine"])
    except EngineUnavailable as exc:
        child.emit({"skipped": str(exc)})
        return
    start = time.perf_counter()
    session = engine.open(Path(spec["index"]), operator=spec["operator"])
    open_ms = (time.perf_counter() - start) * 1000
    queries = [q for q in load_bench_queries() if engine.supports_filters or not q.filters]
    modes = {"snippets": (True, False), "bare": (False, False)}
    if engine.supports_facets:
        modes["page"] = (True, True)
    if spec.get("modes"):  # --modes: a long run at 100k can keep only what it reports
        modes = {k: v for k, v in modes.items() if k in spec["modes"]} or modes
    errors: dict[str, str] = {}
    for text in WARMUP:
        for snippets, facets in modes.values():
            try:
                session.search(BenchQuery(text), snippets=snippets, facets=facets)
            except Exception as exc:
                errors.setdefault(text, f"warm-up: {type(exc).__name__}: {exc}")
    timings = []
    for mode, (snippets, facets) in modes.items():
        m = ModeTimings(mode)
        for _ in range(spec["reps"]):
            rep = []
            for q in queries:
                t0 = time.perf_counter()
                try:
                    total: int | None = session.search(
                        q, limit=10, snippets=snippets, facets=facets
                    ).total
                except Exception as exc:  # one failing query must not hide the others' times
                    errors.setdefault(q.text, f"{mode}: {type(exc).__name__}: {exc}")
                    total = None
                elapsed = (time.perf_counter() - t0) * 1000
                rep.append(elapsed if total is not None else None)
                if len(m.latencies_ms) == 0:
                    m.totals.append(total)
            m.latencies_ms.append(rep)
        timings.append(asdict(m))
    session.close()
    child.emit(
        {
            "queries": [q.text for q in queries],
            "kinds": [q.kind for q in queries],
            "modes": timings,
            "open_ms": open_ms,
            "rss_mb": child.peak_rss_mb(),
            "errors": errors,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.query")
    parser.add_argument("--child", required=True, help="JSON query spec (internal)")
    args = parser.parse_args(argv)
    child_main(json.loads(args.child))
    return 0


if __name__ == "__main__":
    sys.exit(main())
