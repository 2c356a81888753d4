"""Indicator shares: the share of positive answers per NNS item or indicator, with its
95 % interval and n, optionally beside the previous period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from enkat.reports import model
from enkat.reports.charts import _swedish
from enkat.reports.charts._style import (
    BLUE,
    GREY,
    INK,
    SKY_BLUE,
    Format,
    label_right,
    legend_on_top,
    marker,
    note_below,
    render,
    require_some,
    row_axis,
)
from enkat.reports.numbers import NBSP

TOO_FEW = "för få svar"
CONFIDENCE_INTERVAL = f"95{NBSP}% konfidensintervall"


@dataclass(frozen=True)
class ShareEstimate:
    """A share (0..1) with its 95 % interval and the n it rests on.

    `share` None means suppressed: too few answers to show. A suppressed estimate
    carries no interval and no n either, so nothing about a small group can leave
    through a chart.
    """

    share: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None

    def __post_init__(self) -> None:
        if self.share is None:
            if (self.low, self.high, self.n) != (None, None, None):
                raise ValueError("a suppressed share carries no interval and no n")
        elif self.low is None or self.high is None or self.n is None:
            raise ValueError(f"the share {self.share} needs its interval (low, high) and n")
        elif not 0 <= self.low <= self.share <= self.high <= 1:
            raise ValueError(f"expected 0 <= low <= share <= high <= 1, got low {self.low}, "
                             f"share {self.share}, high {self.high}")

    @property
    def suppressed(self) -> bool:
        return self.share is None

    @classmethod
    def from_figure(cls, figure: model.Figure) -> ShareEstimate:
        """The chart's view of a report cell; a suppressed cell stays suppressed."""
        if figure.suppressed is not None:
            return cls(None)
        assert isinstance(figure.value, int | float)
        return cls(float(figure.value), figure.low, figure.high, figure.n)


@dataclass(frozen=True)
class IndicatorBar:
    """One row: an item or indicator, this period's share and maybe the previous one."""

    label: str
    current: ShareEstimate
    previous: ShareEstimate | None = None


@dataclass(frozen=True)
class _Series:
    key: str  # names the bars in the SVG: id="bar-3-current"
    estimate: Callable[[IndicatorBar], ShareEstimate | None]
    offset: float
    height: float
    fill: str
    text_color: str


def indicator_chart(rows: Sequence[IndicatorBar], *, title: str,
                    xlabel: str = "Andel positiva svar",
                    series_labels: tuple[str, str] = ("Perioden", "Föregående period"),
                    note: str = f"Strecken visar {CONFIDENCE_INTERVAL}.",
                    format: Format = "png") -> bytes:
    """Horizontal bars of the positive share per row with 95 % whiskers and n.

    A suppressed share gets an empty slot saying "för få svar", never a bar. When any
    row has a previous share, each row gets a second, hollow bar below the first.
    """
    require_some(rows, "indicator chart")
    series = _series(compare=any(row.previous is not None for row in rows))
    height = 1.6 + len(rows) * (0.5 + 0.35 * len(series))

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        row_axis(axes, [row.label for row in rows])
        for kind in series:
            for index, row in enumerate(rows):
                _draw_estimate(axes, index, kind, kind.estimate(row))
        _percent_axis(axes, xlabel)
        if len(series) > 1:
            legend_on_top(axes, [_legend_entry(kind, label)
                                 for kind, label in zip(series, series_labels, strict=True)])
        if note:
            note_below(figure, note)

    return render(draw, title=title, size=(10, height), format=format)


def _series(*, compare: bool) -> list[_Series]:
    if not compare:
        return [_Series("current", lambda row: row.current, 0.0, 0.6, SKY_BLUE, INK)]
    return [_Series("current", lambda row: row.current, -0.2, 0.38, SKY_BLUE, INK),
            _Series("previous", lambda row: row.previous, 0.2, 0.38, "white", GREY)]


def _draw_estimate(axes: Axes, index: int, kind: _Series,
                   estimate: ShareEstimate | None) -> None:
    if estimate is None:
        return
    y = index + kind.offset
    if estimate.share is None:
        axes.text(1, y, TOO_FEW, va="center", style="italic", color=GREY)
        return
    assert estimate.low is not None and estimate.high is not None  # as every shown share
    share, low, high = (100 * value for value in (estimate.share, estimate.low, estimate.high))
    axes.barh(y, share, kind.height, color=kind.fill, edgecolor=BLUE, linewidth=1.5,
              gid=f"bar-{index + 1}-{kind.key}")
    axes.errorbar(share, y, xerr=[[share - low], [high - share]], fmt="none", ecolor=INK,
                  elinewidth=1.5, capsize=5)
    label_right(axes, y, f"{_swedish.percent(estimate.share)} (n = {estimate.n})",
                color=kind.text_color)


def _percent_axis(axes: Axes, label: str) -> None:
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 20))
    axes.xaxis.set_major_formatter(_swedish.percent_formatter())
    axes.set_xlabel(label)
    axes.grid(axis="x")


def _legend_entry(kind: _Series, label: str) -> Line2D:
    return marker(label, marker="s", markersize=14, markerfacecolor=kind.fill,
                  markeredgecolor=BLUE, markeredgewidth=1.5)
