"""The demo förbund: a believable year of data, the same every time it is loaded."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from statistics import median

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from enkat.demo import (
    DEMO_FORBUND_SLUG,
    DEMO_PASSWORD,
    REFERENCE_TODAY,
    DemoAlreadyLoaded,
    load_demo,
)
from enkat.models import Campaign, Enrolment, Participant, Response, Role
from enkat.services import ServiceError
from enkat.services.answering.responses import answers_of
from enkat.services.deltagare.participants import CODE_ALPHABET
from enkat.services.instruments.versions import bundled_instruments, resolve_instrument
from enkat.services.organisation.forbund import get_forbund
from enkat.services.people.passwords import password_matches
from enkat.services.people.users import find_user

#: Answered once a year by invited personal, chefer, styrelse and remittenter, never by
#: or about a deltagare, so the demo's year of deltagare data has none of them.
NOT_IN_DEMO = {"nns-remittent"}
TRIAL_PERIOD = dt.timedelta(days=90)


def demo_responses(session) -> list[Response]:
    forbund = get_forbund(DEMO_FORBUND_SLUG)
    return list(session.scalars(
        select(Response)
        .where(Response.forbund_id == forbund.id)
        .options(
            selectinload(Response.answers),
            selectinload(Response.participant),
            selectinload(Response.insats),
            selectinload(Response.instrument_version),
        )
    ))


def demo_enrolments(session) -> list[Enrolment]:
    forbund = get_forbund(DEMO_FORBUND_SLUG)
    return list(session.scalars(
        select(Enrolment).join(Participant).where(Participant.forbund_id == forbund.id)
    ))


@contextmanager
def rolled_back(session) -> Iterator[None]:
    """Run the block in a savepoint, then forget its rows as if they had never existed."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        # Rows read back inside the savepoint are not known to it as new, so a rollback
        # leaves them in the identity map; a fresh load would then reuse their keys.
        session.expunge_all()


def fingerprint(session) -> tuple:
    """Everything the demo decides: codes, and each response's frame and answers."""
    forbund = get_forbund(DEMO_FORBUND_SLUG)
    codes = sorted(session.scalars(
        select(Participant.code).where(Participant.forbund_id == forbund.id)
    ))
    responses = sorted(
        (
            response.external_id,
            response.instrument_version.instrument_id,
            response.insats.slug if response.insats else "",
            response.participant.code if response.participant else "",
            response.timepoint,
            response.answered_on,
            response.source.value,
            tuple(sorted(answers_of(response).items())),
        )
        for response in demo_responses(session)
    )
    enrolments = sorted(
        (e.participant.code, e.insats.slug, e.started_on, e.ended_on or dt.date.max)
        for e in demo_enrolments(session)
    )
    return tuple(codes), tuple(responses), tuple(enrolments)


def ors_classes(session) -> Counter[str]:
    """Each deltagare's ORS course classified by the rules in ORS-SRS.md."""
    total = resolve_instrument("ors").score("total")
    courses: dict[str, dict[int, float]] = defaultdict(dict)
    for response in demo_responses(session):
        if response.instrument_version.instrument_id == "ors":
            session_number = int(response.timepoint.removeprefix("session-"))
            courses[response.participant.code][session_number] = total_of(response)
    classes: Counter[str] = Counter()
    for totals in courses.values():
        first, latest = totals[min(totals)], totals[max(totals)]
        classes[classify(first, latest, len(totals), total.cutoff, total.rci)] += 1
    return classes


def total_of(response: Response) -> float:
    """The sum of a response's line marks (ORS and SRS items are all lines)."""
    return sum(float(values[0]) for values in answers_of(response).values())


def classify(first: float, latest: float, ratings: int, cutoff: float, rci: float) -> str:
    change = latest - first
    if ratings == 1:
        return "one-rating"
    if first > cutoff:
        return "above-cutoff"
    if change >= rci:
        return "recovered" if latest > cutoff else "improved"
    return "deteriorated" if change <= -rci else "unchanged"


def test_demo_loads_a_year_of_three_insatser(demo, db_session):
    forbund = get_forbund(DEMO_FORBUND_SLUG)
    assert demo.forbund_slug == "alvdalen"
    assert demo.forbund_name == forbund.name == "Samordningsförbundet Älvdalen"
    assert demo.insatser == len(forbund.insatser) == 3
    assert 55 <= demo.deltagare <= 65
    for insats in forbund.insatser:
        assert insats.staff and insats.schedule and insats.goals
        assert insats.trial_period_days == 90
    responses = demo_responses(db_session)
    assert Counter(r.instrument_version.instrument_id for r in responses) == Counter(
        demo.responses_by_instrument
    )
    assert set(demo.responses_by_instrument) == set(bundled_instruments()) - NOT_IN_DEMO
    codes = db_session.scalars(select(Participant.code)).all()
    assert len(codes) == demo.deltagare
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_demo_logins_work_with_the_printed_password(demo):
    roles = Counter(login.role for login in demo.logins)
    assert roles[Role.ADMIN] == 1 and roles[Role.ANALYST] == 1 and 2 <= roles[Role.STAFF] <= 3
    assert all(login.email.endswith(".example") for login in demo.logins)
    assert all(login.password == DEMO_PASSWORD for login in demo.logins)
    admin = find_user("admin@alvdalen.example")
    assert admin is not None and password_matches(admin, DEMO_PASSWORD)


