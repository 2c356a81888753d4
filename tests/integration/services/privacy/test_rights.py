"""A deltagare's rights: to see everything enkat holds about them, and to be erased."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    AuditEvent,
    Enrolment,
    Invitation,
    Participant,
    Response,
    ResponseSource,
)
from enkat.services import NotFound
from enkat.services.answering.invitations import create_invitation
from enkat.services.deltagare import participants
from enkat.services.privacy.rights import erase_participant, participant_data

#: Every line of an ORS: its total needs them all.
WHOLE_ORS = {"individuellt": "4.5", "nara-relationer": "5.0", "socialt": "6.0", "allmant": "5.5"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def two_deltagare(forbund, insats, make_participant, make_response):
    kept, erased = make_participant("KEEP-1"), make_participant("ERASE-1")
    for person in (kept, erased):
        participants.start_enrolment(person, insats, dt.date(2025, 1, 10))
        make_response("ors", WHOLE_ORS, participant=person, timepoint="session-1",
                      source=ResponseSource.KIOSK)
    create_invitation(insats, "ors", "session-2", participant=erased)
    return kept, erased


def test_a_deltagare_sees_everything_enkat_holds_about_them(forbund, two_deltagare, make_user):
    admin = make_user()
    data = participant_data(forbund, "erase-1", admin)
    assert data["code"] == "ERASE-1" and data["enrolments"][0]["started_on"] == "2025-01-10"
    [response] = data["responses"]
    assert response["instrument"] == "ors" and response["answers"] == {
        item: [value] for item, value in WHOLE_ORS.items()}
    assert response["source"] == "kiosk"
    [link] = data["links"]
    assert link["timepoint"] == "session-2" and "token" not in str(link)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant-exported")).one()
    assert event.user_id == admin.id and event.subject == "ERASE-1"


def test_erasing_a_deltagare_removes_them_and_everything_about_them(forbund, two_deltagare):
    kept, erased = two_deltagare
    erased_id = erased.id
    assert erase_participant(forbund, "ERASE-1") == 1
    db.session.expire_all()
    assert db.session.get(Participant, erased_id) is None
    for model, column in ((Response, Response.participant_id),
                          (Enrolment, Enrolment.participant_id),
                          (Invitation, Invitation.participant_id)):
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(column == erased_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.participant_id == kept.id)) == 1
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant-erased")).one()
    assert event.detail == {"responses": 1}


def test_an_unknown_code_is_refused_by_name(forbund):
    with pytest.raises(NotFound, match='okänd deltagare "NOPE"'):
        participant_data(forbund, "NOPE")
    with pytest.raises(NotFound):
        erase_participant(forbund, "NOPE")
