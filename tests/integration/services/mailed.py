"""Utskick mailed through the loopback SMTP server and answered as the respondent pages
do, for the tests of what utskick give (their results, their reach)."""

from __future__ import annotations

import datetime as dt
import re

from enkat.models import Response
from enkat.services.answering.drafts import open_draft, save_page, submit
from enkat.services.answering.invitations import find_invitation
from enkat.services.utskick import campaigns

BASE_URL = "https://enkat.example.se"
LINK = re.compile(r"https://enkat\.example\.se/s/([A-Za-z0-9_-]+)")
STYRELSE_ITEMS = ("gemensamma-mal", "kannedom-organisationer", "planering-efter-avslut",
                  "samverkansplattform", "jamstalldhet-mangfald", "implementering",
                  "underlag-beslut")


def addresses(count: int, prefix: str = "person") -> list[str]:
    return [f"{prefix}{number}@example.se" for number in range(count)]


def mail_campaign(mailbox, forbund, user, recipients, instrument_id="nns-styrelse", *,
                  insats=None, title="Styrelsen", now=None, today=None):
    """An utskick created and mailed; returns it with its tokens in address order."""
    today = today or campaigns.local_today()
    campaign = campaigns.create_campaign(
        forbund, user, instrument_id, "arlig", title, "\n".join(recipients),
        insats=insats, closes_on=today + dt.timedelta(days=14), today=today)
    campaigns.send_campaign(campaign, BASE_URL, now=now)
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