def test_demo_enrolments_start_and_some_end_in_the_trial_period(demo, db_session):
    enrolments = demo_enrolments(db_session)
    ended = [e for e in enrolments if e.ended_on is not None]
    in_trial = [e for e in ended if e.ended_on - e.started_on < TRIAL_PERIOD]
    assert len(enrolments) == demo.deltagare
    assert 0.55 * demo.deltagare <= len(ended) <= 0.8 * demo.deltagare
    assert 2 <= len(in_trial) < len(ended) / 2
    assert all(
        REFERENCE_TODAY - dt.timedelta(days=365) < e.started_on <= REFERENCE_TODAY
        for e in enrolments
    )
    assert demo.responses_by_instrument["finsam-avslut"] == len(ended)


def test_nns_answers_are_anonymous_and_mostly_positive(demo, db_session):
    nns = [r for r in demo_responses(db_session)
           if r.instrument_version.instrument_id.startswith("nns-deltagare")]
    assert nns and all(r.participant is None and r.insats is not None for r in nns)
    values = Counter(a.value for r in nns for a in r.answers if a.item_id.startswith("q"))
    assert values["0"] > 0
    answered = sum(count for value, count in values.items() if value != "0")
    assert 0.4 < (values["5"] + values["6"]) / answered < 0.8
    assert {r.source.value for r in nns} == {"link", "kiosk", "paper"}
    with_kon = [r for r in nns if "kon" in answers_of(r)]
    assert 0 < len(with_kon) < len(nns)


def test_ors_and_srs_look_like_real_courses(demo, db_session):
    classes = ors_classes(db_session)
    assert {"recovered", "improved", "unchanged", "deteriorated"} <= set(classes)
    assert classes["recovered"] + classes["improved"] > classes["deteriorated"]
    responses = demo_responses(db_session)
    intakes = [
        total_of(r) for r in responses
        if r.instrument_version.instrument_id == "ors" and r.timepoint == "session-1"
    ]
    assert 15 <= median(intakes) <= 21
    srs = [answers_of(r) for r in responses if r.instrument_version.instrument_id == "srs"]
    below_cutoff = [answers for answers in srs if sum(float(v[0]) for v in answers.values()) < 36]
    assert 0 < len(below_cutoff) < 0.3 * len(srs)
    assert any(float(v[0]) < 9 for answers in srs for v in answers.values())


def test_loading_twice_says_already_loaded(demo):
    with pytest.raises(DemoAlreadyLoaded, match="already loaded") as refused:
        load_demo()
    assert isinstance(refused.value, ServiceError)


def test_same_seed_gives_the_same_data(demo_rows, db_session):
    """Loaded now, and loaded for the session (`demo_rows`), with the same seed."""
    with rolled_back(db_session):
        load_demo(today=REFERENCE_TODAY)
        loaded_now = fingerprint(db_session)
    demo_rows.copy_into(db_session.connection())
    assert fingerprint(db_session) == loaded_now


def test_the_demo_has_closed_utskick_of_the_staff_surveys_with_their_answers(demo, db_session):
    campaigns = db_session.scalars(select(Campaign).order_by(Campaign.created_at)).all()
    assert {c.instrument_version.instrument_id for c in campaigns} == {
        "nns-personal", "nns-chefer", "nns-styrelse"}
    assert {c.created_at.year for c in campaigns} == {2024, 2025}
    for campaign in campaigns:
        assert campaign.closed_at is not None and campaign.insats_id is None
        assert all(r.email is None and r.invitation_id is None for r in campaign.recipients)
        answered = sum(r.answered for r in campaign.recipients)
        responses = db_session.scalars(
            select(Response).where(Response.campaign_id == campaign.id)).all()
        assert len(responses) == answered and 0 < answered < len(campaign.recipients)
        assert all(r.participant_id is None and r.source.value == "link" for r in responses)


def test_the_demo_has_example_prices_and_each_insats_cost_per_year(demo, db_session):
    from enkat.reports.period import Period
    from enkat.scoring.samhallsnytta import Assumptions, Price
    from enkat.services.samhallsnytta import insats_costs, price_years, report_inputs

    forbund = get_forbund(DEMO_FORBUND_SLUG)
    year = REFERENCE_TODAY.year
    assert price_years(forbund) == [year, year - 1, year - 2]
    steget = next(insats for insats in forbund.insatser if insats.slug == "steget-vidare")
    inputs = report_inputs(forbund, [steget.id], Period(dt.date(year, 1, 1),
                                                        dt.date(year, 12, 31)), Assumptions())
    assert inputs.example_prices is True and inputs.price_year == year
    assert inputs.prices["forsorjningsstod"] == Price(10_000, "kommunen")
    assert inputs.prices["sjukpenning-rehabpenning"] == Price(18_000, "forsakringskassan")
    assert inputs.prices["lon"] == Price(0, "ingen")
    assert inputs.prices["annan"] is None
    assert (inputs.cost, inputs.cost_days) == (2_400_000, 365)
    costs = insats_costs(steget)
    assert [cost.starts_on.year for cost in costs] == [year - 2, year - 1, year]
    assert [cost.spent_kronor for cost in costs] == [2_304_000, 2_304_000, None]


def test_most_follow_ups_register_the_forsorjning(demo, db_session):
    follow_ups = [response for response in demo_responses(db_session)
                  if response.instrument_version.instrument_id == "finsam-uppfoljning"]
    reached = [response for response in follow_ups
               if answers_of(response)["lage"] != ("ej-nadd",)]
    with_forsorjning = [response for response in reached
                        if answers_of(response).get("forsorjning")]
    assert follow_ups and all(r.instrument_version.version == 2 for r in follow_ups)
    assert len(with_forsorjning) >= 0.7 * len(reached)
