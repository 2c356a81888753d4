"""Engine settings per database, and requests that only read.

SQLite is set up as a well-behaved embedded database (see `_configure_sqlite`).

Most requests only read: a question shown, the review, a report. The web layer says so
(`read_only`) for GET and HEAD; on SQLite such a request's transaction then takes no
write lock, so it runs beside the one writer instead of waiting for it. A page that
does write on a GET (a language chosen on a begun survey is recorded; a download is
audited) first calls `start_writing`. A write in a request that said it only reads is
refused (`WriteWhileReading`) on every database, so the tests catch a forgotten
`start_writing` whichever database they run on.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

#: Whether the transactions begun now are to only read: set per request by the web layer.
_reading_only: ContextVar[bool] = ContextVar("enkat_reading_only", default=False)

#: The first word of the statements that write.
WRITING_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


class WriteWhileReading(RuntimeError):
    """A statement that writes, in a request that said it only reads."""


def read_only(reading: bool) -> None:
    """Whether what follows, up to the next call, only reads."""
    _reading_only.set(reading)


def start_writing(session: Session) -> None:
    """What follows in this request writes. On SQLite the read transaction begun so far
    ends here (it wrote nothing; the objects it read are read again when next used) and
    the next one takes the write lock, as any writing transaction does."""
    if not _reading_only.get():
        return
    if session.new or session.dirty or session.deleted:
        raise WriteWhileReading("objects were changed before start_writing")
    _reading_only.set(False)
    if session.get_bind().dialect.name == "sqlite":
        session.commit()


def configure_engine(engine: Engine, config: Any) -> None:
    event.listen(engine, "before_cursor_execute", _refuse_writes_while_reading)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            create_private_file(Path(database))
        _configure_sqlite(engine, int(config["SQLITE_BUSY_TIMEOUT_MS"]))


def create_private_file(path: Path) -> None:
    """Create an empty SQLite database file that only its owner may read or write (0600),
    unless it exists. SQLite would create it with the process's umask, usually readable
    by every user of the machine; its -wal and -shm files take the database file's mode.
    An existing file keeps the mode its owner gave it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _refuse_writes_while_reading(connection: Any, cursor: Any, statement: str,
                                 parameters: Any, context: Any, executemany: bool) -> None:
    if not _reading_only.get():
        return
    words = statement.split(None, 3)
    if words and words[0].upper() in WRITING_STATEMENTS:
        raise WriteWhileReading(f"{' '.join(words[:3])} …: this request said it only "
                                "reads; it must call database.start_writing first")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and transactions that really begin.

    Python's sqlite3 module opens transactions lazily and ignores SAVEPOINT semantics;
    taking over BEGIN (the SQLAlchemy-documented recipe) gives SQLite the same
    transaction behaviour as PostgreSQL, which the test suite relies on.

    A transaction that may write begins IMMEDIATE: one that reads and then writes (saving
    a page, submitting) takes the write lock at its start and so waits its turn within
    the busy timeout. With a plain BEGIN, two such transactions deadlock on the upgrade
    from read to write and one fails with "database is locked" (measured: 27 of 30
    parallel saves of one draft failed with BEGIN, none with BEGIN IMMEDIATE). So writers
    run one at a time, which suits SQLite's role (one server, a handful of writers at
    once; PostgreSQL is for more). A transaction that only reads (`read_only`) begins
    DEFERRED: in WAL mode it reads a snapshot without any lock, beside the writer.
    (bench/respond_load.py, 100 deltagare: p95 of the question pages 86 ms when every
    transaction took the write lock, 10–15 ms when reads did not.)
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
        connection.exec_driver_sql("BEGIN" if _reading_only.get() else "BEGIN IMMEDIATE")
