"""Mailing an utskick: "Skicka" and "Påminn" queue its recipients; a job mails them.

Queueing (`queue_send`, `queue_reminders`) runs in the web request and only writes each
queued recipient's `queued_at` (one UPDATE), the moment of its round, which becomes its
`sent_at` or `reminded_at` once mailed (one moment per round). The job first makes the
links of the queued addresses that have none (all at once, shuffled, one timestamp, as
`campaigns` requires).

The job (`enkat.jobs.mailing`) calls `mail_queued`, which sends in batches of
`BATCH_SIZE` over one SMTP connection each, and records every recipient as it goes,
committing through the `checkpoint` it is handed:
1. claim: a conditional UPDATE takes a queued recipient nobody holds (`claimed_at`), and
   its link gets a new token; committed. The claim decides: two workers, or a job
   queued twice, never both hold one recipient.
2. send: the mail goes over the open connection; nothing is read or written meanwhile,
   so no transaction (and on SQLite no write lock) is held while a slow server answers.
3. record: sent, refused (5xx: the reason, in Swedish, on the recipient), deferred (4xx
   or the connection lost before the mail: back in the queue, the job retries later) or
   in doubt (the connection broke while the mail was under way); committed.
A claim that is never recorded (its worker died) is not mailed again: after `lease()` it
is recorded as failed, saying it is not known whether the mail arrived, and the
administrator may send it again. So no recipient gets a second mail for one send.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from babel.dates import format_date
from flask import current_app
from sqlalchemy import case, exists, func, or_, select, update

from enkat.extensions import db
from enkat.models import Campaign, CampaignRecipient, Invitation, User, utcnow
from enkat.services import ServiceError
from enkat.services.answering.invitations import create_invitation, invitation_link, replace_token
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.versions import stored_instrument
from enkat.services.mail import Delivery, Mail, MailFailed, MailOutcome, mail_connection
from enkat.services.tokens import new_token
from enkat.services.utskick.campaigns import CampaignClosed, closes_on, has_ended, survey_title

#: Mails sent over one SMTP connection before it is closed and the next one opened.
BATCH_SIZE = 50
#: A claim not recorded within this many SMTP timeouts belongs to a worker that died.
LEASE_TIMEOUTS = 5
#: A send the server asked to wait is tried again (the job's retries, jobs/mailing.py)
#: after RETRY_SECONDS, then twice as long each time, RETRIES times: about four hours.
RETRY_SECONDS, RETRIES = 15, 10
#: Until then that send is its job's own: nothing else starts one (resuming waits longer).
RETRY_WINDOW = dt.timedelta(seconds=RETRY_SECONDS * (2 ** RETRIES))
#: A recipient mailed this recently gets no reminder: a second tap on "Påminn" must not
#: replace the link that was mailed a moment ago.
REMINDER_PAUSE = dt.timedelta(hours=1)
IN_DOUBT = ("Det är inte känt om mejlet kom fram: sändningen avbröts medan mejlet "
            "skickades. Skicka igen om mottagaren inte har fått det.")
RETRYING = "Utskicket försöker igen automatiskt."


class MailingDeferred(ServiceError):
    """The server cannot be reached or asked to try later; the queued mails wait (the job
    retries with back-off). The message says why, in Swedish."""


@dataclass(frozen=True)
class Queued:
    """What one "Skicka" or "Påminn" queued, and who was left out because they were
    mailed a moment ago."""

    queued: int
    skipped: int = 0


# --- queueing (in the web request) ---------------------------------------------------------


def queue_send(campaign: Campaign, user: User | None = None, *,
               now: dt.datetime | None = None) -> Queued:
    """Queue a mail to every address that has not yet received its link: the first
    "Skicka", and "Skicka igen till misslyckade" after a failure. The links are made by
    the job, so this stays a few statements however long the list."""
    now = now or utcnow()
    _lock_open(campaign, now)
    pending = _unsent(campaign)
    _queue(campaign, pending, now)
    campaign.first_sent_at = campaign.first_sent_at or now
    record_event(Action.CAMPAIGN_SENT, user=user, forbund_id=campaign.forbund_id,
                 subject=campaign.title, detail={"campaign": campaign.id, "queued": len(pending)})
    return Queued(len(pending))


def queue_reminders(campaign: Campaign, user: User | None = None, *,
                    now: dt.datetime | None = None) -> Queued:
    """Queue a reminder to those who have not answered and whose link is unused. The
    mail carries a new token for the same link: the old address stops working, and
    answers saved through it stay in the draft. A refused reminder keeps the old token."""
    now = now or utcnow()
    _lock_open(campaign, now)
    unanswered = [recipient for recipient in campaign.recipients
                  if _remindable(recipient) and recipient.queued_at is None]
    due = _reminders_due(unanswered, now)
    _queue(campaign, due, now)
    queued = Queued(len(due), len(unanswered) - len(due))
    record_event(Action.CAMPAIGN_REMINDED, user=user, forbund_id=campaign.forbund_id,
                 subject=campaign.title, detail={"campaign": campaign.id, "queued": queued.queued,
                                                 "skipped": queued.skipped})
    return queued


def mails_to_send(campaign: Campaign) -> int:
    """How many mails "Skicka" queues now, for the page that asks first."""
    return len(_unsent(campaign))


def in_doubt_to_send(campaign: Campaign) -> int:
    """How many of those may have had their mail already: a worker stopped while it sent
    them (`IN_DOUBT`), so "Skicka igen" may give them a second one."""
    return sum(1 for recipient in _unsent(campaign) if recipient.last_error == IN_DOUBT)


@dataclass(frozen=True)
class ReminderOutlook:
    """Those who have not answered, as "Påminn" sees them: `due` it would mail now,
    `resting` were mailed less than `REMINDER_PAUSE` ago, `queued` have a mail waiting."""

    due: int = 0
    resting: int = 0
    queued: int = 0


def reminder_outlook(campaign: Campaign, *, now: dt.datetime | None = None) -> ReminderOutlook:
    """Who could be reminded now and who not yet, counted in one query, so the utskick's
    page offers "Påminn" only when it would mail someone, and otherwise says why."""
    rested = func.coalesce(CampaignRecipient.reminded_at, CampaignRecipient.sent_at) <= (
        (now or utcnow()) - REMINDER_PAUSE)
    waiting = CampaignRecipient.queued_at.is_not(None)

    def number_of(condition) -> object:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(number_of(~waiting & rested), number_of(~waiting & ~rested), number_of(waiting))
        .join(Invitation, CampaignRecipient.invitation_id == Invitation.id)
        .where(CampaignRecipient.campaign_id == campaign.id,
               CampaignRecipient.email.is_not(None), CampaignRecipient.sent_at.is_not(None),
               CampaignRecipient.answered.is_(False), Invitation.used_at.is_(None))).one()
    return ReminderOutlook(*(int(value) for value in row))


def reminders_to_send(campaign: Campaign, *, now: dt.datetime | None = None) -> int:
    """How many reminders "Påminn" queues now, for the page that asks first."""
    return reminder_outlook(campaign, now=now).due


def _lock_open(campaign: Campaign, now: dt.datetime) -> None:
    """One queueing of an utskick at a time (SELECT ... FOR UPDATE on PostgreSQL): a
    second tap waits, then finds the addresses already queued."""
    db.session.refresh(campaign, with_for_update=True)
    db.session.expire(campaign, ["recipients"])
    if has_ended(campaign, now):
        raise CampaignClosed("utskicket är stängt")


def _unsent(campaign: Campaign) -> list[CampaignRecipient]:
    return [recipient for recipient in campaign.recipients
            if recipient.sent_at is None and recipient.email and recipient.queued_at is None]


def _queue(campaign: Campaign, recipients: Sequence[CampaignRecipient],
           now: dt.datetime) -> None:
    """One UPDATE for the whole round, whatever its size."""
    if not recipients:
        return
    db.session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id.in_([recipient.id for recipient in recipients]))
        .values(queued_at=now, claimed_at=None, last_error=None)
        .execution_options(synchronize_session="fetch"))
    # nobody needs to resume it until a lease has passed: the job is on its way
    campaign.worked_on_at, campaign.mailing_problem = now, None
    db.session.flush()


def _remindable(recipient: CampaignRecipient) -> bool:
    invitation = recipient.invitation
    return (recipient.email is not None and recipient.sent_at is not None
            and not recipient.answered and invitation is not None and invitation.used_at is None)


def _reminders_due(unanswered: list[CampaignRecipient],
                   now: dt.datetime) -> list[CampaignRecipient]:
    return [recipient for recipient in unanswered
            if _last_mailed(recipient) <= now - REMINDER_PAUSE]


def _last_mailed(recipient: CampaignRecipient) -> dt.datetime:
    return max(moment for moment in (recipient.sent_at, recipient.reminded_at) if moment)


# --- scheduled reminders and resuming (the periodic job) --------------------------------


def queue_scheduled_reminders(*, now: dt.datetime | None = None) -> list[Campaign]:
    """Queue the automatic reminder of every open utskick whose "Påminn automatiskt efter
    N dagar" has come, once each; the utskick it queued anything for."""
    now = now or utcnow()
    candidates = db.session.scalars(select(Campaign).where(
        Campaign.closed_at.is_(None), Campaign.closes_at > now,
        Campaign.remind_after_days.is_not(None), Campaign.auto_reminded_at.is_(None),
        Campaign.first_sent_at.is_not(None))).all()
    fired = []
    for campaign in candidates:
        if campaign.first_sent_at + dt.timedelta(days=campaign.remind_after_days) <= now:
            queued = queue_reminders(campaign, now=now).queued  # refreshes the campaign
            campaign.auto_reminded_at = now
            if queued:
                fired.append(campaign)
    db.session.flush()
    return fired


