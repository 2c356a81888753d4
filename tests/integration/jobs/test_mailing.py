"""Utskick mailed by real `enkat worker` processes on both databases, against the loopback
SMTP server: a worker killed (SIGKILL) in the middle of a send leaves every address with
exactly one mail once the next worker has finished, and a slow SMTP server holds up no
web request of a served app."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import Counter

from enkat.extensions import db
from enkat.jobs.mailing import send_utskick
from enkat.models import Campaign, Role
from enkat.services.people.users import NewUser, add_user
from enkat.services.utskick import campaigns, mailing
from tests.integration.jobs.test_queue import installation  # noqa: F401 (a fixture)
from tests.integration.test_instances import PASSWORD, database_work, new_forbund, sign_in
from tests.serve import enkat_serve
from tests.smtp import Mailbox, SmtpServer
from tests.visitor import Visitor
from tests.worker import job_worker, wait_for

BASE_URL = "https://enkat.example.se"
RECIPIENTS = 2000
#: The worker is killed having handed over this mail, before the server answers 250.
KILLED_AT = 700
ADMIN = "admin@example.org"


class KillingMailbox(Mailbox):
    """Keeps every mail; on the `kill_at`-th it SIGKILLs `victim` before answering, so the
    worker dies with that recipient claimed and its mail delivered but unconfirmed."""

    def __init__(self) -> None:
        super().__init__()
        self.kill_at: int | None = None
        self.victim = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.kill_at and self.victim is not None:
            self.victim.kill()
            self.victim = None
        return answer


class HeldMailbox(Mailbox):
    """A slow server: it takes no mail until the test sets `release`."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.waiting = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        self.waiting.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return await super().handle_DATA(server, session, envelope)


def mail_settings(smtp: SmtpServer, timeout_seconds: int) -> dict[str, str]:
    return {"ENKAT_SMTP_URL": smtp.url, "ENKAT_MAIL_SENDER": "enkat@forbund.example",
            "ENKAT_SMTP_TIMEOUT_SECONDS": str(timeout_seconds)}


def new_campaign(url: str, count: int) -> int:
    """An utskick of `count` addresses with an administrator who can sign in; its id."""
    with database_work(url):
        forbund = new_forbund("mejl")
        admin = add_user(forbund, NewUser(ADMIN, "Förbundets administratör", Role.ADMIN,
                                          PASSWORD), by=None)
        addresses = "\n".join(f"person{number}@example.se" for number in range(count))
        campaign = campaigns.create_campaign(campaigns.CampaignRequest(
            forbund=forbund, instrument_id="nns-styrelse", timepoint="arlig", title="Styrelsen",
            addresses_text=addresses,
            closes_on=campaigns.local_today() + dt.timedelta(days=14)), admin)
        return campaign.id


def queue_and_enqueue(url: str, campaign_id: int) -> None:
    """"Skicka", as the page does it: recipients queued and committed, then the job."""
    with database_work(url):
        mailing.queue_send(db.session.get(Campaign, campaign_id))
        db.session.commit()
        send_utskick.enqueue(campaign_id, BASE_URL)


def counts_of(url: str, campaign_id: int) -> campaigns.CampaignCounts:
    with database_work(url):
        return campaigns.campaign_counts(db.session.get(Campaign, campaign_id))


