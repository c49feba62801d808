"""The dashboard's bar charts, drawn on the server as SVG (no script, nothing inline the
content security policy would refuse): the geometry of the axes, ticks, bars and labels, with
suppressed figures drawn as hatched bars marked "< k", and the text summary of each chart."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.templatetags.figures import figure

from .aggregates import ReportPeriod
from .datasets import period_unit
from .tables import Table

# The SVG's own units (it scales to its box): margins hold the ticks and the axis titles.
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 28, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
CHAR_W = 7.2  # about the width of a character at the charts' 12-unit font
MAX_Y_TICKS = 5
CAP = 8  # height of the hatched cap of a partial bar


@dataclass
class Bar:
    short: str  # under the axis
    long: str  # in the table and the tooltip
    value: int | float | None  # None: suppressed
    partial: bool = False  # a sum of cells some of which are suppressed (not counted)
    x: float = 0
    y: float = 0
    cap_y: float = 0  # the hatched cap of a partial bar
    width: float = 0
    height: float = 0
    centre: float = 0
    tick: bool = False
    show_value: bool = False
    label: str = ""  # above the bar

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Chart:
    title_id: str
    x_title: str
    y_title: str
    k: int
    bars: list[Bar]
    summary: str = ""
    y_ticks: list[dict] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def suppressed(self) -> int:
        return sum(1 for b in self.bars if b.suppressed)

    @property
    def partial(self) -> int:
        return sum(1 for b in self.bars if b.partial)

    @property
    def x_title_y(self) -> int:
        return HEIGHT - 12

    @property
    def x_middle(self) -> float:
        return LEFT + PLOT_W / 2

    @property
    def y_middle(self) -> float:
        return TOP + PLOT_H / 2

    @property
    def tick_y(self) -> int:
        return HEIGHT - BOTTOM + 18


def nice_step(top: float) -> float:
    """A step of 1, 2 or 5 × 10ⁿ giving at most MAX_Y_TICKS steps up to `top`."""
    raw = max(top, 1) / MAX_Y_TICKS
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, factor * power)
    return 10 * power  # pragma: no cover


def _number(value) -> str:
    """A figure in the active language (« 1 234,5 » in French)."""
    return figure(value)


def bar_chart(title_id: str, x_title: str, y_title: str, k: int, bars: list[Bar]) -> Chart:
    """Lay bars out: y from 0 to a round value above the highest (a suppressed bar is drawn at
    k − 1, the most it can be), one tick label every n bars so that they never touch."""
    chart = Chart(title_id, x_title, y_title, k, bars)
    highest = max([b.value for b in bars if b.value] + [k - 1 if chart.suppressed else 0]) or 1
    step = nice_step(highest)
    y_max = step * max(1, math.ceil(highest / step))
    chart.y_ticks = [
        {"value": _number(v), "y": round(TOP + PLOT_H - PLOT_H * v / y_max, 1)}
        for v in [step * i for i in range(int(y_max / step) + 1)]
    ]
    slot = PLOT_W / max(1, len(bars))
    widest = max((len(b.short) for b in bars), default=1)
    every = max(1, math.ceil((widest * CHAR_W + 8) / slot))
    for n, bar in enumerate(bars):
        shown = (k - 1) if bar.suppressed else (bar.value or 0)
        bar.height = round(PLOT_H * shown / y_max, 1)
        bar.y = round(TOP + PLOT_H - bar.height, 1)
        bar.x = round(LEFT + n * slot + slot * 0.15, 1)
        bar.width = round(slot * 0.7, 1)
        bar.centre = round(LEFT + n * slot + slot / 2, 1)
        bar.cap_y = round(bar.y - CAP, 1)
        bar.tick = n % every == 0
        if bar.suppressed:
            label = f"< {k}"
        elif bar.partial:
            label = f"≥ {_number(bar.value)}" if bar.value else _("hidden")
        else:
            label = _number(bar.value or 0)
        visible = bar.suppressed or bar.partial or bool(bar.value)
        bar.show_value = visible and len(label) * CHAR_W <= slot
        bar.label = label
    chart.summary = _summary(chart)
    return chart


def _summary(chart: Chart) -> str:
    shown = [b for b in chart.bars if not b.suppressed]
    total = sum(b.value or 0 for b in shown)
    parts = [_("Total of the bars shown: %(total)s.") % {"total": _number(total)}]
    if total:
        best = max(shown, key=lambda b: b.value or 0)
        parts.append(
            _("Highest: %(value)s (%(when)s).") % {"value": _number(best.value), "when": best.long}
        )
    if chart.suppressed:
        parts.append(
            ngettext(
                "%(n)s bar concerns fewer than %(k)s people: hatched, its figure is not shown.",
                "%(n)s bars concern fewer than %(k)s people: hatched, their figures are not shown.",
                chart.suppressed,
            )
            % {"n": chart.suppressed, "k": chart.k}
        )
    if chart.partial:
        parts.append(
            ngettext(
                "%(n)s bar leaves out cells of fewer than %(k)s people: hatched top.",
                "%(n)s bars leave out cells of fewer than %(k)s people: hatched tops.",
                chart.partial,
            )
            % {"n": chart.partial, "k": chart.k}
        )
    parts.append(_("The same figures are in the table below the chart."))
    return " ".join(parts)


def timeline_chart(table: Table, period: ReportPeriod) -> Chart:
    """Journeys per day, week or month of the period."""
    unit = period_unit(period)
    bars = []
    for row in table.rows:
        day = date.fromisoformat(row["starting"])
        if unit == "day":
            short, long = date_format(day, "j N"), date_format(day, "l j F Y")
        elif unit == "week":
            short = date_format(day, "j N")
            long = _("week of %(day)s") % {"day": date_format(day, "j F Y")}
        else:
            short, long = date_format(day, "N Y"), date_format(day, "F Y")
        bars.append(Bar(short, long, row["journeys"]))
    x_title = {"day": _("Day"), "week": _("Week (starting on Monday)"), "month": _("Month")}[unit]
    return bar_chart("timeline", x_title, _("Journeys"), table.k, bars)


def hours_chart(table: Table) -> Chart:
    """Journeys by hour of the pickup: the sum of the day-and-hour cells shown (`by_time`), so
    that no hidden cell can be recovered by subtraction; an hour with hidden cells is marked."""
    shown, hidden = [0] * 24, [False] * 24
    for row in table.rows:
        if row["suppressed"]:
            hidden[row["hour"]] = True
        else:
            shown[row["hour"]] += row["journeys"]
    bars = [
        Bar(
            f"{hour} h",
            _("%(a)s h to %(b)s h") % {"a": hour, "b": hour + 1},
            shown[hour],
            partial=hidden[hour],
        )
        for hour in range(24)
    ]
    return bar_chart("hours", _("Hour of the pickup"), _("Journeys"), table.k, bars)
