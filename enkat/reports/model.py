"""A report as data: tables of figures, each with the n behind it, before any format.

HTML, XLSX, PDF and JSON are renderings of these objects; none of them computes a
figure. Suppression is applied when the report is built (`Figure.shown`), so every
format shows the same suppressed cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from enkat.scoring.suppression import Suppression


class Kind(StrEnum):
    """What a column (or a cell) holds; formats use it to write and align figures."""

    COUNT = "count"  # a whole number of deltagare, responses or sources
    SHARE = "share"  # a proportion 0..1 (shown as per cent)
    NUMBER = "number"  # a mean, median, score or other measurement
    CHANGE = "change"  # a signed difference (efter - före)
    P_VALUE = "p-value"  # the p-value of a test, 0..1
    TEXT = "text"  # words: "Ja", "Nej", "Går inte att avgöra", a class name
    KRONOR = "kronor"  # whole kronor: a cost or a saving (negative: a cost)


class ChartKind(StrEnum):
    """Which chart draws a table. Set where the table is built; rendering and the
    results page choose and draw charts by it, never by the table's id. Not written
    to the report JSON (a table's fields there are those docs/formats.md lists)."""

    INDICATOR_BARS = "indicator-bars"  # positive share per question, with the previous period
    AREA_CHANGES = "area-changes"  # mean first against latest rating, per area
    TREND = "trend"  # each row's figures over the periods in the columns (years)
    PAYBACK = "payback"  # the cumulative saving month by month against the cost


@dataclass(frozen=True)
class Figure:
    """One cell: its value, the n it rests on, an interval, and how it is shown.

    `shown` is what leaves the system: the value itself, or a suppression mark such as
    "<5" when the count is too small to show. `value` stays available for checks inside
    enkat but is never written by an outgoing format when `suppressed` is set.
    `kind` is set only where the cell holds another kind than its column, as in a table
    of values (a count of deltagare, means and p-values under one "Värde").
    """

    value: int | float | str | None
    n: int | None = None
    low: float | None = None
    high: float | None = None
    suppressed: str | None = None
    kind: Kind | None = None

    @property
    def shown(self) -> int | float | str | None:
        return self.suppressed if self.suppressed is not None else self.value

    @property
    def is_empty(self) -> bool:
        """Nothing to show: no value, no word, or a zero that rests on nobody (a count of
        0, a mean of no ratings). A zero resting on an n, as a share of 0 % of 12 answers
        or no change among 5 deltagare, is a result; a suppressed figure hides one."""
        if self.suppressed is not None:
            return False
        return self.value is None or self.value == "" or (self.value == 0 and not self.n)

    def kind_in(self, column: Column) -> Kind:
        """What this cell holds: its own kind, else its column's."""
        return self.kind or column.kind


#: What a column left out for being empty holds in every row.
EMPTY = Figure(None)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]
    is_total: bool = False  # the "Slutsumma" row
    key: str | None = None  # what the row is about, where a label says it in words (an item)


@dataclass(frozen=True)
class Table:
    """A table with a stable id (documented in docs/formats.md), its notes and the
    kind of chart that draws it, if any. `left_out` names the columns left out of it
    for being empty (`enkat.reports.pruning`): asked for, they give an empty figure."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    chart: ChartKind | None = None
    #: The lowest and highest rating its figures can take (an area chart's axis), when
    #: they are on a rating scale.
    scale: tuple[int, int] | None = None
    left_out: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing to show: every figure is empty (`Figure.is_empty`), as in a breakdown
        for a group nobody in the period belongs to."""
        return all(figure.is_empty for row in self.rows for figure in row.figures)

    def row(self, label: str) -> Row:
        for row in self.rows:
            if row.label == label:
                return row
        raise KeyError(f"table {self.id} has no row {label!r}")

    def row_about(self, key: str) -> Row:
        """The row about `key` (an item id), whatever its label says."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"table {self.id} has no row about {key!r}")

    def figure(self, row_label: str, column_key: str) -> Figure:
        row = self.row(row_label)
        if column_key in self.left_out:
            return EMPTY
        keys = [column.key for column in self.columns]
        if column_key not in keys:
            raise KeyError(f"table {self.id} has no column {column_key!r}")
        return row.figures[keys.index(column_key)]


@dataclass(frozen=True)
class Subject:
    """Whom the report is about: one insats, or the whole förbund."""

    scope: str  # "insats" or "forbund"
    slug: str
    name: str
    forbund_name: str


@dataclass(frozen=True)
class Part:
    """A titled part of a report (the summary, the deltagare, one instrument), naming its
    tables by id in the order they are read. Formats show a part as a heading over its
    tables; a filed document's data sections take their tables by these ids."""

    id: str
    title: str
    table_ids: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    subject: Subject
    period_from: dt.date
    period_to: dt.date
    suppression_threshold: int
    tables: tuple[Table, ...]
    sections: dict[str, Any] = field(default_factory=dict)  # indicators, prepost, goals
    #: The parts the tables are read in; a table in no part is read after them.
    parts: tuple[Part, ...] = ()

    @property
    def suppression(self) -> Suppression:
        """The policy its tables were built with (the JSON keeps the threshold)."""
        return Suppression(self.suppression_threshold)

    def narrowed_to(self, table_ids: set[str]) -> Report:
        """The report with only the tables named, in parts that still hold one, and no
        sections (they speak of the whole report)."""
        parts = (replace(part, table_ids=tuple(t for t in part.table_ids if t in table_ids))
                 for part in self.parts)
        return replace(self, sections={},
                       tables=tuple(t for t in self.tables if t.id in table_ids),
                       parts=tuple(part for part in parts if part.table_ids))

    def tables_of(self, part: Part) -> tuple[Table, ...]:
        """The tables of `part`, in its order."""
        return tuple(self.table(table_id) for table_id in part.table_ids)

    def table(self, table_id: str) -> Table:
        for table in self.tables:
            if table.id == table_id:
                return table
        raise KeyError(f"the report has no table {table_id!r}")
