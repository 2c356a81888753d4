"""More than one machine (issue 6, §3): two app servers, gunicorn on two loopback ports,
on one PostgreSQL database and with the same ENKAT_SECRET_KEY, as behind a load balancer
that sends a person's requests now to one, now to the other.

enkat keeps nothing of a person in a server: the session is a signed cookie, drafts,
kiosks, uploaded instruments and the counts behind the rate limits are rows in the
database. So a deltagare, a kiosk tablet and a link guesser are the same to either
server. docs/deployment.md ("Production shape") refers to these tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from enkat import create_app
from enkat.extensions import db
from enkat.jobs.queue import close_queue
from enkat.models import Forbund, Kiosk, Response, ResponseSource, Role, ScheduleTrigger
from enkat.services.answering.invitations import create_invitation, find_invitation
from enkat.services.answering.responses import answers_of
from enkat.services.deltagare import participants
from enkat.services.organisation.forbund import create_forbund, find_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.organisation.schedules import ScheduleRow, replace_schedule
from enkat.services.people.users import NewUser, add_user
from tests.gunicorn import Gunicorn, serve
from tests.integration.services.instruments.test_uploads import instrument_text
from tests.postgresql import PostgresServer
from tests.visitor import Page, Visitor

INSTRUMENT, TIMEPOINT = "nns-deltagare-avslut", "avslut"
#: A whole nns-deltagare-avslut, one question per step, in the order asked.
ANSWERS = {**{f"q{number}": str(number % 6 + 1) for number in range(1, 11)}, "kon": "annat"}
ORS_ANSWERS = {"individuellt": "7.5", "nara-relationer": "3.0", "socialt": "5.2",
               "allmant": "9.9"}
PASSWORD = "lösenord-för-tester"
PIN = "2468"
LINK_GUESS_LIMIT = 5


# --- the database, and work on it through the services --------------------------------


def migrated_database(server: PostgresServer, name: str) -> str:
    """An empty database of its own, migrated as `enkat db upgrade` does; its URL."""
    url = server.create_database(name)
    with database_work(url):
        upgrade()
    return url


@contextlib.contextmanager
def database_work(url: str) -> Iterator[None]:
    """Call services on the database from the test, as a command would; committed at the
    end, and no connection left open for the servers' requests to wait on."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-setup"})
    with app.app_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()
            close_queue(app)


def new_forbund(slug: str) -> Forbund:
    """A förbund with one individinriktad insats, "torget"."""
    forbund = create_forbund(slug, f"Samordningsförbundet {slug.capitalize()}")
    create_insats(forbund, "torget", "Torget")
    return forbund


def new_links(url: str, slug: str, count: int = 1, instrument: str = INSTRUMENT) -> list[str]:
    """The tokens of `count` new links in a new förbund's insats."""
    with database_work(url):
        insats = new_forbund(slug).insatser[0]
        return [create_invitation(insats, instrument, TIMEPOINT)[1] for _ in range(count)]


@dataclass(frozen=True)
class Stored:
    """One response as the database holds it."""

    submitted: bool
    answers: dict[str, tuple[str, ...]]


def responses_of_link(url: str, token: str) -> tuple[bool, list[Stored]]:
    """Whether the link is used, and every response (submitted or draft) made through it."""
    with database_work(url):
        invitation = find_invitation(token).invitation
        responses = db.session.scalars(
            select(Response).where(Response.invitation_id == invitation.id)).all()
        return invitation.used_at is not None, [
            Stored(response.submitted_at is not None, answers_of(response))
            for response in responses]


