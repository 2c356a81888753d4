"""Logs never keep a token or a deltagare code: a whole survey answered, and a staff
session's work with a deltagare, through gunicorn (started as the README says, from the
repository folder), then its logs searched."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from enkat.services.people.users import create_user, grant_role
from enkat.weblog import redact
from tests.postgresql import free_port
from tests.visitor import Visitor

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def served(tmp_path):
    """gunicorn on a migrated SQLite database with one deltagare, and its log file."""
    environment = {**os.environ, "ENKAT_DATABASE_URL": f"sqlite:///{tmp_path / 'e.sqlite'}",
                   "ENKAT_SECRET_KEY": "log-test",
                   "ENKAT_SESSION_COOKIE_SECURE": "false"}  # plain http on loopback

    def enkat(*args: str) -> str:
        return subprocess.run([str(BIN / "enkat"), *args], env=environment, cwd=tmp_path,
                              check=True, capture_output=True, text=True).stdout

    enkat("db", "upgrade")
    _create_insats(environment["ENKAT_DATABASE_URL"])
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(port, server)
        yield enkat, f"http://127.0.0.1:{port}", tmp_path / "gunicorn.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


STAFF_EMAIL, STAFF_PASSWORD = "personal@logg.example", "ett långt lösenord"
CODE = "4F73N7"


def _create_insats(url: str) -> None:
    """The insats "torget", a personal of it, and the deltagare CODE enrolled in it."""
    import datetime as dt

    from enkat import create_app
    from enkat.extensions import db
    from enkat.models import InsatsStaff, ResponseSource, Role
    from enkat.services.answering import responses
    from enkat.services.deltagare import participants
    from enkat.services.instruments.versions import resolve_instrument

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        forbund = create_forbund("logg", "Samordningsförbundet Logg")
        insats = create_insats(forbund, "torget", "Torget",
                               starts_on=dt.date(2025, 1, 1))
        user = create_user(STAFF_EMAIL, STAFF_PASSWORD, "Personal Logg")
        grant_role(user, forbund, Role.STAFF)
        db.session.add(InsatsStaff(insats_id=insats.id, user_id=user.id))
        context = responses.ResponseContext(
            forbund=forbund, instrument=resolve_instrument("finsam-inskrivning"),
            insats=insats, participant=participants.get_or_create_participant(forbund, CODE),
            timepoint="start", answered_on=dt.date(2025, 2, 1))
        responses.record_response(context, {"kon": ["man"]}, source=ResponseSource.STAFF)
        db.session.commit()
        db.engine.dispose()


def _wait(port: int, server: subprocess.Popen) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise AssertionError("gunicorn stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn never answered")


def test_a_whole_survey_through_gunicorn_leaves_no_token_in_the_logs(served):
    enkat, base, log = served
    link = _link(enkat, base)
    token = link.rsplit("/", 1)[1]
    browser = Visitor()
    assert browser.get(link).status == 200
    for key in [f"q{number}" for number in range(1, 11)] + ["kon"]:
        browser.get(f"{link}/fraga/{key}")
        page = browser.post(f"{link}/fraga/{key}", {
            f"answer-{key}": "kvinna" if key == "kon" else "4", "go_to": "next"})
        assert page.status == 200, page.text[:500]  # the redirect was followed
    page = browser.post(f"{link}/granska")
    assert page.status == 200 and "Tack" in page.text
    assert browser.get(link).status == 410
    assert browser.get(f"{base}/s/{'x' * 43}").status == 404
    time.sleep(0.5)  # the access log is written after each response
    logged = log.read_text(encoding="utf-8")
    assert logged.count("/s/[token]") >= 25, logged[-2000:]
    assert token not in logged and "x" * 43 not in logged


def test_a_staff_session_leaves_no_deltagare_code_in_the_logs(served):
    """Personal sign in, open the insats page, follow its link to register a form for the
    deltagare (`registrera?…&code=`), post it, open the deltagare's page and chart; a
    signed-out browser asks for the page (`/login?next=%2Fdeltagare%2F…`)."""
    _enkat, base, log = served
    browser = Visitor()
    browser.get(f"{base}/login")
    assert browser.post(f"{base}/login", {"email": STAFF_EMAIL,
                                          "password": STAFF_PASSWORD}).status == 200
    insats = browser.get(f"{base}/insatser/torget/deltagare")
    registrera = re.search(r'href="(/insatser/torget/registrera\?[^"]*code=' + CODE + '[^"]*)"',
                           insats.text)
    assert registrera, insats.text[:3000]
    assert browser.get(base + html.unescape(registrera.group(1))).status == 200
    browser.post(f"{base}/insatser/torget/registrera", {
        "source": "staff", "instrument": "finsam-avslut", "code": CODE,
        "timepoint": "avslut", "answered_on": "2025-06-01"})
    assert browser.get(f"{base}/deltagare/{CODE}").status == 200
    browser.get(f"{base}/deltagare/{CODE}/diagram.svg")
    stranger = Visitor()
    assert "/login?next=" in stranger.get(f"{base}/deltagare/{CODE}").url
    time.sleep(0.5)  # the access log is written after each response
    logged = log.read_text(encoding="utf-8")
    assert logged.count("[kod]") >= 5, logged[-3000:]
    assert CODE not in logged, [line for line in logged.splitlines() if CODE in line]


def _link(enkat, base: str) -> str:
    """A new link, printed by `enkat invite`."""
    return enkat("invite", "--insats", "torget", "--instrument", "nns-deltagare-avslut",
                 "--timepoint", "avslut", "--base-url", base).splitlines()[0]


@pytest.mark.parametrize(("line", "expected"), [
    ("GET /s/AbC-_123456789xyz/fraga/q1 HTTP/1.1", "GET /s/[token]/fraga/q1 HTTP/1.1"),
    ("/nytt-losenord/abcdefghijkl", "/nytt-losenord/[token]"),
    ("https://enkat.example/s/abcdefghijklmnop?lang=ar", "https://enkat.example/s/[token]?lang=ar"),
    ("/static/respond.css", "/static/respond.css"),
    ("/kiosk/fraga/individuellt", "/kiosk/fraga/individuellt"),
    ("GET /deltagare/4F73N7 HTTP/1.1", "GET /deltagare/[kod] HTTP/1.1"),
    ("/deltagare/NV-A1/diagram.svg", "/deltagare/[kod]/diagram.svg"),
    ("/insatser/t/registrera?source=staff&code=4F73N7&timepoint=avslut",
     "/insatser/t/registrera?source=staff&code=[kod]&timepoint=avslut"),
    ("code=4F73N7&source=staff", "code=[kod]&source=staff"),  # gunicorn's query atom
    ("/login?next=%2Fdeltagare%2F4F73N7%2Fdiagram.svg",
     "/login?next=%2Fdeltagare%2F[kod]%2Fdiagram.svg"),
    ("/login?next=%2Finsatser%2Ft%2Fregistrera%3Fsource%3Dstaff%26code%3D4F73N7%26x%3D1",
     "/login?next=%2Finsatser%2Ft%2Fregistrera%3Fsource%3Dstaff%26code%3D[kod]%26x%3D1"),
    ("/kiosk/kod", "/kiosk/kod"),
    ("/forbund/logg?handelse=participant-viewed&zipcode=1",
     "/forbund/logg?handelse=participant-viewed&zipcode=1"),
])
def test_redact(line, expected):
    assert redact(line) == expected
