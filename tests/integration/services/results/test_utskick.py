"""The results of utskick: responses name their utskick and no address; the answers given
through an utskick's links are counted and its page's indicator table is shown from the
förbund's threshold on, beside the previous utskick to the same group; the reach of a
period's utskick (addresses mailed, answered) for the reports, all of the förbund's for
its report, those about an insats for that insats' report. Links are mailed through the
loopback SMTP server and answered as the respondent pages do."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import CampaignRecipient, Invitation, Response
from enkat.reports.inputs import AnswerCount, SurveyReach
from enkat.reports.period import Period
from enkat.services.answering.drafts import open_draft, save_page, submit
from enkat.services.answering.invitations import create_invitation, find_invitation
from enkat.services.results import utskick as results
from enkat.services.utskick import campaigns

from ..mailed import STYRELSE_ITEMS, addresses, answer

pytestmark = pytest.mark.usefixtures("mailbox")


# --- linking a response to its utskick, not to an address ------------------------------


def test_a_response_names_its_utskick_and_nothing_names_its_address(sent_campaign):
    campaign, tokens = sent_campaign(addresses(2))
    invitations = db.session.scalars(select(Invitation)).all()
    assert {invitation.campaign_id for invitation in invitations} == {campaign.id}
    response = answer(tokens[0])
    assert response.campaign_id == campaign.id
    # As the database has them: the link is used by statements on the tables, which
    # leave the recipients this session holds as they were read.
    recipients = db.session.scalars(
        select(CampaignRecipient).execution_options(populate_existing=True)).all()
    assert sorted((r.answered, r.invitation_id is None) for r in recipients) == [
        (False, False), (True, True)]


def test_a_link_made_outside_an_utskick_names_none(insats):
    invitation, token = create_invitation(insats, "nns-personal", "arlig")
    assert invitation.campaign_id is None
    assert answer_personal(token).campaign_id is None


def answer_personal(token: str) -> Response:
    draft = open_draft(find_invitation(token).invitation)
    assert save_page(draft, {"gemensamma-mal": ["4"]}, ["gemensamma-mal"]) == ()
    return submit(draft)


# --- one utskick's answers ---------------------------------------------------------------


def test_answer_counts_are_the_submitted_answers_of_that_utskick_only(sent_campaign):
    campaign, tokens = sent_campaign(addresses(4))
    other, other_tokens = sent_campaign(addresses(1, "annan"), title="Annat utskick")
    answer(tokens[0], "3")
    answer(tokens[1], "4", gemensamma_mal="0")
    answer(other_tokens[0], "1")
    draft = open_draft(find_invitation(tokens[2]).invitation)  # saved, never sent
    save_page(draft, {"gemensamma-mal": ["1"]}, ["gemensamma-mal"])
    counts = results.campaign_answer_counts(campaign)
    assert sorted((row for row in counts if row.item_id == "gemensamma-mal"),
                  key=lambda row: row.value) == [
        AnswerCount("nns-styrelse", "arlig", "gemensamma-mal", "0", 1),
        AnswerCount("nns-styrelse", "arlig", "gemensamma-mal", "3", 1)]
    assert {row.item_id for row in counts} == set(STYRELSE_ITEMS)
    assert sum(row.count for row in counts if row.item_id == "implementering") == 2
    assert results.answered_responses(campaign) == 2


def test_below_the_threshold_the_utskick_shows_no_table(sent_campaign):
    campaign, tokens = sent_campaign(addresses(6))
    assert results.campaign_results(campaign) == results.CampaignResults(0, 5)
    for token in tokens[:4]:
        answer(token)
    found = results.campaign_results(campaign)
    assert (found.answered, found.tables, found.too_few) == (4, (), True)


def test_from_the_threshold_the_table_shows_each_items_positive_share(sent_campaign):
    campaign, tokens = sent_campaign(addresses(6))
    for token, value in zip(tokens, ["4", "3", "3", "2", "1", "0"], strict=True):
        answer(token, value, implementering="4")
    found = results.campaign_results(campaign)
    assert (found.answered, found.too_few, found.previous) == (6, False, None)
    [table] = found.tables
    assert table.id == "nns-styrelse"
    row = table.row_about("gemensamma-mal").label
    assert table.figure(row, "n").shown == 5  # "vet ej" is not an answer to the share
    assert table.figure(row, "andel").shown == pytest.approx(3 / 5)
    assert table.figure(row, "vet-ej").shown == "<5"  # one "vet ej": a small count
    implementering = table.row_about("implementering").label
    assert table.figure(implementering, "andel").shown == 1.0
    assert "inget tidigare utskick" in table.notes[0]


def test_the_forbunds_own_threshold_decides(sent_campaign, forbund):
    forbund.suppression_threshold = 3
    campaign, tokens = sent_campaign(addresses(3))
    for token in tokens:
        answer(token)
    found = results.campaign_results(campaign)
    assert found.threshold == 3 and len(found.tables) == 1


def test_the_previous_utskick_of_the_same_survey_to_the_same_group_is_compared(
        sent_campaign, insats):
    last_year, old_tokens = sent_campaign(addresses(5, "forra"), title="Styrelsen 2024")
    for token in old_tokens:
        answer(token, "1")
    sent_campaign(addresses(5, "insats"), title="Om insatsen", insats=insats)
    sent_campaign(addresses(5, "personal"), "nns-personal", title="Personalen")
    campaign, tokens = sent_campaign(addresses(5), title="Styrelsen 2025")
    for token in tokens:
        answer(token, "4")
    found = results.campaign_results(campaign)
    assert found.previous == last_year
    [table] = found.tables
    row = table.rows[0].label
    assert table.figure(row, "andel-foregaende").shown == 0.0
    assert table.figure(row, "skillnad").shown == 1.0
    assert "Styrelsen 2024" in table.notes[0]
    assert results.previous_campaign(last_year) is None


# --- the reach of a period's utskick, for the reports -------------------------------------


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
    campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=forbund, instrument_id="nns-styrelse", timepoint="arlig", title="Aldrig skickat",
        addresses_text="x@example.se", closes_on=now + dt.timedelta(days=3)), None)
    sent_campaign(addresses(3, "annat"), of=make_forbund(), title="Annat förbund")

    assert results.survey_reach(forbund.id, None, this_year) == [
        SurveyReach("nns-personal", 1, 2, 0), SurveyReach("nns-styrelse", 2, 7, 3)]
    assert results.survey_reach(forbund.id, [insats.id], this_year) == [
        SurveyReach("nns-styrelse", 1, 3, 1)]
    assert results.survey_reach(forbund.id, [], this_year) == []
    assert results.survey_reach(forbund.id, None, this_year.previous()) == []


def test_an_utskick_belongs_to_the_day_it_was_mailed_where_the_forbund_is(sent_campaign,
                                                                           forbund):
    """23:30 UTC on New Year's Eve is 00:30 on New Year's Day in Stockholm."""
    new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    campaign, _ = sent_campaign(addresses(3))
    for recipient in campaign.recipients:  # the mails went out then (the job mails now)
        recipient.sent_at = new_year
    db.session.flush()
    year_2026 = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert results.survey_reach(forbund.id, None, year_2026) == [
        SurveyReach("nns-styrelse", 1, 3, 0)]
    assert results.survey_reach(forbund.id, None, year_2026.previous()) == []


def test_reach_survives_closing_the_utskick(sent_campaign, forbund):
    campaign, tokens = sent_campaign(addresses(2))
    answer(tokens[0])
    campaigns.close_campaign(campaign)
    today = campaigns.local_today()
    assert results.survey_reach(forbund.id, None, Period(today, today)) == [
        SurveyReach("nns-styrelse", 1, 2, 1)]
