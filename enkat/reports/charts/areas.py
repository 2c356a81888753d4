"""Areas first vs latest (SKAPA and the like): a dumbbell per area on its rating scale,
with "4 → 7" for one deltagare's ratings and "2,5 → 3,0" for the means of a report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from enkat.reports.charts import _swedish
from enkat.reports.charts._style import (
    BLUE,
    GREY,
    INK,
    Format,
    check_within,
    label_right,
    legend_on_top,
    marker,
    note_below,
    render,
    require_some,
    row_axis,
)

# First: a large hollow ring; latest: a smaller filled dot drawn on top. Where the two
# are equal the dot sits inside the ring and both stay visible.
_FIRST: dict[str, Any] = {"marker": "o", "markersize": 17, "markerfacecolor": "white",
                           "markeredgecolor": INK, "markeredgewidth": 2}
_LATEST: dict[str, Any] = {"marker": "o", "markersize": 11, "color": BLUE}


@dataclass(frozen=True)
class AreaRatings:
    """An area's first and latest rating (one deltagare's, or a group mean);
    `latest` None: rated only once so far."""

    area: str
    first: float
    latest: float | None = None


#: The scale of an area chart whose table names none (SKAPA's 1–10).
DEFAULT_SCALE = (1, 10)


def area_change_chart(areas: Sequence[AreaRatings], *, title: str, xlabel: str = "Skattning",
                      scale: tuple[int, int] = DEFAULT_SCALE,
                      timepoint_labels: tuple[str, str] = ("Första", "Senaste"),
                      note: str | None = None, means: bool = False,
                      format: Format = "png") -> bytes:
    """One row per area: the first rating joined to the latest, area names on the left
    and "4 → 7" on the right; `means` writes every value with one decimal, so that
    "3,0" stands beside "3,1"."""
    require_some(areas, "area chart")
    check_within([area.first for area in areas], *scale, "a first rating")
    check_within([area.latest for area in areas if area.latest is not None], *scale,
                 "a latest rating")

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        row_axis(axes, [area.area for area in areas])
        for row, area in enumerate(areas):
            _draw_area(axes, row, area, _swedish.number if means else _swedish.short)
        axes.set_xlim(scale[0] - 0.5, scale[1] + 0.5)
        axes.set_xticks(range(scale[0], scale[1] + 1))
        axes.set_xlabel(xlabel)
        axes.grid(axis="x")
        legend_on_top(axes, [marker(timepoint_labels[0], **_FIRST),
                             marker(timepoint_labels[1], **_LATEST)])
        if note:
            note_below(figure, note)

    return render(draw, title=title, size=(10, 1.8 + 0.7 * len(areas)), format=format)


def _draw_area(axes: Axes, row: int, area: AreaRatings,
               written: Callable[[float], str]) -> None:
    axes.plot(area.first, row, linestyle="none", zorder=2, **_FIRST)
    if area.latest is None:
        label_right(axes, row, f"{written(area.first)} (en skattning)", color=GREY)
        return
    axes.plot([area.first, area.latest], [row, row], color=GREY, linewidth=3, zorder=1)
    axes.plot(area.latest, row, linestyle="none", zorder=3, **_LATEST)
    label_right(axes, row, f"{written(area.first)} → {written(area.latest)}")
