"""A report in the format asked for, with the charts its tables support."""

from __future__ import annotations

from enkat.reports.charts import (
    AreaChange,
    Format,
    IndicatorBar,
    ShareEstimate,
    area_change_chart,
    indicator_chart,
)

from .exports import to_html, to_json, to_pdf, to_xlsx
from .model import Figure, Report, Table

FORMATS = ("json", "xlsx", "html", "pdf")


def render(report: Report, format: str) -> bytes:
    """The report as bytes of `format` (one of FORMATS)."""
    if format == "json":
        return to_json(report).encode("utf-8")
    if format == "xlsx":
        return to_xlsx(report)
    if format == "html":
        svg = [(title, chart.decode("utf-8")) for title, chart in charts(report, "svg")]
        return to_html(report, svg).encode("utf-8")
    if format == "pdf":
        return to_pdf(report, charts(report, "png"))
    raise ValueError(f'unknown format "{format}" (one of: {", ".join(FORMATS)})')


def charts(report: Report, format: Format) -> list[tuple[str, bytes]]:
    """Indicator shares for each NNS table and first-against-latest for area tables."""
    drawn = []
    for table in report.tables:
        if table.id.startswith("nns-"):
            drawn.append((table.title, _indicator_chart(table, format)))
        elif table.id.endswith("-omraden") and _area_rows(table):
            drawn.append((table.title, area_change_chart(
                _area_rows(table), title=table.title, format=format)))
    return drawn


def _indicator_chart(table: Table, format: Format) -> bytes:
    bars = [IndicatorBar(row.label,
                         _estimate(table.figure(row.label, "andel")),
                         _estimate(table.figure(row.label, "andel-foregaende")))
            for row in table.rows]
    if all(bar.previous is None or bar.previous.suppressed for bar in bars):
        bars = [IndicatorBar(bar.label, bar.current) for bar in bars]
    return indicator_chart(bars, title=table.title, format=format)


def _estimate(figure: Figure) -> ShareEstimate:
    if figure.value is None or figure.suppressed is not None:
        return ShareEstimate(None)
    return ShareEstimate.from_figure(figure)


def _area_rows(table: Table) -> list[AreaChange]:
    shown = []
    for row in table.rows:
        first, latest = table.figure(row.label, "forsta"), table.figure(row.label, "senaste")
        if first.suppressed is None and first.value is not None:
            assert not isinstance(first.value, str) and not isinstance(latest.value, str)
            shown.append(AreaChange(row.label, first.value, latest.value))
    return shown