def test_a_worker_killed_mid_send_leaves_every_address_with_exactly_one_mail(
        installation, tmp_path):  # noqa: F811
    mailbox = KillingMailbox()
    smtp = SmtpServer(mailbox).start()
    campaign_id = new_campaign(installation, RECIPIENTS)
    # the lease is 5 SMTP timeouts: 10 s keeps it short, yet no busy moment of this loaded
    # machine passes for a server that did not answer (a mail in doubt is not sent again)
    settings = {**mail_settings(smtp, 10), "ENKAT_BASE_URL": BASE_URL}
    try:
        with job_worker(installation, tmp_path / "first", environment=settings) as first:
            mailbox.kill_at, mailbox.victim = KILLED_AT, first
            queue_and_enqueue(installation, campaign_id)
            wait_for(lambda: first.process.poll() is not None, timeout=600,
                     what=f"the kill at mail {KILLED_AT}", interval=1)
        assert len(mailbox.messages) == KILLED_AT
        with job_worker(installation, tmp_path / "second", environment=settings) as second:
            wait_for(lambda: counts_of(installation, campaign_id).queued == 0, timeout=900,
                     what="the second worker finishing the send", interval=2)
        assert "Traceback" not in second.printed()
    finally:
        smtp.stop()

    sent_to = Counter(message["To"] for message in mailbox.messages)
    assert len(sent_to) == RECIPIENTS and set(sent_to.values()) == {1}
    counts = counts_of(installation, campaign_id)
    assert (counts.recipients, counts.sent, counts.failed, counts.queued) == (
        RECIPIENTS, RECIPIENTS - 1, 1, 0)
    with database_work(installation):
        campaign = db.session.get(Campaign, campaign_id)
        [in_doubt] = db.session.scalars(campaigns.failed_recipients(campaign)).all()
        assert in_doubt.last_error == mailing.IN_DOUBT
        assert in_doubt.email == f"person{KILLED_AT - 1}@example.se"  # sent in address order
        assert len({recipient.sent_at for recipient in campaign.recipients
                    if recipient.sent_at}) == 1  # one moment for the round


def test_a_slow_smtp_server_holds_up_no_web_request(installation, tmp_path):  # noqa: F811
    mailbox = HeldMailbox()
    smtp = SmtpServer(mailbox).start()
    campaign_id = new_campaign(installation, 3)
    try:  # `enkat serve` starts its worker, with links on its own address
        with enkat_serve(installation, tmp_path / "served",
                         environment=mail_settings(smtp, 300)) as served:
            admin = Visitor()
            sign_in(admin, served.url, ADMIN)
            detail = f"{served.url}/forbund/utskick/{campaign_id}"
            admin.get(f"{detail}/skicka")
            sent = admin.post(f"{detail}/skicka")
            assert sent.status == 200 and sent.url == detail, sent.text[:500]
            assert "3 mejl skickas nu." in sent.text
            assert mailbox.waiting.wait(120), "the worker never reached the SMTP server"
            while_held = admin.get(detail)  # the worker is stuck in the server meanwhile
            assert while_held.status == 200
            assert '<meta http-equiv="refresh"' in while_held.text
            assert '<th scope="row">I kö att skickas</th><td class="num">3</td>' in (
                while_held.text)
            assert admin.get(f"{served.url}/forbund/utskick").status == 200
            mailbox.release.set()
            wait_for(lambda: counts_of(installation, campaign_id).sent == 3, timeout=120,
                     what="the mails once the server answers")
            done = admin.get(detail)
            assert '<th scope="row">Skickade</th><td class="num">3</td>' in done.text
            assert 'http-equiv="refresh"' not in done.text
    finally:
        mailbox.release.set()
        smtp.stop()
    assert sorted(message["To"] for message in mailbox.messages) == [
        f"person{number}@example.se" for number in range(3)]


def test_a_send_the_server_asks_to_wait_for_is_one_line_in_the_log(
        installation, tmp_path):  # noqa: F811
    mailbox = Mailbox()
    mailbox.full = {"person0@example.se"}
    smtp = SmtpServer(mailbox).start()
    campaign_id = new_campaign(installation, 2)
    settings = {**mail_settings(smtp, 10), "ENKAT_BASE_URL": BASE_URL}
    try:
        with job_worker(installation, tmp_path, environment=settings) as worker:
            queue_and_enqueue(installation, campaign_id)
            wait_for(lambda: "Försöker igen senare." in worker.printed(),
                     what="the deferral in the worker's log")
            printed = worker.printed()
    finally:
        smtp.stop()
    assert (f"utskick {campaign_id} väntar på e-postservern: E-postservern svarade 452 "
            "mailbox full. Försöker igen senare.") in printed
    assert "Traceback" not in printed and "Unhandled exception" not in printed
    assert "CancelExecution" not in printed  # Huey's own English line: dropped
    assert [message["To"] for message in mailbox.messages] == ["person1@example.se"]
