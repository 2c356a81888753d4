"""What every chart shares: the look, the rendering to bytes, and a few drawing helpers.

Rendering is deterministic (the same data gives byte-identical PNG and SVG) and
thread-safe: `matplotlib.rc_context` swaps the process-wide rcParams while it is open,
so two threads drawing at once could each restore the other's settings half-way
through a drawing. One lock around each render keeps drawings apart; a chart takes a
fraction of a second, so the queue stays short.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Callable, Iterable, Sized
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.typing import RcKeyType

Format = Literal["png", "svg"]

DPI = 150
REPORT_FONT_SIZE = 13

# Okabe-Ito: told apart with every common kind of colour blindness. Series are also
# told apart by fill, marker shape or line style, so a black-and-white print works.
BLUE = "#0072B2"
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
INK = "#222222"
GREY = "#767676"  # the lightest grey that still reaches 4.5:1 contrast on white
LIGHT_GREY = "#D9D9D9"

# No creation date, no software version: the bytes depend on the data only.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}

_RENDER_LOCK = threading.Lock()
_TITLE_X = 0.01  # the title's left edge, and its margin on the right, as parts of the width


def render(draw: Callable[[Figure], None], *, title: str, size: tuple[float, float],
           format: Format, font_size: float = REPORT_FONT_SIZE) -> bytes:
    """Draw a titled figure with `draw` and return it as PNG or SVG bytes."""
    if format not in _METADATA:
        raise ValueError(f"a chart is drawn as 'png' or 'svg', not {format!r}")
    metadata: dict[str, str | None] = dict(_METADATA[format])
    if format == "svg":
        metadata["Title"] = title  # the SVG's <title>, which screen readers announce
    with _RENDER_LOCK, matplotlib.rc_context(chart_settings(font_size)):
        figure = titled_figure(title, size)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=format, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def titled_figure(title: str, size: tuple[float, float]) -> Figure:
    """A figure with `title` at its top left, wrapped between words where it would be
    wider than the figure (a long instrument name would otherwise be cut off at the
    right edge). Call inside the rc_context that sets the title's font."""
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)  # a renderer to measure the title with
    heading = figure.suptitle(title, x=_TITLE_X, ha="left")
    room = figure.bbox.width * (1 - 2 * _TITLE_X)
    renderer = canvas.get_renderer()
    width = len(title)
    while width > 1 and heading.get_window_extent(renderer).width > room:
        extent = heading.get_window_extent(renderer).width
        width = min(width - 1, int(width * room / extent))
        heading.set_text(textwrap.fill(title, max(width, 1), break_long_words=False))
    return figure


def chart_settings(font_size: float) -> dict[RcKeyType, Any]:
    """The look of every chart, as matplotlib settings (rcParams) for `rc_context`."""
    return {
        "font.family": "DejaVu Sans",  # ships with matplotlib: the same on every server
        "font.size": font_size,
        "axes.labelsize": font_size,
        "xtick.labelsize": font_size,
        "ytick.labelsize": font_size,
        "legend.fontsize": font_size,
        "figure.titlesize": font_size * 1.3,
        "figure.titleweight": "bold",
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "grid.color": LIGHT_GREY,
        "axes.axisbelow": True,  # grid lines behind bars and points
        "legend.frameon": False,
        "text.parse_math": False,  # a "$" in a label is a dollar sign, not mathematics
        "svg.fonttype": "none",  # text stays text: searchable, selectable, read aloud
        "svg.hashsalt": "enkat",  # stable ids inside the SVG
    }


def require_some(items: Sized, what: str) -> None:
    """An empty chart is never what a report wants: the caller decides what to say."""
    if not len(items):
        raise ValueError(f"{what}: there is nothing to draw (no data was given)")


def check_within(values: Iterable[float], low: float, high: float, what: str) -> None:
    """A value outside the axis would be drawn off the chart, silently; refuse it."""
    for value in values:
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{what}: {value} is outside the scale {low:g}-{high:g}")


def legend_on_top(axes: Axes, handles: list[Line2D]) -> None:
    """A one-line legend between the title and the chart, read before the data."""
    axes.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02),
                ncols=len(handles), borderaxespad=0)


def note_below(figure: Figure, text: str) -> None:
    """A footnote under the chart (what the whiskers mean, who is left out)."""
    figure.supxlabel(text, x=0.01, ha="left", fontsize="small", color=GREY)


def label_right(axes: Axes, y: float, text: str, **style: Any) -> None:
    """Text just right of the plot at height `y` in data units: labels a reference
    line or a row without ever covering the data."""
    axes.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(8, 0),
                  textcoords="offset points", ha="left", va="center",
                  annotation_clip=False, **style)


def reference_line(axes: Axes, y: float, label: str) -> None:
    """A dashed horizontal cut-off line, named at its right end."""
    axes.axhline(y, color=INK, linestyle=(0, (6, 4)), linewidth=1.5, zorder=1)
    label_right(axes, y, label, fontsize="small")


def row_axis(axes: Axes, labels: list[str]) -> None:
    """Rows top to bottom in the given order, one label each, wrapped to stay narrow."""
    axes.set_yticks(range(len(labels)), [textwrap.fill(label, 34) for label in labels])
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.tick_params(axis="y", length=0)
    axes.spines["left"].set_visible(False)


def marker(label: str, **style: Any) -> Line2D:
    """A legend entry for a marker or line style drawn elsewhere."""
    return Line2D([], [], label=label, **{"linestyle": "none", **style})
