"""The job queue: Huey, on storage every installation already has.

A job is a plain function that calls a service, declared with `@job` (run when enqueued)
or `@periodic` (run on a schedule by the worker). Jobs are declared once, for every
application; each application gets its own Huey instance (`queue_of`), on storage chosen
by its configuration, and the worker (`enkat worker`, started by `enkat serve`) runs them:

- `ENKAT_QUEUE_URL` unset: the queue lives beside the data. A SQLite database gets a
  SQLite file next to it (`enkat.sqlite` → `enkat-queue.sqlite`), so two installations in
  one folder never share a queue; a PostgreSQL database holds the queue in tables of its
  own (`enkat_queue_*`), which every web server and worker of the installation reach.
- `ENKAT_QUEUE_URL=sqlite:////path/queue.sqlite` or `postgresql://…`: elsewhere.
docs/architecture.md says why Huey and why no Redis.

A job runs in an application context of its own and is committed once at its end, as a
request is; a job that must record progress as it goes (mailing) is handed the commit
(`checkpoint`) by its job function. Huey removes a job from the queue when a worker takes
it, so a worker that dies loses the call: every job is written to be run again safely
and resumes from what the database says (`enkat.jobs.mailing`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from huey.exceptions import CancelExecution
from huey.storage import PostgresStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.engine import make_url

from enkat.extensions import db

#: The modules that declare jobs; importing them registers their jobs.
JOB_MODULES = ("enkat.jobs.upkeep", "enkat.jobs.mailing", "enkat.jobs.downloads")
#: Tables of the queue in a PostgreSQL database: enkat_queue_task, _schedule, _kv, _counter.
POSTGRES_TABLE_PREFIX = "enkat_queue"
#: How long an idle worker waits at most before it looks at a SQLite queue again.
SQLITE_POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


class JobWaits(Exception):
    """Raised by a job whose work must wait (a mail server asking to try later), having
    logged why on one line: Huey retries it after its back-off as for an error, but logs
    no traceback, which is kept for errors nobody foresaw."""


class WaitsSaidOnce(logging.Filter):
    """On Huey's logger: the English line Huey adds after a job that waits. enkat raises
    CancelExecution only for `JobWaits`, whose job has said why in Swedish, so the line is
    dropped while Huey retries the job and said in Swedish when it gives up on it. Every
    other record passes, errors and their tracebacks included."""

    CANCELLED = "Task %s raised CancelExecution %s."  # huey.api.Huey._execute
    WILL_RETRY = "(task will be retried)"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self.CANCELLED or not isinstance(record.args, tuple):
            return True
        task, outcome = record.args
        if outcome == self.WILL_RETRY:
            return False
        record.msg = "jobbet %s fick vänta vid sista försöket och körs inte igen"
        record.args = (task,)
        return True


#: Huey's logger, where it says what became of each job.
_HUEY_LOG = logging.getLogger("huey")
_WAITS_SAID_ONCE = WaitsSaidOnce()


class QueueMisconfigured(ValueError):
    """ENKAT_QUEUE_URL names no storage enkat can use; the message says so in Swedish."""


@dataclass(frozen=True)
class Job:
    """A function the worker runs. `retries` with `retry_delay` seconds before the first
    retry, multiplied by `retry_backoff` before each next one."""

    function: Callable[..., object]
    retries: int = 0
    retry_delay: float = 0
    retry_backoff: float = 1
    schedule: crontab | None = None
    at_start: bool = False

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"

    def enqueue(self, *args: object, delay: dt.timedelta | None = None) -> None:
        """Put a call on the current application's queue (after `delay`)."""
        wrapper = queue_of(current_app).wrappers[self.name]
        if delay is None:
            wrapper(*args)
        else:
            wrapper.schedule(args, delay=delay.total_seconds())

    def enqueue_on_commit(self, *args: object) -> None:
        """Put a call on the queue once the current transaction commits, so the job finds
        what the transaction wrote (a worker may take it at once); never if it rolls back.
        A queue that cannot take it then is logged, and the request still succeeds: what
        it asked for is committed, and is taken up again without this call (an utskick
        by `resume_mailing`, a file by the user asking for it again)."""
        event.listen(db.session(), "after_commit",
                     lambda _session: self._enqueue_committed(args), once=True)

    def _enqueue_committed(self, args: tuple[object, ...]) -> None:
        try:
            self.enqueue(*args)
        except Exception:
            log.exception("jobbet %s%r kunde inte läggas i kön. Det som begärdes är sparat: "
                          "ett utskick skickas ändå inom några minuter, en fil byggs om "
                          "användaren ber om den igen.", self.name, args)


_DECLARED: dict[str, Job] = {}


def job(*, retries: int = 0, retry_delay: float = 0,
        retry_backoff: float = 1) -> Callable[[Callable[..., object]], Job]:
    """Declare a job; the decorated name becomes the `Job`, called as `name.enqueue(...)`."""
    def declare(function: Callable[..., object]) -> Job:
        return _declared(Job(function, retries, retry_delay, retry_backoff))
    return declare


def periodic(schedule: crontab, *,
             at_start: bool = False) -> Callable[[Callable[[], object]], Job]:
    """Declare a job the worker runs on `schedule` (a Huey crontab, in UTC), and also
    as it starts when `at_start` (work a dead worker left is taken up at once)."""
    def declare(function: Callable[[], object]) -> Job:
        return _declared(Job(function, schedule=schedule, at_start=at_start))
    return declare


