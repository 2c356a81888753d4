"""Engine settings per database: SQLite as a well-behaved embedded database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def configure_engine(engine: Engine, config: Any) -> None:
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, int(config["SQLITE_BUSY_TIMEOUT_MS"]))


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and transactions that really begin.

    Python's sqlite3 module opens transactions lazily and ignores SAVEPOINT semantics;
    taking over BEGIN (the SQLAlchemy-documented recipe) gives SQLite the same
    transaction behaviour as PostgreSQL, which the test suite relies on.

    Transactions begin IMMEDIATE: a transaction that reads and then writes (saving a
    page, submitting) takes the write lock at its start and so waits its turn within
    the busy timeout. With a plain BEGIN, two such transactions deadlock on the upgrade
    from read to write and one fails with "database is locked" (measured: 27 of 30
    parallel saves of one draft failed with BEGIN, none with BEGIN IMMEDIATE). The price:
    every transaction, reads included, holds the write lock, so requests on SQLite run
    one at a time. That suits SQLite's role (one server, a handful of users at once);
    PostgreSQL is for more.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
