"""The job queue: where it lives, and a real `enkat worker` process running what is
enqueued, on both databases."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from flask import current_app
from flask_migrate import upgrade
from huey import MemoryHuey
from huey.exceptions import CancelExecution
from huey.storage import SqliteStorage

from enkat import create_app
from enkat.cli import WORKER_NICENESS, worker_command
from enkat.jobs.queue import QueueMisconfigured, SharedPostgresStorage, queue_of, storage_for
from tests.integration.test_instances import database_work, migrated_database
from tests.worker import enqueue_purges, job_worker, purges_recorded, wait_for


def configured(**settings) -> object:
    return create_app({"SECRET_KEY": "x", **settings})


def test_a_sqlite_database_has_its_queue_in_a_file_beside_it(tmp_path):
    app = configured(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'enkat.sqlite'}")
    assert storage_for(app) == (SqliteStorage, {"filename": str(tmp_path / "enkat-queue.sqlite")})


def test_a_postgresql_database_holds_the_queue_in_tables_of_its_own():
    app = configured(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://enkat:hemligt@db:5432/enkat")
    assert storage_for(app) == (SharedPostgresStorage, {
        "dsn": "postgresql://enkat:hemligt@db:5432/enkat", "table_prefix": "enkat_queue",
        "blocking": False})


def test_the_queue_url_puts_the_queue_elsewhere(tmp_path):
    app = configured(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://db/enkat",
                     QUEUE_URL=f"sqlite:///{tmp_path / 'kö.sqlite'}")
    assert storage_for(app) == (SqliteStorage, {"filename": str(tmp_path / "kö.sqlite")})


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "sqlite://"])
def test_a_queue_url_naming_no_usable_storage_is_refused_in_swedish(url):
    app = configured(SQLALCHEMY_DATABASE_URI="sqlite://", QUEUE_URL=url)
    with pytest.raises(QueueMisconfigured, match="ENKAT_QUEUE_URL ska vara sqlite"):
        storage_for(app)


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request, tmp_path) -> str:
    """An empty, migrated database of each kind: the URL a worker and the test share."""
    if request.param == "postgresql":
        return migrated_database(request.getfixturevalue("postgres_server"), "jobs_queue")
    url = f"sqlite:///{tmp_path / 'enkat.sqlite'}"
    with database_work(url):
        upgrade()
    return url


def test_a_real_worker_runs_a_job_enqueued_by_another_process(installation, tmp_path):
    with job_worker(installation, tmp_path / "worker") as worker:
        enqueue_purges(installation)
        wait_for(lambda: purges_recorded(installation) == 1, what="the purge")
    assert "nattlig rensning: raderade 0 utkast" in worker.printed()
    assert "Executing" not in worker.printed() and "executed in" not in worker.printed()


def test_a_job_waits_on_the_queue_until_a_worker_comes(installation, tmp_path):
    enqueue_purges(installation)
    assert purges_recorded(installation) == 0
    with job_worker(installation, tmp_path / "worker"):
        wait_for(lambda: purges_recorded(installation) == 1, what="the purge")


def test_run_pending_runs_the_waiting_jobs_in_the_calling_process(installation):
    enqueue_purges(installation, 2)
    with database_work(installation):
        assert queue_of(current_app).run_pending() == 2
    assert purges_recorded(installation) == 2


@pytest.mark.parametrize(("arguments", "steps"), [((), WORKER_NICENESS), (("--nice", "0"), 0)])
def test_a_worker_runs_its_jobs_below_the_web_servers_priority(tmp_path, arguments, steps):
    """A report being built yields the processor to the deltagare waiting for a page."""
    url = f"sqlite:///{tmp_path / 'enkat.sqlite'}"
    with database_work(url):
        upgrade()
    with job_worker(url, tmp_path / "worker", arguments=arguments) as worker:
        niceness = os.getpriority(os.PRIO_PROCESS, worker.process.pid)
    assert niceness == min(os.nice(0) + steps, 19)


def test_a_niceness_out_of_range_is_refused_in_swedish(tmp_path):
    result = CliRunner().invoke(worker_command, ["--nice", "20"])
    assert result.exit_code == 2
    assert "Ogiltigt värde för '--nice': 20 ligger utanför 0<=x<=19" in result.output


def test_hueys_line_after_a_job_that_waits_is_dropped_or_said_in_swedish(tmp_path, caplog):
    """A job that waits has said why in Swedish (`JobWaits`): Huey's English line after it
    is dropped while Huey retries the job, said in Swedish when it gives up, and an error
    keeps its line and traceback."""
    queue_of(configured(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'enkat.sqlite'}"))
    huey = MemoryHuey(utc=True)

    @huey.task(retries=1)
    def waits_and_is_retried() -> None:
        raise CancelExecution

    @huey.task()
    def waits_at_its_last_try() -> None:
        raise CancelExecution

    @huey.task()
    def fails() -> None:
        raise ValueError("oförutsett")

    for task in (waits_and_is_retried, waits_at_its_last_try, fails):
        task()
    with caplog.at_level(logging.INFO, logger="huey"):
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
    said = [record.getMessage() for record in caplog.records if record.name == "huey"]
    assert not any("CancelExecution" in line for line in said)
    # three tries that waited, the first of them retried: two lines, one per job
    assert sum("fick vänta vid sista försöket och körs inte igen" in line
               for line in said) == 2
    assert sum(line.startswith("Requeueing") for line in said) == 1
    [error] = [record for record in caplog.records if record.exc_info]
    assert error.getMessage().startswith("Unhandled exception in task")


def test_servers_and_workers_opening_a_new_postgresql_queue_at_once_all_get_it(
        postgres_server):
    """Every web server process and worker makes the queue's tables on first use (`CREATE
    TABLE IF NOT EXISTS`), and PostgreSQL lets two such statements at once collide on
    its catalogue: the loser's request failed after its commit (an utskick's "Skicka"
    got a 500, its mails queued with no job)."""
    app = configured(SQLALCHEMY_DATABASE_URI=postgres_server.create_database("queue_race"))
    storage_class, settings = storage_for(app)
    openers = 8
    together = threading.Barrier(openers)

    def open_queue(_number: int) -> None:
        together.wait()
        storage_class("enkat", **settings).close()

    with ThreadPoolExecutor(openers) as pool:
        assert list(pool.map(open_queue, range(openers))) == [None] * openers
