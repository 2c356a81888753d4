"""Writing and reading many rows at once, for the paths that move whole files.

Through the unit of work every new row is an object, an INSERT and a flush of its own:
an import of 50,000 answers took about a minute that way. Here the rows are plain
dicts of a table's columns (Python values, as the models take them) written in one
statement per table: PostgreSQL's COPY (through psycopg 3's `cursor.copy`), and on
SQLite one executemany of an INSERT. Both run on the session's connection, inside
its transaction, so a savepoint rolled back takes them back too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, CursorResult, Table, any_, func, literal, select

from enkat.extensions import db

Row = Mapping[str, object]
T = TypeVar("T")

#: Values bound in one IN (...) list: well below what SQLite (32,766 since 3.32) and
#: PostgreSQL (65,535) bind in one statement, and few statements for a large file.
CHUNK = 5_000
#: Values `among` gives SQLite as one parameter rather than one each.
LONG_LIST = 100


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """The values in lists of at most `size`, for IN (...) lists of a bounded length."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(table: Table, rows: Sequence[Row]) -> None:
    """Insert the rows (each naming the same columns) in one statement: COPY on
    PostgreSQL, one executemany elsewhere. Each value is first turned into what the
    column stores, as a Core insert would (an enum's value, a timestamp as naive UTC), and
    handed to the driver as it is: the statement is not compiled once per row."""
    if not rows:
        return
    names = list(rows[0])
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [_bind_processor(table.c[name].type, dialect) for name in names]
    values = [tuple(process(row[name]) for process, name in zip(processors, names, strict=True))
              for row in rows]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    if dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {table.name} ({columns}) FROM STDIN"
        ) as copy:
            for row_values in values:
                copy.write_row(row_values)
    else:
        marks = ", ".join("?" for _ in names)  # sqlite3's paramstyle
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
                                   values)


def among(column: ColumnElement, values: Iterable) -> ColumnElement[bool]:
    """The condition: `column` is one of `values` (`column IN values`).

    On PostgreSQL the values are one array parameter (`= ANY(...)`), not one parameter
    each as SQLAlchemy's IN gives: a report's statements, with a förbund's 50 insatser in
    each of their lists, then stay short enough for psycopg to cache their conversion,
    and SQLAlchemy has no list to expand on every run. On SQLite a short list is the IN
    list, and a long one (a report's thousands of deltagare) one JSON parameter read by
    `json_each`: binding each value on its own cost a report 0.15 s at a million answers.
    The values are numbers or text."""
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    if len(values) > LONG_LIST:
        listed = func.json_each(literal(json.dumps(values))).table_valued("value")
        return column.in_(select(listed.c.value))
    return column.in_(values)


def read_rows(query: Any, **execution_options: Any) -> CursorResult:
    """The rows of `query` as plain tuples, through Core on the session's connection: the
    ORM's handling of a statement buys nothing to a path that builds no objects (some
    0.15 ms a statement; a report runs 30). What the session holds is flushed first, as
    the ORM's autoflush would."""
    db.session.flush()
    return db.session.connection().execute(query, execution_options=execution_options)


def select_in(query: Any, column: Any, values: Iterable[object]) -> Iterator[Any]:
    """The rows of `query` whose `column` is one of `values`, asked in chunks, as plain
    rows (no ORM objects: these paths read tens of thousands)."""
    for chunk in chunked(values):
        yield from read_rows(query.where(column.in_(chunk)))


def _bind_processor(column_type: Any, dialect: Any) -> Callable[[object], object]:
    return column_type.dialect_impl(dialect).bind_processor(dialect) or _unchanged


def _unchanged(value: object) -> object:
    return value
