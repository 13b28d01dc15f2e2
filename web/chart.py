"""A timeline as bars: the geometry of the server-drawn SVG chart.

The chart is drawn on the server so that it reads without JavaScript: each
bar is a link (a click narrows the search to that period) with a `<title>`
for its tooltip, and the page carries the same numbers as a table. This
module only computes positions and labels; `templates/timeline.html` writes
the SVG, so everything shown still goes through Jinja's autoescaping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from search.timeline import Point, Timeline

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 34  # margins around the plot
MAX_X_LABELS = 7
MEASURES = ("count", "share")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    point: Point
    href: str
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    plot_right: int
    bars: list[Bar]
    x_labels: list[Tick]
    y_ticks: list[Tick]


def percent(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")


def value_of(point: Point, measure: str) -> float:
    return point.share if measure == "share" else float(point.count)


def bar_chart(
    timeline: Timeline,
    measure: str,
    href: Callable[[int, Point], str],
    period_name: Callable[[Point], str],
    axis_name: Callable[[Point], str] | None = None,
) -> Chart:
    """Grouped bars, one group per period and one bar per series in it; `axis_name`
    labels the x axis (shorter than the tooltips' `period_name`)."""
    axis_name = axis_name or period_name
    n_periods = max((len(s.points) for s in timeline.series), default=0)
    n_series = len(timeline.series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((value_of(p, measure) for s in timeline.series for p in s.points), default=0.0)
    top = top or 1.0
    group = plot_w / max(n_periods, 1)
    bar_w = max(group * 0.85 / max(n_series, 1), 0.5)
    bars: list[Bar] = []
    for i, series in enumerate(timeline.series):
        for j, point in enumerate(series.points):
            value = value_of(point, measure)
            h = plot_h * value / top
            x = LEFT + j * group + group * 0.075 + i * bar_w
            label = (
                f"{series.query} — {period_name(point)} : {point.count} article"
                f"{'s' if point.count != 1 else ''} ({percent(point.share)} des articles)"
            )
            bars.append(
                Bar(
                    round(x, 2),
                    round(TOP + plot_h - h, 2),
                    round(bar_w, 2),
                    round(h, 2),
                    i,
                    point,
                    href(i, point),
                    label,
                )
            )
    step = max(1, -(-n_periods // MAX_X_LABELS))
    points = timeline.series[0].points if timeline.series else []
    x_labels = [
        Tick(round(LEFT + j * group + group / 2, 2), axis_name(p))
        for j, p in enumerate(points)
        if j % step == 0
    ]
    y_ticks = [
        Tick(round(TOP + plot_h - plot_h * f, 2), _axis_value(top * f, measure))
        for f in (0.0, 0.5, 1.0)
    ]
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_h, WIDTH - RIGHT, bars, x_labels, y_ticks)


def _axis_value(value: float, measure: str) -> str:
    if measure == "share":
        return percent(value)
    return (
        f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )
