"""A document's blocks as every rendering of it reads them: tables with each figure
already written in Swedish, people's text as paragraphs, and the words said about a
chart. HTML (and so PDF) and Word take these, so they show the same figures and words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from enkat.reports.document import Block, Document, Heading, TableBlock
from enkat.reports.model import Row, Table
from enkat.reports.numbers import format_figure, right_aligned

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Cell:
    text: str
    right_aligned: bool


@dataclass(frozen=True)
class TableRow:
    label: str
    is_total: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TableView:
    """A table as people read it: every figure already written in Swedish."""

    id: str
    title: str
    columns: tuple[Cell, ...]
    rows: tuple[TableRow, ...]
    notes: tuple[str, ...]


def table_view(table: Table) -> TableView:
    return TableView(
        id=table.id,
        title=table.title,
        columns=tuple(
            Cell(column.label, right_aligned(column.kind)) for column in table.columns
        ),
        rows=tuple(_row_view(row, table) for row in table.rows),
        notes=table.notes,
    )


def _row_view(row: Row, table: Table) -> TableRow:
    cells = tuple(
        Cell(format_figure(figure, column), right_aligned(column.kind))
        for figure, column in zip(row.figures, table.columns, strict=True)
    )
    return TableRow(row.label, row.is_total, cells)


def paragraphs(text: str) -> list[str]:
    """People's text as its paragraphs: separated by a blank line, each stripped; a
    single line break inside a paragraph is kept."""
    return [part.strip() for part in _BLANK_LINE.split(text.replace("\r\n", "\n"))
            if part.strip()]


def chart_alt(title: str) -> str:
    """What a chart shows, for those who cannot see it: its figures are the table's."""
    return f"Diagram: {title}. Samma siffror som i tabellen."


def outline(document: Document) -> Iterator[tuple[Block, int]]:
    """Each block with its heading level: a heading's own; a table's title one level
    below the heading it stands under (2 under none, at most 6); 0 for text."""
    under = 1
    for block in document.blocks:
        if isinstance(block, Heading):
            under = block.level
            yield block, block.level
        elif isinstance(block, TableBlock):
            yield block, min(under + 1, 6)
        else:
            yield block, 0
