"""Leave out what has nothing in it: whole tables and whole columns, never a single figure.

A report lists a table for every group and every answer code the instruments declare,
so a förbund where nobody has kön "annat" would carry a complete table of zeros for
them, and a period with no previous one a column "föregående period" with no figure.
Such a table or column says nothing, and every format would print it.

What goes is decided per table and column, never per figure or row: a 0 in a table with
data is a result ("0 deltagare gick till studier") and stays, and so does a row of
zeros, since the registration tables list every answer code and a zero row there says
that nobody gave it. A suppressed figure is never empty: it hides a number that is not
0. `Figure.is_empty` says what an empty figure is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .model import Row, Table


def without_empty(tables: Iterable[Table]) -> tuple[Table, ...]:
    """The tables with a figure to show, each without the columns empty in every row
    (the total row included)."""
    return tuple(_without_empty_columns(table) for table in tables if not table.is_empty)


def _without_empty_columns(table: Table) -> Table:
    kept = [index for index in range(len(table.columns))
            if not all(row.figures[index].is_empty for row in table.rows)]
    if len(kept) == len(table.columns):
        return table
    return dataclasses.replace(
        table,
        columns=tuple(table.columns[index] for index in kept),
        rows=tuple(_keeping(row, kept) for row in table.rows),
        left_out=(*table.left_out, *(column.key for index, column in enumerate(table.columns)
                                     if index not in kept)),
    )


def _keeping(row: Row, indexes: list[int]) -> Row:
    return dataclasses.replace(row, figures=tuple(row.figures[index] for index in indexes))
