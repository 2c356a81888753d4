"""Utskick mailed through the loopback SMTP server by the real job on the app's queue
(run here, as the worker would) and answered as the respondent pages do, for the tests
of mailing and of what utskick give (their results, their reach)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app

from enkat.jobs.mailing import send_utskick
from enkat.jobs.queue import queue_of
from enkat.models import Campaign, Response
from enkat.services.answering.drafts import open_draft, save_page, submit
from enkat.services.answering.invitations import find_invitation
from enkat.services.utskick import campaigns, mailing

BASE_URL = "https://enkat.example.se"
LINK = re.compile(r"https://enkat\.example\.se/s/([A-Za-z0-9_-]+)")
STYRELSE_ITEMS = ("gemensamma-mal", "kannedom-organisationer", "planering-efter-avslut",
                  "samverkansplattform", "jamstalldhet-mangfald", "implementering",
                  "underlag-beslut")


def addresses(count: int, prefix: str = "person") -> list[str]:
    return [f"{prefix}{number}@example.se" for number in range(count)]


@dataclass(frozen=True)
class Round:
    """What one "Skicka" or "Påminn" did once the job ran: mails sent, mails that failed
    (their reasons are on the recipients), recipients left out (mailed a moment ago)."""

    sent: int
    failed: int
    skipped: int = 0


def mail_round(campaign: Campaign, base_url: str = BASE_URL, *, remind: bool = False,
               now: dt.datetime | None = None) -> Round:
    """"Skicka" (or "Påminn") as the page does it: queue the recipients and the job, then
    run the queue as a worker would. The caller holds the `jobs` fixture (an empty queue)."""
    queued = (mailing.queue_reminders if remind else mailing.queue_send)(campaign, now=now)
    round_ids = [recipient.id for recipient in campaign.recipients
                 if recipient.queued_at is not None]
    send_utskick.enqueue(campaign.id, base_url)
    queue_of(current_app).run_pending()
    failed = sum(1 for recipient in campaign.recipients if recipient.id in round_ids
                 and (recipient.last_error is not None or recipient.queued_at is not None))
    return Round(len(round_ids) - failed, failed, queued.skipped)


def mail_campaign(mailbox, forbund, user, recipients, instrument_id="nns-styrelse", *,
                  insats=None, title="Styrelsen", now=None, today=None):
    """An utskick created and mailed; returns it with its tokens in address order."""
    today = today or campaigns.local_today()
    campaign = campaigns.create_campaign(campaigns.CampaignRequest(
        forbund=forbund, instrument_id=instrument_id, timepoint="arlig", title=title,
        addresses_text="\n".join(recipients), insats=insats,
        closes_on=today + dt.timedelta(days=14), today=today), user)
    mail_round(campaign, now=now)
    tokens = [LINK.search(mailbox.text(mailbox.to(address)[-1])).group(1)
              for address in recipients]
    return campaign, tokens


def answer(token: str, value: str = "3", **other: str) -> Response:
    """Answer every rated question of an NNS survey with `value` (or as `other` says,
    by item id with _ for -) and send."""
    draft = open_draft(find_invitation(token).invitation)
    answers = {item: [other.get(item.replace("-", "_"), value)] for item in STYRELSE_ITEMS}
    assert save_page(draft, answers, list(answers)) == ()
    return submit(draft)
