"""Due lists: which instrument each deltagare is due for, by the insats' schedule."""

from __future__ import annotations

import datetime as dt

from enkat.models import Enrolment, ScheduleEntry, ScheduleTrigger
from enkat.services.deltagare.due import (
    OVERDUE_AFTER,
    Due,
    days_waiting,
    due,
    due_in_insats,
    is_overdue,
    offered_timepoints,
)
from enkat.services.instruments.versions import resolve_instrument

D = dt.date
T = ScheduleTrigger
SCHEDULE = [
    ScheduleEntry(instrument_id="finsam-inskrivning", timepoint="start", trigger=T.AT_START),
    ScheduleEntry(instrument_id="ors", timepoint="session-{n}", trigger=T.EVERY_SESSION),
    ScheduleEntry(instrument_id="nns-deltagare-pagaende", timepoint="pagaende",
                  trigger=T.AFTER_DAYS, days=90),
    ScheduleEntry(instrument_id="skapa", timepoint="uppfoljning-{n}m", trigger=T.EVERY_DAYS,
                  days=90),
    ScheduleEntry(instrument_id="finsam-avslut", timepoint="avslut", trigger=T.AT_EXIT),
    ScheduleEntry(instrument_id="finsam-uppfoljning", timepoint="uppfoljning-6m",
                  trigger=T.AFTER_EXIT_DAYS, days=180),
]
ANONYMOUS = frozenset({"nns-deltagare-pagaende"})


def due_ids(enrolment, answered, today):
    return [(d.instrument_id, d.timepoint) for d in due(SCHEDULE, enrolment, answered, today,
                                                         ANONYMOUS)]


def test_a_new_deltagare_is_due_for_inskrivning_and_the_first_session():
    ongoing = Enrolment(started_on=D(2025, 1, 10), ended_on=None)
    assert due_ids(ongoing, {}, D(2025, 1, 10)) == [("finsam-inskrivning", "start"),
                                                    ("ors", "session-1")]


def test_after_three_months_the_follow_ups_fall_due_in_turn():
    ongoing = Enrolment(started_on=D(2025, 1, 10), ended_on=None)
    answered = {"finsam-inskrivning": {"start"}, "ors": {"session-1", "session-2"}}
    assert due_ids(ongoing, answered, D(2025, 4, 15)) == [
        ("nns-deltagare-pagaende", "pagaende"), ("skapa", "uppfoljning-3m"),
        ("ors", "session-3")]
    answered["skapa"] = {"uppfoljning-3m"}
    assert ("skapa", "uppfoljning-6m") in due_ids(ongoing, answered, D(2025, 7, 20))
    assert ("skapa", "uppfoljning-3m") not in due_ids(ongoing, answered, D(2025, 7, 20))


def test_an_anonymous_survey_is_offered_only_for_a_month():
    ongoing = Enrolment(started_on=D(2025, 1, 10), ended_on=None)
    assert ("nns-deltagare-pagaende", "pagaende") in due_ids(ongoing, {}, D(2025, 5, 8))
    assert ("nns-deltagare-pagaende", "pagaende") not in due_ids(ongoing, {}, D(2025, 5, 11))


def test_at_exit_and_six_months_later():
    ended = Enrolment(started_on=D(2025, 1, 10), ended_on=D(2025, 6, 30))
    assert due_ids(ended, {}, D(2025, 6, 30)) == [("finsam-avslut", "avslut")]
    answered = {"finsam-avslut": {"avslut"}}
    assert due_ids(ended, answered, D(2025, 12, 1)) == []
    assert due(SCHEDULE, ended, answered, D(2026, 1, 2)) == [
        Due("finsam-uppfoljning", "uppfoljning-6m", D(2025, 12, 27))]


def test_due_in_insats_reads_the_schedule_and_the_answers(insats, make_participant,
                                                          make_response):
    insats.schedule = [ScheduleEntry(instrument_id=e.instrument_id, timepoint=e.timepoint,
                                     trigger=e.trigger, days=e.days) for e in SCHEDULE]
    person = make_participant()
    make_response("finsam-inskrivning", {"kon": "man"}, participant=person, timepoint="start",
                  answered_on=D(2025, 3, 1))
    make_response("ors", {"individuellt": "5", "nara-relationer": "5", "socialt": "5",
                          "allmant": "5"}, participant=person, timepoint="session-1",
                  answered_on=D(2025, 3, 1))
    [listed] = due_in_insats(insats, D(2025, 3, 8))
    assert listed.participant.code == person.code
    assert [(d.instrument_id, d.timepoint) for d in listed.due] == [("ors", "session-2")]


def test_a_measurement_is_overdue_after_two_weeks_and_a_session_never_is():
    since = D(2025, 3, 1)
    assert OVERDUE_AFTER == dt.timedelta(days=14)
    assert not is_overdue(since, D(2025, 3, 15)) and days_waiting(since, D(2025, 3, 15)) == 14
    assert is_overdue(since, D(2025, 3, 16)) and days_waiting(since, D(2025, 3, 16)) == 15
    assert days_waiting(since, D(2025, 2, 1)) == 0  # not yet due: not waiting
    ongoing = Enrolment(started_on=D(2024, 1, 10), ended_on=None)
    session = next(d for d in due(SCHEDULE, ongoing, {}, D(2025, 3, 1), ANONYMOUS)
                   if d.instrument_id == "ors")
    assert not is_overdue(session.since, D(2025, 3, 1))  # a session falls due on its day


def test_the_timepoints_offered_follow_the_schedule_and_the_answers(insats, make_participant,
                                                                   make_response):
    """SKAPA every 90 days: the follow-ups fallen due so far; ORS: the sessions missed and
    the next ones; without a deltagare, the first of each."""
    insats.schedule = [ScheduleEntry(instrument_id=e.instrument_id, timepoint=e.timepoint,
                                     trigger=e.trigger, days=e.days) for e in SCHEDULE]
    person = make_participant()
    make_response("finsam-inskrivning", {"kon": "man"}, participant=person, timepoint="start",
                  answered_on=D(2025, 1, 1))
    make_response("ors", {"individuellt": "5", "nara-relationer": "5", "socialt": "5",
                          "allmant": "5"}, participant=person, timepoint="session-2",
                  answered_on=D(2025, 3, 1))
    skapa, ors = resolve_instrument("skapa"), resolve_instrument("ors")
    assert offered_timepoints(skapa, insats, person, D(2025, 7, 15)) == [
        "start", "uppfoljning-3m", "uppfoljning-6m", "avslut"]
    assert offered_timepoints(ors, insats, person, D(2025, 7, 15)) == [
        "session-1", "session-3", "session-4", "session-5"]
    assert offered_timepoints(skapa, insats, None, D(2025, 7, 15)) == [
        "start", "uppfoljning-3m", "avslut"]
