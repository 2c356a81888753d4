"""The report's data queries: enrolments with their forms, ratings, answer counts."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.extensions import db
from enkat.models import Enrolment
from enkat.reports.period import Period
from enkat.services.report_data import (
    answer_counts,
    enrolments_active,
    ratings,
)

D = dt.date


@pytest.fixture
def year(make_response, make_participant):
    """Three deltagare: ended in the trial period, ended after it, and ongoing."""
    codes = {}
    for code, start, end, reason in (("TRIAL1", D(2025, 1, 10), D(2025, 2, 20), "sjukdom"),
                                     ("WORK22", D(2025, 2, 1), D(2025, 9, 30), "arbete"),
                                     ("STAY33", D(2025, 6, 1), None, None)):
        codes[code] = person = make_participant(code)
        make_response("finsam-inskrivning", {"kon": "kvinna" if code != "WORK22" else "man",
                                             "forsorjning": ["forsorjningsstod", "lon"]},
                      participant=person, timepoint="start", answered_on=start)
        if end:
            make_response("finsam-avslut", {"avslutsanledning": reason, "forsorjning": "lon"},
                          participant=person, timepoint="avslut", answered_on=end)
    make_response("finsam-uppfoljning", {"lage": "arbete-studier-arbetssokande"},
                  participant=codes["WORK22"], timepoint="uppfoljning-6m",
                  answered_on=D(2026, 3, 30))
    return codes


def test_enrolments_carry_their_registration_forms(year, insats):
    facts = {f.participant_id: f for f in enrolments_active([insats.id], Period(D(2025, 1, 1),
                                                                               D(2026, 12, 31)))}
    trial, work, stay = (facts[year[code].id] for code in ("TRIAL1", "WORK22", "STAY33"))
    assert trial.ended_in_trial_period and not work.ended_in_trial_period
    assert work.kon == "man" and trial.kon == "kvinna"
    assert work.inskrivning["forsorjning"] == ("forsorjningsstod", "lon")
    assert work.avslut["avslutsanledning"] == ("arbete",)
    assert work.follow_ups == {"uppfoljning-6m": {"lage": ("arbete-studier-arbetssokande",)}}
    assert stay.avslut is None and stay.ended_on is None


def test_only_enrolments_overlapping_the_period_are_active(year, insats):
    spring = Period(D(2025, 3, 1), D(2025, 5, 31))
    active = {f.participant_id for f in enrolments_active([insats.id], spring)}
    assert active == {year["WORK22"].id}


def test_answer_counts_are_grouped_by_item_value_timepoint_and_kon(make_response, insats):
    for q1, kon in (("6", "kvinna"), ("6", "kvinna"), ("2", "man"), ("0", None)):
        answers = {"q1": q1} | ({"kon": kon} if kon else {})
        make_response("nns-deltagare-pagaende", answers, timepoint="pagaende",
                      answered_on=D(2025, 4, 1))
    make_response("nns-deltagare-pagaende", {"q1": "5"}, timepoint="pagaende",
                  answered_on=D(2024, 4, 1))
    spring = Period(D(2025, 1, 1), D(2025, 6, 30))
    counts = {(c.item_id, c.value, c.kon): c.count
              for c in answer_counts([insats.id], ["nns-deltagare-pagaende"], spring)}
    assert counts == {("q1", "6", "kvinna"): 2, ("q1", "2", "man"): 1, ("q1", "0", None): 1,
                      ("kon", "kvinna", "kvinna"): 2, ("kon", "man", "man"): 1}


def test_ratings_come_with_their_answers_in_date_order(make_response, make_participant, insats):
    person = make_participant()
    for session, (day, value) in enumerate(((D(2025, 3, 1), "5"), (D(2025, 2, 1), "4"),
                                            (D(2025, 9, 1), "9")), start=1):
        make_response("ors", {"individuellt": value, "nara-relationer": value,
                              "socialt": value, "allmant": value},
                      participant=person, timepoint=f"session-{session}", answered_on=day)
    person_elsewhere = make_participant()
    make_response("ors", {"individuellt": "1", "nara-relationer": "1", "socialt": "1",
                          "allmant": "1"}, participant=person_elsewhere, timepoint="session-1",
                  answered_on=D(2025, 2, 1))
    enrol = Enrolment(participant_id=person.id, insats_id=insats.id, started_on=D(2025, 1, 1))
    db.session.add(enrol)
    db.session.flush()
    found = ratings([insats.id], ["ors"], Period(D(2025, 1, 1), D(2025, 6, 30)))
    assert [(r.timepoint, r.answers["socialt"]) for r in found] == [
        ("session-2", ("4.0",)), ("session-1", ("5.0",))]
