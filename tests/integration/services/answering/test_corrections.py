"""Correcting an answer and removing a wrongly entered response: checked by the
instrument, refused in Swedish with nothing written, kept in the audit log with the old
and new values, who, when and why; registration forms keep the enrolment consistent;
reports follow the correction while an approved document stays as it was filed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import AuditEvent, Enrolment, Response, Role
from enkat.reports.filed.snapshot import report_snapshot
from enkat.reports.period import Period
from enkat.services import Refused
from enkat.services.answering.corrections import (
    correct_answer,
    history_of,
    may_change,
    remove_response,
    removed_responses,
    visible_response,
)
from enkat.services.answering.responses import answers_of
from enkat.services.documents import approve, create_document, document_view, send
from enkat.services.documents.content import live_report
from enkat.services.results.reports import build_report_for

ORS = {"individuellt": "4.0", "nara-relationer": "5.0", "socialt": "6.0", "allmant": "7.0"}
YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def personal(make_user, insats):
    user = make_user(Role.STAFF)
    user.display_name = "Pia Personal"
    insats.staff.append(user)
    db.session.flush()
    return user


@pytest.fixture
def deltagare(make_participant):
    return make_participant("ABC123")


@pytest.fixture
def inskrivning(make_response, deltagare):
    return make_response("finsam-inskrivning", {"kon": "man", "aldersgrupp": "30-44"},
                         participant=deltagare, timepoint="start",
                         answered_on=dt.date(2025, 2, 1))


@pytest.fixture
def ors(make_response, deltagare, inskrivning):
    return make_response("ors", ORS, participant=deltagare, timepoint="session-1",
                         answered_on=dt.date(2025, 3, 1))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def refusal(call, *args) -> dict[str, list[str]]:
    """The refusal's messages by field, checking that nothing was written."""
    before = (answers_by_response(), db.session.scalar(
        select(func.count()).select_from(AuditEvent)))
    with pytest.raises(Refused) as refused:
        call(*args)
    db.session.expire_all()
    assert (answers_by_response(), db.session.scalar(
        select(func.count()).select_from(AuditEvent))) == before
    found: dict[str, list[str]] = {}
    for problem in refused.value.problems:
        found.setdefault(problem.field, []).append(problem.message)
    return found


def answers_by_response() -> dict[int, dict]:
    return {response.id: answers_of(response)
            for response in db.session.scalars(select(Response))}


# --- who sees, who changes ----------------------------------------------------------------


def test_who_sees_and_who_changes_a_response(make_user, make_insats, personal, inskrivning,
                                             admin):
    other = make_user(Role.STAFF)
    elsewhere = make_insats("annan")
    elsewhere.staff.append(other)
    db.session.flush()
    analyst = make_user(Role.ANALYST)
    assert visible_response(personal, inskrivning.id) is inskrivning
    assert visible_response(analyst, inskrivning.id) is inskrivning
    assert visible_response(admin, inskrivning.id) is inskrivning
    assert visible_response(other, inskrivning.id) is None
    assert visible_response(personal, inskrivning.id + 1000) is None
    assert [may_change(user, inskrivning) for user in (personal, admin, analyst)] == [
        True, True, False]


# --- correcting ---------------------------------------------------------------------------


def test_a_correction_replaces_the_answer_and_keeps_both_values(personal, inskrivning):
    event = correct_answer(inskrivning, "kon", ["kvinna"], " Fel från papper. ", personal)
    db.session.expire_all()
    assert answers_of(inskrivning) == {"kon": ("kvinna",), "aldersgrupp": ("30-44",)}
    assert (event.action, event.user_id, event.subject) == (
        "response-corrected", personal.id, "ABC123")
    assert event.detail == {"response": inskrivning.id, "instrument": "finsam-inskrivning",
                            "version": event.detail["version"], "item": "kon",
                            "before": ["man"], "after": ["kvinna"],
                            "reason": "Fel från papper."}
    [change] = history_of(inskrivning)
    assert (change.by, change.question, change.before, change.after, change.reason) == (
        "Pia Personal", "Kön", "Man", "Kvinna", "Fel från papper.")


def test_an_optional_answer_may_be_emptied_and_a_number_is_said_in_swedish(personal, ors,
                                                                          inskrivning):
    correct_answer(inskrivning, "aldersgrupp", [], "Åldern var okänd.", personal)
    correct_answer(ors, "socialt", ["6.5"], "Mätt fel.", personal)
    db.session.expire_all()
    assert "aldersgrupp" not in answers_of(inskrivning)
    assert answers_of(ors)["socialt"] == ("6.5",)
    assert [(c.before, c.after) for c in history_of(ors)] == [("6", "6,5")]
    assert [(c.before, c.after) for c in history_of(inskrivning)] == [("30–44 år", "Inget svar")]


@pytest.mark.parametrize(("item", "values", "reason", "expected"), [
    ("kon", ["kvinna"], "", {"reason": ["Skriv varför svaret ändras."]}),
    ("kon", ["kvinna"], "   ", {"reason": ["Skriv varför svaret ändras."]}),
    ("kon", ["kvinna"], "x" * 501, {"reason": ["Skriv högst 500 tecken."]}),
    ("kon", ["okand-kod"], "Fel.", {"answer": ["Svaret går inte att spara: välj ett av svaren."]}),
    ("kon", [], "Fel.", {"answer": ["Frågan måste besvaras."]}),
    ("kon", ["man"], "Fel.", {"answer": ["Det nya svaret är detsamma som det gamla."]}),
    ("kon", ["man", "kvinna"], "Fel.", {"answer": [
        "Svaret går inte att spara: välj ett av svaren."]}),
    ("samtycke-info", ["x"], "Fel.", {"answer": ["Frågan finns inte i svaret."]}),
    ("finns-inte", ["x"], "Fel.", {"answer": ["Frågan finns inte i svaret."]}),
])
def test_bad_corrections_are_refused_at_their_field(personal, inskrivning, item, values,
                                                     reason, expected):
    assert refusal(correct_answer, inskrivning, item, values, reason, personal) == expected


