"""The samtalsunderlag: one deltagare's ORS and SRS totals session by session.

It is shown to the deltagare during the session and printed, so it is plain and
large. Expected-treatment-response curves of the commercial ORS/SRS systems are
licensed and not public; this chart never draws them. What it may draw instead is the
insats' own median ORS by session number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from enkat.reports.charts import _swedish
from enkat.reports.charts._style import (
    BLUE,
    GREY,
    INK,
    ORANGE,
    VERMILLION,
    Format,
    check_within,
    legend_on_top,
    marker,
    reference_line,
    render,
    require_some,
)

SCALE = (0, 40)
FONT_SIZE = 18  # read on a tablet at arm's length
NO_RATINGS = "Inga skattningar"
_MEDIAN_STYLE = {"color": ORANGE, "linewidth": 2.5, "linestyle": "-.", "zorder": 2}


@dataclass(frozen=True)
class SessionScore:
    """One session's total score. `flag` is None, or the few words that say why the
    session is flagged ("under 36", "lägre än förra"); they are written by the point."""

    day: dt.date
    total: float
    flag: str | None = None


@dataclass(frozen=True)
class _Scale:
    label: str
    cutoff: float
    color: str
    shape: str


def ors_srs_chart(ors: Sequence[SessionScore], srs: Sequence[SessionScore], *,
                  ors_cutoff: float, srs_cutoff: float, title: str = "Samtalsunderlag",
                  median_by_session: Sequence[float] = (),
                  ors_label: str = "ORS totalt", srs_label: str = "SRS totalt",
                  xlabel: str = "Datum", cutoff_label: str = "Gränsvärde",
                  median_label: str = "Insatsens median", flag_label: str = "Flaggat samtal",
                  format: Format = "png") -> bytes:
    """ORS on a large upper panel, SRS below, each with its cut-off line, by date.

    The cut-offs have no default: they are declared by the instrument (adults 25 and
    36, adolescents 28, CORS 32), and a forgotten argument must not draw an adult's
    line on a child's chart.
    `median_by_session[i]` is the insats' median ORS at session i + 1; it is drawn at
    the date of this deltagare's own session i + 1, so both are compared session for
    session. A panel without ratings says "Inga skattningar".
    """
    ors, srs = _by_day(ors), _by_day(srs)
    require_some([*ors, *srs], "ORS/SRS chart")
    for name, ratings in (("ORS", ors), ("SRS", srs)):
        check_within([rating.total for rating in ratings], *SCALE, f"an {name} total")
    check_within(median_by_session, *SCALE, "an insats median")
    median = list(zip([rating.day for rating in ors], median_by_session, strict=False))

    def draw(figure: Figure) -> None:
        ors_axes, srs_axes = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        _draw_scale(ors_axes, ors, _Scale(ors_label, ors_cutoff, BLUE, "o"), cutoff_label)
        _draw_scale(srs_axes, srs, _Scale(srs_label, srs_cutoff, VERMILLION, "s"),
                    cutoff_label)
        entries = []
        if median:
            ors_axes.plot(*_median_line(median), **_MEDIAN_STYLE)
            entries.append(marker(median_label, **_MEDIAN_STYLE))
        if any(rating.flag is not None for rating in (*ors, *srs)):
            entries.append(marker(flag_label, marker="o", markersize=15, markerfacecolor="white",
                                  markeredgecolor=INK, markeredgewidth=2.5))
        if entries:
            legend_on_top(ors_axes, entries)
        _date_axis(srs_axes, [rating.day for rating in (*ors, *srs)], xlabel)

    return render(draw, title=title, size=(11, 8.5), format=format, font_size=FONT_SIZE)


def describe_ors_srs(ors: Sequence[SessionScore], srs: Sequence[SessionScore], *,
                     ors_cutoff: float, srs_cutoff: float) -> str:
    """The chart in words, for alt text and screen readers."""
    return " ".join(_scale_in_words(name, _by_day(ratings), cutoff)
                    for name, ratings, cutoff in (("ORS", ors, ors_cutoff),
                                                  ("SRS", srs, srs_cutoff)))


def _by_day(ratings: Sequence[SessionScore]) -> list[SessionScore]:
    return sorted(ratings, key=lambda rating: rating.day)


def _median_line(median: list[tuple[dt.date, float]]) -> tuple[list[float], list[float]]:
    return [mdates.date2num(day) for day, _ in median], [value for _, value in median]


def _draw_scale(axes: Axes, ratings: list[SessionScore], scale: _Scale, cutoff_label: str) -> None:
    reference_line(axes, scale.cutoff, f"{cutoff_label} {_swedish.short(scale.cutoff)}")
    axes.set_ylim(*SCALE)
    axes.set_yticks(range(SCALE[0], SCALE[1] + 1, 10))
    axes.set_ylabel(scale.label)
    axes.grid(axis="y")
    if not ratings:
        axes.text(0.5, 0.5, NO_RATINGS, transform=axes.transAxes, ha="center", va="center",
                  color=GREY)
        return
    days = mdates.date2num([rating.day for rating in ratings])
    axes.plot(days, [rating.total for rating in ratings], color=scale.color, linewidth=3,
              marker=scale.shape, markersize=11, zorder=3)
    for day, rating in zip(days, ratings, strict=True):
        if rating.flag is not None:
            _mark_flag(axes, day, rating, scale)


def _mark_flag(axes: Axes, day: float, rating: SessionScore, scale: _Scale) -> None:
    """A hollow, larger marker and the reason, written towards the middle of the scale
    so it stays inside the panel, and beneath the course so it never hides a point."""
    axes.plot(day, rating.total, linestyle="none", marker=scale.shape, markersize=15,
              markerfacecolor="white", markeredgecolor=scale.color, markeredgewidth=2.5,
              zorder=4)
    if rating.flag:
        upwards = rating.total < sum(SCALE) / 2
        axes.annotate(rating.flag, xy=(day, rating.total), xytext=(0, 20 if upwards else -20),
                      textcoords="offset points", ha="center",
                      va="bottom" if upwards else "top", fontsize="small",
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=2.5)


def _date_axis(axes: Axes, days: list[dt.date], label: str) -> None:
    """Dates with a margin either side; one session still gets a readable week."""
    first, last = min(days), max(days)
    margin = max(dt.timedelta(days=4), (last - first) * 0.06)
    axes.set_xlim(mdates.date2num(first - margin), mdates.date2num(last + margin))
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    axes.xaxis.set_major_formatter(_swedish.DateFormatter())
    axes.set_xlabel(label)


def _scale_in_words(name: str, ratings: list[SessionScore], cutoff: float) -> str:
    if not ratings:
        return f"{name}: inga skattningar."
    first, last = ratings[0], ratings[-1]
    limit = f"(gränsvärde {_swedish.short(cutoff)})"
    if len(ratings) == 1:
        text = (f"{name}: {_swedish.number(first.total)} den "
                f"{_swedish.date(first.day, with_year=True)} {limit}.")
    else:
        text = (f"{name} i {len(ratings)} samtal, {_swedish.date(first.day, with_year=True)}"
                f" till {_swedish.date(last.day, with_year=True)}: från "
                f"{_swedish.number(first.total)} till {_swedish.number(last.total)} {limit}.")
    flagged = [f"{_swedish.date(rating.day, with_year=True)}"
               + (f" ({rating.flag})" if rating.flag else "")
               for rating in ratings if rating.flag is not None]
    if flagged:
        text += " Flaggat: " + "; ".join(flagged) + "."
    return text
