"""The report as one self-contained HTML page in Swedish, to read on screen or print;
and one table of it as a fragment (`table_html`), for enkat's own results page.

No scripts and no external resources: the page is a download and must work offline.
Charts come in as SVG text and are embedded as data-URI images, so nothing inside an
SVG can run in the page.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from enkat.reports.exports.texts import period_text, subject_heading, suppression_text
from enkat.reports.model import Report, Row, Table
from enkat.reports.numbers import format_figure, right_aligned

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("enkat.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Cell:
    text: str
    right_aligned: bool


@dataclass(frozen=True)
class _TableRow:
    label: str
    is_total: bool
    cells: tuple[_Cell, ...]


@dataclass(frozen=True)
class _TableView:
    """A table as the template shows it: every figure already written in Swedish."""

    id: str
    title: str
    columns: tuple[_Cell, ...]
    rows: tuple[_TableRow, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Chart:
    title: str
    svg_base64: str


def to_html(report: Report, charts: Sequence[tuple[str, str]] = ()) -> str:
    """The page; `charts` are (title, SVG text) pairs, shown after the tables."""
    return _ENVIRONMENT.get_template("report.html").render(
        heading=subject_heading(report.subject),
        period=period_text(report),
        suppression=suppression_text(report.suppression),
        tables=[_table_view(table) for table in report.tables],
        charts=[_Chart(title, _base64(svg)) for title, svg in charts],
    )


def table_html(table: Table) -> str:
    """One table as an HTML fragment (caption, figures in Swedish, notes), escaped: the
    markup the whole page uses, for pages that show a report's tables among their own."""
    return _ENVIRONMENT.get_template("_table.html").render(table=_table_view(table))


def _table_view(table: Table) -> _TableView:
    return _TableView(
        id=table.id,
        title=table.title,
        columns=tuple(
            _Cell(column.label, right_aligned(column.kind)) for column in table.columns
        ),
        rows=tuple(_row_view(row, table) for row in table.rows),
        notes=table.notes,
    )


def _row_view(row: Row, table: Table) -> _TableRow:
    cells = tuple(
        _Cell(format_figure(figure, column), right_aligned(column.kind))
        for figure, column in zip(row.figures, table.columns, strict=True)
    )
    return _TableRow(row.label, row.is_total, cells)


def _base64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")