def test_a_number_out_of_range_is_refused(personal, ors):
    found = refusal(correct_answer, ors, "socialt", ["11"], "Fel.", personal)
    assert found == {"answer": ["Svaret går inte att spara: skriv ett tal från 0 till 10 "
                                "med högst en decimal."]}


# --- reports and filed documents ----------------------------------------------------------


def test_a_report_follows_a_correction_and_an_approved_document_does_not(
        forbund, insats, personal, admin, make_participant, make_response, inskrivning):
    forbund.suppression_threshold = 1  # one deltagare's answers show in the tables
    document = create_document(forbund, insats, "delrapport", YEAR, personal)
    send(document, personal)
    approve(document, admin)
    filed = document_view(document)
    before = report_snapshot(build_report_for(forbund, insats, period=YEAR))

    correct_answer(inskrivning, "kon", ["kvinna"], "Fel från papper.", personal)
    db.session.expire_all()

    after = report_snapshot(build_report_for(forbund, insats, period=YEAR))
    assert after != before
    assert report_snapshot(live_report(document)) == after
    assert document_view(document) == filed


# --- removing -----------------------------------------------------------------------------


def test_a_removed_response_leaves_the_data_and_stays_in_the_log(personal, deltagare, ors,
                                                                   insats):
    ors_id = ors.id
    remove_response(ors, "Fel deltagare.", personal)
    db.session.expire_all()
    assert db.session.get(Response, ors_id) is None
    [event] = events("response-removed")
    assert event.detail["answers"] == {key: [value] for key, value in ORS.items()}
    assert (event.detail["reason"], event.detail["timepoint"]) == ("Fel deltagare.",
                                                                   "session-1")
    [removed] = removed_responses(deltagare, [insats.id])
    assert removed.title.startswith("ORS")
    assert (removed.by, removed.reason, removed.answered_on) == (
        "Pia Personal", "Fel deltagare.", "2025-03-01")
    assert removed.answers[0] == ("Individuellt", "4")
    assert removed_responses(deltagare, []) == []


def test_a_removal_needs_a_reason(personal, ors):
    assert refusal(remove_response, ors, " ", personal) == {
        "reason": ["Skriv varför svaret tas bort."]}


def enrolments(deltagare) -> list[tuple]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Enrolment.started_on, Enrolment.ended_on)
        .where(Enrolment.participant_id == deltagare.id).order_by(Enrolment.id)))


def test_removing_the_avslut_reopens_the_enrolment(personal, deltagare, make_response,
                                                   inskrivning):
    avslut = make_response("finsam-avslut", {"avslutsanledning": "arbete"},
                           participant=deltagare, timepoint="avslut",
                           answered_on=dt.date(2025, 5, 1))
    assert enrolments(deltagare) == [(dt.date(2025, 2, 1), dt.date(2025, 5, 1))]
    remove_response(avslut, "Avslutet gällde en annan deltagare.", personal)
    assert enrolments(deltagare) == [(dt.date(2025, 2, 1), None)]


def test_removing_the_inskrivning_alone_takes_its_enrolment(personal, deltagare, inskrivning):
    remove_response(inskrivning, "Fel kod.", personal)
    assert enrolments(deltagare) == []


def test_what_cannot_be_undone_safely_is_refused(personal, deltagare, make_response,
                                                 inskrivning, ors):
    assert refusal(remove_response, inskrivning, "Fel kod.", personal) == {"reason": [
        "Inskrivningen kan inte tas bort: deltagaren har ett annat svar under "
        "inskrivningen. Ta bort dem först, eller rätta inskrivningens svar i stället."]}
    avslut = make_response("finsam-avslut", {"avslutsanledning": "arbete"},
                           participant=deltagare, timepoint="avslut",
                           answered_on=dt.date(2025, 5, 1))
    make_response("finsam-inskrivning", {"kon": "man"}, participant=deltagare,
                  timepoint="start", answered_on=dt.date(2025, 8, 1))
    assert refusal(remove_response, avslut, "Fel.", personal) == {"reason": [
        "Avslutet kan inte tas bort: deltagaren skrevs in igen 2025-08-01. Ta bort den nya "
        "inskrivningen först, eller rätta avslutets svar i stället."]}


def test_an_avslut_followed_by_a_follow_up_is_not_removed(personal, deltagare, make_response,
                                                          inskrivning):
    avslut = make_response("finsam-avslut", {"avslutsanledning": "arbete"},
                           participant=deltagare, timepoint="avslut",
                           answered_on=dt.date(2025, 5, 1))
    make_response("ors", ORS, participant=deltagare, timepoint="session-2",
                  answered_on=dt.date(2025, 6, 1))
    message = refusal(remove_response, avslut, "Fel.", personal)["reason"][0]
    assert message.startswith("Avslutet kan inte tas bort: deltagaren har ett annat svar "
                              "efter avslutet")
