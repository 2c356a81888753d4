"""Files built on the worker (web/admin/prepared.py): asked for from the results page,
waited for on a page that reloads itself without JavaScript, fetched once ready by the
user who asked or an administrator, never by anyone else; a failure said in Swedish.

The job runs as the worker would, through the real queue (`jobs.run_pending()`);
tests/integration/jobs/test_downloads.py runs it in a real worker process."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from enkat.extensions import db
from enkat.jobs.downloads import resume_downloads
from enkat.models import AuditEvent, PreparedDownload, Response, Role, utcnow
from enkat.reports import rendering
from enkat.services.organisation.forbund import create_forbund
from enkat.services.people.users import create_user, grant_role
from enkat.services.results import prepared_downloads

from .test_auth import sign_in

D = dt.date
REPORT = "/forbund/resultat/rapport.pdf?ar=2025&visa=insats:steget"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)">')


@pytest.fixture
def year(forbund, insats, make_participant, make_response):
    """2025 in Steget vidare: six inskrivningar."""
    for number in range(6):
        make_response("finsam-inskrivning", {"kon": "kvinna"},
                      participant=make_participant(f"STEG{number}"), timepoint="start",
                      answered_on=D(2025, 2, 1 + number))
    return forbund


def asked(client, address: str = REPORT) -> str:
    """Ask for the file; the address of its waiting page."""
    response = client.get(address)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def page_of(client, waiting: str) -> str:
    response = client.get(waiting)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def downloads_audited() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "download")))


def test_the_file_is_prepared_offered_when_ready_and_audited_when_fetched(client, year,
                                                                          signed_in_admin,
                                                                         jobs):
    waiting = asked(client)
    assert re.fullmatch(r"/forbund/filer/\d+", waiting)
    page = page_of(client, waiting)
    assert "<h1>Filen förbereds</h1>" in page and "Filen väntar på sin tur." in page
    assert REFRESH.search(page).group(1) == "3"
    assert "rapport-test-steget-2025.pdf" in page and "/hamta" not in page
    assert client.get(f"{waiting}/hamta").headers["Location"] == waiting  # not yet

    assert jobs.run_pending() == 1
    assert downloads_audited() == []  # built is not fetched
    page = page_of(client, waiting)
    assert "<h1>Filen är klar</h1>" in page and not REFRESH.search(page)
    assert f'href="{waiting}/hamta"' in page
    assert 'href="/forbund/resultat?ar=2025&amp;visa=insats:steget"' in page

    response = client.get(f"{waiting}/hamta")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="rapport-test-steget-2025.pdf"')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Steget vidare" in text
    [event] = downloads_audited()
    assert (event.user_id, event.subject) == (signed_in_admin.id, "rapport-test-steget-2025.pdf")
    assert event.detail == {"format": "pdf", "subject": "insats", "insats": "steget",
                            "from": "2025-01-01", "to": "2025-12-31"}


def test_the_page_says_when_the_file_is_being_built(client, year, signed_in_admin, jobs):
    waiting = asked(client)
    prepared_downloads.take(int(waiting.rsplit("/", 1)[1]))
    page = page_of(client, waiting)
    assert "Filen byggs nu." in page and REFRESH.search(page)


def test_asking_again_while_it_is_prepared_builds_it_once(client, year, signed_in_admin, jobs):
    """The second ask enqueues a second job (the first may have been lost); the first job
    builds the file, the second finds it built and does nothing."""
    first = asked(client)
    assert asked(client) == first
    assert jobs.run_pending() == 2
    download = db.session.get(PreparedDownload, int(first.rsplit("/", 1)[1]))
    built_at = download.finished_at
    assert download.state is prepared_downloads.State.READY
    assert prepared_downloads.take(download.id) is None and download.finished_at == built_at
    assert asked(client) != first  # a ready file is not reused: the data may have changed


def test_a_job_whose_download_is_gone_builds_nothing(db_session):
    """Purged before a late job ran, or never committed."""
    assert prepared_downloads.take(2**31 - 1) is None


def test_only_the_user_who_asked_or_an_administrator_may_fetch_it(app, client, year,
                                                                 make_user, jobs):
    analyst, other_analyst, other_admin = (make_user(Role.ANALYST), make_user(Role.ANALYST),
                                           make_user(Role.ADMIN))
    sign_in(client, analyst.email)
    waiting = asked(client)
    jobs.run_pending()
    assert client.get(f"{waiting}/hamta").status_code == 200
    elsewhere = create_user("annan@example.org", "lösenord-123", "Annan Admin")
    grant_role(elsewhere, create_forbund("annat", "Annat förbund"), Role.ADMIN)
    for user, status in ((other_analyst, 404), (elsewhere, 404), (other_admin, 200)):
        browser = app.test_client()
        sign_in(browser, user.email)
        assert browser.get(waiting).status_code == status, user.email
        assert browser.get(f"{waiting}/hamta").status_code == status, user.email


def test_a_download_that_cannot_be_built_says_why_in_swedish(client, year, signed_in_admin, jobs):
    """The inskrivningar are deleted after the SPSS file was asked for, before its job
    ran: the file has nothing in it. (A period with no answers is refused at once, in
    test_admin_results.py.)"""
    waiting = asked(client, "/forbund/svar.sav?ar=2025&enkat=finsam-inskrivning")
    for response in db.session.scalars(select(Response)):
        db.session.delete(response)
    db.session.commit()
    jobs.run_pending()
    page = page_of(client, waiting)
    assert "<h1>Filen kunde inte göras</h1>" in page and not REFRESH.search(page)
    assert ('<p role="alert">svar-test-2025-finsam-inskrivning.sav: Det finns inga inskickade '
            "svar på ”Inskrivning i insats” för den period och det urval som rapporten "
            "gäller.") in page
    assert client.get(f"{waiting}/hamta").headers["Location"] == waiting
    assert downloads_audited() == []


def test_an_error_nobody_foresaw_is_said_and_logged(client, year, signed_in_admin, jobs,
                                                    monkeypatch, caplog):
    """A fault put into the building (here, the renderer raising) fails the download
    with a Swedish message; the worker's log has the error."""
    def broken(report, format):
        raise RuntimeError("trasig")

    monkeypatch.setattr(rendering, "render", broken)  # the builder imports it when it builds
    waiting = asked(client)
    jobs.run_pending()
    page = page_of(client, waiting)
    assert prepared_downloads.UNEXPECTED in page and "trasig" not in page
    assert "trasig" in caplog.text


