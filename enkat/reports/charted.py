"""Which tables of a report have a chart, and the figures a chart shows: plain data, no
drawing library, so a page can ask whether to show a chart without loading matplotlib
(the drawing is `rendering`'s)."""

from __future__ import annotations

from .model import ChartKind, Figure, Table


def has_chart(table: Table) -> bool:
    """Whether the table is drawn: it names a chart kind, and an area chart has
    a first rating shown."""
    if table.chart is ChartKind.AREA_CHANGES:
        return bool(shown_areas(table))
    if table.chart is ChartKind.PAYBACK:
        return all(shown_number(row.figures[1]) is not None for row in table.rows)
    return table.chart is not None


def shown_areas(table: Table) -> list[tuple[str, float, float | None]]:
    """The areas of an area table whose first rating is shown: the area, its first
    rating and its latest (None when rated once)."""
    shown = []
    for row in table.rows:
        first, latest = table.figure(row.label, "forsta"), table.figure(row.label, "senaste")
        if first.suppressed is None and first.value is not None:
            assert not isinstance(first.value, str) and not isinstance(latest.value, str)
            shown.append((row.label, first.value, latest.value))
    return shown


def shown_number(figure: Figure) -> float | None:
    """The figure as a number for a chart; None where it is held back or missing."""
    if figure.suppressed is not None or figure.value is None:
        return None
    assert isinstance(figure.value, int | float)
    return float(figure.value)