def _declared(declared: Job) -> Job:
    _DECLARED[declared.name] = declared
    return declared


@dataclass
class AppQueue:
    """One application's queue: its Huey instance and the wrapper of every job on it."""

    huey: Huey
    wrappers: dict[str, TaskWrapper] = field(default_factory=dict)

    def run_pending(self) -> int:
        """Run every job waiting now in this process, as a worker would; how many ran.
        For the commands and tests that need the work done before they go on."""
        ran = 0
        token = _IN_CALLER.set(True)
        try:
            while (task := self.huey.dequeue()) is not None:
                self.huey.execute(task)
                ran += 1
        finally:
            _IN_CALLER.reset(token)
        return ran

    def flush(self) -> None:
        """Forget every waiting and scheduled job."""
        self.huey.flush()

    def close(self) -> None:
        """Close the storage's connections (a command or test about to end)."""
        self.huey.storage.close()


def close_queue(app: Flask) -> None:
    """Close the application's queue connections, if it has opened any."""
    queue = app.extensions.get("enkat_queue")
    if queue is not None:
        queue.close()


def queue_of(app: Flask) -> AppQueue:
    """The application's queue, made on first use (the storage is opened only then)."""
    queue = app.extensions.get("enkat_queue")
    if queue is None:
        queue = app.extensions["enkat_queue"] = _make_queue(app)
    return queue


def _make_queue(app: Flask) -> AppQueue:
    from importlib import import_module

    for module in JOB_MODULES:
        import_module(module)
    _HUEY_LOG.addFilter(_WAITS_SAID_ONCE)  # once: a filter already there is not added again
    storage_class, settings = storage_for(app)
    queue = AppQueue(Huey("enkat", results=False, utc=True, storage_class=storage_class,
                          **settings))
    for declared in _DECLARED.values():
        queue.wrappers[declared.name] = _register(queue.huey, declared, app)
    return queue


def _register(huey: Huey, declared: Job, app: Flask) -> TaskWrapper:
    def run(*args: object) -> None:
        try:
            _run_in(app, declared, args)
        except JobWaits as waits:  # Huey's way to retry without a traceback in the log
            raise CancelExecution(str(waits)) from None

    if declared.schedule is not None:
        return huey.periodic_task(declared.schedule, name=declared.name)(run)
    return huey.task(retries=declared.retries, retry_delay=declared.retry_delay,
                     retry_backoff=declared.retry_backoff, name=declared.name)(run)


#: Set while `run_pending` runs jobs in the calling process: they then run in the caller's
#: application context and session, whichever application object holds the queue.
_IN_CALLER: ContextVar[bool] = ContextVar("enkat_jobs_in_caller", default=False)


def _run_in(app: Flask, declared: Job, args: tuple[object, ...]) -> None:
    """Run the job and commit its work, or roll it back and let Huey retry. In the
    application context already there (a command or test running `run_pending`), or in
    one of its own on a worker."""
    if _IN_CALLER.get() and has_app_context():
        _run_and_commit(declared, args)
        return
    with app.app_context():
        _run_and_commit(declared, args)


def _run_and_commit(declared: Job, args: tuple[object, ...]) -> None:
    try:
        declared.function(*args)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


class SharedPostgresStorage(PostgresStorage):
    """Huey's PostgreSQL storage, whose tables every web server process and worker of an
    installation may make at once, on first use: PostgreSQL lets two `CREATE TABLE IF NOT
    EXISTS` of one table collide on its catalogue (a unique violation on `pg_type`), so
    they are made under a lock of the transaction, and the second finds them made."""

    def initialize_schema(self) -> None:
        with self.db(commit=True, close=True) as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table_kv,))
            for statement in self.ddl:
                cursor.execute(statement)


def storage_for(app: Flask) -> tuple[type, dict[str, object]]:
    """The Huey storage class and its settings for the application's queue."""
    configured = app.config.get("QUEUE_URL")
    url = make_url(configured or app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        # blocking: a worker waits on LISTEN for new jobs (`worker`); nobody else waits
        return SharedPostgresStorage, {"dsn": dsn, "table_prefix": POSTGRES_TABLE_PREFIX,
                                       "blocking": False}
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not configured:
            path = path.with_name(f"{path.stem}-queue{path.suffix or '.sqlite'}")
        return SqliteStorage, {"filename": str(path)}
    raise QueueMisconfigured(
        "ENKAT_QUEUE_URL ska vara sqlite:////sökväg/till/kö.sqlite eller "
        "postgresql://…, och utan den behöver kön en databas i en fil eller i PostgreSQL.")


def worker(app: Flask, *, threads: int, periodic_jobs: bool) -> Consumer:
    """A Huey consumer of the application's queue: `threads` jobs at a time, and the
    periodic jobs only when `periodic_jobs` (one worker per installation runs them); the
    periodic jobs declared `at_start` are enqueued for it to run first."""
    queue = queue_of(app)
    if isinstance(queue.huey.storage, PostgresStorage):
        queue.huey.storage.blocking = True  # woken by NOTIFY instead of polling
    for declared in _DECLARED.values():
        if declared.at_start:
            queue.huey.enqueue(queue.wrappers[declared.name].s())
    return queue.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=periodic_jobs,
        max_delay=SQLITE_POLL_SECONDS, check_worker_health=True)
