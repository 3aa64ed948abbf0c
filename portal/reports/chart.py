"""The weekly compliance rate as a line chart: geometry worked out here, drawn as inline SVG
by the template ``reports/_trend_chart.html`` (no JavaScript, nothing to strip out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .compliance import Week

WIDTH, HEIGHT = 880, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 48, 40  # room for the axis labels and the title
Y_TICKS = (0, 25, 50, 75, 100)
MOST_X_LABELS = 8


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the chart's coordinates
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "Week of 2 Nov: 75% on time (3 of 4)"


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[str]  # SVG path data, one per run of weeks that had steps due
    points: list[Point]

    @property
    def empty(self) -> bool:
        return not self.points


def trend_chart(weeks: Sequence[Week]) -> TrendChart:
    """Where each week's rate goes: weeks with nothing due leave a gap in the line."""
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    step = (right - left) / max(len(weeks) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + index * step if len(weeks) > 1 else (left + right) / 2, 1)

    def y_of(percent: float) -> float:
        return round(bottom - (bottom - top) * percent / 100, 1)

    every = max(len(weeks) // MOST_X_LABELS, 1)
    x_ticks = [Tick(x_of(i), f"{w.starts:%-d %b}") for i, w in enumerate(weeks) if i % every == 0]
    points: list[Point] = []
    lines: list[str] = []
    run: list[Point] = []
    for index, week in enumerate(weeks):
        if week.rate is None:
            lines += _line(run)
            run = []
            continue
        percent = week.rate * 100
        point = Point(
            x_of(index),
            y_of(percent),
            f"Week of {week.starts:%-d %b %Y}: {percent:.0f}% on time ({week.on_time} of {week.due})",
        )
        points.append(point)
        run.append(point)
    lines += _line(run)
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=[Tick(y_of(p), f"{p}%") for p in Y_TICKS],
        x_ticks=x_ticks,
        lines=lines,
        points=points,
    )


def _line(run: list[Point]) -> list[str]:
    """SVG path data through a run of points (a single point is drawn as its dot alone)."""
    if len(run) < 2:
        return []
    return ["M" + " L".join(f"{p.x},{p.y}" for p in run)]
