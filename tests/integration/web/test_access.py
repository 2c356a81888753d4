"""Who may use each route, what a changed id in an address shows, and CSRF on every POST.

- The table below has a row for every endpoint of the application, with the designed
  answer to each visitor: signed out, personal of insats A, personal of insats B (same
  förbund), analyst, administrator, and administrator of another förbund. The answers
  were read off each view and its decorator (`web/common/access.py`), not recorded: a
  new route without a row fails `test_the_table_has_a_row_for_every_route`.
- Every id in an address (insats slug, deltagare code, draft, utskick, user, instrument,
  the insats of a report) is tried with another förbund's, and with another insats' for
  personal: 404, or 403 where the role may not use the route at all. No page shown to one
  förbund ever contains a word of the other's, nor any download, read as the program
  that opens it reads it (XLSX cells, PDF text, Word text, SPSS data and labels).
- Every route that accepts POST refuses a post without the CSRF token with 400, and the
  database is exactly as before.

The data (`access_data.build_world`) is built once per database for this module, and
each test rolls back what its requests wrote. Visitors sign in once; each request is made
by a new browser holding that visitor's session cookie.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import docx
import openpyxl
import pypdf
import pyreadstat
import pytest
from flask import Flask, url_for
from sqlalchemy import select

from enkat.extensions import db
from enkat.jobs.queue import queue_of
from enkat.models import AuditEvent
from enkat.services.answering.drafts import local_today
from enkat.services.audit.events import Action
from tests.conftest import session_on
from tests.integration.services.samhallsnytta.prices_data import price_form

from .access_data import (
    OWN_MARKER,
    PASSWORD,
    REPORT_YEAR,
    SECRET_MARKER,
    ForbundIds,
    World,
    build_world,
)

COOKIE = "enkat_session"
VISITORS = ("anonymous", "staff_a", "staff_b", "analyst", "admin", "other_admin")
#: The same förbund's users; the last visitor is the other förbund's administrator.
OWN_USERS = ("staff_a", "staff_b", "analyst", "admin")


# --- the answers a visitor may get ----------------------------------------------------------


class Redirect(NamedTuple):
    status: int
    to: str  # the start of the Location path


#: Signed out: to the sign-in page (Flask-Login adds ?next=).
LOGIN = Redirect(302, "/login")
#: A kiosk page in a browser that runs no kiosk: to where personal start one (which
#: itself sends a signed-out browser on to the sign-in page).
KIOSK = Redirect(302, "/kiosk/starta")
#: The sign-in page for someone signed in already: to their first page.
HOME = Redirect(302, "/")
#: Where administrators and analysts start: the förbund's overview.
FORBUND_HOME = Redirect(302, "/forbund/")
#: The thank-you page of a link not yet answered: to the link's start.
LINK_START = Redirect(302, "/s/")
#: Done, and to the next page (Post/Redirect/Get).
DONE = 303

#: Answers that refuse the visitor before anything about the address is looked up; an
#: id of another förbund or insats gets the same, and any other answer becomes 404.
REFUSED_BY_ROLE = (LOGIN, 403)


@dataclass(frozen=True)
class Route:
    """One endpoint: the designed answers, by visitor (in `VISITORS` order), to a GET and to
    a POST with `body`, and how to build its address.

    Addresses, bodies and queries are templates over `values()`: "{insats}" is insats A's
    slug, "{token}" a working link of it, and so on. A URL variable without an entry in
    `args` takes its default from `DEFAULT_ARGS`.
    """

    endpoint: str
    path: str  # the URL rule, as a reader of the table wants to see it
    get: tuple | None = None
    post: tuple | None = None
    args: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    #: The CSRF test posts this (default `body`) as this visitor, so that the route
    #: would act if the token were there: "kiosk" is a tablet running a kiosk for insats
    #: A, with someone answering.
    form: dict[str, str] | None = None
    csrf_as: str = "admin"
    #: The address itself is the key (a link's or a reset's token): anyone holding it may
    #: use it, so it is no id to change and it shows its own förbund's words.
    capability: bool = False
    #: Visitors whose 403 is said about the thing the address names, after finding it (an
    #: administrator reads an insats' report but does not write it): another förbund's is
    #: 404 to them, as for an id that does not exist.
    refused_after_lookup: tuple[str, ...] = ()


DEFAULT_ARGS = {"slug": "{insats}", "code": "{code}", "response_id": "{draft}",
                "campaign_id": "{campaign}", "user_id": "{user}",
                "instrument_id": "{instrument}", "version": "1", "token": "{token}",
                "document_id": "{document}", "cost_id": "{cost}",
                "invitation_id": "{invitation}", "download_id": "{prepared}"}
#: Template values that name something of one förbund or insats.
ID_VALUES = ("insats", "code", "draft", "response", "campaign", "user", "instrument", "token",
             "document", "cost", "invitation", "prepared")

PIN = "2468"
ONE_INSATS = {"visa": "insats:{insats}", "ar": REPORT_YEAR}
TOKEN = {"token": "{token}"}
PREVIEW = "/forbund/instrument/<instrument_id>/<int:version>/forhandsvisning"
DRAFT_STEP, LINK_STEP = {"key": "avslutsanledning"}, {"key": "individuellt"}
SENT = {"response_id": "{response}"}
PREVIEW_STEP, KIOSK_STEP = {"key": "nytta"}, {"key": "q1"}
KIOSK_SURVEY = "nns-deltagare-pagaende:pagaende"
LOGIN_FORM = {"email": "{admin_email}", "password": PASSWORD}
NEW_PASSWORD = {"password": "ett helt nytt lösenord", "confirm": "ett helt nytt lösenord"}
EVERYONE_200 = (200,) * 6
DOCUMENT = "/insatser/<slug>/rapporter/<int:document_id>"
ADMIN_DOCUMENT = "/forbund/rapporter/<int:document_id>"
NEW_QUARTER = {"kind": "kvartalsrapport", "starts_on": "2025-04-01", "ends_on": "2025-06-30"}
#: The förbund's administrator writes its helårsrapport, not an insats' report.
WRITER = ("admin",)
NEW_YEAR = {"kind": "helarsrapport", "starts_on": "2025-01-01", "ends_on": "2025-12-31"}
NO_KIOSK = (KIOSK,) * 6



# --- helpers -------------------------------------------------------------------------------


def values(world: World, ids: ForbundIds) -> dict[str, object]:
    """What the templates of the table name, with `ids` as the förbund and insats."""
    return {"insats": ids.insats, "code": ids.code, "draft": ids.draft,
            "response": ids.response,
            "campaign": ids.campaign, "user": ids.user, "instrument": ids.instrument,
            "token": ids.token, "document": ids.document, "cost": ids.cost,
            "invitation": ids.invitation, "prepared": ids.prepared,
            "insats_id": world.insats_a_id,
            "preview_version": world.preview_version, "reset_token": world.reset_token,
            "admin_email": world.emails["admin"],
            "in_two_weeks": (local_today() + dt.timedelta(days=14)).isoformat()}


def filled(templates: dict[str, str], known: dict[str, object]) -> dict[str, str]:
    return {name: template.format(**known) for name, template in templates.items()}


def address(app: Flask, row: Route, known: dict[str, object]) -> str:
    rule = rule_of(app, row.endpoint)
    args = {name: (row.args.get(name) or DEFAULT_ARGS[name]).format(**known)
            for name in rule.arguments}
    query = filled(row.query, known)
    with app.test_request_context():
        return url_for(row.endpoint, **args, **query)


def rule_of(app: Flask, endpoint: str):
    [rule] = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    return rule


def names_an_id(row: Route) -> bool:
    """Whether the address or the body names something of one förbund or insats."""
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", row.path)
    templates = [row.args.get(name) or DEFAULT_ARGS.get(name, "") for name in arguments]
    templates += [*row.query.values(), *row.body.values()]
    used = {name for template in templates for name in re.findall(r"{(\w+)}", template)}
    return not row.capability and bool(used & set(ID_VALUES))


def answered(response) -> object:
    """The answer as the table writes it: a status, or a 302 and where to."""
    if response.status_code != 302:
        return response.status_code
    location = response.headers["Location"]
    to = next((known.to for known in (LOGIN, KIOSK, LINK_START) if location.startswith(known.to)),
              location)
    return Redirect(302, to)


def never_shown_to(visitor: str, world: World, row: Route) -> list[str]:
    """Words of data the visitor must never see on a page of this route. A page opened
    by a token in its address shows that token's förbund to whoever holds it."""
    if visitor == "other_admin":
        return [] if row.capability else [OWN_MARKER]
    words = [SECRET_MARKER]
    if visitor == "staff_a" and not row.capability:
        words += [world.insats_b.code, world.insats_b_name]
    if visitor == "staff_b" and not row.capability:
        words += [world.norrvik.code, world.insats_a_name]
    return words


