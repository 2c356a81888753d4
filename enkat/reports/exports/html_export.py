"""A document as one self-contained HTML page in Swedish, to read on screen or print
(the PDF is this page printed: `pdf_export`); and one table as a fragment
(`table_html`), for enkat's own pages.

No scripts and no external resources: the page is a download and must work offline.
Charts come in as SVG text and are embedded as data-URI images with alternative text,
so nothing inside an SVG can run in the page.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2

from enkat.reports.document import Document, Heading, TableBlock, Text
from enkat.reports.exports.views import TableView, chart_alt, outline, paragraphs, table_view
from enkat.reports.model import Table

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("enkat.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Chart:
    alt: str
    svg_base64: str


@dataclass(frozen=True)
class _Item:
    """A block as the template shows it: `kind` is "heading", "text" or "table"."""

    kind: str
    level: int = 0
    text: str = ""
    paragraphs: tuple[str, ...] = ()
    table: TableView | None = None
    chart: _Chart | None = None


def to_html(document: Document, charts: Mapping[str, str] | None = None) -> str:
    """The page; `charts` maps a table's id to its chart as SVG text, drawn beside it."""
    return _ENVIRONMENT.get_template("report.html").render(
        title=document.title,
        lines=document.lines,
        items=[_item(block, level, charts or {}) for block, level in outline(document)],
    )


def table_html(table: Table) -> str:
    """One table as an HTML fragment (caption, figures in Swedish, notes), escaped: the
    markup the whole page uses, for pages that show a report's tables among their own."""
    return _ENVIRONMENT.get_template("_table.html").render(table=table_view(table))


def _item(block: Heading | Text | TableBlock, level: int, charts: Mapping[str, str]) -> _Item:
    if isinstance(block, Heading):
        return _Item("heading", level, block.text)
    if isinstance(block, Text):
        return _Item("text", text=block.placeholder, paragraphs=tuple(paragraphs(block.text)))
    table = block.table
    svg = charts.get(table.id)
    chart = _Chart(chart_alt(table.title), _base64(svg)) if svg is not None else None
    return _Item("table", level, table.title, table=table_view(table), chart=chart)


def _base64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")
