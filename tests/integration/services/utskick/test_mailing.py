"""Mailing an utskick by its job (run here as the worker runs it, through the app's real
queue and the loopback SMTP server): claims that decide who mails whom, claims a dead
worker left, a server that asks to wait, scheduled reminders and resuming."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.jobs.mailing import resume_mailing, send_utskick
from enkat.models import utcnow
from enkat.services.utskick import campaigns, mailing
from enkat.services.utskick.campaigns import CampaignRefused
from tests.integration.services.mailed import BASE_URL, mail_round

STYRELSE = ["anna@example.se", "bo@example.se", "cecilia@example.se"]


@pytest.fixture
def campaign(forbund, admin, jobs):
    return campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=forbund, instrument_id="nns-styrelse", timepoint="arlig", title="Styrelsen",
        addresses_text="\n".join(STYRELSE),
        closes_on=campaigns.local_today() + dt.timedelta(days=14)), admin)


def test_a_job_queued_twice_mails_each_address_once(campaign, mailbox, jobs):
    mailing.queue_send(campaign)
    send_utskick.enqueue(campaign.id, BASE_URL)
    send_utskick.enqueue(campaign.id, BASE_URL)
    assert jobs.run_pending() == 2
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE


def test_a_recipient_another_worker_holds_is_left_to_it_and_looked_at_after_the_lease(
        campaign, mailbox, jobs):
    mailing.queue_send(campaign)
    held = campaign.recipients[0]
    held.claimed_at = utcnow()  # another worker claimed it and is sending
    assert mailing.mail_queued(campaign.id, BASE_URL, checkpoint=lambda: None) is not None
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE[1:]
    assert held.queued_at is not None and held.last_error is None

    held.claimed_at = utcnow() - mailing.lease()  # …and died before recording it
    assert mailing.mail_queued(campaign.id, BASE_URL, checkpoint=lambda: None) is None
    assert len(mailbox.messages) == 2  # not mailed again: it may have arrived
    assert held.queued_at is None and held.last_error == mailing.IN_DOUBT
    counts = campaigns.campaign_counts(campaign)
    assert (counts.sent, counts.failed, counts.queued) == (2, 1, 0)
    assert mailing.mails_to_send(campaign) == 1  # the administrator may send it again
    assert mailing.in_doubt_to_send(campaign) == 1  # and is told it may be a second mail


def test_a_server_that_asks_to_wait_keeps_the_mails_queued_and_the_links_as_they_were(
        campaign, mailbox, jobs):
    mail_round(campaign, now=utcnow() - dt.timedelta(days=3))
    first_links = {r.id: r.invitation.token_hash for r in campaign.recipients}
    mailbox.defer = True
    outcome = mail_round(campaign, remind=True)
    assert (outcome.sent, outcome.failed) == (0, 3)
    assert campaign.mailing_problem == ("E-postservern svarade 451 try again later. "
                                        "Utskicket försöker igen automatiskt.")
    assert all(r.queued_at is not None and r.claimed_at is None and r.last_error is None
               for r in campaign.recipients)
    assert {r.id: r.invitation.token_hash for r in campaign.recipients} == first_links

    mailbox.defer = False
    send_utskick.enqueue(campaign.id, BASE_URL)  # Huey's retry, after its back-off
    jobs.run_pending()
    assert len(mailbox.messages) == 6 and campaign.mailing_problem is None
    assert all(r.reminded_at is not None and r.queued_at is None for r in campaign.recipients)


def test_nothing_queued_is_mailed_once_the_utskick_is_closed(campaign, mailbox, jobs):
    mailing.queue_send(campaign)
    campaigns.close_campaign(campaign)
    send_utskick.enqueue(campaign.id, BASE_URL)
    jobs.run_pending()
    assert mailbox.messages == []
    assert campaigns.campaign_counts(campaign).queued == 0


def test_the_periodic_job_resumes_a_send_nobody_is_working_on(campaign, mailbox, jobs):
    mailing.queue_send(campaign)  # and the job was lost with its worker
    assert mailing.campaigns_to_resume() == []  # the send may still be on its way
    campaign.worked_on_at = utcnow() - mailing.lease()
    resume_mailing.enqueue()
    jobs.run_pending()
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE


def test_a_send_is_resumed_once_however_often_it_is_looked_for(campaign):
    """Two looks (a worker's start and the minute's) start one send, not two."""
    mailing.queue_send(campaign)
    campaign.worked_on_at = utcnow() - mailing.lease()
    assert mailing.campaigns_to_resume() == [campaign.id]
    assert mailing.campaigns_to_resume() == []


def test_a_send_the_server_asked_to_wait_is_left_to_its_own_retries(campaign, mailbox, jobs):
    """Its job tries again after a back-off of minutes to hours: resuming starts no
    second chain of tries meanwhile, only once they have all passed."""
    mailbox.defer = True
    mail_round(campaign)
    campaign.worked_on_at = utcnow() - 2 * mailing.lease()
    assert mailing.campaigns_to_resume() == []
    campaign.worked_on_at = utcnow() - mailing.RETRY_WINDOW
    assert mailing.campaigns_to_resume() == [campaign.id]


def test_an_address_the_server_asks_to_wait_for_holds_up_no_other(campaign, mailbox, jobs):
    mailbox.full = {STYRELSE[0]}
    outcome = mail_round(campaign)
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE[1:]
    assert (outcome.sent, outcome.failed) == (2, 1)
    assert campaign.mailing_problem == ("E-postservern svarade 452 mailbox full. "
                                        "Utskicket försöker igen automatiskt.")
    waiting = [r for r in campaign.recipients if r.queued_at is not None]
    assert [r.email for r in waiting] == STYRELSE[:1]

    mailbox.full = set()
    send_utskick.enqueue(campaign.id, BASE_URL)  # Huey's retry, after its back-off
    jobs.run_pending()
    assert sorted(message["To"] for message in mailbox.messages) == STYRELSE


def test_a_scheduled_reminder_goes_once_to_those_who_have_not_answered(
        campaign, mailbox, jobs):
    campaigns.set_automatic_reminder(campaign, 3)
    four_days_ago = utcnow() - dt.timedelta(days=4)
    mail_round(campaign, now=four_days_ago)
    campaign.first_sent_at = four_days_ago
    for _ in range(2):
        resume_mailing.enqueue()
        jobs.run_pending()
    assert [m["Subject"] for m in mailbox.to("bo@example.se")] == [
        "Styrelsen: en enkät från Samordningsförbundet Test", "Påminnelse: Styrelsen"]
    assert campaign.auto_reminded_at is not None and len(mailbox.messages) == 6
    with pytest.raises(CampaignRefused, match="redan skickats"):
        campaigns.set_automatic_reminder(campaign, 5)


def test_a_scheduled_reminder_waits_for_its_day(campaign, mailbox, jobs):
    campaigns.set_automatic_reminder(campaign, 3)
    mail_round(campaign, now=utcnow() - dt.timedelta(days=2))
    campaign.first_sent_at = utcnow() - dt.timedelta(days=2)
    assert mailing.queue_scheduled_reminders() == []
    assert campaign.auto_reminded_at is None and len(mailbox.messages) == 3


@pytest.mark.parametrize(("days", "message"), [
    (0, "Välj mellan 1 och 60 dagar, eller lämna fältet tomt."),
    (61, "Välj mellan 1 och 60 dagar, eller lämna fältet tomt."),
    (20, "Efter 20 dagar har sista svarsdagen"),
])
def test_an_automatic_reminder_that_cannot_come_is_refused(forbund, admin, days, message):
    with pytest.raises(CampaignRefused, match=message):
        campaigns.create_campaign(campaigns.CampaignRequest(
            forbund=forbund, instrument_id="nns-styrelse", timepoint="arlig", title="Styrelsen",
            addresses_text="anna@example.se",
            closes_on=campaigns.local_today() + dt.timedelta(days=14), remind_after_days=days),
            admin)