def campaigns_to_resume(*, now: dt.datetime | None = None) -> list[int]:
    """The open utskick with queued mails that no worker is sending: nobody has worked on
    them for a lease (a worker died, or the queue lost the job), or, for a send the
    server asked to wait, for longer than its job goes on trying. They are marked worked
    on now, so that the next look (a minute on, or another worker's start) leaves them
    to the send it starts. Claims left by a dead worker are settled first."""
    now = now or utcnow()
    settle_abandoned_claims(now=now)
    waiting = exists().where(CampaignRecipient.campaign_id == Campaign.id,
                             CampaignRecipient.queued_at.is_not(None),
                             CampaignRecipient.claimed_at.is_(None))
    idle = or_(Campaign.worked_on_at.is_(None),
               Campaign.mailing_problem.is_(None) & (Campaign.worked_on_at <= now - lease()),
               Campaign.worked_on_at <= now - RETRY_WINDOW)
    resumed = list(db.session.scalars(select(Campaign.id).where(
        Campaign.closed_at.is_(None), waiting, idle)))
    if resumed:
        db.session.execute(update(Campaign).where(Campaign.id.in_(resumed))
                           .values(worked_on_at=now)
                           .execution_options(synchronize_session=False))
    return resumed


def settle_abandoned_claims(campaign_id: int | None = None, *,
                            now: dt.datetime | None = None) -> int:
    """Record as failed, in doubt, every claim older than the lease: its worker died
    between claiming and recording, so the mail may have arrived. How many."""
    now = now or utcnow()
    query = (update(CampaignRecipient)
             .where(CampaignRecipient.queued_at.is_not(None),
                    CampaignRecipient.claimed_at <= now - lease())
             .values(queued_at=None, claimed_at=None, replaced_token_hash=None,
                     last_error=IN_DOUBT)
             .execution_options(synchronize_session=False))
    if campaign_id is not None:
        query = query.where(CampaignRecipient.campaign_id == campaign_id)
    settled = db.session.execute(query).rowcount
    db.session.expire_all()
    return settled


