"""Requests that only read (enkat/database.py).

On a real SQLite file, with a writer of the test's own holding the write lock: the pages
that only read are shown beside it at once, and a request that writes waits for the
lock, even a GET that writes (a language chosen on a begun survey, a guessed link
counted). On both
databases: a write in a request that said it only reads is refused until it says it
writes, so no page can forget to.
"""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

from enkat import create_app
from enkat.database import WriteWhileReading, one_moment, read_only, start_writing
from enkat.extensions import db
from enkat.models import Answer, AuditEvent, Forbund, Response
from enkat.services.answering.invitations import create_invitation
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from tests.beside import beside

#: Short, so a request that waits for the lock gives up quickly: 503.
BUSY_TIMEOUT_MS = 300


@pytest.fixture
def sqlite_file(tmp_path):
    """A migrated SQLite file with a link answered to its first question and one never
    opened: (app, the begun link's address, the fresh link's address, the file)."""
    path = tmp_path / "enkat.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "lock",
                      "WTF_CSRF_ENABLED": False, "SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        forbund = create_forbund("las", "Samordningsförbundet Lås")
        insats = create_insats(forbund, "torget", "Torget")
        opened, fresh = (create_invitation(insats, "nns-deltagare-avslut", "avslut")[1]
                         for _ in range(2))
        db.session.commit()
    first = app.test_client().post(f"/s/{opened}/fraga/q1",
                                   data={"answer-q1": "4", "go_to": "next"})
    assert first.status_code == 303  # its draft is made
    yield app, f"/s/{opened}", f"/s/{fresh}", path
    with app.app_context():
        db.engine.dispose()


@contextlib.contextmanager
def write_lock_held(path):
    """Another writer, mid-transaction, holding SQLite's write lock."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def read(app, statement):
    """One value, as a later request would read it."""
    with app.app_context():
        value = db.session.scalars(statement).one()
        db.session.remove()
        return value


def count(app, model) -> int:
    return read(app, select(func.count()).select_from(model))


def test_pages_that_only_read_are_shown_beside_a_writer(sqlite_file):
    app, opened, fresh, path = sqlite_file
    client = app.test_client()
    with write_lock_held(path):  # a page that waited for it would answer 503
        pages = [client.get(page) for page in (opened, f"{opened}/fraga/q2",
                                               f"{opened}/granska", fresh, f"{fresh}/fraga/q1")]
    assert [page.status_code for page in pages] == [200] * 5


def test_a_request_that_writes_waits_for_the_writer(sqlite_file):
    app, opened, _, path = sqlite_file
    client = app.test_client()
    with write_lock_held(path):
        refused = client.post(f"{opened}/fraga/q2", data={"answer-q2": "4", "go_to": "next"})
    assert refused.status_code == 503 and count(app, Answer) == 1
    saved = client.post(f"{opened}/fraga/q2", data={"answer-q2": "4", "go_to": "next"})
    assert saved.status_code == 303 and count(app, Answer) == 2


def test_a_get_that_writes_takes_the_write_lock_before_it_writes(sqlite_file):
    """Choosing English on a begun survey records it in the draft: a write in a GET."""
    app, opened, _, path = sqlite_file
    client = app.test_client()
    with write_lock_held(path):
        assert client.get(f"{opened}/fraga/q2?lang=en").status_code == 503
    assert read(app, select(Response.language)) == "sv"
    assert client.get(f"{opened}/fraga/q2?lang=en").status_code == 200
    assert read(app, select(Response.language)) == "en"


def test_a_guessed_link_is_counted_although_the_page_only_reads(sqlite_file):
    app, _, _, path = sqlite_file
    client, before = app.test_client(), count(app, AuditEvent)
    with write_lock_held(path):
        assert client.get("/s/no-such-link").status_code == 503
    assert count(app, AuditEvent) == before
    assert client.get("/s/no-such-link").status_code == 404
    assert count(app, AuditEvent) == before + 1


@pytest.fixture
def reading(db_session):
    read_only(True)
    yield db_session
    read_only(False)


def test_a_write_in_a_request_that_only_reads_is_refused(reading):
    with pytest.raises(WriteWhileReading, match="INSERT INTO forbund"):
        reading.execute(insert(Forbund).values(slug="smyg", name="Smyg"))
    reading.rollback()
    reading.add(Forbund(slug="smyg", name="Smyg"))
    with pytest.raises(WriteWhileReading):
        reading.flush()
    reading.rollback()
    assert reading.scalar(select(func.count()).where(Forbund.slug == "smyg")) == 0


def test_start_writing_lets_the_request_write(reading):
    before = reading.scalar(select(func.count()).select_from(Forbund))
    start_writing(reading)
    reading.add(Forbund(slug="oppet", name="Öppet"))
    reading.flush()
    assert reading.scalar(select(func.count()).select_from(Forbund)) == before + 1


def test_changes_made_before_start_writing_are_refused(reading):
    reading.add(Forbund(slug="for-tidigt", name="För tidigt"))
    with pytest.raises(WriteWhileReading, match="before start_writing"):
        start_writing(reading)


# --- reading at one moment (`one_moment`), on both databases -----------------------------


@pytest.fixture
def own_app(own_database_url):
    """An app on a migrated database of the test's own with one förbund, whose SQLite
    writers never wait for the lock: a write that would have to fails at once."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": own_database_url, "SECRET_KEY": "moment",
                      "SQLITE_BUSY_TIMEOUT_MS": 0})
    with app.app_context():
        upgrade()
        create_forbund("forsta", "Samordningsförbundet Första")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def forbund_slugs() -> list[str]:
    return sorted(db.session.scalars(select(Forbund.slug)))


