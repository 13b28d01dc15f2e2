"""Turning measurements into the tables people read and the JSON scripts keep.

Ratios are always Loupe / baseline from the same run on the same machine —
never against figures from another day — so "×1.8" means "Loupe took 1.8 times
as long (or as much) as that system here, now". Above 1 is worse for Loupe in
every column (time, latency, memory, disk), except throughput columns, which
are left out of the ratio tables for that reason.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.build import BuildResult
from bench.cache import REPO_ROOT
from bench.query import QueryRun
from bench.server import ServerResult

BASELINES = ("whoosh", "fts5", "tantivy")
_DISTRIBUTIONS = ("whoosh-reloaded", "tantivy", "PyStemmer", "Unidecode", "spacy", "loupe")


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "git": _git_revision(),
        # Other work on the machine skews every figure: record how busy it was.
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    for dist in _DISTRIBUTIONS:
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = None
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True
        ).stdout.strip()
        return rev + (" (uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def header(info: dict[str, Any]) -> str:
    libs = ", ".join(f"{d} {info[d]}" for d in _DISTRIBUTIONS if info.get(d))
    return (
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['ram_gb']} GB RAM, "
        f"{info['platform']}\nPython {info['python']}, SQLite {info['sqlite']}, {libs}\n"
        f"Repository: {info['git']}; load average at start {info['load_avg_1m']}"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table: numbers right-aligned, text left-aligned."""

    def cell(v: object) -> str:
        if isinstance(v, float) and math.isnan(v):
            return "—"
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
        return "—" if v is None else str(v)

    numeric = [
        all(isinstance(r[i], int | float) for r in rows if r[i] is not None)
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def ratio(a: float, b: float) -> str:
    if not a or not b or math.isnan(a) or math.isnan(b):
        return "—"
    return f"×{a / b:.2f}"


def build_tables(results: list[BuildResult]) -> str:
    done = [r for r in results if not r.skipped]
    rows = [
        [
            r.size,
            r.label,
            r.articles,
            r.text_mb,
            r.wall_s,
            r.articles_per_s,
            r.mb_per_s,
            r.peak_rss_mb,
            r.index_mb,
        ]
        for r in done
    ]
    out = [
        "## Build",
        table(
            [
                "corpus",
                "system",
                "articles",
                "text MB",
                "wall s",
                "articles/s",
                "MB/s",
                "peak RSS MB",
                "index MB",
            ],
            rows,
        ),
    ]
    ratio_rows = []
    for r in done:
        if not r.system.startswith("loupe"):
            continue
        for base in BASELINES:
            b = next((x for x in done if x.size == r.size and x.system == base), None)
            if b:
                ratio_rows.append(
                    [
                        r.size,
                        f"{r.label} / {b.label}",
                        ratio(r.wall_s, b.wall_s),
                        ratio(r.peak_rss_mb, b.peak_rss_mb),
                        ratio(r.index_mb, b.index_mb),
                    ]
                )
    if ratio_rows:
        out += [
            "",
            "Loupe / baseline (above ×1 = Loupe slower or bigger)",
            table(["corpus", "ratio", "wall time", "peak RSS", "index size"], ratio_rows),
        ]
    out += _skips([(f"{r.size} {r.label}", r.skipped) for r in results if r.skipped])
    return "\n".join(out)


def query_tables(runs: list[QueryRun], *, verbose: bool = False) -> str:
    done = [r for r in runs if not r.skipped]
    rows = []
    for r in done:
        for m in r.modes:
            s = r.stats(m.mode)
            rows.append(
                [
                    r.size,
                    r.label,
                    m.mode,
                    s["n"],
                    s["p50"],
                    s["p95"],
                    s["p99"],
                    s["p50_first"],
                    r.open_ms,
                    r.rss_mb,
                ]
            )
    out = [
        "## Query latency (ms; queries without filters, all reps)",
        table(
            [
                "corpus",
                "system",
                "mode",
                "queries",
                "p50",
                "p95",
                "p99",
                "p50 1st",
                "open ms",
                "RSS MB",
            ],
            rows,
        ),
    ]
    ratio_rows = []
    for r in (x for x in done if x.system == "loupe"):
        for base in BASELINES:
            b = next((x for x in done if x.size == r.size and x.system == base), None)
            if b is None:
                continue
            for mode in ("snippets", "bare"):
                a, c = r.stats(mode), b.stats(mode)
                if not a or not c:  # a mode left out with --modes
                    continue
                ratio_rows.append(
                    [
                        r.size,
                        f"Loupe / {b.label}",
                        mode,
                        ratio(a["p50"], c["p50"]),
                        ratio(a["p95"], c["p95"]),
                        ratio(a["p99"], c["p99"]),
                    ]
                )
    if ratio_rows:
        out += [
            "",
            "Loupe / baseline (above ×1 = Loupe slower)",
            table(["corpus", "ratio", "mode", "p50", "p95", "p99"], ratio_rows),
        ]
    for r in (x for x in done if x.system == "loupe"):
        filt = r.kind_stats("snippets").get("filter")
        if filt and not math.isnan(filt["p50"]):
            out.append(
                f"\nLoupe {r.size}, filtered queries (snippets): "
                f"p50 {filt['p50']:.1f} ms, p95 {filt['p95']:.1f} ms"
            )
    if done:
        out += ["", kind_tables(done)]
    if verbose and done:
        out += ["", _kind_table(done), "", _hit_counts(done)]
    out += _skips([(f"{r.size} {r.label}", r.skipped) for r in runs if r.skipped])
    for r in runs:
        items = list(r.errors.items())
        out += [f"- error {r.size} {r.label}, query {q!r}: {e}" for q, e in items[:5]]
        if len(items) > 5:
            out.append(f"- … and {len(items) - 5} more failing queries on {r.size} {r.label}")
    return "\n".join(out)


def _kind_table(runs: list[QueryRun]) -> str:
    rows = []
    for r in runs:
        for kind, s in r.kind_stats("snippets").items():
            rows.append([r.size, r.label, kind, s["p50"], s["p95"]])
    return "By query kind (snippets mode, ms)\n" + table(
        ["corpus", "system", "kind", "p50", "p95"], rows
    )


def _heaviest_mode(r: QueryRun) -> str:
    """A full results page where the system makes one (facets), else top 10 + snippets."""
    return "page" if any(m.mode == "page" for m in r.modes) else "snippets"


def kind_tables(runs: list[QueryRun]) -> str:
    """Per query kind, every system side by side (p50 / p95 / max ms), then Loupe's
    ratios to the plain Whoosh and FTS5 baselines on the same kind (snippets mode,
    the work every system does)."""
    done = [r for r in runs if not r.skipped]
    parts = []
    for size in dict.fromkeys(r.size for r in done):
        here = [r for r in done if r.size == size]
        kinds = list(dict.fromkeys(k for r in here for k in r.kinds))
        header = ["kind", "n"] + [f"{r.label} ({_heaviest_mode(r)})" for r in here]
        rows = []
        for kind in [*kinds, "all"]:
            row: list[object] = [kind, None]
            for r in here:
                if kind == "all":
                    s = r.stats(_heaviest_mode(r))
                    m = next(x for x in r.modes if x.mode == _heaviest_mode(r))
                    keep = [i for i, k in enumerate(r.kinds) if k != "filter"]
                    worst = [v for rep in m.latencies_ms for i in keep if (v := rep[i]) is not None]
                    s = {**s, "max": max(worst) if worst else float("nan")}
                    row[1] = s["n"]
                else:
                    s = r.kind_stats(_heaviest_mode(r)).get(kind)
                    if row[1] is None and kind in r.kinds:
                        row[1] = r.kinds.count(kind)
                row.append(
                    "—" if not s else f"{_fmt(s['p50'])} / {_fmt(s['p95'])} / {_fmt(s['max'])}"
                )
            rows.append(row)
        parts.append(f"By query kind, {size} (p50 / p95 / max ms)\n" + table(header, rows))
        ratio_rows = []
        for r in (x for x in here if x.system.startswith("loupe")):
            for base in ("whoosh", "fts5"):
                b = next((x for x in here if x.system == base), None)
                if b is None:
                    continue
                mine, theirs = r.kind_stats("snippets"), b.kind_stats("snippets")
                for kind in kinds:
                    if kind in mine and kind in theirs:
                        a, c = mine[kind], theirs[kind]
                        ratio_rows.append(
                            [
                                f"{r.label} / {b.label}",
                                kind,
                                ratio(a["p50"], c["p50"]),
                                ratio(a["p95"], c["p95"]),
                                ratio(a["max"], c["max"]),
                            ]
                        )
        if ratio_rows:
            parts.append(
                f"Per-kind ratios, {size} (snippets mode; below ×1 = Loupe faster)\n"
                + table(["ratio", "kind", "p50", "p95", "max"], ratio_rows)
            )
    return "\n\n".join(parts)


def _fmt(v: float) -> str:
    if v != v:  # NaN
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def _hit_counts(runs: list[QueryRun]) -> str:
    """Hit counts side by side: check systems do comparable work before comparing times."""
    parts = []
    for size in dict.fromkeys(r.size for r in runs):
        here = [r for r in runs if r.size == size]
        queries = list(dict.fromkeys(q for r in here for q in r.queries))
        rows = []
        for q in queries:
            row: list[object] = [q]
            for r in here:
                row.append(r.modes[0].totals[r.queries.index(q)] if q in r.queries else None)
            rows.append(row)
        parts.append(f"Hit counts, {size}\n" + table(["query", *[r.label for r in here]], rows))
    return "\n\n".join(parts)


def server_table(results: list[ServerResult]) -> str:
    done = [r for r in results if not r.skipped]
    rows = [
        [
            r.size,
            r.connections,
            r.duration_s,
            r.requests,
            r.rps,
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            r.errors,
            r.tool,
        ]
        for r in done
    ]
    out = ["## Server (`loupe serve`, GET /api/search)"]
    if rows:
        out.append(
            table(
                [
                    "corpus",
                    "connections",
                    "s",
                    "requests",
                    "req/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "errors",
                    "tool",
                ],
                rows,
            )
        )
    out += _skips(sorted({(r.size, r.skipped) for r in results if r.skipped}))
    return "\n".join(out)


def _skips(items: Sequence[tuple[str, str | None]]) -> list[str]:
    return [f"- skipped {name}: {why}" for name, why in items]
