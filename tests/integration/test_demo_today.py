"""The demo's year ends at the day it is loaded, whatever day of the year that is: nothing
is dated after it, staff have forms due now and a few weeks late, and the reports, the
results page's default year, the utskick and the price lists are of the periods just ended."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enkat.demo import CATCH_UP, DEMO_FORBUND_SLUG, load_demo
from enkat.extensions import db
from enkat.models import (
    Campaign,
    Enrolment,
    Forbund,
    Participant,
    ReportDocument,
    Response,
)
from enkat.reports.period import Period, default_year
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare.due import due_in_insats
from enkat.services.organisation.forbund import get_forbund
from enkat.services.results.reports import build_report_for
from enkat.services.samhallsnytta import insats_costs, price_years

#: New Year's Day, a leap day, midsummer, New Year's Eve, and (None) the real today.
TODAYS = [dt.date(2027, 1, 1), dt.date(2028, 2, 29), dt.date(2026, 6, 30),
          dt.date(2026, 12, 31), None]
#: A form due today is "due this week"; the oldest left is late by weeks, not months.
THIS_WEEK = dt.timedelta(days=7)
#: The uppföljning and SKAPA round answered some days after they fall due.
LATEST_DUE = CATCH_UP + dt.timedelta(days=21)


@pytest.fixture(params=TODAYS, ids=lambda day: day.isoformat() if day else "today")
def demo(request, db_session) -> tuple[Forbund, dt.date]:
    summary = load_demo(today=request.param)
    assert summary.today == (request.param or local_today())
    return get_forbund(DEMO_FORBUND_SLUG), summary.today


def test_the_demo_year_ends_today_and_looks_in_use(demo):
    forbund, today = demo
    nothing_is_dated_after(forbund, today)
    staff_have_forms_due_now_and_a_few_weeks_late(forbund, today)
    the_default_results_year_has_data(forbund, today)
    the_reports_are_of_periods_that_have_ended(forbund, today)
    the_utskick_are_the_two_latest_rounds(forbund, today)
    the_price_lists_cover_the_years_of_the_costs(forbund)


def nothing_is_dated_after(forbund: Forbund, today: dt.date) -> None:
    answered = db.session.scalars(select(Response.answered_on).where(
        Response.forbund_id == forbund.id)).all()
    assert max(answered) <= today and min(answered) > today - dt.timedelta(days=366 + 365)
    enrolments = db.session.scalars(select(Enrolment).join(Participant).where(
        Participant.forbund_id == forbund.id)).all()
    assert all(today - dt.timedelta(days=365) < e.started_on <= today for e in enrolments)
    assert all(e.ended_on is None or e.ended_on <= today for e in enrolments)
    assert {e.ended_on is None for e in enrolments} == {True, False}


def staff_have_forms_due_now_and_a_few_weeks_late(forbund: Forbund, today: dt.date) -> None:
    for insats in forbund.insatser:
        due = [item for found in due_in_insats(insats, today) for item in found.due]
        assert due, insats.slug
        assert all(today - LATEST_DUE <= item.since <= today for item in due), insats.slug
        assert any(item.since >= today - THIS_WEEK for item in due), insats.slug
    late = [item for insats in forbund.insatser for found in due_in_insats(insats, today)
            for item in found.due if item.since < today - THIS_WEEK]
    assert late  # some overdue, by days or weeks


def the_default_results_year_has_data(forbund: Forbund, today: dt.date) -> None:
    year = default_year(today)
    report = build_report_for(forbund, period=Period(dt.date(year, 1, 1),
                                                     dt.date(year, 12, 31)))
    assert report.table("deltagare").figure("Slutsumma", "unika").value >= 20
    assert report.table("svarsfrekvens").rows


def the_reports_are_of_periods_that_have_ended(forbund: Forbund, today: dt.date) -> None:
    documents = db.session.scalars(select(ReportDocument).where(
        ReportDocument.forbund_id == forbund.id)).all()
    periods = {(d.kind, d.period_start, d.period_end) for d in documents}
    assert all(end <= today for _, _, end in periods)
    quarter = next((start, end) for kind, start, end in periods if kind == "kvartalsrapport")
    assert quarter[0].day == 1 and today - quarter[1] < dt.timedelta(days=92)
    year = next((start, end) for kind, start, end in periods if kind == "helarsrapport")
    last_full_year = today.year if (today.month, today.day) == (12, 31) else today.year - 1
    assert year == (dt.date(last_full_year, 1, 1), dt.date(last_full_year, 12, 31))


def the_utskick_are_the_two_latest_rounds(forbund: Forbund, today: dt.date) -> None:
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.forbund_id == forbund.id)).all()
    assert len(campaigns) == 6 and all(c.closed_at.date() <= today for c in campaigns)
    years = {c.created_at.year for c in campaigns}
    assert len(years) == 2 and max(years) in (today.year, today.year - 1)


def the_price_lists_cover_the_years_of_the_costs(forbund: Forbund) -> None:
    costs = [cost for insats in forbund.insatser for cost in insats_costs(insats)]
    assert costs
    assert {cost.starts_on.year for cost in costs} <= set(price_years(forbund))