def shown_words(response, forbidden: list[str]) -> list[str]:
    body = readable_text(response).casefold()
    return [word for word in forbidden if word.casefold() in body]


def readable_text(response) -> str:
    """What the visitor gets to read: a page's text, or a download's as the program that
    opens it shows it (the cells of every sheet, the text of every PDF page, the data and
    labels of an SPSS file)."""
    data = response.get_data()
    if response.mimetype == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(value) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if response.mimetype == DOCX:
        opened = docx.Document(io.BytesIO(data))
        return "\n".join([*(paragraph.text for paragraph in opened.paragraphs),
                          *(cell.text for table in opened.tables for row in table.rows
                            for cell in row.cells)])
    if response.mimetype == "application/x-spss-sav":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "svar.sav"
            path.write_bytes(data)
            frame, meta = pyreadstat.read_sav(str(path))
        return "\n".join([frame.to_csv(), repr(meta.column_names_to_labels),
                          repr(meta.variable_value_labels), meta.file_label or ""])
    return data.decode("utf-8", "replace")  # an icon is binary


def database_contents() -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a request; the audit log's
    record of an address refused to its visitor is written on purpose and left out."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(_all_but_denials(table)).all()))
            for table in db.metadata.sorted_tables}


def _all_but_denials(table):
    rows = select(table)
    if table is AuditEvent.__table__:
        rows = rows.where(AuditEvent.action != Action.ACCESS_DENIED)
    return rows


#: A page showing a form in each state, so that the browser's session holds a CSRF token
#: which the forged post then lacks.
FORM_PAGES = {"admin": "/forbund/", "staff_a": "/kiosk/starta", "anonymous": "/login",
              "kiosk": "/kiosk/enkat"}
