"""The audit log is complete and append-only: every file a user downloads is written to it
(`services.audit.record_download`), and the database refuses to change or delete a row
(migration 0005), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from enkat import create_app
from enkat.extensions import db
from enkat.models import AuditEvent, Role
from enkat.services.audit.events import record_event
from enkat.services.audit.log import describe
from tests.integration.web.test_auth import sign_in
from tests.prepared import fetched

REFUSED = "audit_events is append-only"

#: Every download of the web pages: address, the file's name, its format.
DOWNLOADS = [
    ("/forbund/resultat/rapport.xlsx?ar=2025", "rapport-test-2025.xlsx", "xlsx"),
    ("/forbund/resultat/rapport.pdf?ar=2025&visa=insats:steget",
     "rapport-test-steget-2025.pdf", "pdf"),
    ("/forbund/resultat/rapport.json?ar=2025&visa=insatser",
     "rapport-test-insatser-2025.json", "json"),
    ("/forbund/svar.csv?ar=2025&visa=insats:steget", "svar-test-steget-2025.csv", "csv"),
    ("/forbund/svar.xlsx?period=halvar&ar=2025&halvar=1", "svar-test-2025-halvar-1.xlsx",
     "xlsx"),
    ("/forbund/svar.sav?period=datum&fran=2025-03-01&till=2025-03-31&enkat=finsam-inskrivning",
     "svar-test-2025-03-01--2025-03-31-finsam-inskrivning.sav", "sav"),
]


#: Every download of a report document (kvartals-, del-, slut-, helårsrapport), for the
#: document of id {id}: address, the file's name, its format.
DOCUMENT_DOWNLOADS = [
    ("/insatser/steget/rapporter/{id}.docx",
     "kvartalsrapport-steget-2025-01-01-2025-03-31-v1.docx", "docx"),
    ("/forbund/rapporter/{id}.pdf", "kvartalsrapport-steget-2025-01-01-2025-03-31-v1.pdf",
     "pdf"),
]


def downloads() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "download")))


# --- downloads ---------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "file_name", "fmt"), DOWNLOADS)
def test_every_download_is_audited_by_its_file_name(client, forbund, insats, make_user,
                                                    make_participant, make_response, jobs,
                                                    address, file_name, fmt):
    make_response("finsam-inskrivning", {"kon": "kvinna"}, timepoint="start",
                  participant=make_participant("AUD001"), answered_on=dt.date(2025, 3, 3))
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    response = fetched(client, jobs, address)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    [event] = downloads()
    assert (event.user_id, event.forbund_id, event.subject) == (admin.id, forbund.id, file_name)
    assert event.detail["format"] == fmt and event.detail["from"].startswith("2025-")


@pytest.mark.parametrize(("address", "file_name", "fmt"), DOCUMENT_DOWNLOADS)
def test_every_report_document_download_is_audited_by_its_file_name(
        client, forbund, insats, make_user, jobs, address, file_name, fmt):
    from enkat.reports.period import Period
    from enkat.services.documents import create_document
    from tests.integration.web.test_staff_entry import add_staff

    writer = make_user(Role.STAFF)
    add_staff(writer, insats)
    document = create_document(forbund, insats, "kvartalsrapport",
                               Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), writer)
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    response = fetched(client, jobs, address.format(id=document.id))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'
    [event] = downloads()
    assert (event.user_id, event.forbund_id, event.subject) == (admin.id, forbund.id, file_name)
    assert (event.detail["format"], event.detail["document"]) == (fmt, document.id)


def test_a_refused_download_is_not_audited(client, forbund, make_user):
    sign_in(client, make_user(Role.ADMIN).email)
    assert client.get("/forbund/svar.sav?ar=2025").status_code == 422  # no instrument chosen
    assert client.get("/forbund/resultat/rapport.pdf?ar=tjugo").status_code == 422
    assert downloads() == []


def test_the_downloads_tested_are_every_route_that_sends_a_file(app):
    """Files leave the web pages only through `common.downloads.send_download`, which
    audits, called by `results._download` and `documents.document_download`; every view
    calling those is among the addresses above, so a new download without its test (or a
    file sent some other way) fails here."""
    from enkat.web.common import downloads as sender

    views = {endpoint: inspect.unwrap(view) for endpoint, view in app.view_functions.items()}
    sending = {endpoint for endpoint, view in views.items()
               if re.search(r"\b(_download|document_download)\(", inspect.getsource(view))}
    adapter = app.url_map.bind("localhost")
    addresses = [address for address, _, _ in DOWNLOADS] + [
        address.format(id=1) for address, _, _ in DOCUMENT_DOWNLOADS]
    tested = {adapter.match(address.split("?")[0])[0] for address in addresses}
    assert sending == tested == {"admin.report_download", "admin.answers_download",
                                 "staff.documents.file", "admin.document_file"}
    module = Path(inspect.getfile(sender))
    senders = {path for path in module.parents[1].rglob("*.py")
               if re.search(r"attachment|send_file", path.read_text(encoding="utf-8"))}
    assert senders == {module}
    assert inspect.getsource(sender).count("attachment;") == 1


def test_the_detail_reads_as_a_line():
    assert describe({"format": "sav", "instrument": "ors", "rows": 9, "insats": None,
                     "from": "2025-01-01", "to": "2025-06-30"}) == (
        "format: sav; enkät: ors; rader: 9; från: 2025-01-01; till: 2025-06-30")
    assert describe({"changed": {"name": ["A", "B"], "active": [False, True]}}) == (
        "ändrat: name, active")
    assert describe({"insatser": ["a", "b"], "after": [{"x": 1}, {"x": 2}]}) == (
        "insatser: a, b; efter: 2 rader")
    assert describe({"expires_at": "2026-12-18T19:55:43.777961+00:00"},
                    ZoneInfo("Europe/Stockholm")) == "går ut: 2026-12-18 20:55"
    assert describe({"expires_at": "inte ett datum"}) == "går ut: inte ett datum"
    assert describe(None) == "" and describe({"client": None}) == ""
    assert len(describe({"reason": "x" * 500})) == 200


# --- append-only -------------------------------------------------------------------------


def stored(event_id: int) -> tuple | None:
    return db.session.execute(text(
        "SELECT action, subject, user_id, forbund_id FROM audit_events WHERE id = :id"),
        {"id": event_id}).one_or_none()


@pytest.fixture
def event(db_session, forbund, make_user) -> AuditEvent:
    return record_event("download", user=make_user(Role.ADMIN), forbund_id=forbund.id,
                        subject="svar-test-2025.csv", detail={"format": "csv"})


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET subject = 'något annat' WHERE id = :id",
    "UPDATE audit_events SET user_id = NULL, forbund_id = NULL WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
    "DELETE FROM audit_events WHERE id >= :id",
])
def test_the_database_refuses_to_change_or_delete_an_event(event, statement):
    before = stored(event.id)
    with pytest.raises(IntegrityError, match=REFUSED), db.session.begin_nested():
        db.session.execute(text(statement), {"id": event.id})
    assert stored(event.id) == before == ("download", "svar-test-2025.csv", event.user_id,
                                          event.forbund_id)


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_the_orm_cannot_change_or_delete_an_event_either(event, change):
    event_id, before = event.id, stored(event.id)
    with pytest.raises(IntegrityError, match=REFUSED), db.session.begin_nested():
        if change == "edit":
            event.subject = "något annat"
        else:
            db.session.delete(event)
        db.session.flush()
    assert stored(event_id) == before


def test_the_whole_log_cannot_be_emptied_at_once(event):
    """PostgreSQL's TRUNCATE, and SQLite's DELETE without WHERE (its truncate
    optimisation is off on a table with triggers)."""
    emptying = ("TRUNCATE audit_events CASCADE" if db.engine.dialect.name == "postgresql"
                else "DELETE FROM audit_events")
    with pytest.raises(IntegrityError, match=REFUSED), db.session.begin_nested():
        db.session.execute(text(emptying))
    assert stored(event.id) is not None


def test_new_events_are_still_written(event):
    later = record_event("download", forbund_id=event.forbund_id, subject="svar-test-2026.csv")
    assert stored(later.id)[1] == "svar-test-2026.csv"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_triggers_come_and_go_with_migration_0005(database, request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'audit.sqlite'}" if database == "sqlite" else
           request.getfixturevalue("postgres_server").create_database("enkat_audit_triggers"))
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    fresh.instance_path = str(tmp_path)
    insert = text("INSERT INTO audit_events (occurred_at, action, subject) "
                  "VALUES ('2025-01-01 00:00:00', 'download', 'x')")
    change = text("UPDATE audit_events SET subject = 'y'")
    with fresh.app_context():
        try:
            upgrade(revision="0004")
            with db.engine.begin() as connection:
                connection.execute(insert)
                connection.execute(change)  # no triggers yet
            upgrade()
            with pytest.raises(IntegrityError, match=REFUSED), db.engine.begin() as connection:
                connection.execute(change)
            downgrade(revision="0004")
            with db.engine.begin() as connection:
                connection.execute(change)
                connection.execute(text("DELETE FROM audit_events"))
            downgrade(revision="base")
            upgrade()
        finally:
            db.engine.dispose()
