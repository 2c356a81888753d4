"""Utskick: single-use links to one anonymous survey, e-mailed to a list of addresses
(personal, chefer i samverkan, styrelse, remittenter), with reminders and a response rate.

Answers stay anonymous by construction:
- a recipient points at its link only until the link is used: `invitations.use_invitation`
  then keeps `answered` and clears the pointer, so no row joins an answer to an address;
- the links of an utskick are made all at once, in random order and with one timestamp,
  and every address mailed in one go gets the same `sent_at`, so neither the ids nor the
  times of the links map back to the order or the moment of the addresses;
- closing deletes every address and expires the links not used.

Links and their responses name their utskick (`campaign_id`), so its results can be
counted (`services.results.utskick`); the utskick is shared by all its recipients, so that
names no one (see `enkat.models.Campaign`).

Mails are plain Swedish text without images or tracking (`services.mail`). A mail that
cannot be sent is recorded on its recipient with the reason, shown, and sent again on
request; nothing is dropped silently. Refusals are said in Swedish: they are shown as they
are to the förbund's administrators, the only users of utskick.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import format_date
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import Select, case, func, select, update

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.timepoints import timepoint_words
from enkat.models import Campaign, CampaignRecipient, Forbund, Insats, Invitation, User, utcnow
from enkat.services import ServiceError
from enkat.services.answering.drafts import local_today
from enkat.services.answering.invitations import (
    MAX_EXPIRY_DAYS,
    create_invitation,
    invitation_link,
    replace_token,
)
from enkat.services.audit.events import Action, record_event
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.instruments.versions import (
    UnknownInstrument,
    register_version,
    resolve_instrument,
    stored_instrument,
    uploaded_by,
)
from enkat.services.mail import Mail, MailFailed, send_mail
from enkat.services.tokens import new_token

#: The most addresses one utskick takes: enough for every chef and styrelse of a förbund,
#: few enough to be mailed within one request.
MAX_RECIPIENTS = 2000
#: Who an utskick goes to; deltagare answer through their insats (links, kiosk).
AUDIENCES = ("personal", "chef", "styrelse", "remittent")
#: The last day an utskick may close, counted from today: its links must expire within
#: `MAX_EXPIRY_DAYS` of the day they are mailed.
MAX_OPEN_DAYS = MAX_EXPIRY_DAYS - 1
#: A recipient mailed this recently gets no reminder: a second tap on "Påminn" must not
#: replace the link that was mailed a moment ago.
REMINDER_PAUSE = dt.timedelta(hours=1)
TITLE_MAX_LENGTH = 200
#: Wrong addresses named one by one; a file of wrong lines is not answered with thousands.
MAX_NAMED_PROBLEMS = 25

_SEPARATORS = re.compile(r"[,;\t]")
_NAMED_ADDRESS = re.compile(r"<([^<>]*)>\s*$")  # "Anna Andersson <anna@example.se>"
#: Errors about one mail: the server is there and refused this message or address.
_REFUSALS_OF_ONE_MAIL = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                         smtplib.SMTPSenderRefused)


class CampaignRefused(ServiceError):
    """The utskick cannot be created; `problems` says what and where, all at once."""

    def __init__(self, problems: Sequence[CampaignProblem]):
        self.problems = tuple(problems)
        super().__init__(" ".join(problem.message for problem in self.problems))


class CampaignClosed(ServiceError):
    """Nothing more is mailed for an utskick that is closed or past its closing day."""


@dataclass(frozen=True)
class CampaignProblem:
    """`field`: instrument, timepoint, insats, title, closes_on or addresses."""

    field: str
    message: str


@dataclass(frozen=True)
class ParsedAddresses:
    addresses: tuple[str, ...]
    problems: tuple[CampaignProblem, ...]
    duplicates: int


@dataclass(frozen=True)
class MailingOutcome:
    """What one "Skicka" or "Påminn" did: mails sent, mails that failed (their reasons are
    on the recipients), and recipients left out because they were mailed a moment ago."""

    sent: int
    failed: int
    skipped: int = 0


@dataclass(frozen=True)
class CampaignCounts:
    """How far an utskick has come. `failed` counts every recipient whose last mail
    failed (first mail or reminder); `failed_unsent` those of them who never got a link."""

    recipients: int
    sent: int
    failed: int
    answered: int
    failed_unsent: int

    @property
    def waiting(self) -> int:
        """Addresses not yet tried."""
        return self.recipients - self.sent - self.failed_unsent

    @property
    def response_rate(self) -> float | None:
        """Answered, as a share of the mails that arrived; None before any has."""
        return self.answered / self.sent if self.sent else None


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    counts: CampaignCounts


# --- creating ----------------------------------------------------------------------------


def campaign_instruments(forbund: Forbund) -> list[Instrument]:
    """The surveys an utskick may carry: anonymous, answered by the invited adults
    themselves (personal, chefer, styrelse, remittenter), in their current version,
    bundled or the förbund's own."""
    return sorted((instrument for instrument in usable_instruments(forbund)
                   if _mailable(instrument)),
                  key=lambda instrument: instrument.title.get("sv"))


