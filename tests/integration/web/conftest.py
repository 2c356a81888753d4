"""Fixtures of the web tests: a personal user of the insats, signed in, the förbund's
administrator signed in, an enrolled
deltagare, a tablet in kiosk mode, and a clock the sign-in and link limits can be moved
forward on."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.extensions import db
from enkat.models import InsatsStaff, Role, ScheduleEntry, ScheduleTrigger, utcnow
from enkat.services.deltagare import participants

from .test_auth import sign_in
from .test_staff_entry import add_staff, enrol

#: The PIN the `kiosk` fixture starts its kiosk with.
PIN = "2468"


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
def signed_in_admin(client, admin):
    """The test förbund's administrator (`admin`), signed in on `client`."""
    sign_in(client, admin.email)
    return admin


@pytest.fixture
def as_admin(client, signed_in_admin):
    """`client`, signed in as the test förbund's administrator. What the test made so far
    is committed, so that it is kept when a refused request rolls its own work back."""
    db.session.commit()
    return client


@pytest.fixture
def deltagare(make_participant, make_response):
    """ABC123, enrolled in the insats by an inskrivning."""
    participant = make_participant("ABC123")
    enrol(make_response, participant)
    return participant


@pytest.fixture
def kiosk_insats(insats):
    insats.schedule = [
        ScheduleEntry(instrument_id="finsam-inskrivning", timepoint="start",
                      trigger=ScheduleTrigger.AT_START),
        ScheduleEntry(instrument_id="ors", timepoint="session-{n}",
                      trigger=ScheduleTrigger.EVERY_SESSION),
        ScheduleEntry(instrument_id="srs", timepoint="session-{n}",
                      trigger=ScheduleTrigger.EVERY_SESSION),
        ScheduleEntry(instrument_id="nns-deltagare-pagaende", timepoint="pagaende",
                      trigger=ScheduleTrigger.AFTER_DAYS, days=0),
    ]
    db.session.flush()
    return insats


@pytest.fixture
def enrolled(kiosk_insats, make_participant):
    """Two deltagare in the insats, by code."""
    codes = []
    for code in ("KIOSK-A", "KIOSK-B"):
        participant = make_participant(code)
        participants.start_enrolment(participant, kiosk_insats, dt.date.today())
        codes.append(code)
    return codes


@pytest.fixture
def staff_member(make_user, kiosk_insats):
    user = make_user()
    db.session.add(InsatsStaff(insats_id=kiosk_insats.id, user_id=user.id))
    db.session.flush()
    return user


@pytest.fixture
def kiosk(client, staff_member, kiosk_insats, enrolled):
    """The test client as a tablet in kiosk mode for the insats."""
    sign_in(client, staff_member.email)
    started = client.post("/kiosk/starta", data={"insats": kiosk_insats.id, "pin": PIN,
                                                 "pin_again": PIN})
    assert started.status_code == 302 and started.headers["Location"] == "/kiosk/"
    return client


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
