"""The report as an A4 PDF: a title block, the tables, their notes, then the charts.

Text is set in DejaVu Sans, the TTF that ships with matplotlib, so å, ä, ö and the
typographic minus render everywhere. The bytes are deterministic (reportlab's invariant
mode: no clock, no random document id).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from enkat.reports.exports.texts import period_text, subject_heading, suppression_text
from enkat.reports.model import Report, Row
from enkat.reports.model import Table as ReportTable
from enkat.reports.numbers import format_figure, right_aligned

FONT = "DejaVuSans"
BOLD_FONT = "DejaVuSans-Bold"
_MARGIN = 2 * cm
_FRAME_PADDING = 6  # reportlab's default padding inside the page's frame, in points
_TABLE_FONT_SIZE = 8
_FIGURE_COLUMN_WIDTH = 2.4 * cm
_LABEL_COLUMN_WIDTH = 7 * cm
_LABEL_COLUMN_MINIMUM = 4 * cm
_CELL_PADDING = 12  # reportlab's default left (6) plus right (6) padding of a cell, in points
#: Where a word too long for its column may break: after a slash or a hyphen inside it.
_BREAK_AFTER = re.compile(r"([/-])(?=\w)")
_HEADER_SIZES = (8, 7.5, 7, 6.5, 6)  # a wide table's headings get smaller before words break
_CHART_HEIGHT_LIMIT = 12 * cm
_TABLE_START_SPACE = 4 * cm  # a table starts on a new page unless its heading and a few rows fit


def to_pdf(report: Report, charts: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """The document; `charts` are (title, PNG bytes) pairs, placed after the tables."""
    _register_fonts()
    buffer = io.BytesIO()
    heading = subject_heading(report.subject)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        invariant=1,
        title=f"{heading}, {period_text(report)}",
        author="enkat",
        creator="enkat",
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
    )
    width = document.width - 2 * _FRAME_PADDING
    story = _title_block(report)
    for table in report.tables:
        story += _table_block(table, width)
    if charts:
        story += _chart_block(charts, width)
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


@functools.cache
def _register_fonts() -> None:
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD_FONT, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD_FONT, italic=FONT,
                                  boldItalic=BOLD_FONT)


def _style(name: str, size: float, bold: bool = False, **options: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BOLD_FONT if bold else FONT, fontSize=size,
                          leading=size * 1.25, **options)


_TITLE = _style("title", 18, bold=True, spaceAfter=6)
_SUBTITLE = _style("subtitle", 12, spaceAfter=6)
_BODY = _style("body", 10, spaceAfter=4)
_HEADING = _style("heading", 13, bold=True, spaceBefore=14, spaceAfter=6)
_NOTE = _style("note", 9, spaceBefore=3)
_CAPTION = _style("caption", 9, bold=True, spaceBefore=3)
_CELL = _style("cell", _TABLE_FONT_SIZE)
_CELL_BOLD = _style("cell-bold", _TABLE_FONT_SIZE, bold=True)


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text as a paragraph: escaped, since reportlab reads paragraphs as markup."""
    return Paragraph(escape(text), style)


def _title_block(report: Report) -> list[Flowable]:
    return [
        _paragraph(subject_heading(report.subject), _TITLE),
        _paragraph(period_text(report), _SUBTITLE),
        _paragraph(suppression_text(report.suppression), _BODY),
    ]


def _table_block(table: ReportTable, width: float) -> list[Flowable]:
    size, widths = _header_size_and_widths(table, width)
    header = [
        "",
        *(
            _paragraph(column.label, _header_style(size, right_aligned(column.kind)))
            for column in table.columns
        ),
    ]
    rows = [_table_row(row, table, widths[0]) for row in table.rows]
    flowable = Table([header, *rows], colWidths=widths, repeatRows=1,
                     hAlign="LEFT", style=_table_style(table))
    return [
        CondPageBreak(_TABLE_START_SPACE),
        _paragraph(table.title, _HEADING),
        flowable,
        *(_paragraph(note, _NOTE) for note in table.notes),
    ]