def _mailable(instrument: Instrument) -> bool:
    return (instrument.audience in AUDIENCES and instrument.anonymous
            and instrument.rated_by == "self")


def parse_addresses(text: str) -> ParsedAddresses:
    """Addresses one a line or separated by commas or semicolons, as pasted or read from
    a .txt or .csv file: trimmed, lower-cased, in order, each once. Every entry that is no
    e-mail address is a problem naming its line (the first `MAX_NAMED_PROBLEMS`, then how
    many more). "Namn <adress>" keeps the address only."""
    found: dict[str, None] = {}
    wrong: list[CampaignProblem] = []
    entries = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for entry in _entries(line):
            entries += 1
            address = _address(entry)
            if address is None:
                wrong.append(CampaignProblem(
                    "addresses", f"Rad {number}: ”{_shortened(entry)}” är ingen e-postadress."))
            else:
                found.setdefault(address, None)
    problems = wrong[:MAX_NAMED_PROBLEMS]
    if len(wrong) > MAX_NAMED_PROBLEMS:
        problems.append(CampaignProblem(
            "addresses", f"… och {len(wrong) - MAX_NAMED_PROBLEMS} felaktiga adresser till."))
    if not entries:
        problems.append(CampaignProblem("addresses", "Skriv in minst en e-postadress."))
    elif len(found) > MAX_RECIPIENTS:
        problems.append(CampaignProblem(
            "addresses", f"Listan har {len(found)} adresser. Ett utskick kan ha högst "
                         f"{MAX_RECIPIENTS}; dela upp listan på flera utskick."))
    return ParsedAddresses(tuple(found), tuple(problems), entries - len(found) - len(wrong))


def _entries(line: str) -> list[str]:
    entries = (entry.strip().strip('"').strip("'").strip() for entry in _SEPARATORS.split(line))
    return [entry for entry in entries if entry]