def committed_elsewhere(app, slug: str) -> None:
    def add() -> None:
        create_forbund(slug, f"Samordningsförbundet {slug}")
        db.session.commit()

    beside(app, add)


def slugs_elsewhere(app) -> list[str]:
    """The förbund as a page would read them (a GET only reads)."""
    def slugs() -> list[str]:
        read_only(True)
        return forbund_slugs()

    return beside(app, slugs)


def test_reads_at_one_moment_see_nothing_committed_meanwhile_and_hold_no_lock(own_app):
    """As a job or a command reads (where a transaction may write: on SQLite it would take
    the write lock): inside `one_moment` a commit beside it is neither kept waiting nor
    seen, by any statement, nested ones included; after it, it is seen."""
    with own_app.app_context():
        with one_moment(db.session):
            assert forbund_slugs() == ["forsta"]
            committed_elsewhere(own_app, "andra")
            assert forbund_slugs() == ["forsta"]
            with one_moment(db.session):
                assert forbund_slugs() == ["forsta"]
        assert forbund_slugs() == ["andra", "forsta"]


def renamed_elsewhere(app) -> None:
    """The förbund renamed beside the test, giving up at once where it would wait for a
    lock (SQLite's busy timeout is 0 here)."""
    def rename() -> None:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        db.session.scalars(select(Forbund)).one().name = "Samordningsförbundet Ny"
        db.session.commit()

    beside(app, rename)


def test_the_callers_transaction_and_its_locks_are_kept_at_one_moment(own_app):
    """A transaction that read to decide what to write (a row locked FOR UPDATE on
    PostgreSQL; the write lock an IMMEDIATE transaction holds on SQLite) is neither
    ended nor committed by reading at one moment: a writer beside it still waits."""
    with own_app.app_context():
        db.session.scalars(select(Forbund).with_for_update()).one()
        with one_moment(db.session):
            assert forbund_slugs() == ["forsta"]
        with pytest.raises(OperationalError):
            renamed_elsewhere(own_app)
        db.session.commit()
    renamed_elsewhere(own_app)


def test_a_transaction_that_wrote_is_kept_as_it_is_at_one_moment(own_app):
    """What it wrote is read inside, and neither committed early nor lost."""
    with own_app.app_context():
        create_forbund("skriven", "Samordningsförbundet Skriven")
        db.session.flush()
        with one_moment(db.session):
            assert forbund_slugs() == ["forsta", "skriven"]
        assert slugs_elsewhere(own_app) == ["forsta"]
        db.session.commit()
    assert slugs_elsewhere(own_app) == ["forsta", "skriven"]


def test_writing_at_one_moment_is_refused_and_leaves_nothing(own_app):
    with own_app.app_context():
        with pytest.raises(WriteWhileReading), one_moment(db.session):
            create_forbund("smugglad", "Samordningsförbundet Smugglad")
            db.session.flush()
        db.session.rollback()
        create_forbund("sedan", "Samordningsförbundet Sedan")  # writing goes on after it
        db.session.commit()
    assert slugs_elsewhere(own_app) == ["forsta", "sedan"]
