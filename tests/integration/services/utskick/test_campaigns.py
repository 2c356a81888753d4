"""Utskick: addresses read and checked, single-use links mailed through a real SMTP server
on loopback, reminders, failures kept and sent again, anonymity after answering, closing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.jobs.mailing import send_utskick
from enkat.models import AuditEvent, Campaign, CampaignRecipient, Invitation, Response, utcnow
from enkat.services.answering.drafts import open_draft, save_page, submit
from enkat.services.answering.invitations import LinkStatus, find_invitation
from enkat.services.answering.responses import answers_of
from enkat.services.utskick import campaigns, mailing
from enkat.services.utskick.campaigns import CampaignClosed, CampaignRefused, parse_addresses
from tests.integration.services.mailed import BASE_URL, mail_round

TODAY = dt.date(2025, 3, 3)
STYRELSE = ["anna@example.se", "bo@example.se", "cecilia@example.se"]
LINK = re.compile(r"https://enkat\.example\.se/s/([A-Za-z0-9_-]+)")


@pytest.fixture
def make_campaign(forbund, admin, jobs):
    def make(addresses=STYRELSE, instrument_id="nns-styrelse", **options):
        options.setdefault("closes_on", campaigns.local_today() + dt.timedelta(days=14))
        text = addresses if isinstance(addresses, str) else "\n".join(addresses)
        options.setdefault("timepoint", "arlig")
        options.setdefault("title", "Indikatorenkät 2025")
        return campaigns.create_campaign(campaigns.CampaignRequest(
            forbund=forbund, instrument_id=instrument_id, addresses_text=text, **options), admin)

    return make


def tokens_in(mailbox, address: str) -> list[str]:
    return [LINK.search(mailbox.text(message)).group(1) for message in mailbox.to(address)]


def answer_all(token: str) -> Response:
    """Answer the survey behind a link to the end, as the respondent pages do."""
    draft = open_draft(find_invitation(token).invitation)
    assert save_page(draft, {"gemensamma-mal": ["3"]}, ["gemensamma-mal"]) == ()
    return submit(draft)


def table_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Campaign, CampaignRecipient, Invitation, AuditEvent))


# --- reading the addresses ---------------------------------------------------------------


def test_addresses_are_trimmed_lower_cased_and_each_kept_once():
    parsed = parse_addresses(
        " Anna@Example.se \n\nbo@example.se, cecilia@example.se;\"dan@example.se\"\n"
        "Eva Ek <eva@example.se>\nanna@example.se\tBO@example.se\n")
    assert parsed.addresses == ("anna@example.se", "bo@example.se", "cecilia@example.se",
                                "dan@example.se", "eva@example.se")
    assert parsed.problems == () and parsed.duplicates == 2


def test_every_address_that_is_wrong_is_named_with_its_line():
    parsed = parse_addresses("anna@example.se\nbo(at)example.se\n\nc@, Dan Ek\n")
    assert [problem.message for problem in parsed.problems] == [
        "Rad 2: ”bo(at)example.se” är ingen e-postadress.",
        "Rad 4: ”c@” är ingen e-postadress.",
        "Rad 4: ”Dan Ek” är ingen e-postadress.",
    ]


def test_a_list_of_many_wrong_lines_names_the_first_and_counts_the_rest():
    parsed = parse_addresses("\n".join(f"person {number}" for number in range(1, 41)))
    messages = [problem.message for problem in parsed.problems]
    assert len(messages) == campaigns.MAX_NAMED_PROBLEMS + 1
    assert messages[0] == "Rad 1: ”person 1” är ingen e-postadress."
    assert messages[-1] == "Ytterligare 15 felaktiga adresser."


def test_an_empty_list_and_a_list_too_long_are_refused():
    assert [p.message for p in parse_addresses(" \n ,;\n").problems] == [
        "Skriv in minst en e-postadress."]
    too_many = "\n".join(f"person{number}@example.se"
                         for number in range(campaigns.MAX_RECIPIENTS + 1))
    [problem] = parse_addresses(too_many).problems
    assert problem.message.startswith(
        "Listan har 2\u00a0001 adresser. Ett utskick kan ha högst 2\u00a0000;")


# --- creating ----------------------------------------------------------------------------


def test_an_utskick_is_created_with_its_addresses_and_audited(make_campaign, forbund, admin):
    campaign = make_campaign(["Anna@example.se", "bo@example.se", "anna@example.se"])
    assert [recipient.email for recipient in campaign.recipients] == [
        "anna@example.se", "bo@example.se"]
    assert all(r.sent_at is None and r.invitation_id is None for r in campaign.recipients)
    assert campaign.instrument_version.instrument_id == "nns-styrelse"
    assert campaigns.closes_on(campaign) == campaigns.local_today() + dt.timedelta(days=14)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign-created"))
    assert (event.user_id, event.forbund_id) == (admin.id, forbund.id)
    assert (event.detail["recipients"], event.detail["duplicates"]) == (2, 1)
    assert "anna@example.se" not in str(event.detail)


@pytest.mark.parametrize(("options", "field", "message"), [
    ({"addresses": "anna@example.se\nbo@\n"}, "addresses", "Rad 2: ”bo@” är ingen e-postadress."),
    ({"addresses": ""}, "addresses", "Skriv in minst en e-postadress."),
    ({"instrument_id": "nns-deltagare-avslut", "timepoint": "avslut"}, "instrument",
     "skickas inte ut med e-post"),
    ({"instrument_id": "finsam-inskrivning", "timepoint": "start"}, "instrument",
     "skickas inte ut med e-post"),
    ({"instrument_id": "finns-inte"}, "instrument", "Välj en enkät i listan."),
    ({"timepoint": "avslut"}, "timepoint", "har inte mätpunkten ”Vid avslut”. Välj: Årlig."),
    ({"closes_on": TODAY - dt.timedelta(days=1), "today": TODAY}, "closes_on",
     "Sista svarsdagen har redan varit."),
    ({"closes_on": TODAY + dt.timedelta(days=365), "today": TODAY}, "closes_on",
     "högst 364 dagar fram"),
    ({"title": "  "}, "title", "Skriv en rubrik för utskicket."),
    ({"title": "x" * 201}, "title", "högst 200 tecken"),
])
def test_a_refused_utskick_says_why_and_writes_nothing(make_campaign, options, field, message):
    before = table_counts()
    with pytest.raises(CampaignRefused) as refused:
        make_campaign(**options)
    [problem] = refused.value.problems
    assert problem.field == field and message in problem.message
    assert table_counts() == before


def test_every_problem_is_said_at_once(make_campaign):
    with pytest.raises(CampaignRefused) as refused:
        make_campaign("x\ny", timepoint="start", title="",
                      closes_on=TODAY - dt.timedelta(days=1), today=TODAY)
    assert [p.field for p in refused.value.problems] == [
        "timepoint", "title", "closes_on", "addresses", "addresses"]


def test_an_insats_of_another_forbund_is_refused(make_campaign, make_forbund, make_insats):
    stranger = make_insats(of=make_forbund())
    with pytest.raises(CampaignRefused, match="Välj en insats i listan."):
        make_campaign(insats=stranger)


# --- sending -----------------------------------------------------------------------------


def test_each_address_gets_one_plain_swedish_mail_with_a_link_that_works(
        make_campaign, mailbox, forbund):
    campaign = make_campaign()
    outcome = mail_round(campaign)
    assert (outcome.sent, outcome.failed) == (3, 0)
    for address in STYRELSE:
        [message] = mailbox.to(address)
        body = mailbox.text(message)
        assert message.get_content_type() == "text/plain" and not message.is_multipart()
        assert message["Subject"] == "Indikatorenkät 2025: en enkät från Samordningsförbundet Test"
        assert "NNS indikatorenkät för styrelseledamöter" in body
        assert "Du svarar anonymt." in body and "adresserna raderas" in body
        sista = campaigns.closes_on(campaign)
        assert f"till och med den {sista.day} " in body and "Samordningsförbundet Test" in body
        assert "<img" not in body.lower() and "<" not in body
        [token] = tokens_in(mailbox, address)
        assert re.findall(r"https?://\S+", body) == [f"{BASE_URL}/s/{token}"]
        state = find_invitation(token)
        assert state.status is LinkStatus.VALID
        assert (state.invitation.forbund_id, state.invitation.insats_id) == (forbund.id, None)
        assert state.invitation.expires_at == campaign.closes_at
    assert all(r.sent_at is not None and r.last_error is None for r in campaign.recipients)


def test_links_are_made_at_one_moment_and_mailed_at_one_moment(make_campaign, mailbox):
    """Neither the links' times nor the mails' times tell one address from another."""
    campaign = make_campaign([f"person{number}@example.se" for number in range(12)])
    mail_round(campaign)
    links = [recipient.invitation for recipient in campaign.recipients]
    assert len({link.created_at for link in links}) == 1
    assert len({recipient.sent_at for recipient in campaign.recipients}) == 1


def test_sending_again_mails_nobody_twice(make_campaign, mailbox):
    campaign = make_campaign()
    mail_round(campaign)
    again = mail_round(campaign)
    assert (again.sent, again.failed) == (0, 0) and len(mailbox.messages) == 3


def test_an_utskick_about_an_insats_says_so_and_its_links_belong_to_it(
        make_campaign, mailbox, insats):
    campaign = make_campaign(["kim@example.se"], instrument_id="nns-personal", insats=insats)
    mail_round(campaign)
    [message] = mailbox.to("kim@example.se")
    assert "Den gäller insatsen Steget vidare." in mailbox.text(message)
    [token] = tokens_in(mailbox, "kim@example.se")
    assert find_invitation(token).invitation.insats_id == insats.id


# --- answering is anonymous ----------------------------------------------------------------


def test_once_answered_nothing_connects_the_answer_to_the_address(make_campaign, mailbox):
    campaign = make_campaign()
    mail_round(campaign)
    response = answer_all(tokens_in(mailbox, "bo@example.se")[0])
    db.session.expire_all()
    bo = next(r for r in campaign.recipients if r.email == "bo@example.se")
    assert bo.answered and bo.invitation_id is None
    assert response.submitted_at is not None and response.insats_id is None
    assert db.session.scalar(select(CampaignRecipient).where(
        CampaignRecipient.invitation_id == response.invitation_id)) is None
    others = [r for r in campaign.recipients if r is not bo]
    assert all(not r.answered and r.invitation_id is not None for r in others)


def test_the_response_rate_is_answered_of_sent(make_campaign, mailbox):
    campaign = make_campaign()
    assert campaigns.response_rate(campaign) is None
    mail_round(campaign)
    answer_all(tokens_in(mailbox, "anna@example.se")[0])
    counts = campaigns.campaign_counts(campaign)
    assert (counts.recipients, counts.sent, counts.failed, counts.answered) == (3, 3, 0, 1)
    assert campaigns.response_rate(campaign) == pytest.approx(1 / 3)
    [summary] = campaigns.campaign_summaries(campaign.forbund)
    assert summary.campaign is campaign and summary.counts == counts


# --- reminders -----------------------------------------------------------------------------


def test_a_reminder_goes_only_to_those_who_have_not_answered(make_campaign, mailbox):
    campaign = make_campaign()
    sent_at = utcnow() - dt.timedelta(days=3)
    mail_round(campaign, now=sent_at)
    answer_all(tokens_in(mailbox, "anna@example.se")[0])
    [bo_first] = tokens_in(mailbox, "bo@example.se")
    draft = open_draft(find_invitation(bo_first).invitation)
    save_page(draft, {"gemensamma-mal": ["4"]}, ["gemensamma-mal"])

    outcome = mail_round(campaign, remind=True)

    assert (outcome.sent, outcome.failed, outcome.skipped) == (2, 0, 0)
    assert len(mailbox.to("anna@example.se")) == 1
    [_, reminder] = mailbox.to("bo@example.se")
    assert reminder["Subject"] == "Påminnelse: Indikatorenkät 2025"
    assert "ersätter den i det förra mejlet" in mailbox.text(reminder)
    bo_new = tokens_in(mailbox, "bo@example.se")[1]
    assert find_invitation(bo_first).status is LinkStatus.UNKNOWN
    state = find_invitation(bo_new)
    assert state.status is LinkStatus.VALID
    assert answers_of(open_draft(state.invitation)) == {"gemensamma-mal": ("4",)}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "campaign-reminded")) == 1


def test_a_second_tap_on_remind_does_not_replace_the_link_just_mailed(make_campaign, mailbox):
    campaign = make_campaign(["kim@example.se"])
    mail_round(campaign, now=utcnow() - dt.timedelta(days=2))
    mail_round(campaign, remind=True)
    again = mail_round(campaign, remind=True)
    assert (again.sent, again.skipped) == (0, 1)
    assert find_invitation(tokens_in(mailbox, "kim@example.se")[-1]).status is LinkStatus.VALID


def test_a_failed_reminder_keeps_the_old_link_working(make_campaign, mailbox):
    campaign = make_campaign(["kim@example.se"])
    mail_round(campaign, now=utcnow() - dt.timedelta(days=2))
    [first] = tokens_in(mailbox, "kim@example.se")
    mailbox.refuse = True
    outcome = mail_round(campaign, remind=True)
    assert (outcome.sent, outcome.failed) == (0, 1)
    assert find_invitation(first).status is LinkStatus.VALID
    [kim] = campaign.recipients
    assert kim.reminded_at is None and "550" in kim.last_error


# --- failures ------------------------------------------------------------------------------


def test_a_refused_mail_is_kept_with_its_reason_and_sent_again_later(make_campaign, mailbox):
    campaign = make_campaign()
    mailbox.refuse = True
    outcome = mail_round(campaign)
    assert (outcome.sent, outcome.failed) == (0, 3) and mailbox.messages == []
    for recipient in campaign.recipients:
        assert recipient.sent_at is None
        assert recipient.last_error == "E-postservern svarade 550 mailbox unavailable."
    counts = campaigns.campaign_counts(campaign)
    assert (counts.sent, counts.failed, counts.failed_unsent, counts.waiting) == (0, 3, 3, 0)

    mailbox.refuse = False
    retried = mail_round(campaign)
    assert (retried.sent, retried.failed) == (3, 0)
    for address in STYRELSE:
        [token] = tokens_in(mailbox, address)
        assert find_invitation(token).status is LinkStatus.VALID
    assert all(r.last_error is None and r.sent_at for r in campaign.recipients)


def test_a_server_that_cannot_be_reached_keeps_the_mails_queued_and_says_why(
        make_campaign, mailbox, app, monkeypatch, jobs):
    campaign = make_campaign()
    working = app.config["SMTP_URL"]
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:1")
    outcome = mail_round(campaign)
    assert (outcome.sent, outcome.failed) == (0, 3)
    assert all(r.queued_at is not None and r.claimed_at is None and r.last_error is None
               for r in campaign.recipients)
    assert campaign.mailing_problem == ("E-postservern gick inte att nå. Utskicket försöker "
                                        "igen automatiskt.")
    counts = campaigns.campaign_counts(campaign)
    assert (counts.queued, counts.sent, counts.failed, counts.waiting) == (3, 0, 0, 0)
    assert jobs.run_pending() == 0  # Huey retries after its back-off, not at once

    monkeypatch.setitem(app.config, "SMTP_URL", working)
    send_utskick.enqueue(campaign.id, BASE_URL)  # the retry, as the worker runs it
    jobs.run_pending()
    assert sorted(message["To"] for message in mailbox.messages) == sorted(STYRELSE)
    assert campaign.mailing_problem is None and campaigns.campaign_counts(campaign).sent == 3


def test_no_smtp_server_configured_is_said(make_campaign, app, monkeypatch):
    campaign = make_campaign(["kim@example.se"])
    monkeypatch.setitem(app.config, "SMTP_URL", None)
    mail_round(campaign)
    assert "ENKAT_SMTP_URL" in campaign.mailing_problem
    assert campaign.recipients[0].queued_at is not None


# --- closing -------------------------------------------------------------------------------


def test_closing_deletes_every_address_and_stops_the_unused_links(make_campaign, mailbox):
    campaign = make_campaign()
    mailbox.refuse = True
    mail_round(campaign)
    mailbox.refuse = False
    mail_round(campaign)
    answer_all(tokens_in(mailbox, "anna@example.se")[0])
    campaigns.close_campaign(campaign)

    db.session.expire_all()
    assert campaign.closed_at is not None
    assert all(r.email is None and r.last_error is None and r.invitation_id is None
               for r in campaign.recipients)
    assert find_invitation(tokens_in(mailbox, "anna@example.se")[0]).status is LinkStatus.USED
    for address in ("bo@example.se", "cecilia@example.se"):
        assert find_invitation(tokens_in(mailbox, address)[0]).status is LinkStatus.EXPIRED
    counts = campaigns.campaign_counts(campaign)
    assert (counts.recipients, counts.sent, counts.answered) == (3, 3, 1)
    with pytest.raises(CampaignClosed):
        mailing.queue_send(campaign)
    with pytest.raises(CampaignClosed):
        mailing.queue_reminders(campaign)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "campaign-closed")) == 1


def test_utskick_past_their_last_day_are_closed(make_campaign, mailbox):
    due = make_campaign(["kim@example.se"], closes_on=campaigns.local_today())
    later = make_campaign(["lo@example.se"])
    closed = campaigns.close_due_campaigns(now=due.closes_at + dt.timedelta(minutes=1))
    assert closed == 1
    assert due.closed_at is not None and due.recipients[0].email is None
    assert later.closed_at is None and later.recipients[0].email == "lo@example.se"


def test_nothing_is_mailed_after_the_last_day(make_campaign, mailbox):
    campaign = make_campaign(["kim@example.se"], closes_on=campaigns.local_today())
    with pytest.raises(CampaignClosed):
        mailing.queue_send(campaign, now=campaign.closes_at)
    assert mailbox.messages == []
