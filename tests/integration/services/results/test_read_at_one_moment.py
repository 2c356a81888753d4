"""A report, a prepared file and the answers workbook read the database at one moment
(`database.one_moment`), though deltagare send answers while they are built, and keep
no deltagare waiting.

On a migrated database of each kind, during the build, a response is sent and committed
beside it on a connection of its own, by a SQLite writer that fails at once where it
would wait for the lock. The build must count what was there when it began, in every
table, and the sending must not have waited. Before: on PostgreSQL the report counted
the new response in the tables read after it and the workbook's count differed from its
rows (each statement saw the latest commits); on SQLite the job worker's build held the
write lock from its first read to its end, so the sending failed with "database is
locked" (after the busy timeout, 5 s by default, where the demo's PDF takes 7 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from enkat import create_app
from enkat.cli import cli
from enkat.database import read_only
from enkat.extensions import db
from enkat.jobs.downloads import prepare_download
from enkat.models import (
    AuditEvent,
    Forbund,
    PreparedDownload,
    PreparedDownloadState,
    Response,
    ResponseSource,
    Role,
    User,
)
from enkat.reports.filed.snapshot import report_snapshot
from enkat.reports.period import Period
from enkat.services.answering.responses import ResponseContext, record_response
from enkat.services.instruments.versions import resolve_instrument
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.people.users import create_user, grant_role
from enkat.services.results import prepared_downloads
from enkat.services.results.answer_exports import AnswerFilter, tidy_xlsx
from enkat.services.results.reports import build_report_for
from tests.beside import beside

INSTRUMENT = "nns-deltagare-avslut"
ANSWERED_ON = dt.date(2026, 3, 2)
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
#: The statements a build runs before the response is sent beside it.
SENT_AFTER = 4


@pytest.fixture
def app(own_database_url):
    """Migrated, with a förbund whose insats has six responses in the period; SQLite
    writers fail at once where they would wait for the lock."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": own_database_url, "SECRET_KEY": "moment",
                      "SQLITE_BUSY_TIMEOUT_MS": 0})
    with app.app_context():
        upgrade()
        forbund = create_forbund("stunden", "Samordningsförbundet Stunden")
        create_insats(forbund, "torget", "Torget")
        grant_role(create_user("admin@stunden.example", "lösenord-123", "Admin"), forbund,
                   Role.ADMIN)
        db.session.commit()
        for _ in range(6):
            send_response()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def send_response() -> None:
    forbund = db.session.scalars(select(Forbund)).one()
    context = ResponseContext(forbund=forbund, instrument=resolve_instrument(INSTRUMENT),
                              insats=forbund.insatser[0], participant=None,
                              timepoint="avslut", answered_on=ANSWERED_ON)
    answers = {**{f"q{number}": ["5"] for number in range(1, 11)}, "kon": ["kvinna"]}
    record_response(context, answers, source=ResponseSource.STAFF)


def sent_beside(app) -> None:
    """A response sent and committed as a request beside the build would (`beside`)."""
    def send() -> None:
        send_response()
        db.session.commit()

    beside(app, send)


def statement_number(number: int) -> Callable[[str], bool]:
    counted = itertools.count(1)
    return lambda statement: next(counted) == number


#: Where the response was sent among the statements of the build.
SENT = "-- a response sent beside the build"


@contextlib.contextmanager
def response_sent_during_the_build(app, after: Callable[[str], bool]) -> Iterator[list[str]]:
    """A response sent beside the build (see above), once, after the first statement
    `after` accepts; yields the statements the build ran, with `SENT` where it was sent."""
    ran: list[str] = []

    def after_statement(connection, cursor, statement: str, *_) -> None:
        ran.append(statement)
        if SENT not in ran and after(statement):
            sent_beside(app)
            ran.append(SENT)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", after_statement)
    try:
        yield ran
    finally:
        event.remove(engine, "after_cursor_execute", after_statement)


def went_on_after_sending(ran: list[str]) -> int:
    """How many statements the build ran after the response was sent."""
    return len(ran) - 1 - ran.index(SENT)


