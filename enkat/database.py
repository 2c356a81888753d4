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

import contextlib
import os
from collections.abc import Iterator
from contextlib import nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, scoped_session

#: Whether the transactions begun now are to only read: set per request by the web layer.
_reading_only: ContextVar[bool] = ContextVar("enkat_reading_only", default=False)

#: A statement is known by its first word (`_watch_writes`), and not every statement is
#: surely one or the other (a COPY; a WITH may insert), so there are two lists, each sure:
#: the statements that write, refused where only reading was said (never a read refused),
#: and those that only read; a transaction that ran anything but the latter counts as
#: having written (`one_moment`: never a write overlooked).
WRITING_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
READING_STATEMENTS = frozenset({"SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK",
                                "PRAGMA", "SET", "SHOW"})
#: Where a connection notes that its transaction may have written.
_WROTE = "enkat_wrote"
#: Whether `one_moment` is reading now (not begun anew inside itself).
_at_one_moment: ContextVar[bool] = ContextVar("enkat_at_one_moment", default=False)
#: PostgreSQL's transaction for `one_moment`: one snapshot for all its statements.
_SNAPSHOT = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


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


@contextlib.contextmanager
def reading_first(session: Session) -> Iterator[None]:
    """Only reading inside, then writing (`start_writing`): for a command that looks up
    and builds for seconds (a report, an export) before it writes its audit event. On
    SQLite its reads then hold no write lock, where a command's transaction would take it
    at its first statement and keep every deltagare's save waiting until the end. To be
    entered before the command has written anything."""
    reading = _reading_only.get()
    _reading_only.set(True)
    try:
        yield
        start_writing(session)
    except BaseException:
        _reading_only.set(reading)
        raise


@contextlib.contextmanager
def one_moment(sessions: scoped_session) -> Iterator[None]:
    """What is read inside through `sessions` (`db.session`) sees the database as it was
    at one moment, though others commit meanwhile: a report's thirty-odd statements, a
    workbook's count and its rows. Writing inside is refused (`read_only`).

    - PostgreSQL: the reads run in a session and transaction of their own, REPEATABLE
      READ and READ ONLY: one snapshot for every statement. READ COMMITTED gives each
      statement its own, so a response sent meanwhile was counted in one table of a
      report and not in the next. The caller's transaction is left as it is, its row
      locks held; only one that has written keeps the reads, so they see what it wrote.
    - SQLite: a transaction is one snapshot (WAL) from its first read. The reads begin one
      of their own if none is open, DEFERRED, holding no lock beside the writer, and end
      it after: begun as the job worker's transactions begin, IMMEDIATE, it held the write
      lock for a whole build (7 s for the demo's PDF), longer than a deltagare's save
      waits. An open transaction is left as it is: a read-only request's is a snapshot
      already, and one that may write holds the write lock, so nobody commits meanwhile.

    Nested, it reads in the moment begun outside. A session joined to a transaction of
    someone else's (the tests') is left as it is."""
    session = sessions()
    bind = session.get_bind()
    if _at_one_moment.get() or not isinstance(bind, Engine):
        yield
        return
    if bind.dialect.name == "postgresql":
        reads = nullcontext() if _has_written(session) else _snapshot_of_its_own(sessions)
    else:
        reads = nullcontext() if session.in_transaction() else _deferred(session)
    moment, reading = _at_one_moment.set(True), _reading_only.get()
    read_only(True)
    try:
        with reads:
            yield
    finally:
        _at_one_moment.reset(moment)
        read_only(reading)


@contextlib.contextmanager
def _snapshot_of_its_own(sessions: scoped_session) -> Iterator[None]:
    caller = sessions()
    own = sessions.session_factory()
    sessions.registry.set(own)
    try:
        own.connection(execution_options=_SNAPSHOT)
        yield
    finally:
        own.close()
        sessions.registry.set(caller)


@contextlib.contextmanager
def _deferred(session: Session) -> Iterator[None]:
    """A read transaction (`read_only` is said), ended after: what follows may write."""
    try:
        yield
    finally:
        session.rollback()  # it only read


def _has_written(session: Session) -> bool:
    """Whether the session's transaction has written or is about to (pending changes)."""
    return bool(session.new or session.dirty or session.deleted) or (
        session.in_transaction() and session.connection().info.get(_WROTE, False))


def configure_engine(engine: Engine, config: Any) -> None:
    event.listen(engine, "before_cursor_execute", _watch_writes)
    event.listen(engine, "begin", _has_not_written)
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


def _watch_writes(connection: Any, cursor: Any, statement: str, parameters: Any,
                  context: Any, executemany: bool) -> None:
    """Before each statement: notes on the connection that its transaction may have
    written (`one_moment`), and refuses a write where only reading was said."""
    words = statement.split(None, 3)
    first = words[0].upper() if words else ""
    if first in READING_STATEMENTS:
        return
    connection.info[_WROTE] = True
    if first in WRITING_STATEMENTS and _reading_only.get():
        raise WriteWhileReading(f"{' '.join(words[:3])} …: this request said it only "
                                "reads; it must call database.start_writing first")


def _has_not_written(connection: Any) -> None:
    connection.info[_WROTE] = False


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