CSRF_MISSING = "The CSRF token is missing."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def kiosk_tablet(setting: Setting):
    """A browser running a kiosk for insats A, with someone answering the anonymous NNS."""
    tablet = setting.browser("staff_a")
    started = request(tablet, "POST", "/kiosk/starta",
                      {"insats": setting.world.insats_a_id, "pin": PIN, "pin_again": PIN})
    assert started.headers["Location"] == "/kiosk/", started.get_data(as_text=True)
    chosen = request(tablet, "POST", "/kiosk/borja",
                     {"survey": KIOSK_SURVEY})
    assert chosen.headers["Location"] == "/kiosk/enkat"
    return tablet


def browser_in_state(setting: Setting, state: str):
    return kiosk_tablet(setting) if state == "kiosk" else setting.browser(state)


def csrf_problem(setting: Setting, endpoint: str, monkeypatch, caplog) -> str | None:
    """Why a post to `endpoint` without the token was not refused as it must be, or None."""
    row = ROUTES_BY_ENDPOINT.get(endpoint)
    if row is None:
        return "has no row in the access table"
    known = values(setting.world, setting.world.norrvik)
    url = address(setting.app, row, known)
    browser = browser_in_state(setting, row.csrf_as)
    monkeypatch.setitem(setting.app.config, "WTF_CSRF_ENABLED", True)
    try:
        request(browser, "GET", FORM_PAGES[row.csrf_as])
        with browser.session_transaction() as session:
            assert "csrf_token" in session, f"{FORM_PAGES[row.csrf_as]} set no CSRF token"
        before = database_contents()
        caplog.clear()
        response = request(browser, "POST", url, filled(row.form or row.body, known))
        refused_for_csrf = CSRF_MISSING in caplog.messages
        unchanged = database_contents() == before
    finally:
        monkeypatch.setitem(setting.app.config, "WTF_CSRF_ENABLED", False)
    if response.status_code != 400 or not refused_for_csrf:
        return f"POST {url} as {row.csrf_as} answered {response.status_code}"
    if not unchanged:
        return f"POST {url} as {row.csrf_as} changed the database"
    return None


# --- the data, built once per database; each test rolls back its own work -------------------


@dataclass
class Setting:
    app: Flask
    world: World
    connection: object
    cookies: dict[str, str]

    def browser(self, visitor: str):
        """A new browser, holding `visitor`'s session (none for "anonymous")."""
        client = self.app.test_client()
        if visitor in self.cookies:
            client.set_cookie(COOKIE, self.cookies[visitor])
        return client

    def visit(self, visitor: str, method: str, url: str, body: dict | None = None):
        return request(self.browser(visitor), method, url, body)


def request(client, method: str, url: str, data: dict | None = None):
    return client.open(url, method=method, data=data or {})


@pytest.fixture(scope="module")
def setting(app: Flask) -> Iterator[Setting]:
    with world_of(app) as built:
        yield built


