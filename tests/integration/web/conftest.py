"""Fixtures of the web tests: a personal user of the insats, signed in, an enrolled
deltagare, and a clock the sign-in and link limits can be moved forward on."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.models import Role, utcnow

from .test_auth import sign_in
from .test_staff_entry import add_staff, enrol


@pytest.fixture
def personal(make_user, insats):
    user = make_user(Role.STAFF)
    add_staff(user, insats)
    return user


@pytest.fixture
def signed_in(client, personal):
    sign_in(client, personal.email)
    return client


@pytest.fixture
def deltagare(make_participant, make_response):
    """ABC123, enrolled in the insats by an inskrivning."""
    participant = make_participant("ABC123")
    enrol(make_response, participant)
    return participant


#: The modules that read the time for the sign-in, session, link-guessing and kiosk limits.
LIMIT_CLOCKS = ("enkat.services.people.accounts", "enkat.services.answering.link_guard",
                "enkat.services.answering.kiosks", "enkat.services.people.sign_ins",
                "enkat.services.audit.events", "enkat.services.answering.invitations",
                "enkat.web.auth.signin", "enkat.web.respond.survey")


class Clock:
    """Lets time pass for the limits; the audit log itself cannot be changed (its rows
    are append-only), so the tests move the clock, not the events."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = dt.timedelta()
        for module in LIMIT_CLOCKS:
            monkeypatch.setattr(f"{module}.utcnow", self.now)

    def now(self) -> dt.datetime:
        return utcnow() + self.offset

    def advance(self, minutes: float) -> None:
        self.offset += dt.timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
