"""Warnings per day by category, laid out as an SVG stacked-bar chart on the server.

The page's CSP allows no inline style and no external asset, so the chart is plain SVG
geometry computed here and drawn by the template; colours come from the stylesheet by
category class. Every day in the range gets a slot, including days with nothing found,
so a quiet week looks quiet instead of disappearing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from companion.audit.query import DailyCount, EventFilter
from companion.detection.types import CATEGORIES
from companion.review.i18n import gettext
from companion.review.present import category_label

DEFAULT_DAYS = 30
MAX_DAYS = 366
WIDTH, HEIGHT = 960, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Segment:
    """One category's part of a day's bar."""

    y: float
    height: float
    category: str
    count: int


@dataclass(frozen=True)
class Bar:
    """One day: its slot on the x axis, its stacked segments and a tooltip."""

    x: float
    width: float
    day: date
    total: int
    segments: list[Segment]
    title: str


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw the chart, in SVG user units."""

    start: date
    end: date
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    legend: list[tuple[str, str, int]]
    total: int
    clamped: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def chart_days(flt: EventFilter, today: date) -> tuple[date, date, bool]:
    """First and last day the chart covers, and whether a longer range was cut to a year."""
    end = (flt.until - timedelta(microseconds=1)).astimezone(timezone.utc).date() if flt.until else today
    start = flt.since.astimezone(timezone.utc).date() if flt.since else end - timedelta(days=DEFAULT_DAYS - 1)
    start = min(start, end)
    if (end - start).days + 1 > MAX_DAYS:
        return end - timedelta(days=MAX_DAYS - 1), end, True
    return start, end, False


def chart_filter(flt: EventFilter, start: date, end: date) -> EventFilter:
    """The table's filter narrowed to the chart's days; kind and decision do not apply to checks."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=timezone.utc)

    return replace(flt, since=midnight(start), until=midnight(end + timedelta(days=1)), kind=None, action=None)


def _nice_top(largest: int) -> tuple[int, int]:
    """A round axis maximum at or above `largest`, and the step between its four gridlines."""
    if largest <= 4:
        return 4, 1
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return step * math.ceil(largest / step), step


def _bar(day: date, counts: dict[str, int], x: float, width: float, scale: float, bottom: float) -> Bar:
    """Stack a day's categories bottom-up in the fixed category order."""
    segments, y = [], bottom
    for category in CATEGORIES:
        count = counts.get(category, 0)
        if count:
            height = count * scale
            y -= height
            segments.append(Segment(y, height, category, count))
    parts = ", ".join(f"{category_label(s.category)} {s.count}" for s in reversed(segments)) or gettext("nothing found")
    return Bar(x, width, day, sum(counts.values()), segments, f"{day.isoformat()}: {parts}")


def build_chart(counts: list[DailyCount], start: date, end: date, clamped: bool = False) -> Chart:
    """Lay out one bar per day from `start` to `end` (inclusive)."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    by_day: dict[date, dict[str, int]] = {day: {} for day in days}
    for item in counts:
        if item.day in by_day:
            by_day[item.day][item.category] = by_day[item.day].get(item.category, 0) + item.count
    top_value, step = _nice_top(max((sum(c.values()) for c in by_day.values()), default=0))
    plot_bottom, plot_height = HEIGHT - BOTTOM, HEIGHT - BOTTOM - TOP
    slot = (WIDTH - RIGHT - LEFT) / len(days)
    gap = min(2.0, slot * 0.2)
    scale = plot_height / top_value
    bars = [_bar(day, by_day[day], LEFT + i * slot + gap / 2, slot - gap, scale, plot_bottom)
            for i, day in enumerate(days)]
    y_ticks = [(plot_bottom - v * scale, v) for v in range(0, top_value + 1, step)]
    every = max(1, math.ceil(len(days) / MAX_X_LABELS))
    x_labels = [(LEFT + (i + 0.5) * slot, gettext("%(month)s %(day)s", month=gettext(f"{day:%b}"), day=day.day))
                for i, day in enumerate(days) if i % every == 0]
    totals = {c: sum(by_day[d].get(c, 0) for d in days) for c in CATEGORIES}
    legend = [(c, category_label(c), totals[c]) for c in CATEGORIES if totals[c]]
    return Chart(start, end, bars, y_ticks, x_labels, legend, sum(totals.values()), clamped)
