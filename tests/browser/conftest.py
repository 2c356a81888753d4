"""Browser tests: the respondent pages in a real Chromium, at a tablet's size, by touch.

The app is served as `make run` serves it: the real `enkat serve` console script in a
subprocess on a free loopback port (tests/serve.py: gunicorn, its workers, CSRF on, not
TESTING), against its own SQLite file. The fixtures prepare data through the ORM of an
app of their own, not served, in that same file, and commit it before the browser asks.
A setting the server reads at start (the kiosk's idle times) is changed by serving the
same database and sessions from another `enkat serve` (`LiveServer.with_settings`).
Browser tests run on SQLite only: the browser exercises the pages (markup, script,
touch, keyboard, accessibility); how the database behaves is covered by the integration
tests, which run on SQLite and PostgreSQL.

Chromium is Debian's (/usr/bin/chromium; never `playwright install`), axe-core comes from
npm (package.json at the repo root). Without either the tests skip, except in CI (CI=true),
where they fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.people.users import create_user, grant_role
from tests.serve import enkat_serve

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: A tablet held upright, used with a finger.
TABLET = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 2,
          "is_mobile": True, "has_touch": True}

_sequence = itertools.count(1)
STAFF_PASSWORD = "lösenord-123"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        missing.append(f"{AXE.relative_to(REPO_ROOT)} (npm ci)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    return missing


@pytest.fixture(scope="session")
def browser():
    missing = _missing()
    if missing:
        message = "browser tests need " + ", ".join(missing)
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: A small instrument with one item of every type, none required, no conditions, every
#: timepoint: each type gets its own page, reachable with "Nästa" alone.
EVERY_TYPE = {
    "format": 1, "id": "webbtest-alla", "version": 1,
    "title": {"sv": "Alla typer", "en": "Every type", "ar": "كل الأنواع"},
    "audience": "deltagare", "rated_by": "self", "anonymous": True,
    "languages": ["sv", "en", "ar"], "estimated_minutes": 5, "timepoints": ["avslut"],
    "source": {"owner": "Testerna", "licence": "CC0", "verified": "Skrivet för testerna."},
    "scales": {"nojd": {"codes": [
        {"code": 1, "label": {"sv": "Lite", "en": "A little", "ar": "قليلا"}},
        {"code": 2, "label": {"sv": "Mycket", "en": "A lot", "ar": "كثيرا"}}]}},
    "items": [
        {"id": "info", "type": "info",
         "text": {"sv": "Tack för att du svarar.", "en": "Thanks.", "ar": "شكرا لإجابتك."}},
        {"id": "single", "type": "single",
         "text": {"sv": "Vilken färg?", "en": "Which colour?", "ar": "أي لون؟"},
         "options": [{"code": "rod", "label": {"sv": "Röd", "en": "Red", "ar": "أحمر"}},
                     {"code": "bla", "label": {"sv": "Blå", "en": "Blue", "ar": "أزرق"}}]},
        {"id": "multiple", "type": "multiple",
         "text": {"sv": "Vilket stöd?", "en": "Which support?", "ar": "أي دعم؟"},
         "options": [{"code": "samtal", "label": {"sv": "Samtal", "en": "Talks", "ar": "محادثات"}},
                     {"code": "praktik",
                      "label": {"sv": "Praktik", "en": "Placement", "ar": "تدريب"}}]},
        {"id": "ordinal", "type": "ordinal", "scale": "nojd",
         "text": {"sv": "Hur nöjd?", "en": "How satisfied?", "ar": "ما مدى رضاك؟"}},
        {"id": "vas", "type": "vas",
         "text": {"sv": "Hur mår du?", "en": "How are you?", "ar": "كيف حالك؟"},
         "anchors": {"low": {"sv": "Dåligt", "en": "Bad", "ar": "سيئ"},
                     "high": {"sv": "Bra", "en": "Good", "ar": "جيد"}}},
        {"id": "number", "type": "number", "min": 0, "max": 60, "decimals": 1,
         "unit": {"sv": "timmar", "en": "hours", "ar": "ساعات"},
         "text": {"sv": "Hur många timmar?", "en": "How many hours?", "ar": "كم ساعة؟"}},
        {"id": "date", "type": "date", "min": "2020-01-01", "max": "2030-12-31",
         "text": {"sv": "Startdatum", "en": "Start date", "ar": "تاريخ البدء"}},
        {"id": "yesno", "type": "yesno",
         "text": {"sv": "Arbetar du?", "en": "Do you work?", "ar": "هل تعمل؟"}},
        {"id": "text", "type": "text", "max_length": 80,
         "text": {"sv": "Var?", "en": "Where?", "ar": "أين؟"}},
        {"id": "longtext", "type": "longtext",
         "text": {"sv": "Något mer?", "en": "Anything else?", "ar": "شيء آخر؟"}},
    ],
}


class LiveServer:
    """`enkat serve` at `url`; `app` (not served) prepares and reads data in its database."""

    def __init__(self, app, url: str, serve_with: Callable[[dict[str, str]], LiveServer]):
        self.app = app
        self.url = url
        self._serve_with = serve_with
        self._demo = None

    def with_settings(self, **settings: object) -> LiveServer:
        """The same database and sessions served by an `enkat serve` started with these
        settings (`KIOSK_TIMEOUT_SECONDS=2` is ENKAT_KIOSK_TIMEOUT_SECONDS), once for the
        session: a browser signed in on one is signed in on the other."""
        return self._serve_with({f"ENKAT_{name}": str(value) for name, value in settings.items()})

    def link(self, instrument_id: str = "nns-deltagare-avslut", timepoint: str = "avslut",
             participant: bool = False) -> tuple[str, int]:
        """A new personal link (committed): its full URL and the invitation's id."""
        from enkat.extensions import db
        from enkat.services.answering.invitations import create_invitation
        from enkat.services.deltagare import participants

        number = next(_sequence)
        with self.app.app_context():
            forbund = create_forbund(f"webb-{number}", "Samordningsförbundet Webb")
            insats = create_insats(forbund, "steget", "Steget vidare",
                                   starts_on=dt.date(2025, 1, 1))
            who = (participants.get_or_create_participant(forbund, f"WEB{number:03d}")
                   if participant else None)
            invitation, token = create_invitation(insats, instrument_id, timepoint,
                                                  participant=who)
            db.session.commit()
            return f"{self.url}/s/{token}", invitation.id

    def kiosk_insats(self) -> tuple[str, str, list[str]]:
        """An insats ready for the kiosk: ORS every session and the anonymous NNS pågående
        in its schedule, a staff member working in it and two enrolled deltagare.
        Returns the insats' name, the staff member's e-mail (password STAFF_PASSWORD)
        and the two codes."""
        from enkat.extensions import db
        from enkat.models import InsatsStaff, ScheduleEntry, ScheduleTrigger
        from enkat.services.deltagare import participants

        number = next(_sequence)
        with self.app.app_context():
            forbund = create_forbund(f"kiosk-{number}", "Samordningsförbundet Kiosk")
            insats = create_insats(forbund, "torget", f"Arbetsmarknadstorget {number}",
                                   starts_on=dt.date(2025, 1, 1))
            insats.schedule = [
                ScheduleEntry(instrument_id="ors", timepoint="session-{n}",
                              trigger=ScheduleTrigger.EVERY_SESSION),
                ScheduleEntry(instrument_id="nns-deltagare-pagaende", timepoint="pagaende",
                              trigger=ScheduleTrigger.AFTER_DAYS, days=0),
            ]
            email = f"personal{number}@example.org"
            user = create_user(email, STAFF_PASSWORD, "Kim Personal")
            db.session.add(InsatsStaff(insats_id=insats.id, user_id=user.id))
            codes = [f"KIOSK{number}{letter}" for letter in "AB"]
            for code in codes:
                participant = participants.get_or_create_participant(forbund, code)
                participants.start_enrolment(participant, insats, dt.date.today())
            db.session.commit()
            return insats.name, email, codes

    def kiosk_drafts(self, code: str) -> list[dict]:
        """The kiosk responses of the deltagare with `code`: submitted? and answers."""
        from sqlalchemy import select

        from enkat.extensions import db
        from enkat.models import Participant, Response, ResponseSource
        from enkat.services.answering.responses import answers_of

        with self.app.app_context():
            rows = db.session.scalars(
                select(Response).join(Participant).where(
                    Participant.code == code, Response.source == ResponseSource.KIOSK)
                .order_by(Response.id)).all()
            return [{"submitted": row.submitted_at is not None, "answers": answers_of(row)}
                    for row in rows]

    def stored(self, invitation_id: int):
        """(submitted?, language, answers) of the invitation's response, or None."""
        from sqlalchemy import select

        from enkat.extensions import db
        from enkat.models import Response
        from enkat.services.answering.responses import answers_of

        with self.app.app_context():
            rows = db.session.scalars(
                select(Response).where(Response.invitation_id == invitation_id)).all()
            if not rows:
                return None
            assert len(rows) == 1, f"{len(rows)} responses for one invitation"
            response = rows[0]
            return response.submitted_at is not None, response.language, answers_of(response)

    def response_count(self, invitation_id: int) -> int:
        from sqlalchemy import func, select

        from enkat.extensions import db
        from enkat.models import Response

        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Response)
                                     .where(Response.invitation_id == invitation_id))

    def admin_forbund(self) -> tuple[str, str]:
        """A new förbund with no insatser and its administrator (committed): the förbund's
        name and the administrator's e-mail (password STAFF_PASSWORD)."""
        from enkat.extensions import db
        from enkat.models import Role


        number = next(_sequence)
        with self.app.app_context():
            forbund = create_forbund(f"forbund-{number}",
                                     f"Samordningsförbundet Nummer {number}")
            email = f"admin{number}@example.org"
            user = create_user(email, STAFF_PASSWORD, "Eva Administratör")
            grant_role(user, forbund, Role.ADMIN)
            db.session.commit()
            return forbund.name, email

    def reset_link(self, email: str) -> str:
        """The link of the mail that "Glömt lösenordet?" sends to `email`, made by the real
        reset service; the mail itself is caught instead of sent (no SMTP server here)."""
        from unittest import mock

        from enkat.extensions import db
        from enkat.services.people import accounts

        mails = []
        with self.app.app_context(), \
                mock.patch.object(accounts, "send_mail", side_effect=mails.append):
            accounts.request_password_reset(
                email, link_for=lambda token: f"{self.url}/nytt-losenord/{token}")
            db.session.commit()
        assert len(mails) == 1, f"{len(mails)} reset mails for {email}"
        return next(line.strip() for line in mails[0].body.splitlines()
                    if "/nytt-losenord/" in line)

    def demo(self):
        """The demo förbund, loaded as `enkat demo` loads it (once per server); its
        summary, with the demo's sign-ins."""
        from enkat.demo import load_demo
        from enkat.extensions import db

        if self._demo is None:
            with self.app.app_context():
                self._demo = load_demo()
                db.session.commit()
        return self._demo