def _address(entry: str) -> str | None:
    named = _NAMED_ADDRESS.search(entry)
    candidate = (named.group(1) if named else entry).strip()
    try:
        checked = validate_email(candidate, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email.lower()


def _shortened(entry: str, limit: int = 60) -> str:
    return entry if len(entry) <= limit else entry[: limit - 1] + "…"


def create_campaign(
    forbund: Forbund,
    user: User | None,
    instrument_id: str,
    timepoint: str,
    title: str,
    addresses_text: str,
    *,
    closes_on: dt.date,
    insats: Insats | None = None,
    today: dt.date | None = None,
) -> Campaign:
    """A new utskick with its addresses, not yet mailed. An empty `timepoint` is the
    instrument's only one. Refuses (CampaignRefused) with every problem at once, the line
    of each address that is wrong among them; a refused utskick writes nothing."""
    today = today or local_today()
    instrument, timepoint, problems = _instrument_problems(forbund, instrument_id, timepoint)
    problems += _frame_problems(forbund, insats, title, closes_on, today)
    parsed = parse_addresses(addresses_text)
    problems += parsed.problems
    if problems:
        raise CampaignRefused(problems)
    campaign = Campaign(
        forbund_id=forbund.id, insats_id=insats.id if insats else None,
        instrument_version_id=register_version(instrument).id, timepoint=timepoint,
        title=title.strip(), created_by_id=user.id if user else None,
        closes_at=_closing_moment(closes_on),
        recipients=[CampaignRecipient(email=address) for address in parsed.addresses],
    )
    db.session.add(campaign)
    db.session.flush()
    record_event(Action.CAMPAIGN_CREATED, user=user, forbund_id=forbund.id, subject=campaign.title,
                 detail={"campaign": campaign.id, "instrument": instrument.id,
                 "timepoint": timepoint, "recipients": len(parsed.addresses),
                 "duplicates": parsed.duplicates})
    return campaign


def _instrument_problems(
    forbund: Forbund, instrument_id: str, timepoint: str
) -> tuple[Instrument | None, str, list[CampaignProblem]]:
    """The instrument, the timepoint (an empty one is the instrument's only timepoint),
    and what is wrong with them."""
    try:
        instrument = resolve_instrument(instrument_id)
    except UnknownInstrument:
        instrument = None
    if instrument is None or uploaded_by(instrument) not in (None, forbund.id):
        return None, timepoint, [CampaignProblem("instrument", "Välj en enkät i listan.")]
    title = instrument.title.get("sv")
    if not _mailable(instrument):
        return instrument, timepoint, [CampaignProblem(
            "instrument", f"{title} skickas inte ut med e-post. Ett utskick är för anonyma "
                          "enkäter till personal, chefer, styrelse eller remittenter.")]
    timepoint = timepoint.strip()
    if not timepoint and len(instrument.timepoints) == 1:
        timepoint = instrument.timepoints[0]
    allowed = ", ".join(timepoint_words(declared) for declared in instrument.timepoints)
    if not timepoint:
        return instrument, timepoint, [CampaignProblem(
            "timepoint", f"Välj mätpunkt. {title} har: {allowed}.")]
    if not instrument.matches_timepoint(timepoint):
        return instrument, timepoint, [CampaignProblem(
            "timepoint", f"{title} har inte mätpunkten ”{timepoint_words(timepoint)}”. "
                         f"Välj: {allowed}.")]
    return instrument, timepoint, []


def _frame_problems(forbund: Forbund, insats: Insats | None, title: str,
                    closes_on: dt.date, today: dt.date) -> list[CampaignProblem]:
    problems = []
    if insats is not None and insats.forbund_id != forbund.id:
        problems.append(CampaignProblem("insats", "Välj en insats i listan."))
    if not title.strip():
        problems.append(CampaignProblem("title", "Skriv en rubrik för utskicket."))
    elif len(title.strip()) > TITLE_MAX_LENGTH:
        problems.append(CampaignProblem(
            "title", f"Rubriken får ha högst {TITLE_MAX_LENGTH} tecken."))
    if closes_on < today:
        problems.append(CampaignProblem(
            "closes_on", "Sista svarsdagen har redan varit. Välj i dag eller en senare dag."))
    elif closes_on > today + dt.timedelta(days=MAX_OPEN_DAYS):
        problems.append(CampaignProblem(
            "closes_on", f"Sista svarsdagen kan vara högst {MAX_OPEN_DAYS} dagar fram."))
    return problems


# --- mailing -----------------------------------------------------------------------------


def send_campaign(campaign: Campaign, base_url: str, user: User | None = None, *,
                  now: dt.datetime | None = None) -> MailingOutcome:
    """Mail every address that has not yet received its link: the first "Skicka", and
    "Skicka igen till misslyckade" after a failure. Each gets its own single-use link."""
    now = now or utcnow()
    _lock_open(campaign, now)
    pending = _unsent(campaign)
    tokens = _links_for(campaign, pending, user, now)
    outcome = _mail_each(pending, now, lambda recipient: _invitation_mail(
        campaign, recipient.email, invitation_link(tokens[recipient.id], base_url)),
        on_sent=lambda recipient: _sent(recipient, tokens[recipient.id], now))
    record_event(Action.CAMPAIGN_SENT, user=user, forbund_id=campaign.forbund_id,
                 subject=campaign.title,
                 detail={"campaign": campaign.id, "sent": outcome.sent, "failed": outcome.failed})
    return outcome


def remind(campaign: Campaign, base_url: str, user: User | None = None, *,
           now: dt.datetime | None = None) -> MailingOutcome:
    """Mail again those who have not answered and whose link is unused. The mail carries
    a new token for the same link: the old address stops working, and answers saved
    through it stay in the draft. A failed reminder keeps the old token working."""
    now = now or utcnow()
    _lock_open(campaign, now)
    unanswered = [recipient for recipient in campaign.recipients if _remindable(recipient)]
    due = _reminders_due(unanswered, now)
    tokens = {recipient.id: new_token() for recipient in due}
    outcome = _mail_each(due, now, lambda recipient: _reminder_mail(
        campaign, recipient.email, invitation_link(tokens[recipient.id], base_url)),
        on_sent=lambda recipient: _reminded(recipient, tokens[recipient.id], now))
    outcome = MailingOutcome(outcome.sent, outcome.failed, len(unanswered) - len(due))
    record_event(Action.CAMPAIGN_REMINDED, user=user, forbund_id=campaign.forbund_id,
                 subject=campaign.title,
                 detail={"campaign": campaign.id, "sent": outcome.sent, "failed": outcome.failed,
                 "skipped": outcome.skipped})
    return outcome


def mails_to_send(campaign: Campaign) -> int:
    """How many mails "Skicka" sends now, for the page that asks first."""
    return len(_unsent(campaign))


def reminders_to_send(campaign: Campaign, *, now: dt.datetime | None = None) -> int:
    """How many reminders "Påminn" sends now, for the page that asks first."""
    unanswered = [recipient for recipient in campaign.recipients if _remindable(recipient)]
    return len(_reminders_due(unanswered, now or utcnow()))


def _unsent(campaign: Campaign) -> list[CampaignRecipient]:
    return [recipient for recipient in campaign.recipients
            if recipient.sent_at is None and recipient.email]


def _reminders_due(unanswered: list[CampaignRecipient],
                   now: dt.datetime) -> list[CampaignRecipient]:
    return [recipient for recipient in unanswered
            if _last_mailed(recipient) <= now - REMINDER_PAUSE]


def _lock_open(campaign: Campaign, now: dt.datetime) -> None:
    """One mailing of an utskick at a time (SELECT ... FOR UPDATE on PostgreSQL): a second
    tap waits, then finds the addresses already mailed."""
    db.session.refresh(campaign, with_for_update=True)
    db.session.expire(campaign, ["recipients"])
    if campaign.closed_at is not None or campaign.closes_at <= now:
        raise CampaignClosed("utskicket är stängt")


def _links_for(campaign: Campaign, recipients: list[CampaignRecipient], user: User | None,
               now: dt.datetime) -> dict[int, str]:
    """A token for each recipient: a new link for one that has none (made in random order,
    all at one moment), a new token for the link of one whose first mail failed."""
    tokens = {}
    without_link = [recipient for recipient in recipients if recipient.invitation is None]
    random.SystemRandom().shuffle(without_link)
    for recipient in without_link:
        recipient.invitation, tokens[recipient.id] = _new_link(campaign, user, now)
    for recipient in recipients:
        tokens.setdefault(recipient.id, new_token())
    db.session.flush()
    return tokens


def _new_link(campaign: Campaign, user: User | None, now: dt.datetime) -> tuple[Invitation, str]:
    """A link of the utskick: it names the utskick (as every other link of it does), and
    the response given through it will too (`drafts.find_draft`)."""
    version = campaign.instrument_version
    invitation, token = create_invitation(
        campaign.insats, version.instrument_id, campaign.timepoint, forbund=campaign.forbund,
        version=version.version, expires_at=campaign.closes_at, created_by=user, now=now,
    )
    invitation.campaign_id = campaign.id
    return invitation, token


def _mail_each(recipients: list[CampaignRecipient], now: dt.datetime,
               mail_for: Callable[[CampaignRecipient], Mail],
               on_sent: Callable[[CampaignRecipient], None]) -> MailingOutcome:
    """Send one mail per recipient. A refusal of one mail is noted on its recipient and
    the others go on; a server that cannot be reached stops the round, and every
    recipient not tried is noted as such, to be sent again."""
    sent = failed = 0
    for position, recipient in enumerate(recipients):
        try:
            send_mail(mail_for(recipient))
        except MailFailed as failure:
            failed += 1
            recipient.last_error = _limited(str(failure))
            if not isinstance(failure.__cause__, _REFUSALS_OF_ONE_MAIL):
                failed += _not_tried(recipients[position + 1:], recipient.last_error)
                break
        else:
            sent += 1
            recipient.last_error = None
            on_sent(recipient)
    db.session.flush()
    return MailingOutcome(sent, failed)


def _not_tried(recipients: list[CampaignRecipient], reason: str) -> int:
    for recipient in recipients:
        recipient.last_error = _limited(f"Inte skickat, utskicket avbröts: {reason}")
    return len(recipients)


def _sent(recipient: CampaignRecipient, token: str, now: dt.datetime) -> None:
    replace_token(recipient.invitation, token)
    recipient.sent_at = now


def _reminded(recipient: CampaignRecipient, token: str, now: dt.datetime) -> None:
    replace_token(recipient.invitation, token)
    recipient.reminded_at = now


def _remindable(recipient: CampaignRecipient) -> bool:
    invitation = recipient.invitation
    return (recipient.email is not None and recipient.sent_at is not None
            and not recipient.answered and invitation is not None and invitation.used_at is None)


def _last_mailed(recipient: CampaignRecipient) -> dt.datetime:
    return max(moment for moment in (recipient.sent_at, recipient.reminded_at) if moment)


def _limited(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the mails ---------------------------------------------------------------------------


def _invitation_mail(campaign: Campaign, address: str, link: str) -> Mail:
    forbund = campaign.forbund.name
    return Mail(
        to=address,
        subject=f"{campaign.title}: en enkät från {forbund}",
        body=(
            "Hej!\n\n"
            f"{forbund} ber dig svara på en enkät: {survey_title(campaign)}."
            f"{_about(campaign)}\n\n"
            f"{_facts(campaign)}\n\n"
            "Svara här. Länken är personlig och kan användas en gång, så dela den inte:\n\n"
            f"{link}\n\n"
            f"{_signature(campaign)}"
        ),
    )


def _reminder_mail(campaign: Campaign, address: str, link: str) -> Mail:
    forbund = campaign.forbund.name
    return Mail(
        to=address,
        subject=f"Påminnelse: {campaign.title}",
        body=(
            "Hej!\n\n"
            f"För en tid sedan bad {forbund} dig svara på en enkät: "
            f"{survey_title(campaign)}.{_about(campaign)} Vi har inte fått dina svar ännu, "
            "och varje svar gör resultatet säkrare.\n\n"
            f"{_facts(campaign)}\n\n"
            "Svara här. Länken ersätter den i det förra mejlet, som inte längre fungerar. "
            "Har du redan börjat svara finns dina svar kvar:\n\n"
            f"{link}\n\n"
            f"{_signature(campaign)}"
        ),
    )


def survey_title(campaign: Campaign) -> str:
    """The survey's Swedish title, in the version the utskick carries."""
    return stored_instrument(campaign.instrument_version).title.get("sv")


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


# --- following and closing ---------------------------------------------------------------


def find_campaign(forbund: Forbund, campaign_id: int) -> Campaign | None:
    """The förbund's utskick with this id; another förbund's is None, like a missing one."""
    return db.session.scalar(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.forbund_id == forbund.id)
    )


def campaign_summaries(forbund: Forbund) -> list[CampaignSummary]:
    """Every utskick of the förbund, newest first, with its counts (one query)."""
    counts = _counts_query().group_by(CampaignRecipient.campaign_id).subquery()
    rows = db.session.execute(
        select(Campaign, counts)
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(Campaign.forbund_id == forbund.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ).all()
    return [CampaignSummary(row[0], _counts(row[2:])) for row in rows]


def open_campaign_summaries(forbund: Forbund) -> list[CampaignSummary]:
    """The utskick not yet closed, newest first, with their counts."""
    return [summary for summary in campaign_summaries(forbund)
            if summary.campaign.closed_at is None]


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    row = db.session.execute(
        _counts_query().where(CampaignRecipient.campaign_id == campaign.id)
        .group_by(CampaignRecipient.campaign_id)
    ).first()
    return _counts(row[1:] if row else ())


class FailedMail(StrEnum):
    """Which mail of a recipient failed, as the address of the list says it."""

    FIRST = "forsta"  # the first mail: nothing has reached the address
    REMINDER = "paminnelse"


def failed_recipients(campaign: Campaign, *, search: str = "", mail: str = "") -> Select:
    """The recipients whose last mail failed, by address, as an ordered query for
    `page_of_query`; `search` is any part of the address, `mail` a `FailedMail`. The
    only addresses an utskick shows: whether one has answered is never told."""
    query = select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id,
                                            CampaignRecipient.last_error.is_not(None))
    if search.strip():
        query = query.where(func.lower(CampaignRecipient.email).contains(
            search.strip().lower(), autoescape=True))
    if mail:
        first = CampaignRecipient.sent_at.is_(None)
        query = query.where(first if mail == FailedMail.FIRST else ~first)
    return query.order_by(CampaignRecipient.email, CampaignRecipient.id)


def response_rate(campaign: Campaign) -> float | None:
    """Answered, as a share of the mails that arrived; None before any has."""
    return campaign_counts(campaign).response_rate


def _counts_query():
    def number_of(condition) -> object:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return select(
        CampaignRecipient.campaign_id.label("campaign_id"),
        func.count().label("recipients"),
        number_of(CampaignRecipient.sent_at.is_not(None)).label("sent"),
        number_of(CampaignRecipient.last_error.is_not(None)).label("failed"),
        number_of(CampaignRecipient.answered.is_(True)).label("answered"),
        number_of(CampaignRecipient.sent_at.is_(None)
                  & CampaignRecipient.last_error.is_not(None)).label("failed_unsent"),
    )


def _counts(values: Sequence) -> CampaignCounts:
    recipients, sent, failed, answered, failed_unsent = (
        tuple(int(value or 0) for value in values) or (0, 0, 0, 0, 0))
    return CampaignCounts(recipients, sent, failed, answered, failed_unsent)


def close_campaign(campaign: Campaign, user: User | None = None, *,
                   now: dt.datetime | None = None) -> None:
    """Close the utskick: unused links expire, and every address and reason of a failed
    mail (which may quote the address) is deleted. Only the counts remain."""
    now = now or utcnow()
    if campaign.closed_at is not None:
        return
    links = select(CampaignRecipient.invitation_id).where(
        CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.invitation_id.is_not(None))
    db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(links), Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session="fetch")
    )
    for recipient in campaign.recipients:
        recipient.email = recipient.last_error = None
        recipient.invitation = None
    campaign.closed_at = now
    db.session.flush()
    record_event(Action.CAMPAIGN_CLOSED, user=user, forbund_id=campaign.forbund_id,
                 subject=campaign.title, detail={"campaign": campaign.id}, at=now)


def close_due_campaigns(now: dt.datetime | None = None) -> int:
    """Close every utskick past its closing time (for `enkat purge`); how many."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Campaign).where(Campaign.closed_at.is_(None), Campaign.closes_at <= now)
    ).all()
    for campaign in due:
        close_campaign(campaign, now=now)
    return len(due)


# --- the closing day ---------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _closing_moment(last_day: dt.date) -> dt.datetime:
    """Links work through the whole last day, where the förbund is."""
    next_midnight = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), _zone())
    return next_midnight.astimezone(dt.UTC)


def closes_on(campaign: Campaign) -> dt.date:
    """The last day to answer, as the förbund reads it."""
    return (campaign.closes_at.astimezone(_zone()) - dt.timedelta(seconds=1)).date()