def stored(answers: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {item_id: (value,) for item_id, value in answers.items()}


# --- a person's pages -----------------------------------------------------------------


def answer(visitor: Visitor, prefix: str, answers: dict[str, str], keys: Sequence[str],
           *, shown_at: str | None = None) -> Page:
    """Open and answer these steps ("Nästa") at `prefix` (a link, or a server's /kiosk);
    the page the last one leads to. With `shown_at` (the same place on another server)
    each step's page, and so its form's CSRF token, comes from there."""
    for key in keys:
        assert visitor.get(f"{shown_at or prefix}/fraga/{key}").status == 200
        page = visitor.post(f"{prefix}/fraga/{key}", {f"answer-{key}": answers[key],
                                                      "go_to": "next"})
        assert page.status == 200, page.text[:500]  # the redirect was followed
    return page


def sign_in(visitor: Visitor, server: str, email: str) -> None:
    visitor.get(f"{server}/login")
    signed_in = visitor.post(f"{server}/login", {"email": email, "password": PASSWORD})
    assert signed_in.status == 200 and "/login" not in signed_in.url, signed_in.text[:500]


# --- two instances --------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(postgres_server) -> str:
    return migrated_database(postgres_server, "instances")


@pytest.fixture(scope="module")
def instances(database, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Instances A and B: the same secret key and settings, as app servers behind one
    nginx (ENKAT_PROXY_COUNT=1: the client's address comes from X-Forwarded-For)."""
    environment = {"ENKAT_SECRET_KEY": uuid.uuid4().hex, "ENKAT_PROXY_COUNT": "1",
                   "ENKAT_LINK_GUESS_LIMIT": str(LINK_GUESS_LIMIT)}
    with (serve(database, tmp_path_factory.mktemp("a"), environment=environment) as a,
          serve(database, tmp_path_factory.mktemp("b"), environment=environment) as b):
        yield a.url, b.url
        assert_no_errors(a, b)


def assert_no_errors(*servers: Gunicorn) -> None:
    for server in servers:
        assert "Traceback" not in server.log.read_text(errors="replace"), server.log_tail()


def test_a_deltagare_answers_on_both_instances_and_sends_once(database, instances):
    a, b = instances
    [token] = new_links(database, "flytt")
    keys = list(ANSWERS)
    browser = Visitor()
    assert browser.get(f"{a}/s/{token}").status == 200
    answer(browser, f"{a}/s/{token}", ANSWERS, keys[:4])
    # The same cookies; each page is shown by A, and its answers are sent to B.
    answer(browser, f"{b}/s/{token}", ANSWERS, keys[4:7], shown_at=f"{a}/s/{token}")

    elsewhere = Visitor()  # the link alone, in another browser, on B
    start = elsewhere.get(f"{b}/s/{token}")
    assert "Du fortsätter där du slutade" in start.text
    assert f'href="/s/{token}/fraga/{keys[7]}"' in start.text
    review = answer(elsewhere, f"{b}/s/{token}", ANSWERS, keys[7:])
    assert review.url == f"{b}/s/{token}/granska"
    sent = elsewhere.post(review.url)
    assert sent.url == f"{b}/s/{token}/tack" and "Tack för dina svar!" in sent.text

    assert responses_of_link(database, token) == (True, [Stored(True, stored(ANSWERS))])
    for visitor in (browser, elsewhere, Visitor()):
        for server in (a, b):
            assert visitor.get(f"{server}/s/{token}").status == 410


def test_a_kiosk_runs_on_both_instances(database, instances):
    a, b = instances
    email = "kiosk@example.org"
    with database_work(database):
        forbund = new_forbund("kiosk")
        insats = forbund.insatser[0]
        replace_schedule(insats, [ScheduleRow("ors", "session-{n}",
                                              ScheduleTrigger.EVERY_SESSION)], by=None)
        add_user(forbund, NewUser(email, "Kioskens personal", Role.STAFF, PASSWORD,
                                  (insats,)), by=None)
        participants.start_enrolment(participants.get_or_create_participant(forbund, "KIOSK-1"),
                                     insats, dt.date.today())
        insats_id = insats.id

    tablet = Visitor()
    sign_in(tablet, a, email)
    tablet.get(f"{a}/kiosk/starta")
    home = tablet.post(f"{a}/kiosk/starta", {"insats": str(insats_id), "pin": PIN,
                                             "pin_again": PIN})
    assert home.url == f"{a}/kiosk/" and "Skriv din kod" in home.text
    due = tablet.post(f"{a}/kiosk/kod", {"code": "KIOSK-1"})
    assert 'value="ors:session-1"' in due.text
    assert tablet.post(f"{a}/kiosk/borja", {"survey": "ors:session-1"}).url == f"{a}/kiosk/enkat"
    keys = list(ORS_ANSWERS)
    answer(tablet, f"{a}/kiosk", ORS_ANSWERS, keys[:2])
    review = answer(tablet, f"{b}/kiosk", ORS_ANSWERS, keys[2:], shown_at=f"{a}/kiosk")
    assert review.url == f"{b}/kiosk/granska"
    sent = tablet.post(review.url)
    assert sent.url == f"{b}/kiosk/tack" and "Tack för dina svar!" in sent.text

    assert "Skriv din kod" in tablet.get(f"{a}/kiosk/").text
    assert tablet.get(f"{a}/kiosk/fraga/individuellt").url == f"{a}/kiosk/"  # nobody now
    left = tablet.post(f"{b}/kiosk/personal", {"pin": PIN, "action": "leave"})
    assert left.url == f"{b}/login" and "Kioskläget är avslutat" in left.text

    with database_work(database):
        [response] = db.session.scalars(select(Response).where(
            Response.insats_id == insats_id, Response.source == ResponseSource.KIOSK)).all()
        assert response.submitted_at is not None and response.participant.code == "KIOSK-1"
        assert answers_of(response) == stored(ORS_ANSWERS)
        kiosk = db.session.scalars(select(Kiosk).where(Kiosk.insats_id == insats_id)).one()
        assert kiosk.ended_at is not None


def test_the_link_guessing_limit_is_counted_across_the_instances(database, instances):
    servers = instances
    [token] = new_links(database, "gissning")
    guesser = Visitor(headers={"X-Forwarded-For": "203.0.113.7"})
    statuses = [guesser.get(f"{servers[attempt % 2]}/s/{secrets.token_urlsafe(32)}").status
                for attempt in range(LINK_GUESS_LIMIT + 1)]
    # Neither instance has seen the limit's worth of guesses; together they have.
    assert statuses == [404] * LINK_GUESS_LIMIT + [429]
    other = servers[(LINK_GUESS_LIMIT + 1) % 2]
    assert guesser.get(f"{other}/s/{secrets.token_urlsafe(32)}").status == 429
    for server in servers:
        assert guesser.get(f"{server}/s/{token}").status == 429  # every link address
    someone_else = Visitor(headers={"X-Forwarded-For": "203.0.113.8"})
    assert someone_else.get(f"{other}/s/{token}").status == 200


def test_an_instrument_published_on_one_instance_is_answered_on_the_other(
        database, instances):
    a, b = instances
    email = "admin@example.org"
    with database_work(database):
        forbund = new_forbund("egna")
        add_user(forbund, NewUser(email, "Förbundets administratör", Role.ADMIN, PASSWORD),
                 by=None)
    admin = Visitor()
    sign_in(admin, a, email)
    admin.get(f"{a}/forbund/instrument")
    uploaded = admin.post_file(f"{a}/forbund/instrument", "file", "kursutvardering.json",
                               instrument_text().encode())
    assert uploaded.url == f"{a}/forbund/instrument/kursutvardering/1", uploaded.text[:500]
    assert admin.post(f"{a}/forbund/instrument/kursutvardering/1/publicera").status == 200
    assert "Det här är versionen som nya svar får" in admin.get(
        f"{b}/forbund/instrument/kursutvardering/1").text  # signed in on B as well

    with database_work(database):
        insats = find_forbund("egna").insatser[0]
        _, token = create_invitation(insats, "kursutvardering", TIMEPOINT)
    deltagare = Visitor()
    assert "Utvärdering av utbildningsdag" in deltagare.get(f"{b}/s/{token}").text
    answers = {"nytta": "2", "rekommendera": "ja"}
    review = answer(deltagare, f"{b}/s/{token}", answers, list(answers))
    assert deltagare.post(review.url).url == f"{b}/s/{token}/tack"
    assert responses_of_link(database, token) == (True, [Stored(True, stored(answers))])
