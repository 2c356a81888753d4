"""The cumulative saving month by month after exit against the cost: where the line
crosses the cost is the återbetalningstid."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib import ticker
from matplotlib.figure import Figure

from enkat.reports.charts._style import BLUE, INK, Format, reference_line, render, require_some
from enkat.reports.numbers import format_count, format_kronor

#: Beyond this many months the points are not marked one by one (a line reads better).
MARKED_MONTHS = 36


def payback_chart(cumulative: Sequence[float], cost: float | None, *, title: str,
                  format: Format = "png") -> bytes:
    """The cumulative saving of months 1, 2, … as a line and the cost as a dashed line
    named at its right end; the first month reaching the cost is marked and named."""
    require_some(cumulative, "payback chart")
    months = range(1, len(cumulative) + 1)

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        axes.plot(months, cumulative, color=BLUE, linewidth=2.5,
                  marker="o" if len(cumulative) <= MARKED_MONTHS else None, markersize=6,
                  label="Sammanlagd besparing")
        if cost is not None:
            reference_line(axes, cost, f"Kostnad {format_kronor(cost)}")
            reached = next((month for month, total in zip(months, cumulative, strict=True)
                            if total >= cost), None)
            if reached is not None:
                axes.annotate(f"Kostnaden nådd månad {reached}",
                              xy=(reached, cumulative[reached - 1]), xytext=(-24, 28),
                              textcoords="offset points", ha="right", va="bottom", color=INK,
                              fontweight="bold", arrowprops={"arrowstyle": "->", "color": INK})
        values = [*cumulative, *([cost] if cost is not None else []), 0.0]
        low, high = min(values), max(values)
        room = (high - low) * 0.12 or 1.0
        axes.set_ylim(low - (room if low < 0 else 0), high + room)
        axes.set_xlim(0.5, len(cumulative) + 0.5)
        axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True, nbins=12))
        axes.yaxis.set_major_formatter(ticker.FuncFormatter(
            lambda value, _: format_count(value)))
        axes.set_xlabel("Månader efter avslut")
        axes.set_ylabel("Kronor")
        axes.axhline(0, color=INK, linewidth=0.8)
        axes.grid(axis="y")

    return render(draw, title=title, size=(10, 5.5), format=format)
