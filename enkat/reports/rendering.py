"""A report in the format asked for, with the charts its tables support; and any laid
out document (`enkat.reports.document.Document`) as HTML, PDF or Word.

This module loads matplotlib, python-docx and openpyxl: what renders imports it where it
renders (inside the function), so a process that never draws never loads them. Whether
a table has a chart is asked of `charted`, which loads none of them."""

from __future__ import annotations

from enkat.reports.charts import (
    DEFAULT_SCALE,
    AreaRatings,
    Format,
    IndicatorBar,
    ShareEstimate,
    TrendSeries,
    area_change_chart,
    indicator_chart,
    payback_chart,
    trend_chart,
)

from . import DOCUMENT_FORMATS, FORMATS
from .charted import has_chart, shown_areas, shown_number
from .document import Document, TableBlock
from .exports import to_html, to_json, to_pdf
from .exports.docx_export import to_docx
from .exports.xlsx_export import to_xlsx
from .layout import report_document
from .model import ChartKind, Figure, Kind, Report, Table


def render(report: Report, format: str) -> bytes:
    """The report as bytes of `format` (one of FORMATS): JSON and XLSX from its tables,
    HTML, PDF and Word from its layout (`layout.report_document`)."""
    if format == "json":
        return to_json(report).encode("utf-8")
    if format == "xlsx":
        return to_xlsx(report)
    if format in DOCUMENT_FORMATS:
        return render_document(report_document(report), format)
    raise ValueError(f'unknown format "{format}" (one of: {", ".join(FORMATS)})')


def render_document(document: Document, format: str) -> bytes:
    """A document as bytes of `format` (one of DOCUMENT_FORMATS: html, pdf, docx), each
    table with its chart beside or after it: SVG in HTML and PDF, PNG in Word."""
    if format == "html":
        return to_html(document, _document_charts(document, "svg")).encode("utf-8")
    if format == "pdf":
        return to_pdf(document, _document_charts(document, "svg"))
    if format == "docx":
        return to_docx(document, {table_id: chart_bytes for table_id, chart_bytes
                                  in _drawn(document, "png")})
    raise ValueError(f'unknown document format "{format}" '
                     f'(one of: {", ".join(DOCUMENT_FORMATS)})')


def _document_charts(document: Document, format: Format) -> dict[str, str]:
    return {table_id: drawn.decode("utf-8") for table_id, drawn in _drawn(document, format)}


def _drawn(document: Document, format: Format) -> list[tuple[str, bytes]]:
    """The chart of each table of the document that has one, by table id."""
    tables = {block.table.id: block.table for block in document.blocks
              if isinstance(block, TableBlock) and has_chart(block.table)}
    return [(table_id, chart(table, format)) for table_id, table in tables.items()]


def chart(table: Table, format: Format) -> bytes:
    """The chart of one table that has one (`has_chart`), as its chart kind says."""
    assert table.chart is not None
    return _DRAW[table.chart](table, format)


def _indicator_chart(table: Table, format: Format) -> bytes:
    bars = [IndicatorBar(row.label,
                         _estimate(table.figure(row.label, "andel")),
                         _estimate(table.figure(row.label, "andel-foregaende")))
            for row in table.rows]
    if all(bar.previous is None or bar.previous.suppressed for bar in bars):
        bars = [IndicatorBar(bar.label, bar.current) for bar in bars]
    return indicator_chart(bars, title=table.title, format=format)


def _area_chart(table: Table, format: Format) -> bytes:
    ratings = [AreaRatings(*area) for area in shown_areas(table)]
    return area_change_chart(ratings, title=table.title, format=format,
                             scale=table.scale or DEFAULT_SCALE, means=True)


def _estimate(figure: Figure) -> ShareEstimate:
    if figure.value is None or figure.suppressed is not None:
        return ShareEstimate(None)
    return ShareEstimate.from_figure(figure)


def _trend_chart(table: Table, format: Format) -> bytes:
    """A line per row over the columns (the periods); a suppressed figure is a gap."""
    series = [TrendSeries(row.label, tuple(shown_number(figure) for figure in row.figures),
                          share=any(figure.kind_in(column) is Kind.SHARE for figure, column
                                    in zip(row.figures, table.columns, strict=True)),
                          held_back=frozenset(index for index, figure in enumerate(row.figures)
                                              if figure.suppressed is not None))
              for row in table.rows]
    return trend_chart([column.label for column in table.columns], series, title=table.title,
                       format=format)


def _payback_chart(table: Table, format: Format) -> bytes:
    """The second column (the cumulative saving) month by month against the third (the
    cost, the same in every row, or empty without one)."""
    cumulative = [shown_number(row.figures[1]) for row in table.rows]
    assert all(value is not None for value in cumulative)  # `has_chart`
    return payback_chart([value for value in cumulative if value is not None],
                         shown_number(table.rows[0].figures[2]), title=table.title,
                         format=format)


_DRAW = {ChartKind.INDICATOR_BARS: _indicator_chart, ChartKind.AREA_CHANGES: _area_chart,
         ChartKind.TREND: _trend_chart, ChartKind.PAYBACK: _payback_chart}