@contextlib.contextmanager
def as_a_page(app) -> Iterator[None]:
    """As a GET request of the results page: an application context of its own, in which
    the web layer says that the request only reads."""
    with app.app_context():
        read_only(True)
        try:
            yield
        finally:
            read_only(False)


def built_report(app) -> dict:
    with as_a_page(app):
        forbund = db.session.scalars(select(Forbund)).one()
        return report_snapshot(build_report_for(forbund, period=PERIOD))


def test_a_report_counts_what_was_there_when_it_began_though_answers_come_in(app):
    before = built_report(app)
    with response_sent_during_the_build(app, statement_number(SENT_AFTER)) as ran:
        during = built_report(app)
    after = built_report(app)
    assert went_on_after_sending(ran) > 10
    assert during == before
    assert after != before  # the sent response is in the report built after it


def asked_for_answers() -> int:
    """An SPSS file of the period's answers asked for (queued, committed): its id."""
    download, _ = prepared_downloads.ask(
        db.session.scalars(select(User)).one(), db.session.scalars(select(Forbund)).one(),
        kind=prepared_downloads.ANSWERS, file_format="sav", file_name="svar.sav",
        spec=prepared_downloads.answers_spec(None, PERIOD, INSTRUMENT), audit_detail={},
        back_to="/forbund/")
    db.session.commit()
    return download.id


def reads_responses(statement: str) -> bool:
    """The file's first read of the responses (a transaction's snapshot on SQLite is
    taken at its first read, not at its BEGIN)."""
    return statement.lstrip().upper().startswith("SELECT") and " responses" in statement


def test_a_file_being_built_by_the_worker_keeps_no_deltagare_waiting(app):
    """The job, in an application context of its own as on the worker: "being prepared"
    committed, then built and stored. The SPSS file has the six responses there were
    when it began; the seventh, sent meanwhile without waiting, is stored too."""
    with app.app_context():
        download_id = asked_for_answers()
    with app.app_context(), response_sent_during_the_build(app, reads_responses) as ran:
        prepare_download.function(download_id)
        db.session.commit()
    with app.app_context():
        download = db.session.get(PreparedDownload, download_id)
        assert went_on_after_sending(ran) > 0
        assert download.state is PreparedDownloadState.READY, download.reason
        assert download.audit_detail["rows"] == 6
        assert db.session.scalar(select(func.count()).select_from(Response)) == 7


def test_the_answers_workbook_counts_the_rows_it_holds_though_answers_come_in(app):
    """The workbook's rows are counted, then read (from the results page, a GET): a
    response sent between the two is in neither, so the count (for the audit, and the
    check against Excel's limit) is right."""
    with as_a_page(app):
        answers = AnswerFilter(db.session.scalars(select(Forbund)).one(), None,
                               PERIOD.start, PERIOD.end)
        with response_sent_during_the_build(app, lambda sql: "count(" in sql.lower()) as ran:
            workbook, count = tidy_xlsx(answers)
    assert went_on_after_sending(ran) > 0
    rows = load_workbook(io.BytesIO(workbook), read_only=True)["Svar"].max_row - 1
    assert count == rows == 6 * 11


@pytest.mark.parametrize(("command", "action"), [
    (("report", "--forbund", "stunden", "--from", "2026-01-01", "--to", "2026-06-30",
      "--format", "json"), "command-report"),
    (("export", "responses", "--forbund", "stunden"), "command-export")],
    ids=["report", "export"])
def test_a_command_reading_at_length_keeps_no_deltagare_waiting(app, tmp_path, command,
                                                                 action):
    """`enkat report` and `enkat export responses` read, then write their audit event: a
    response sent meanwhile is stored without waiting (on SQLite they read holding no
    write lock), and the command still writes its file and its event."""
    output = tmp_path / "ut"
    with response_sent_during_the_build(app, reads_responses) as ran:
        result = CliRunner().invoke(cli, [*command, "--output", str(output)],
                                    obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert went_on_after_sending(ran) > 0 and output.stat().st_size > 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 7
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == action)) == 1
