"""`enkat worker` as production runs it: the console command in a process of its own,
against a database the test has migrated, for the tests that need jobs run by a real
worker (tests/integration/jobs). The worker takes what the test enqueues on the same
installation's queue (beside the database, enkat/jobs/queue.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from enkat.extensions import db
from enkat.jobs.upkeep import nightly_purge
from enkat.models import AuditEvent
from enkat.services.audit.events import Action
from tests.gunicorn import stop_process
from tests.integration.test_instances import database_work

START_TIMEOUT = 60
READY = "enkat worker kör"


@dataclass
class Worker:
    process: subprocess.Popen
    output: Path

    def printed(self) -> str:
        return self.output.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a crash would: no job is finished or put back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            stop_process(self.process)


@contextlib.contextmanager
def job_worker(database_url: str, folder: Path, *, environment: dict[str, str] | None = None,
               arguments: tuple[str, ...] = ()) -> Iterator[Worker]:
    """`enkat worker` against this database; yields once it runs, stops it afterwards
    (SIGTERM) unless the test killed it. `folder` receives what it prints."""
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"worker-{time.monotonic_ns()}.log"
    settings = {**os.environ, "ENKAT_SECRET_KEY": "test-worker", **(environment or {}),
                "ENKAT_DATABASE_URL": database_url}
    with output.open("w") as log:
        process = subprocess.Popen([str(Path(sys.executable).with_name("enkat")), "worker",
                                    *arguments], cwd=folder, env=settings, stdout=log,
                                   stderr=subprocess.STDOUT)
    worker = Worker(process, output)
    try:
        _wait_until_running(worker)
        yield worker
    finally:
        worker.stop()


def _wait_until_running(worker: Worker) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while READY not in worker.printed():
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"enkat worker did not start:\n{worker.printed()[-3000:]}")
        time.sleep(0.05)


def wait_for(condition, *, timeout: float = 60, what: str = "the worker",
             interval: float = 0.1) -> None:
    """Until `condition()` is true, asked every `interval` seconds; fails saying what it
    waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)


def enqueue_purges(url: str, count: int = 1) -> None:
    """Enqueue the purge from this process, as a web request would."""
    with database_work(url):
        for _ in range(count):
            nightly_purge.enqueue()


def purges_recorded(url: str) -> int:
    with database_work(url):
        return db.session.scalar(select(func.count()).where(AuditEvent.action == Action.PURGE))