def test_a_download_whose_worker_died_is_said_to_have_failed(client, year, signed_in_admin, jobs):
    """Huey forgets a job when a worker takes it: a download not ready half an hour
    after it was asked for has failed, and a late run of its job builds nothing."""
    waiting = asked(client)
    download = db.session.get(PreparedDownload, int(waiting.rsplit("/", 1)[1]))
    download.state, download.started_at = prepared_downloads.State.PREPARING, utcnow()
    download.asked_at = utcnow() - prepared_downloads.PREPARE_LIMIT - dt.timedelta(seconds=1)
    db.session.commit()
    page = page_of(client, waiting)
    assert "<h1>Filen kunde inte göras</h1>" in page and not REFRESH.search(page)
    assert prepared_downloads.ABANDONED in page
    jobs.run_pending()
    db.session.refresh(download)
    assert download.content is None
    assert asked(client) != waiting  # asking again prepares it anew


def ended_process() -> int:
    """The id of a process of this machine that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_file_whose_builder_died_is_built_by_the_next_worker(client, year, signed_in_admin, jobs):
    """A worker killed while it built the file: the next worker on the machine (started
    by `enkat serve` or systemd) finds it by its builder and builds it."""
    waiting = asked(client)
    download = prepared_downloads.take(int(waiting.rsplit("/", 1)[1]))
    download.built_by = prepared_downloads.builder(ended_process())
    db.session.commit()
    jobs.flush()  # its job went with the worker
    assert "Filen byggs nu." in page_of(client, waiting)
    resume_downloads.enqueue()
    assert jobs.run_pending() == 2  # the resume, then the file
    page = page_of(client, waiting)
    assert "<h1>Filen är klar</h1>" in page
    assert client.get(f"{waiting}/hamta").mimetype == "application/pdf"


@pytest.mark.parametrize("built_by", [lambda: prepared_downloads.builder(),
                                      lambda: f"en-annan-server {ended_process()}"])
def test_a_file_built_by_a_live_process_or_another_machine_is_left_to_it(
        client, year, signed_in_admin, jobs, built_by):
    waiting = asked(client)
    download = prepared_downloads.take(int(waiting.rsplit("/", 1)[1]))
    download.built_by = built_by()
    db.session.commit()
    assert prepared_downloads.orphans_requeued() == []
    assert download.state is prepared_downloads.State.PREPARING


def test_quick_formats_are_sent_at_once(client, year, signed_in_admin, jobs):
    for address in ("/forbund/resultat/rapport.json?ar=2025", "/forbund/resultat/rapport.xlsx"
                    "?ar=2025", "/forbund/svar.csv?ar=2025", "/forbund/svar.xlsx?ar=2025"):
        assert client.get(address).status_code == 200, address
    assert db.session.scalars(select(PreparedDownload)).all() == []
