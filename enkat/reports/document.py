"""A document as blocks before any format: headings, people's text and report tables.

Both the data report (`enkat.reports.layout`) and the reports a förbund files (a
kvartals-, del-, slut- or helårsrapport) are laid out as a `Document`; HTML, PDF and Word
render it block by block. A table block is drawn with its chart beside it when its table
names a chart kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Table


@dataclass(frozen=True)
class Heading:
    """A heading: level 2 for a part or a section, 3 under it (the document title is 1)."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Text:
    """Words written by people (or said by the report), paragraphs separated by a blank
    line. `placeholder` is shown, marked as such, when there are no words yet."""

    text: str
    placeholder: str = ""


@dataclass(frozen=True)
class TableBlock:
    """A report table with its title, notes and, if it has one, its chart. Its title is
    a heading one level below the heading it stands under, or at `level` when set (a
    table that is a part by itself)."""

    table: Table
    level: int | None = None


Block = Heading | Text | TableBlock


@dataclass(frozen=True)
class Document:
    """`title` is the one level-1 heading; `lines` say what it is about under it (the
    period, when it was made, the suppression rule)."""

    title: str
    lines: tuple[str, ...]
    blocks: tuple[Block, ...]
