"""The demo förbund loaded once per test process and database, and copied into the
transaction of each test that asks for it (the `demo` fixture).

Loading it is the slowest set-up of the suite (5-18 s: `load_demo` records a year of
answers and builds nine reports to file its documents), and some thirty tests on each
database read it; copying its rows takes a fraction of a second. The copy is exact,
row for row and id for id: it holds whatever `load_demo` wrote, found as the rows that
were not there before it ran. `load_demo` itself is still run by the tests of other
days (test_demo_today.py) and seeds (test_demo.py), and by the browser tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session

from enkat.demo import REFERENCE_TODAY, DemoSummary, load_demo
from enkat.extensions import db

Rows = dict[tuple, dict]


@dataclass(frozen=True)
class DemoRows:
    summary: DemoSummary
    #: Every table's new rows, parents before children.
    tables: list[tuple[Table, list[dict]]]

    @classmethod
    def load(cls, session: Session) -> DemoRows:
        """Load the demo in `session`'s transaction (to be rolled back) and keep its rows."""
        connection = session.connection()
        before = {table: _rows(connection, table) for table in _tables()}
        summary = load_demo(today=REFERENCE_TODAY)
        session.flush()
        new = []
        for table, earlier in before.items():
            now = _rows(connection, table)
            changed = [key for key, row in earlier.items() if now.get(key) != row]
            if changed:
                raise AssertionError(f"load_demo changed or deleted rows of {table.name} "
                                     f"that were there before it ({changed[:3]}); a copy "
                                     "of its new rows would not be the demo")
            new.append((table, [row for key, row in now.items() if key not in earlier]))
        return cls(summary, [(table, rows) for table, rows in new if rows])

    def copy_into(self, connection: Connection) -> None:
        for table, rows in self.tables:
            connection.execute(insert(table), rows)


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _rows(connection: Connection, table: Table) -> Rows:
    """The table's rows by primary key (by the whole row where it has none), in key order."""
    key_columns = list(table.primary_key.columns) or list(table.columns)
    rows = connection.execute(select(table).order_by(*key_columns)).mappings()
    return {tuple(row[column.name] for column in key_columns): dict(row) for row in rows}
