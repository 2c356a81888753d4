"""The reach of utskick for the reports: per instrument, the utskick first mailed in the
period (where the förbund is), the addresses mailed and how many answered; all of the
förbund's for its report, those about an insats for that insats' report."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.reports.inputs import SurveyReach
from enkat.reports.period import Period
from enkat.services.results.reach import survey_reach
from enkat.services.utskick import campaigns

from ..mailed import addresses, answer

pytestmark = pytest.mark.usefixtures("mailbox")
UTC = dt.UTC


def test_reach_counts_the_utskick_first_mailed_in_the_period(sent_campaign, forbund, insats,
                                                              make_forbund):
    now = campaigns.local_today()
    this_year = Period(dt.date(now.year, 1, 1), dt.date(now.year, 12, 31))
    first, tokens = sent_campaign(addresses(4))
    answer(tokens[0])
    answer(tokens[1])
    second, tokens = sent_campaign(addresses(3, "fler"), insats=insats)
    answer(tokens[0])
    sent_campaign(addresses(2, "personal"), "nns-personal")
    campaigns.create_campaign(forbund, None, "nns-styrelse", "arlig", "Aldrig skickat",
                              "x@example.se", closes_on=now + dt.timedelta(days=3))
    sent_campaign(addresses(3, "annat"), of=make_forbund(), title="Annat förbund")

    assert survey_reach(forbund.id, None, this_year) == [
        SurveyReach("nns-personal", 1, 2, 0), SurveyReach("nns-styrelse", 2, 7, 3)]
    assert survey_reach(forbund.id, [insats.id], this_year) == [
        SurveyReach("nns-styrelse", 1, 3, 1)]
    assert survey_reach(forbund.id, [], this_year) == []
    assert survey_reach(forbund.id, None, this_year.previous()) == []


def test_an_utskick_belongs_to_the_day_it_was_mailed_where_the_forbund_is(sent_campaign,
                                                                           forbund):
    """23:30 UTC on New Year's Eve is 00:30 on New Year's Day in Stockholm."""
    new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    sent_campaign(addresses(3), now=new_year, today=dt.date(2026, 1, 1))
    year_2026 = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert survey_reach(forbund.id, None, year_2026) == [SurveyReach("nns-styrelse", 1, 3, 0)]
    assert survey_reach(forbund.id, None, year_2026.previous()) == []


def test_reach_survives_closing_the_utskick(sent_campaign, forbund):
    campaign, tokens = sent_campaign(addresses(2))
    answer(tokens[0])
    campaigns.close_campaign(campaign)
    today = campaigns.local_today()
    assert survey_reach(forbund.id, None, Period(today, today)) == [
        SurveyReach("nns-styrelse", 1, 2, 1)]
