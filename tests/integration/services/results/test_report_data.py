"""The report's data queries: enrolments with their forms, courses, answer counts."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import replace

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Enrolment, InstrumentVersion, Response
from enkat.reports.inputs import SessionFlagCounts
from enkat.reports.period import Period
from enkat.scoring import course, item_courses, ratings_from_responses, session_flags
from enkat.services.instruments.versions import registration_forms, resolve_instrument
from enkat.services.results.report_data import (
    Scope,
    answer_counts,
    area_changes,
    course_scope,
    enrolments_active,
    score_courses,
    session_flag_counts,
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
    facts = {f.participant_id: f for f in enrolments_active(
        [insats.id], Period(D(2025, 1, 1), D(2026, 12, 31)), registration_forms())}
    trial, work, stay = (facts[year[code].id] for code in ("TRIAL1", "WORK22", "STAY33"))
    assert trial.ended_in_trial_period and not work.ended_in_trial_period
    assert work.inskrivning["kon"] == ("man",) and trial.inskrivning["kon"] == ("kvinna",)
    assert work.inskrivning["forsorjning"] == ("forsorjningsstod", "lon")
    assert work.avslut["avslutsanledning"] == ("arbete",)
    assert work.follow_ups == {"uppfoljning-6m": {"lage": ("arbete-studier-arbetssokande",)}}
    assert stay.avslut is None and stay.ended_on is None


def test_only_enrolments_overlapping_the_period_are_active(year, insats):
    spring = Period(D(2025, 3, 1), D(2025, 5, 31))
    active = {f.participant_id for f in enrolments_active([insats.id], spring,
                                                          registration_forms())}
    assert active == {year["WORK22"].id}


def test_answer_counts_are_grouped_by_item_value_timepoint_and_kon(make_response, insats):
    for q1, kon in (("6", "kvinna"), ("6", "kvinna"), ("2", "man"), ("0", None)):
        answers = {"q1": q1} | ({"kon": kon} if kon else {})
        make_response("nns-deltagare-pagaende", answers, timepoint="pagaende",
                      answered_on=D(2025, 4, 1))
    make_response("nns-deltagare-pagaende", {"q1": "5"}, timepoint="pagaende",
                  answered_on=D(2024, 4, 1))
    spring = Period(D(2025, 1, 1), D(2025, 6, 30))
    scope = Scope(insats.forbund_id, (insats.id,), whole_forbund=False)
    counts = {(c.item_id, c.value, c.groups): c.count for c in answer_counts(
        scope, resolve_instrument("nns-deltagare-pagaende"), spring)}
    assert counts == {("q1", "6", ("kvinna",)): 2, ("q1", "2", ("man",)): 1,
                      ("q1", "0", (None,)): 1}  # kön is a group, not a row


SPRING = Period(D(2025, 1, 1), D(2025, 6, 30))
ORS_ITEMS = ("individuellt", "nara-relationer", "socialt", "allmant")
SRS_ITEMS = ("relation", "mal-och-amnen", "metod", "allmant")


def record_lacking(make_response, instrument_id: str, answers: dict, items, **context):
    """A response lacking some of `items`, as those stored before every line of a sum
    was required may: recorded whole through the service, then the lacking lines taken
    away. The report must still read them (no score, the lines it has)."""
    lacking = [item for item in items if item not in answers]
    response = make_response(instrument_id, {**answers, **dict.fromkeys(lacking, "0.0")},
                             **context)
    response.answers = [answer for answer in response.answers if answer.item_id not in lacking]
    return response


@pytest.fixture
def rated(make_response, make_participant, insats):
    """Seeded ORS, SRS and SKAPA ratings of five enrolled deltagare and two not enrolled:
    one who answered in the spring, one only after it.

    Few dates, so several ratings share a day (their order is then the response id);
    some ratings miss items (no ORS/SRS score; SKAPA has one with up to two missing);
    some are after the period; one deltagare has one rating, one has none with a score.
    """
    rng = random.Random(7)
    days = [D(2025, 2, 1), D(2025, 3, 1), D(2025, 5, 1), D(2025, 8, 1)]
    people = [make_participant() for _ in range(7)]
    for person in people[:5]:
        db.session.add(Enrolment(participant_id=person.id, insats_id=insats.id,
                                 started_on=D(2025, 1, 1)))
    skapa_items = [item.id for item in resolve_instrument("skapa").items]
    plans = {0: 7, 1: 6, 2: 1, 3: 4, 4: 5, 5: 3, 6: 2}  # ratings per deltagare
    fixed = {2: D(2025, 3, 1), 6: D(2025, 8, 1)}  # 5 (random) has one in the spring:
    for index, person in enumerate(people):
        for session in range(1, plans[index] + 1):
            day = fixed.get(index) or rng.choice(days)
            if index == 5 and session == 1:
                day = D(2025, 4, 1)
            missing = {2: 0, 3: 1}.get(index, rng.choice((0, 0, 0, 1)))  # 3: no ORS score
            ors = {item: f"{rng.uniform(0, 10):.1f}" for item in ORS_ITEMS[missing:]}
            record_lacking(make_response, "ors", ors, ORS_ITEMS, participant=person,
                           timepoint=f"session-{session}", answered_on=day)
            srs = {item: f"{rng.uniform(7, 10):.1f}" for item in SRS_ITEMS[missing:]}
            record_lacking(make_response, "srs", srs, SRS_ITEMS, participant=person,
                           timepoint=f"session-{session}", answered_on=day)
            kept = skapa_items[rng.choice((0, 0, 1, 2, 3)):]
            make_response("skapa", {item: str(rng.randint(1, 10)) for item in kept},
                          participant=person, timepoint="start", answered_on=day)
    db.session.flush()
    return people


def all_ratings(instrument_id: str, period: Period) -> dict[int, list[tuple]]:
    """Every (date, answers) up to the period's end of each deltagare enrolled, or who
    answered the instrument in the period, in the order the report uses: by date, then
    by id, as plain Python sees them."""
    responses = db.session.scalars(
        select(Response).join(InstrumentVersion)
        .where(InstrumentVersion.instrument_id == instrument_id,
               Response.answered_on <= period.end)
        .order_by(Response.answered_on, Response.id)).all()
    counted = set(db.session.scalars(select(Enrolment.participant_id))) | {
        r.participant_id for r in responses if period.contains(r.answered_on)}
    found: dict[int, list[tuple]] = defaultdict(list)
    for response in responses:
        if response.participant_id in counted:
            answers = defaultdict(list)
            for answer in response.answers:
                answers[answer.item_id].append(answer.value)
            found[response.participant_id].append(
                (response.answered_on, {item: tuple(v) for item, v in answers.items()}))
    return found


@pytest.mark.parametrize("instrument_id", ["ors", "skapa"])
def test_score_courses_keep_first_latest_and_count_of_all_ratings(rated, insats,
                                                                  instrument_id):
    instrument = resolve_instrument(instrument_id)
    score = instrument.scores[0]
    expected = {}
    for participant_id, responses in all_ratings(instrument_id, SPRING).items():
        whole = course(ratings_from_responses(instrument, score, responses))
        expected[participant_id] = (whole.n_ratings, whole.first_at, whole.first,
                                    whole.latest_at, whole.latest)
    scope = course_scope([insats.id], [instrument.id], SPRING)
    found = {c.participant_id: (c.n_rated, c.first_on, c.first, c.latest_on, c.latest)
             for c in score_courses(scope, instrument, score)}
    assert found == expected
    assert rated[5].id in found  # not enrolled, answered in the spring: their course counts
    assert rated[6].id not in found  # not enrolled, answered only after the spring
    if instrument_id == "ors":
        assert found[rated[2].id][0] == 1  # one rating only
        assert found[rated[3].id] == (0, None, None, None, None)  # no rating with a score


def test_the_fixture_has_ratings_on_the_same_day_and_after_the_period(rated):
    days = [day for responses in all_ratings("ors", Period(SPRING.start, D(2025, 12, 31)))
            .values() for day in {d for d, _ in responses}]
    by_person = [[d for d, _ in r] for r in all_ratings("ors", SPRING).values()]
    assert any(len(set(d)) < len(d) for d in by_person) and max(days) > SPRING.end


def test_area_changes_count_the_item_courses_by_their_change(rated, insats):
    instrument = resolve_instrument("skapa")
    score = instrument.scores[0]
    expected = defaultdict(lambda: [0, 0.0, 0.0])
    for responses in all_ratings("skapa", SPRING).values():
        areas = item_courses(ratings_from_responses(instrument, score, responses), score.items)
        for area, c in areas.items():
            if c.change is not None:
                counted = expected[(area, c.change)]
                counted[0] += 1
                counted[1] += c.first
                counted[2] += c.latest
    found = {(c.item_id, c.change): [c.n, c.first_total, c.latest_total]
             for c in area_changes(course_scope([insats.id], [instrument.id], SPRING), instrument,
                                score.items)}
    assert found == dict(expected) and len(found) > len(score.items)


#: The SRS score as declared, prorated when an item is missing, and a mean where lower is
#: better (cut-off, item flag and drop then point the other way).
SRS_VARIANTS = ({}, {"max_missing": 1}, {"max_missing": 1, "method": "mean", "cutoff": 8.6,
                                         "drop_flag": 0.3, "higher_is_better": False})


@pytest.mark.parametrize("variant", SRS_VARIANTS)
def test_session_flags_are_counted_as_scoring_flags_each_session(rated, insats, variant):
    instrument = resolve_instrument("srs")
    score = replace(instrument.scores[0], **variant)
    ratings = sessions = below = item_low = dropped = people = 0
    for responses in all_ratings("srs", SPRING).values():
        flags = [f for f in session_flags(score, ratings_from_responses(
            instrument, score, responses)) if f.value is not None]
        ratings += len(responses)
        sessions += len(flags)
        below += sum(f.below_cutoff for f in flags)
        item_low += sum(bool(f.items_below) for f in flags)
        dropped += sum(f.dropped for f in flags)
        people += any(f.flagged for f in flags)
    expected = SessionFlagCounts("srs", "total", ratings, sessions, below, item_low, dropped,
                                 people)
    assert session_flag_counts(
        course_scope([insats.id], [instrument.id], SPRING), instrument, score) == expected
    assert 0 < sessions <= ratings and 0 < below and 0 < item_low and 0 < dropped < sessions