def lease() -> dt.timedelta:
    """How long a claim may wait for its outcome: several SMTP timeouts (a mail is a few
    SMTP commands, each allowed one timeout)."""
    return dt.timedelta(seconds=LEASE_TIMEOUTS * current_app.config["SMTP_TIMEOUT_SECONDS"])


# --- sending (the job) --------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A mail of an utskick with the link left out: made once per run, filled per
    address, so mailing 2,000 addresses reads the utskick once."""

    subject: str
    before_link: str
    after_link: str

    def to(self, address: str, link: str) -> Mail:
        return Mail(to=address, subject=self.subject,
                    body=f"{self.before_link}{link}{self.after_link}")


def mail_queued(campaign_id: int, base_url: str,
                checkpoint: Callable[[], None]) -> dt.timedelta | None:
    """Mail every queued recipient of the utskick nobody else holds, in batches, each
    recorded and committed (`checkpoint`) as it goes. Returns None when nothing is left,
    or how long to wait before looking again when another worker's claims are still open
    (they are settled then, should that worker have died). Raises MailingDeferred (after
    committing why, for the page) when the server cannot be reached or asks to wait."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    settle_abandoned_claims(campaign_id)
    if has_ended(campaign):
        _unqueue_all(campaign_id)
        checkpoint()
        return None
    _make_missing_links(campaign)
    checkpoint()
    letters = {False: _invitation_letter(campaign), True: _reminder_letter(campaign)}
    deferred: dict[int, str] = {}  # an address the server asked to wait for: the others go on
    while batch := _waiting(campaign_id, besides=deferred):
        deferred.update(_mail_batch(campaign, batch, letters, base_url, checkpoint))
    if deferred:
        raise _deferred(campaign, next(reversed(deferred.values())), checkpoint)
    checkpoint()
    return _open_claims_wait(campaign_id)


