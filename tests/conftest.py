"""Test fixtures shared by the whole suite.

One app per database per test session; the schema is built by the real migrations;
each test runs inside a transaction that is rolled back, with the application's own
commits turned into savepoints (SQLAlchemy's "join an external transaction" recipe).

Every request of the test client runs in an application context of its own, as in
production (`OwnContextClient`), although the test holds one around its requests: no
request inherits another's `g` (Flask-Login's user, Flask-WTF's CSRF token, the locale)
or database session.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import settings
from sqlalchemy import Connection
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from tests.databases import empty_database
from tests.postgresql import PostgresServer, PostgresUnavailable
from tests.smtp import Mailbox, SmtpServer

if TYPE_CHECKING:
    from enkat.demo import DemoSummary
    from tests.demo_rows import DemoRows

DATABASES = ["sqlite", "postgresql"]

# Tests never assert on wall-clock time: Hypothesis's per-example deadline (200 ms) would
# fail a property on a busy machine without anything being wrong.
settings.register_profile("enkat", deadline=None)
settings.load_profile("enkat")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server in a temporary folder, on a free loopback port."""
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as problem:
        if in_ci():
            pytest.fail(f"PostgreSQL must run in CI: {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of an empty database of each kind enkat supports."""
    return empty_database(request, tmp_path_factory.mktemp("sqlite"), "enkat_test")


class OwnContextClient(FlaskClient):
    """A browser whose every request runs as a production request does: in a fresh
    context (no application context, nothing on `g`, a database session of its own that
    is closed at its end), whatever context the test holds.

    The request's session and the test's are both bound to the test's connection, so the
    request sees what the test set up (flushed first) and the test sees what the request
    committed (its objects are read afresh afterwards)."""

    def open(self, *args, **kwargs):
        from enkat.extensions import db

        kwargs["buffered"] = True  # the whole answer is made inside the request's context
        test_session = db.session() if has_app_context() else None
        if test_session is not None:
            test_session.flush()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if test_session is not None:
            test_session.expire_all()
        return response


def session_on(connection: Connection) -> scoped_session:
    """`db.session` for the tests: one session per application context, as Flask-SQLAlchemy
    scopes it, each bound to the test's connection so that its commits are savepoints."""
    return scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
                          scopefunc=_app_ctx_id)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from enkat import create_app

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            # the test client talks plain http; the Secure default has tests of its own
            # (test_signin_limits.py)
            "SESSION_COOKIE_SECURE": False,
            # the public address links in mail are built on, as a deployment has it
            # (`enkat serve` sets it); tests of its absence unset it
            "BASE_URL": "http://localhost",
        }
    )
    application.instance_path = str(tmp_path_factory.mktemp("instance"))
    application.test_client_class = OwnContextClient
    with application.app_context():
        upgrade()
    yield application
    from enkat.extensions import db
    from enkat.jobs.queue import close_queue

    close_queue(application)  # the queue's connection, else the database stays in use
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session whose work, commits included, is rolled back after the test."""
    with rolled_back(app) as session:
        yield session


@contextlib.contextmanager
def rolled_back(app: Flask) -> Iterator[scoped_session]:
    """`db.session`, in an application context, on a transaction rolled back at the end."""
    from enkat.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = session_on(connection)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(scope="session")
def demo_rows(app: Flask) -> DemoRows:
    """The demo förbund of `REFERENCE_TODAY`, loaded once per test process and database."""
    from tests.demo_rows import DemoRows

    with rolled_back(app) as session:
        return DemoRows.load(session)


@pytest.fixture
def demo(demo_rows: DemoRows, db_session: Session) -> DemoSummary:
    """The demo förbund of `REFERENCE_TODAY` in this test's transaction, as `load_demo`
    leaves it: its rows copied from the one load of the session (`tests/demo_rows.py`)."""
    demo_rows.copy_into(db_session.connection())
    return demo_rows.summary


@pytest.fixture
def jobs(app: Flask, db_session: Session):
    """The application's real job queue, emptied of what earlier tests left on it. The test
    runs what it enqueued with `jobs.run_pending()`, in its own transaction, as the worker
    would; tests/integration/jobs start a real worker process."""
    from enkat.jobs.queue import queue_of

    queue = queue_of(app)
    queue.flush()
    yield queue
    queue.close()


@pytest.fixture
def client(app: Flask, db_session: Session):
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db_session: Session):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """The app sends through the loopback SMTP server; its mailbox starts empty."""
    monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "enkat@forbund.example")
    smtp_server.mailbox.messages.clear()
    smtp_server.mailbox.refuse = smtp_server.mailbox.defer = False
    smtp_server.mailbox.full.clear()
    return smtp_server.mailbox


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
