"""Writing and reading many rows at once, for the paths that move whole files.

Through the unit of work every new row is an object, an INSERT and a flush of its own:
an import of 50,000 answers took about a minute that way. Here the rows are plain
dicts of a table's columns (Python values, as the models take them) written in one
statement per table: PostgreSQL's COPY (through psycopg 3's `cursor.copy`), and on
SQLite one executemany of a Core insert. Both run on the session's connection, inside
its transaction, so a savepoint rolled back takes them back too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Table, insert, text

from enkat.extensions import db

Row = Mapping[str, object]
T = TypeVar("T")

#: Values bound in one IN (...) list: well below SQLite's and PostgreSQL's limits.
CHUNK = 500


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """The values in lists of at most `size`, for IN (...) lists of a bounded length."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(table: Table, rows: Sequence[Row]) -> None:
    """Insert the rows (each naming the same columns) in one statement."""
    if not rows:
        return
    if _on_postgresql():
        _copy(table, rows)
    else:
        db.session.execute(insert(table), list(rows))


def insert_rows_with_ids(table: Table, rows: Sequence[Row]) -> list[int]:
    """Insert the rows and return their new ids, in the order of the rows.

    On PostgreSQL the ids are taken from the table's sequence first, so that COPY can
    write them; elsewhere the insert returns them (RETURNING, in the rows' order)."""
    if not rows:
        return []
    if _on_postgresql():
        ids = list(db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)"),
            {"table": table.name, "count": len(rows)},
        ))
        _copy(table, [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)])
        return ids
    returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(returning, list(rows)))


def select_in(query: Any, column: Any, values: Iterable[object]) -> Iterator[Any]:
    """The rows of `query` whose `column` is one of `values`, asked in chunks."""
    for chunk in chunked(values):
        yield from db.session.execute(query.where(column.in_(chunk)))


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _copy(table: Table, rows: Sequence[Row]) -> None:
    """COPY the rows in; each value is first turned into what the column stores, as an
    INSERT would (an enum's value, a timestamp as naive UTC)."""
    names = list(rows[0])
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [_bind_processor(table.c[name].type, dialect) for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        f"COPY {table.name} ({columns}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row([process(row[name]) for process, name in zip(processors, names,
                                                                         strict=True)])


def _bind_processor(column_type: Any, dialect: Any) -> Callable[[object], object]:
    return column_type.bind_processor(dialect) or _unchanged


def _unchanged(value: object) -> object:
    return value