def _make_missing_links(campaign: Campaign) -> None:
    """A link for each queued recipient that has none, all made in one transaction, in
    random order, at one moment (the utskick's row is locked meanwhile, so a second job
    waits and then finds them made). Its token is never mailed: the claim gives the link
    the token its mail carries."""
    db.session.refresh(campaign, with_for_update=True)
    without_link = list(db.session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.queued_at.is_not(None),
        CampaignRecipient.invitation_id.is_(None), CampaignRecipient.sent_at.is_(None))))
    random.SystemRandom().shuffle(without_link)
    now, version = utcnow(), campaign.instrument_version
    creator = db.session.get(User, campaign.created_by_id) if campaign.created_by_id else None
    for recipient in without_link:
        recipient.invitation, _ = create_invitation(
            campaign.insats, version.instrument_id, campaign.timepoint, forbund=campaign.forbund,
            version=version.version, expires_at=campaign.closes_at, created_by=creator, now=now)
        recipient.invitation.campaign_id = campaign.id
    db.session.flush()


def _waiting(campaign_id: int, besides: Collection[int]) -> list[int]:
    query = (select(CampaignRecipient.id)
             .where(CampaignRecipient.campaign_id == campaign_id,
                    CampaignRecipient.queued_at.is_not(None),
                    CampaignRecipient.claimed_at.is_(None))
             .order_by(CampaignRecipient.id).limit(BATCH_SIZE))
    if besides:
        query = query.where(CampaignRecipient.id.not_in(list(besides)))
    return list(db.session.scalars(query))


def _mail_batch(campaign: Campaign, batch: list[int], letters: dict[bool, Letter],
                base_url: str, checkpoint: Callable[[], None]) -> dict[int, str]:
    """Mail the batch over one connection; the recipients the server asked to wait for
    (4xx for that address), with its reason, stay queued for the next try. A connection
    that cannot be made or breaks defers the whole send."""
    deferred = {}
    try:
        with mail_connection() as connection:
            for recipient_id in batch:
                mail = _claim(campaign, recipient_id, letters, base_url)
                checkpoint()
                if mail is None:
                    continue
                outcome = connection.send(mail)  # no transaction is open meanwhile
                _record(campaign, recipient_id, outcome)
                checkpoint()
                if outcome.delivery is Delivery.IN_DOUBT:
                    raise MailingDeferred(outcome.reason)
                if outcome.delivery is Delivery.DEFERRED:
                    deferred[recipient_id] = outcome.reason or ""
    except MailFailed as failure:  # the server could not be reached
        raise _deferred(campaign, str(failure), checkpoint) from failure
    except MailingDeferred as broken:
        raise _deferred(campaign, str(broken), checkpoint) from broken
    return deferred


def _deferred(campaign: Campaign, reason: str,
              checkpoint: Callable[[], None]) -> MailingDeferred:
    campaign.mailing_problem = _limited(f"{reason} {RETRYING}")
    campaign.worked_on_at = utcnow()  # its job's retry is on the way (`campaigns_to_resume`)
    checkpoint()
    return MailingDeferred(reason)


def _claim(campaign: Campaign, recipient_id: int, letters: dict[bool, Letter],
           base_url: str) -> Mail | None:
    """Take the queued recipient if nobody holds it, give its link the token the mail
    will carry and return the mail; None when another worker took it first, or when it
    needs no mail any more (it answered, its link was used)."""
    now = utcnow()
    taken = db.session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id == recipient_id, CampaignRecipient.queued_at.is_not(None),
               CampaignRecipient.claimed_at.is_(None))
        .values(claimed_at=now).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        return None
    recipient = db.session.get(CampaignRecipient, recipient_id, populate_existing=True)
    reminder = recipient.sent_at is not None
    if (not recipient.email or recipient.invitation is None
            or (reminder and not _remindable(recipient))):
        recipient.queued_at = recipient.claimed_at = None
        db.session.flush()
        return None
    token = new_token()
    recipient.replaced_token_hash = recipient.invitation.token_hash
    replace_token(recipient.invitation, token)
    campaign.worked_on_at = now
    db.session.flush()
    return letters[reminder].to(recipient.email, invitation_link(token, base_url))


