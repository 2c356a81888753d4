"""Pre/post: a slope graph of each deltagare's first and latest score, with the mean."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from enkat.reports.charts import _swedish
from enkat.reports.charts._style import (
    GREY,
    INK,
    Format,
    check_within,
    legend_on_top,
    marker,
    note_below,
    reference_line,
    render,
    require_some,
)


@dataclass(frozen=True)
class PrePost:
    """One deltagare's first and latest score; `latest` None: rated only once so far."""

    first: float
    latest: float | None = None


class _Paired(NamedTuple):
    """A deltagare rated at least twice: first and latest score."""

    first: float
    latest: float


def prepost_chart(pairs: Sequence[PrePost], *, title: str, ylabel: str = "Poäng",
                  xlabel: str = "Skattning", scale: tuple[float, float] = (0, 40),
                  cutoff: float | None = None, cutoff_label: str = "Gränsvärde",
                  timepoint_labels: tuple[str, str] = ("Första", "Senaste"),
                  format: Format = "png") -> bytes:
    """One thin line per deltagare from first to latest score, the mean in bold.

    Deltagare rated only once are left out of the lines (a flat line would claim "no
    change") and counted in the note under the chart instead.
    """
    paired = _with_latest(pairs)
    check_within([pair.first for pair in pairs], *scale, "a first score")
    check_within([pair.latest for pair in paired], *scale, "a latest score")

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.add_collection(LineCollection([[(0, pair.first), (1, pair.latest)]
                                            for pair in paired],
                                           colors=GREY, linewidths=1, alpha=0.5))
        _draw_mean(axes, paired)
        if cutoff is not None:
            reference_line(axes, cutoff, f"{cutoff_label} {_swedish.short(cutoff)}")
        axes.set_xlim(-0.4, 1.4)
        axes.set_xticks([0, 1], timepoint_labels)
        axes.set_xlabel(xlabel)
        axes.set_ylim(*scale)
        axes.yaxis.set_major_formatter(_swedish.number_formatter())
        axes.set_ylabel(ylabel)
        legend_on_top(axes, [marker("En deltagare", color=GREY, linestyle="-"),
                             marker("Medelvärde", color=INK, linestyle="-", linewidth=4,
                                    marker="s", markersize=10)])
        note_below(figure, _note(len(paired), len(pairs) - len(paired)))

    return render(draw, title=title, size=(7.5, 7), format=format)


def describe_prepost(pairs: Sequence[PrePost]) -> str:
    """The chart in words, for alt text and screen readers."""
    paired = _with_latest(pairs)
    higher = sum(pair.latest > pair.first for pair in paired)
    lower = sum(pair.latest < pair.first for pair in paired)
    first, latest = _means(paired)
    return (f"{len(paired)} deltagare: medelvärdet var {_swedish.number(first)} första gången "
            f"och {_swedish.number(latest)} senast. {higher} fick ett högre värde, {lower} "
            f"ett lägre och {len(paired) - higher - lower} samma. "
            + _note(len(paired), len(pairs) - len(paired)))


def _with_latest(pairs: Sequence[PrePost]) -> list[_Paired]:
    require_some(pairs, "pre/post chart")
    paired = [_Paired(pair.first, pair.latest) for pair in pairs if pair.latest is not None]
    if not paired:
        raise ValueError("pre/post chart: no deltagare has a latest score beside the first")
    return paired


def _draw_mean(axes: Axes, paired: list[_Paired]) -> None:
    first, latest = _means(paired)
    axes.plot([0, 1], [first, latest], color=INK, linewidth=4, marker="s", markersize=10,
              zorder=3)
    for x, value, side in ((0, first, -1), (1, latest, 1)):
        axes.annotate(_swedish.number(value), xy=(x, value), xytext=(side * 14, 0),
                      textcoords="offset points", ha="left" if side > 0 else "right",
                      va="center", fontweight="bold")


def _means(paired: list[_Paired]) -> tuple[float, float]:
    return (statistics.fmean(pair.first for pair in paired),
            statistics.fmean(pair.latest for pair in paired))


def _note(drawn: int, rated_once: int) -> str:
    note = f"n = {drawn} deltagare med minst två skattningar."
    if rated_once:
        note += f" {rated_once} med bara en skattning ingår inte."
    return note