@contextmanager
def world_of(app: Flask) -> Iterator[Setting]:
    """The world built in a transaction that is rolled back at the end (the fixture of
    every module that walks the routes)."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = session_on(connection)
        try:
            world = build_world()
            db.session.commit()
            built = Setting(app, world, connection, {})
            built.cookies = {visitor: _signed_in_cookie(built, email)
                             for visitor, email in world.emails.items()}
            yield built
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def _signed_in_cookie(setting: Setting, email: str) -> str:
    client = setting.browser("anonymous")
    signed_in = client.post("/login", data={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    return client.get_cookie(COOKIE).value


@contextmanager
def rolled_back(setting: Setting) -> Iterator[Setting]:
    """What the requests inside write is rolled back at the end."""
    savepoint = setting.connection.begin_nested()
    try:
        yield setting
    finally:
        db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture
def each(setting: Setting) -> Iterator[Setting]:
    with rolled_back(setting):
        yield setting


# --- the table -----------------------------------------------------------------------------

ROUTES = [
    # The workspace of personal: the insatser they see (personal their own, analysts and
    # administrators all of their förbund's, `visible_insatser`); any other is 404.
    # Analysts only read: enrolling, links and staff entry are 403 for them.
    # (anonymous, staff_a, staff_b, analyst, admin, other_admin)
    # Administrators and analysts start at the förbund's overview, personal at their own.
    Route("staff.start", "/",
          get=(LOGIN, 200, 200, FORBUND_HOME, FORBUND_HOME, FORBUND_HOME)),
    Route("staff.overview", "/mina-insatser",
          get=(LOGIN, 200, 200, 200, 200, 200)),
    Route("staff.insatser.show", "/insatser/<slug>",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.insatser.due", "/insatser/<slug>/att-gora",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.insatser.deltagare", "/insatser/<slug>/deltagare",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.insatser.responses", "/insatser/<slug>/svar",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.insatser.new_deltagare", "/insatser/<slug>/ny-deltagare",
          post=(LOGIN, DONE, 404, 403, DONE, 404)),
    Route("staff.deltagare.show", "/deltagare/<code>",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.deltagare.chart", "/deltagare/<code>/diagram.svg",
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.links.index", "/insatser/<slug>/lankar",
          get=(LOGIN, 200, 404, 403, 200, 404)),
    Route("staff.links.new", "/insatser/<slug>/lankar/ny",
          get=(LOGIN, 200, 404, 403, 200, 404)),
    # Revoking asks first (GET); only the POST revokes.
    Route("staff.links.revoke", "/insatser/<slug>/lankar/<int:invitation_id>/aterkalla",
          get=(LOGIN, 200, 404, 403, 200, 404),
          post=(LOGIN, DONE, 404, 403, DONE, 404)),
    Route("staff.links.create", "/insatser/<slug>/lankar",
          post=(LOGIN, 422, 404, 403, 422, 404),
          form={"instrument": "ors", "code": "{code}", "timepoint": "session-4",
                "expires_in_days": "14"}),
    Route("staff.links.letter", "/insatser/<slug>/lankar/brev", body=TOKEN,
          post=(LOGIN, 200, 404, 403, 200, 404)),
    Route("staff.links.mail", "/insatser/<slug>/lankar/epost", body=TOKEN,
          post=(LOGIN, 409, 404, 403, 409, 404),  # no SMTP server here (test_no_mail)
          form={**TOKEN, "address": "deltagare@example.se"}),
    Route("staff.entry.register", "/insatser/<slug>/registrera",
          get=(LOGIN, 200, 404, 403, 200, 404),
          post=(LOGIN, 422, 404, 403, 422, 404),
          form={"source": "staff", "instrument": "finsam-avslut", "code": "{code}",
                "timepoint": "avslut", "answered_on": "2025-06-01"}),
    Route("staff.entry.start", "/svar/<int:response_id>/inmatning",
          get=(LOGIN, 200, 404, 403, 200, 404)),
    # A sent response: seen by who sees its insats, corrected and removed by who works in
    # it (`corrections.may_change`); analysts read only.
    Route("staff.responses.show", "/svar/<int:response_id>", args=SENT,
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.responses.correct", "/svar/<int:response_id>/andra/<item_id>",
          args={**SENT, "item_id": "relation"},
          get=(LOGIN, 200, 404, 403, 200, 404),
          post=(LOGIN, DONE, 404, 403, DONE, 404),
          body={"answer-relation": "5.0", "reason": "Fel inmatat."}),
    Route("staff.responses.remove", "/svar/<int:response_id>/ta-bort", args=SENT,
          get=(LOGIN, 200, 404, 403, 200, 404),
          post=(LOGIN, DONE, 404, 403, DONE, 404), body={"reason": "Fel deltagare."}),
    Route("staff.entry.step", "/svar/<int:response_id>/fraga/<key>", args=DRAFT_STEP,
          get=(LOGIN, 200, 404, 403, 200, 404)),
    Route("staff.entry.save_step", "/svar/<int:response_id>/fraga/<key>", args=DRAFT_STEP,
          post=(LOGIN, 422, 404, 403, 422, 404),
          form={"answer-avslutsanledning": "arbete", "go_to": "next"}),
    Route("staff.entry.review", "/svar/<int:response_id>/granska",
          get=(LOGIN, 200, 404, 403, 200, 404)),
    Route("staff.entry.send", "/svar/<int:response_id>/granska",
          post=(LOGIN, 422, 404, 403, 422, 404)),
    # The reports of an insats: everyone who sees the insats reads them; its personal
    # write them (`documents.may_write`): an administrator may create one (it works in
    # every insats of its förbund) but writes only the förbund's helårsrapport. The
    # document of the table is a draft: a new version of it is refused (409); the script's
    # save answers a form post with 400 (it takes JSON).
    Route("staff.documents.new", "/insatser/<slug>/rapporter/ny",
          get=(LOGIN, 200, 404, 403, 200, 404),
          post=(LOGIN, DONE, 404, 403, DONE, 404), body=NEW_QUARTER),
    Route("staff.documents.show", DOCUMENT,
          get=(LOGIN, 200, 404, 200, 200, 404)),
    Route("staff.documents.save", DOCUMENT,
          post=(LOGIN, DONE, 404, 403, 403, 404)),
    Route("staff.documents.save_section", f"{DOCUMENT}/text",
          post=(LOGIN, 400, 404, 403, 403, 404)),
    Route("staff.documents.send", f"{DOCUMENT}/skicka",
          get=(LOGIN, 200, 404, 403, 403, 404),
          post=(LOGIN, DONE, 404, 403, 403, 404), csrf_as="staff_a"),
    Route("staff.documents.new_version", f"{DOCUMENT}/ny-version",
          post=(LOGIN, 409, 404, 403, 403, 404)),
    # A document's file is built on the worker: asking answers 303, to its waiting page.
    Route("staff.documents.file", f"{DOCUMENT}.<fmt>", args={"fmt": "pdf"},
          get=(LOGIN, 303, 404, 303, 303, 404)),
    # A file built on the worker, here the administrator's: for whoever asked and the
    # förbund's administrators; to anyone else it does not exist.
    Route("staff.documents.prepared_download", "/filer/<int:download_id>",
          get=(LOGIN, 404, 404, 404, 200, 404)),
    Route("staff.documents.prepared_file", "/filer/<int:download_id>/hamta",
          get=(LOGIN, 404, 404, 404, 200, 404)),

    # The förbund's workspace: administrators and analysts read (READERS), administrators
    # change; personal 403. An id of another förbund is 404.
    # (anonymous, staff_a, staff_b, analyst, admin, other_admin)
    Route("admin.home", "/forbund/",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    Route("admin.insatser", "/forbund/insatser",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    Route("admin.insats_new", "/forbund/insatser/ny",
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, 422, 422),
          form={"name": "Ny insats", "kind": "individ", "starts_on": "2025-01-01",
                "trial_period_days": "90"}),
    Route("admin.insats_edit", "/forbund/insatser/<slug>/andra",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, 422, 404),
          form={"name": "Nytt namn", "kind": "individ", "starts_on": "2025-01-01",
                "trial_period_days": "90"}),
    # A schedule or goals posted without rows is an empty one: saved.
    Route("admin.schedule", "/forbund/insatser/<slug>/schema",
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.schedule_save", "/forbund/insatser/<slug>/schema",
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.goals", "/forbund/insatser/<slug>/mal",
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.goals_save", "/forbund/insatser/<slug>/mal",
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.users", "/forbund/anvandare",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    Route("admin.user_new", "/forbund/anvandare/ny",
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, 422, 422),
          form={"email": "ny@norrvik.example", "display_name": "Ny Användare",
                "role": "staff", "password": "ett långt lösenord"}),
    Route("admin.user_edit", "/forbund/anvandare/<int:user_id>",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, 422, 404),
          form={"display_name": "Nytt Namn", "role": "analyst"}),
    Route("admin.user_deactivate", "/forbund/anvandare/<int:user_id>/inaktivera",
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.user_reactivate", "/forbund/anvandare/<int:user_id>/aktivera",
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.instruments", "/forbund/instrument",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    Route("admin.upload_instrument_file", "/forbund/instrument",
          post=(LOGIN, 403, 403, 403, 422, 422)),
    Route("admin.instrument", "/forbund/instrument/<instrument_id>/<int:version>",
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.preview_step", f"{PREVIEW}/<key>", args=PREVIEW_STEP,
          get=(LOGIN, 403, 403, 200, 200, 404)),
    # Moving through a preview saves nothing, so readers may; an unanswered required
    # question is said, as to a deltagare.
    Route("admin.preview_move", f"{PREVIEW}/<key>", args=PREVIEW_STEP,
          post=(LOGIN, 403, 403, 422, 422, 404),
          form={"answer-nytta": "2"}),
    # Publishing asks first (GET); only the POST publishes.
    Route("admin.publish", "/forbund/instrument/<instrument_id>/<int:version>/publicera",
          args={"version": "{preview_version}"},
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.utskick_list", "/forbund/utskick",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    # No SMTP server here: the pages say so, and a POST is refused with 409 (test_no_mail).
    Route("admin.utskick_new", "/forbund/utskick/nytt",
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, 409, 409),
          form={"instrument": "nns-styrelse", "insats": "", "timepoint": "", "title": "Nytt",
                "closes_on": "{in_two_weeks}", "addresses": "ny@example.se"}),
    # Readers see an utskick's counts and results; only administrators its failed
    # addresses and buttons. The chart is 404 until the threshold of answers is reached.
    Route("admin.utskick_detail", "/forbund/utskick/<int:campaign_id>",
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.utskick_chart", "/forbund/utskick/<int:campaign_id>/diagram/<table_id>.svg",
          args={"table_id": "nns-styrelse"},
          get=(LOGIN, 403, 403, 404, 404, 404)),
    # Mailing asks first, with the number of mails (GET); only the POST mails.
    Route("admin.utskick_send", "/forbund/utskick/<int:campaign_id>/skicka",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.utskick_remind", "/forbund/utskick/<int:campaign_id>/paminn",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    # The automatic reminder is set from the utskick's page: a POST of administrators.
    Route("admin.utskick_automatic_reminder",
          "/forbund/utskick/<int:campaign_id>/automatisk-paminnelse",
          post=(LOGIN, 403, 403, 403, DONE, 404), form={"remind_after_days": "3"}),
    # Closing asks first (GET); only the POST closes.
    Route("admin.utskick_close", "/forbund/utskick/<int:campaign_id>/stang",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    # Results and their downloads, here of insats A: readers; the answers themselves
    # (record-level data) administrators only.
    Route("admin.results", "/forbund/resultat", query=ONE_INSATS,
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.report_download", "/forbund/resultat/rapport.<fmt>",
          args={"fmt": "json"}, query=ONE_INSATS,
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.answers_download", "/forbund/svar.<fmt>",
          args={"fmt": "csv"}, query=ONE_INSATS,
          get=(LOGIN, 403, 403, 403, 200, 404)),
    # A file built on the worker, here the administrator's: its page and the file for
    # whoever asked and the förbund's administrators; to anyone else it does not exist.
    Route("admin.prepared_download", "/forbund/filer/<int:download_id>",
          get=(LOGIN, 403, 403, 404, 200, 404)),
    Route("admin.prepared_file", "/forbund/filer/<int:download_id>/hamta",
          get=(LOGIN, 403, 403, 404, 200, 404)),
    # The reports filed with the förbund: readers read, administrators review and write
    # the helårsrapport (a kvartalsrapport is its insats' personal's to write: 403). The
    # document of the table is a draft: returning or approving it is refused (409).
    Route("admin.documents", "/forbund/rapporter",
          get=(LOGIN, 403, 403, 200, 200, 200)),
    Route("admin.document_new", "/forbund/rapporter/ny",
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, DONE, DONE), body=NEW_YEAR),
    Route("admin.document", ADMIN_DOCUMENT,
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.document_save", ADMIN_DOCUMENT, refused_after_lookup=WRITER,
          post=(LOGIN, 403, 403, 403, 403, 404)),
    Route("admin.document_save_section", f"{ADMIN_DOCUMENT}/text", refused_after_lookup=WRITER,
          post=(LOGIN, 403, 403, 403, 403, 404)),
    Route("admin.document_send", f"{ADMIN_DOCUMENT}/skicka", refused_after_lookup=WRITER,
          get=(LOGIN, 403, 403, 403, 403, 404),
          post=(LOGIN, 403, 403, 403, 403, 404)),
    Route("admin.document_new_version", f"{ADMIN_DOCUMENT}/ny-version", refused_after_lookup=WRITER,
          post=(LOGIN, 403, 403, 403, 403, 404)),
    Route("admin.document_file", f"{ADMIN_DOCUMENT}.<fmt>", args={"fmt": "pdf"},
          get=(LOGIN, 403, 403, 303, 303, 404)),
    Route("admin.document_comment", f"{ADMIN_DOCUMENT}/kommentar", body={"text": "Bra."},
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    Route("admin.document_return", f"{ADMIN_DOCUMENT}/aterstall", body={"text": "Mer."},
          post=(LOGIN, 403, 403, 403, 409, 404)),
    Route("admin.document_approve", f"{ADMIN_DOCUMENT}/godkann",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, 409, 404)),
    # A template posted without sections has none: refused (422).
    Route("admin.document_template", "/forbund/rapportmallar/<kind>",
          args={"kind": "kvartalsrapport"},
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, 422, 422)),
    # An insats' costs: readers read, administrators add and remove.
    Route("admin.insats_costs_page", "/forbund/insatser/<slug>/kostnader",
          get=(LOGIN, 403, 403, 200, 200, 404)),
    Route("admin.insats_cost_add", "/forbund/insatser/<slug>/kostnader",
          post=(LOGIN, 403, 403, 403, 422, 404),
          form={"starts_on": "2026-01-01", "ends_on": "2026-12-31",
                "granted_kronor": "100000"}),
    # Removing a cost asks first (GET); only the POST removes.
    Route("admin.insats_cost_remove", "/forbund/insatser/<slug>/kostnader/<int:cost_id>/ta-bort",
          get=(LOGIN, 403, 403, 403, 200, 404),
          post=(LOGIN, 403, 403, 403, DONE, 404)),
    # The price lists: administrators only, each of their own förbund (a year is no id).
    Route("admin.price_lists", "/forbund/prislista",
          get=(LOGIN, 403, 403, 403, 200, 200)),
    Route("admin.price_list_new", "/forbund/prislista",
          post=(LOGIN, 403, 403, 403, DONE, DONE), body={"year": "2026", "copy_from": ""}),
    Route("admin.price_list", "/forbund/prislista/<int:year>", args={"year": "2026"},
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, DONE, DONE), body=price_form()),
    # The audit log: administrators only, each of their own förbund.
    Route("admin.audit_log", "/forbund/logg",
          get=(LOGIN, 403, 403, 403, 200, 200)),
    # The settings: administrators only, each of their own förbund (0 is refused: 422).
    Route("admin.settings", "/forbund/installningar",
          get=(LOGIN, 403, 403, 403, 200, 200),
          post=(LOGIN, 403, 403, 403, 422, 422),
          form={"threshold": "0"}),

    # Signing in and out, and a forgotten password.
    # (anonymous, staff_a, staff_b, analyst, admin, other_admin)
    Route("auth.login", "/login", csrf_as="anonymous", form=LOGIN_FORM,
          get=(200, HOME, HOME, FORBUND_HOME, FORBUND_HOME, FORBUND_HOME),
          post=(422, HOME, HOME, FORBUND_HOME, FORBUND_HOME, FORBUND_HOME)),
    # Signed in: signed out, and to the sign-in page.
    Route("auth.logout", "/logout",
          post=(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    Route("auth.forgot_password", "/glomt-losenord", csrf_as="anonymous",
          form={"email": "{admin_email}"},
          get=EVERYONE_200,
          post=(409,) * 6),  # no SMTP server here (test_no_mail)
    Route("auth.new_password", "/nytt-losenord/<token>", args={"token": "{reset_token}"},
          capability=True, csrf_as="anonymous", form=NEW_PASSWORD,
          get=EVERYONE_200,
          post=(422,) * 6),

    # A personal link: whoever holds it answers. Every line of the ORS is required (its
    # total needs them), so a step is saved with its answer, and the unanswered whole is
    # sent back to be completed.
    Route("respond.start", "/s/<token>", capability=True,
          get=EVERYONE_200),
    Route("respond.step", "/s/<token>/fraga/<key>", args=LINK_STEP, capability=True,
          get=EVERYONE_200),
    Route("respond.save_step", "/s/<token>/fraga/<key>", args=LINK_STEP, capability=True,
          csrf_as="anonymous", body={"answer-individuellt": "5.0", "go_to": "next"},
          post=(DONE,) * 6),
    Route("respond.review", "/s/<token>/granska", capability=True,
          get=EVERYONE_200),
    Route("respond.send", "/s/<token>/granska", capability=True, csrf_as="anonymous",
          post=(422,) * 6),
    Route("respond.thanks", "/s/<token>/tack", capability=True,
          get=(LINK_START,) * 6),

    # The kiosk. Personal start it, signed in; every other kiosk page needs the kiosk
    # this browser runs, and a browser that runs none is sent to start one.
    # (anonymous, staff_a, staff_b, analyst, admin, other_admin)
    Route("kiosk.begin", "/kiosk/starta", csrf_as="staff_a",
          form={"insats": "{insats_id}", "pin": PIN, "pin_again": PIN},
          get=(LOGIN, 200, 200, 200, 200, 200),
          post=(LOGIN, 422, 422, 422, 422, 422)),
    Route("kiosk.home", "/kiosk/", get=NO_KIOSK),

    # The icon every browser asks for, for everyone.
    Route("favicon", "/favicon.ico", get=EVERYONE_200),
    Route("kiosk.code", "/kiosk/kod", csrf_as="kiosk", form={"code": "{code}"},
          post=NO_KIOSK),
    Route("kiosk.due", "/kiosk/att-svara", get=NO_KIOSK),
    Route("kiosk.choose", "/kiosk/borja", csrf_as="kiosk", form={"survey": KIOSK_SURVEY},
          post=NO_KIOSK),
    Route("kiosk.resume", "/kiosk/fortsatt", csrf_as="kiosk", form={"pin": PIN},
          get=NO_KIOSK, post=NO_KIOSK),
    Route("kiosk.restart", "/kiosk/fortsatt/borja-om", csrf_as="kiosk", post=NO_KIOSK),
    Route("kiosk.start", "/kiosk/enkat", get=NO_KIOSK),
    Route("kiosk.step", "/kiosk/fraga/<key>", args=KIOSK_STEP, get=NO_KIOSK),
    Route("kiosk.save_step", "/kiosk/fraga/<key>", args=KIOSK_STEP, csrf_as="kiosk",
          form={"answer-q1": "1", "go_to": "next"},
          post=NO_KIOSK),
    Route("kiosk.review", "/kiosk/granska", get=NO_KIOSK),
    Route("kiosk.send", "/kiosk/granska", csrf_as="kiosk", post=NO_KIOSK),
    Route("kiosk.thanks", "/kiosk/tack", get=NO_KIOSK),
    Route("kiosk.leave_person", "/kiosk/avbryt", csrf_as="kiosk", post=NO_KIOSK),
    Route("kiosk.staff", "/kiosk/personal", csrf_as="kiosk",
          form={"pin": PIN, "action": "leave"},
          get=NO_KIOSK, post=NO_KIOSK),
]
ROUTES_BY_ENDPOINT = {row.endpoint: row for row in ROUTES}

#: Where the application answers otherwise than designed, (endpoint, method, visitor):
#: reason; each such case is a strict xfail. Empty while every route answers as designed.
FINDINGS: dict[tuple[str, str, str], str] = {}


# --- 1. every route, every visitor ----------------------------------------------------------


def table_cases() -> Iterator:
    for row in ROUTES:
        for method, answers in (("GET", row.get), ("POST", row.post)):
            if answers is None:
                continue
            for visitor, expected in zip(VISITORS, answers, strict=True):
                finding = FINDINGS.get((row.endpoint, method, visitor))
                marks = [pytest.mark.xfail(strict=True, reason=finding)] if finding else []
                yield pytest.param(row, method, visitor, expected, marks=marks,
                                   id=f"{row.endpoint}-{method}-{visitor}")


def test_the_table_has_a_row_for_every_route(app):
    routes = {rule.endpoint: rule for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"}
    missing = sorted(set(routes) - set(ROUTES_BY_ENDPOINT))
    assert not missing, f"routes without a row in the access table: {missing}"
    gone = sorted(set(ROUTES_BY_ENDPOINT) - set(routes))
    assert not gone, f"rows of the access table for routes that no longer exist: {gone}"
    assert len(ROUTES) == len(ROUTES_BY_ENDPOINT), "an endpoint has two rows"
    for endpoint, rule in routes.items():
        row = ROUTES_BY_ENDPOINT[endpoint]
        assert row.path == rule.rule, f"{endpoint} is at {rule.rule}, not {row.path}"
        assert ("GET" in rule.methods) == (row.get is not None), f"{endpoint}: GET answers"
        assert ("POST" in rule.methods) == (row.post is not None), f"{endpoint}: POST answers"


@pytest.mark.parametrize(("row", "method", "visitor", "expected"), list(table_cases()))
def test_each_visitor_gets_the_designed_answer(each, row, method, visitor, expected):
    known = values(each.world, each.world.norrvik)
    url = address(each.app, row, known)
    response = each.visit(visitor, method, url, filled(row.body, known))
    assert answered(response) == expected, f"{visitor} {method} {url}"
    if response.status_code == 200:
        shown = shown_words(response, never_shown_to(visitor, each.world, row))
        assert not shown, f"{visitor} {method} {url} shows {shown}"


@pytest.mark.parametrize(("visitor", "path", "word"), [
    ("other_admin", "/forbund/", SECRET_MARKER),
    ("admin", "/forbund/", OWN_MARKER),
    ("staff_a", "/", "{insats_a_name}"),
    ("staff_b", "/", "{insats_b_name}"),
    ("admin", "/insatser/{insats_b}/deltagare", "{code_b}"),
    ("admin", "/insatser/{insats}/deltagare", "{code}"),
])
def test_the_words_looked_for_are_on_the_pages_of_those_who_may_see_them(each, visitor, path,
                                                                          word):
    """The checks above look for these words; here they are, where they belong."""
    known = {**values(each.world, each.world.norrvik), "insats_b": each.world.insats_b.insats,
             "code_b": each.world.insats_b.code, "insats_a_name": each.world.insats_a_name,
             "insats_b_name": each.world.insats_b_name}
    response = each.visit(visitor, "GET", path.format(**known))
    assert response.status_code == 200
    assert shown_words(response, [word.format(**known)])


#: Every download of the förbund's results, of the whole förbund for the report year:
#: the report and the answers in each format (SPSS is of one instrument).
DOWNLOADS = [f"/forbund/resultat/rapport.{fmt}?ar={REPORT_YEAR}"
             for fmt in ("json", "xlsx", "pdf", "docx")]
DOWNLOADS += [f"/forbund/svar.{fmt}?ar={REPORT_YEAR}" for fmt in ("csv", "xlsx")]
DOWNLOADS += [f"/forbund/svar.sav?ar={REPORT_YEAR}&enkat=ors"]


@pytest.mark.parametrize("path", DOWNLOADS)
def test_each_download_shows_its_own_forbund_and_nothing_of_another(each, path):
    """Read as the program that opens it: the administrator's own förbund is in the
    file, so the reading sees into it, and the other förbund is not."""
    own = fetched(each, "admin", path)
    assert own.status_code == 200, own.get_data(as_text=True)[:500]
    assert shown_words(own, [OWN_MARKER]) == [OWN_MARKER], readable_text(own)[:2000]
    assert shown_words(own, [SECRET_MARKER]) == []
    other = fetched(each, "other_admin", path)
    assert other.status_code == 200, other.get_data(as_text=True)[:500]
    assert shown_words(other, [SECRET_MARKER]) == [SECRET_MARKER], readable_text(other)[:2000]
    assert shown_words(other, [OWN_MARKER]) == []


def fetched(each: Setting, visitor: str, path: str):
    """The download at `path`; a file built on the worker is built by running its job
    here, as the worker would, and fetched from the page it was asked on."""
    queue = queue_of(each.app)
    queue.flush()
    response = each.visit(visitor, "GET", path)
    if response.status_code != 303:
        return response
    assert queue.run_pending() == 1
    return each.visit(visitor, "GET", response.headers["Location"] + "/hamta")


# --- 2. an id of another förbund or insats -------------------------------------------------


def expected_for_another(row: Route, designed: object, visitor: str) -> object:
    """A visitor refused the route by their role is refused the same way whatever the id;
    anyone else gets 404, as for an id that does not exist. On the staff pages a 403 is
    not a role's: it refuses acting in an insats the visitor sees (analysts read only),
    so an insats they do not see is 404 like any other."""
    if designed == 403 and (row.endpoint.startswith("staff.")
                            or visitor in row.refused_after_lookup):
        return 404
    return designed if designed in REFUSED_BY_ROLE else 404


def foreign_cases() -> Iterator:
    for row in filter(names_an_id, ROUTES):
        for method, answers in (("GET", row.get), ("POST", row.post)):
            if answers is None:
                continue
            for visitor, designed in zip(VISITORS, answers, strict=True):
                whose = ["another förbund"] if visitor in OWN_USERS else []
                whose += ["another insats"] if visitor == "staff_a" else []
                for other in whose:
                    yield pytest.param(row, method, visitor, other,
                                       expected_for_another(row, designed, visitor),
                                       id=f"{row.endpoint}-{method}-{visitor}-{other}")


@pytest.mark.parametrize(("row", "method", "visitor", "whose", "expected"),
                         list(foreign_cases()))
def test_an_id_of_another_forbund_or_insats_shows_nothing(each, row, method, visitor, whose,
                                                          expected):
    """Every id of the address (and the insats of a report, the token handed back) is the
    other förbund's, or for personal of insats A, insats B's."""
    ids = each.world.hemlig if whose == "another förbund" else each.world.insats_b
    known = values(each.world, ids)
    url = address(each.app, row, known)
    response = each.visit(visitor, method, url, filled(row.body, known))
    assert answered(response) == expected, f"{visitor} {method} {url}"
    shown = shown_words(response, never_shown_to(visitor, each.world, row))
    assert not shown, f"{visitor} {method} {url} shows {shown}"


@pytest.mark.parametrize("endpoint", ["staff.links.letter", "staff.links.mail"])
@pytest.mark.parametrize("whose", ["another förbund", "another insats"])
def test_a_link_is_handed_back_only_through_its_own_insats(each, endpoint, whose):
    """The letter and the mail take the token back in the body: a working link of another
    insats, posted through insats A's address, is 404 even to an administrator who sees
    both insatser."""
    ids = each.world.hemlig if whose == "another förbund" else each.world.insats_b
    row = ROUTES_BY_ENDPOINT[endpoint]
    url = address(each.app, row, values(each.world, each.world.norrvik))
    body = {"token": ids.token, "address": "deltagare@example.se"}
    assert each.visit("admin", "POST", url, body).status_code == 404


# --- 3. CSRF -------------------------------------------------------------------------------


def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(
        setting, monkeypatch, caplog):
    """Every route that accepts POST, as found in the URL map, in the state where it
    would act (signed in, a working link, a kiosk with someone answering), with a form
    that it would accept."""
    caplog.set_level(logging.INFO, logger="flask_wtf.csrf")
    posted = sorted(rule.endpoint for rule in setting.app.url_map.iter_rules()
                    if "POST" in rule.methods)
    problems = {}
    for endpoint in posted:
        with rolled_back(setting):
            problem = csrf_problem(setting, endpoint, monkeypatch, caplog)
        if problem:
            problems[endpoint] = problem
    assert len(posted) > 20 and not problems, problems