def _header_size_and_widths(table: ReportTable, width: float) -> tuple[float, list[float]]:
    """The largest heading size at which every column is as wide as the longest word of
    its heading, with the column widths at that size: headings wrap between words, never
    inside one ("Medelförändring", not "Medelförä ndring"). The label column keeps at
    least its minimum; a table too wide even so gets the smallest size."""
    for size in _HEADER_SIZES:
        widths = _column_widths(table, width, size)
        if widths[0] >= _LABEL_COLUMN_MINIMUM:
            break
    return size, widths


def _column_widths(table: ReportTable, width: float, header_size: float) -> list[float]:
    """Figure columns of equal width, narrower when there are many, so the figures take
    at most two thirds of the page, but each at least as wide as its heading's longest
    word; the label column takes what is left, up to a limit."""
    count = len(table.columns)
    even = min(_FIGURE_COLUMN_WIDTH, width * 2 / 3 / max(count, 1))
    figure_widths = [max(even, _longest_word(column.label, header_size) + _CELL_PADDING)
                     for column in table.columns]
    label_width = min(_LABEL_COLUMN_WIDTH, width - sum(figure_widths))
    return [label_width, *figure_widths]


def _longest_word(text: str, size: float) -> float:
    return max((pdfmetrics.stringWidth(word, BOLD_FONT, size) for word in text.split()),
               default=0.0)


@functools.cache
def _header_style(size: float, right: bool) -> ParagraphStyle:
    return _style(f"header-{size}-{right}", size, bold=True,
                  alignment=TA_RIGHT if right else TA_LEFT)


def _table_row(row: Row, table: ReportTable, label_width: float) -> list[Any]:
    """Labels and words as paragraphs, which wrap in their column; numbers as plain
    strings, which never break."""
    style = _CELL_BOLD if row.is_total else _CELL
    figures = (
        format_figure(figure, column) if right_aligned(column.kind)
        else _paragraph(format_figure(figure, column), style)
        for figure, column in zip(row.figures, table.columns, strict=True)
    )
    return [_label(row.label, style, label_width - _CELL_PADDING), *figures]


def _label(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A row label that wraps between words, and breaks a word too long for its column
    after a slash or hyphen inside it ("Sjukpenning/" above "rehabiliteringspenning"),
    not at whatever letter the column ends."""
    words = []
    for word in escape(text).split(" "):
        if pdfmetrics.stringWidth(word, style.fontName, style.fontSize) > width:
            word = _BREAK_AFTER.sub(r"\1<br/>", word)
        words.append(word)
    return Paragraph(" ".join(words), style)


def _table_style(table: ReportTable) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, _TABLE_FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for index, column in enumerate(table.columns, start=1):
        if right_aligned(column.kind):
            commands.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    for index, row in enumerate(table.rows, start=1):
        if row.is_total:
            commands.append(("FONT", (1, index), (-1, index), BOLD_FONT, _TABLE_FONT_SIZE))
            commands.append(("LINEABOVE", (0, index), (-1, index), 1, colors.black))
    return TableStyle(commands)


def _chart_block(charts: Sequence[tuple[str, bytes]], width: float) -> list[Flowable]:
    """Each chart kept on one page with its caption, the section heading with the first."""
    groups = [[_image(png, width), _paragraph(title, _CAPTION)] for title, png in charts]
    groups[0].insert(0, _paragraph("Diagram", _HEADING))
    return [KeepTogether(group) for group in groups]


def _image(png: bytes, width: float) -> Image:
    """The chart at full text width, or smaller if it would be taller than the limit."""
    pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
    scale = min(width / pixels_wide, _CHART_HEIGHT_LIMIT / pixels_high)
    return Image(io.BytesIO(png), width=pixels_wide * scale, height=pixels_high * scale)


class _NumberedCanvas(Canvas):
    """Writes "Sida N av M" in the footer. M is known only at the end, so each page's
    state is kept at showPage() and the pages are drawn when the document is saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's, not in its stubs

    def save(self) -> None:
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._draw_footer(number, len(self._pages))
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.setFont(FONT, 8)
        self.drawCentredString(A4[0] / 2, _MARGIN / 2, f"Sida {number} av {total}")
