"""Key figures over the years: one small line chart per figure, periods along the
bottom, each point written out ("41", "31,7 %") so the chart reads without an axis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from enkat.reports.charts import _swedish
from enkat.reports.charts._style import BLUE, GREY, INK, Format, render, require_some
from enkat.reports.numbers import format_share

TOO_FEW = "för få"


@dataclass(frozen=True)
class TrendSeries:
    """One key figure over the periods: a value per period, None where there is none
    to show, and whether it is held back for resting on too few (said on the chart).
    A share is 0..1 and drawn in per cent."""

    label: str
    values: tuple[float | None, ...]
    share: bool = False
    held_back: frozenset[int] = frozenset()  # the indexes of periods held back


def trend_chart(periods: Sequence[str], series: Sequence[TrendSeries], *, title: str,
                format: Format = "png") -> bytes:
    """A small panel per figure, one above the other, sharing the periods (named once,
    under the lowest)."""
    require_some(series, "trend chart")
    require_some(periods, "trend chart")
    for line in series:
        if len(line.values) != len(periods):
            raise ValueError(f"trend chart: {line.label!r} has {len(line.values)} values "
                             f"for {len(periods)} periods")

    def draw(figure: Figure) -> None:
        panels = figure.subplots(len(series), 1, squeeze=False, sharex=True)[:, 0]
        for axes, line in zip(panels, series, strict=True):
            _draw_series(axes, periods, line)

    return render(draw, title=title, size=(10, 1.4 + 1.7 * len(series)), format=format)


def _draw_series(axes: Axes, periods: Sequence[str], line: TrendSeries) -> None:
    scale = 100 if line.share else 1
    # a period without a figure breaks the line: nothing is drawn across it
    heights = [math.nan if value is None else value * scale for value in line.values]
    axes.plot(range(len(heights)), heights, color=BLUE, linewidth=2.5, marker="o",
              markersize=8)
    top = max((height for height in heights if not math.isnan(height)), default=0)
    for index, value in enumerate(line.values):
        if index in line.held_back:
            axes.annotate(TOO_FEW, xy=(index, 0), ha="center", va="bottom", style="italic",
                          color=GREY)
        elif value is not None:
            axes.annotate(_written(value, line.share), xy=(index, value * scale),
                          xytext=(0, 8), textcoords="offset points", ha="center",
                          va="bottom", color=INK)
    axes.set_xticks(range(len(periods)), list(periods))
    axes.set_xlim(-0.5, len(periods) - 0.5)
    axes.set_ylim(0, 100 if line.share else max(1.0, top * 1.3))
    axes.yaxis.set_major_formatter(_swedish.percent_formatter() if line.share
                                   else _swedish.number_formatter())
    axes.set_title(line.label, loc="left", fontsize="medium")
    axes.grid(axis="y")


def _written(value: float, share: bool) -> str:
    if share:
        return format_share(value)
    return _swedish.short(value)