def _record(campaign: Campaign, recipient_id: int, outcome: MailOutcome) -> None:
    recipient = db.session.get(CampaignRecipient, recipient_id)
    if outcome.delivery is Delivery.SENT:
        if recipient.sent_at is None:
            recipient.sent_at = recipient.queued_at
        else:
            recipient.reminded_at = recipient.queued_at
        recipient.last_error = campaign.mailing_problem = None
    elif outcome.delivery is Delivery.IN_DOUBT:
        recipient.last_error = IN_DOUBT
    else:
        _restore_token(recipient)
        if outcome.delivery is Delivery.REFUSED:
            recipient.last_error = _limited(outcome.reason or "")
    recipient.claimed_at = recipient.replaced_token_hash = None
    if outcome.delivery is not Delivery.DEFERRED:
        recipient.queued_at = None
    db.session.flush()


def _restore_token(recipient: CampaignRecipient) -> None:
    """The mail was not sent: the link keeps the token it had before the claim."""
    if recipient.replaced_token_hash and recipient.invitation is not None:
        recipient.invitation.token_hash = recipient.replaced_token_hash


def _unqueue_all(campaign_id: int) -> None:
    db.session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.campaign_id == campaign_id,
               CampaignRecipient.queued_at.is_not(None))
        .values(queued_at=None, claimed_at=None, replaced_token_hash=None)
        .execution_options(synchronize_session=False))
    db.session.expire_all()


def _open_claims_wait(campaign_id: int) -> dt.timedelta | None:
    """How long until the oldest claim still open (another worker's) passes its lease."""
    oldest = db.session.scalar(
        select(CampaignRecipient.claimed_at)
        .where(CampaignRecipient.campaign_id == campaign_id,
               CampaignRecipient.queued_at.is_not(None),
               CampaignRecipient.claimed_at.is_not(None))
        .order_by(CampaignRecipient.claimed_at).limit(1))
    if oldest is None:
        return None
    return max(oldest + lease() - utcnow(), dt.timedelta(0)) + dt.timedelta(seconds=1)


def _limited(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the mails ---------------------------------------------------------------------------


def _invitation_letter(campaign: Campaign) -> Letter:
    forbund = campaign.forbund.name
    return Letter(
        subject=f"{campaign.title}: en enkät från {forbund}",
        before_link=(
            "Hej!\n\n"
            f"{forbund} ber dig svara på en enkät: {survey_title(campaign)}."
            f"{_about(campaign)}\n\n"
            f"{_facts(campaign)}\n\n"
            "Svara här. Länken är personlig och kan användas en gång, så dela den inte:\n\n"
        ),
        after_link=f"\n\n{_signature(campaign)}",
    )


def _reminder_letter(campaign: Campaign) -> Letter:
    forbund = campaign.forbund.name
    return Letter(
        subject=f"Påminnelse: {campaign.title}",
        before_link=(
            "Hej!\n\n"
            f"För en tid sedan bad {forbund} dig svara på en enkät: "
            f"{survey_title(campaign)}.{_about(campaign)} Vi har inte fått dina svar ännu, "
            "och varje svar gör resultatet säkrare.\n\n"
            f"{_facts(campaign)}\n\n"
            "Svara här. Länken ersätter den i det förra mejlet, som inte längre fungerar. "
            "Har du redan börjat svara finns dina svar kvar:\n\n"
        ),
        after_link=f"\n\n{_signature(campaign)}",
    )


def _about(campaign: Campaign) -> str:
    return f" Den gäller insatsen {campaign.insats.name}." if campaign.insats else ""


def _facts(campaign: Campaign) -> str:
    minutes = stored_instrument(campaign.instrument_version).estimated_minutes
    duration = f"Det tar ungefär {minutes} minuter. " if minutes else ""
    closes = format_date(closes_on(campaign), "d MMMM y", locale="sv")
    return (
        "Du svarar anonymt. När du har skickat dina svar finns ingenting som kopplar dem "
        "till dig eller till din e-postadress, och adresserna raderas när utskicket "
        f"stängs. Svaren redovisas bara sammanräknade.\n\n{duration}"
        f"Du kan svara till och med den {closes}."
    )


def _signature(campaign: Campaign) -> str:
    creator = db.session.get(User, campaign.created_by_id) if campaign.created_by_id else None
    sender = creator.display_name if creator else None
    signed = f"{sender}\n{campaign.forbund.name}" if sender else campaign.forbund.name
    return (
        f"Med vänliga hälsningar\n{signed}\n\n"
        f"Det här mejlet skickades med enkat för {campaign.forbund.name}. Har du frågor om "
        f"enkäten, kontakta {campaign.forbund.name}."
    )