BROWSER_SECRET_KEY = "browser-test-secret-key"


@pytest.fixture(scope="session")
def live_server(browser, tmp_path_factory, smtp_server) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    from enkat import create_app
    from enkat.extensions import db
    from enkat.instruments import load_file
    from enkat.services.instruments.versions import register_version

    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'enkat.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": BROWSER_SECRET_KEY})
    app.instance_path = str(folder)
    instrument_file = folder / "webbtest-alla.json"
    instrument_file.write_text(json.dumps(EVERY_TYPE, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        upgrade()
        register_version(load_file(instrument_file))
        db.session.commit()

    with contextlib.ExitStack() as servers:
        started: dict[tuple, LiveServer] = {}

        def serve_with(environment: dict[str, str]) -> LiveServer:
            key = tuple(sorted(environment.items()))
            if key not in started:
                served = servers.enter_context(enkat_serve(
                    database_url, folder / f"serve-{len(started)}",
                    secret_key=BROWSER_SECRET_KEY,
                    # mail is offered (utskick, "Glömt lösenordet?")
                    environment={"ENKAT_SMTP_URL": smtp_server.url, **environment}))
                started[key] = LiveServer(app, served.url, serve_with)
            return started[key]

        try:
            yield serve_with({})
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def new_context(browser):
    """Opens tablet contexts (closed after the test); keyword arguments override TABLET."""
    opened = []

    def open_context(**options):
        context = browser.new_context(**{**TABLET, "locale": "sv-SE", **options})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")
