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

Mails are plain Swedish text without images or tracking (`services.mail`), sent by a job
(`mailing`). A mail that cannot be sent is recorded on its recipient with the reason,
shown, and sent again on request; nothing is dropped silently. Refusals are said in
Swedish: they are shown as they are to the förbund's administrators, the only users of
utskick.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, case, func, select, update

from enkat.config import local_zone
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.timepoints import timepoint_words
from enkat.models import Campaign, CampaignRecipient, Forbund, Insats, Invitation, User, utcnow
from enkat.reports.numbers import format_count
from enkat.services import ServiceError
from enkat.services.answering.drafts import local_today
from enkat.services.answering.invitations import (
    MAX_EXPIRY_DAYS,
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

#: The most addresses one utskick takes: enough for every chef and styrelse of a förbund.
MAX_RECIPIENTS = 2000
#: Who an utskick goes to; deltagare answer through their insats (links, kiosk).
AUDIENCES = ("personal", "chef", "styrelse", "remittent")
#: The last day an utskick may close, counted from today: its links must expire within
#: `MAX_EXPIRY_DAYS` of the day they are mailed.
MAX_OPEN_DAYS = MAX_EXPIRY_DAYS - 1
TITLE_MAX_LENGTH = 200
#: The most days "Påminn automatiskt efter N dagar" takes.
MAX_REMIND_AFTER_DAYS = 60
#: What is said of a number of days outside 1 to `MAX_REMIND_AFTER_DAYS`.
REMIND_AFTER_DAYS_RANGE = (f"Välj mellan 1 och {MAX_REMIND_AFTER_DAYS} dagar, eller lämna "
                           "fältet tomt.")
#: Wrong addresses named one by one; a file of wrong lines is not answered with thousands.
MAX_NAMED_PROBLEMS = 25

_SEPARATORS = re.compile(r"[,;\t]")
_NAMED_ADDRESS = re.compile(r"<([^<>]*)>\s*$")  # "Anna Andersson <anna@example.se>"


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
class CampaignCounts:
    """How far an utskick has come. `failed` counts every recipient whose last mail
    failed (first mail or reminder); `failed_unsent` those of them who never got a link;
    `queued` the mails waiting for the worker or being sent, `queued_first` those of
    them that are the first mail."""

    recipients: int
    sent: int
    failed: int
    answered: int
    failed_unsent: int
    queued: int = 0
    queued_first: int = 0

    @property
    def waiting(self) -> int:
        """Addresses neither tried nor queued."""
        return self.recipients - self.sent - self.failed_unsent - self.queued_first

    @property
    def never_mailed(self) -> int:
        """Addresses that got no link: once the utskick is closed, they never will."""
        return self.recipients - self.sent

    @property
    def response_rate(self) -> float | None:
        """Answered, as a share of the mails that arrived; None before any has."""
        return self.answered / self.sent if self.sent else None


class CampaignState(StrEnum):
    """Where an utskick is, in the words both its list and its own page say ("Läge")."""

    NOT_SENT = "Inte skickat"
    SENDING = "Skickas"  # mails are queued or being sent
    UNDER_WAY = "Pågår"  # mailed, open for answers
    CLOSED = "Stängt"


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    counts: CampaignCounts

    @property
    def state(self) -> CampaignState:
        if has_ended(self.campaign):
            return CampaignState.CLOSED
        if self.counts.queued:
            return CampaignState.SENDING
        if self.counts.sent or self.counts.failed:
            return CampaignState.UNDER_WAY
        return CampaignState.NOT_SENT


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
            "addresses", f"Ytterligare {format_count(len(wrong) - MAX_NAMED_PROBLEMS)} "
                         "felaktiga adresser."))
    if not entries:
        problems.append(CampaignProblem("addresses", "Skriv in minst en e-postadress."))
    elif len(found) > MAX_RECIPIENTS:
        problems.append(CampaignProblem(
            "addresses", f"Listan har {format_count(len(found))} adresser. Ett utskick kan "
                         f"ha högst {format_count(MAX_RECIPIENTS)}; dela upp listan på flera "
                         "utskick."))
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


@dataclass(frozen=True, kw_only=True)
class CampaignRequest:
    """An utskick as the förbund asks for it, before it is checked: what
    `create_campaign` makes and `campaign_problems` checks. An empty `timepoint` is the
    instrument's only one; `closes_on` is None when the form could not read the date;
    `today` is the förbund's today unless given."""

    forbund: Forbund
    instrument_id: str
    timepoint: str
    title: str
    addresses_text: str
    closes_on: dt.date | None
    insats: Insats | None = None
    remind_after_days: int | None = None
    today: dt.date | None = None


def create_campaign(request: CampaignRequest, user: User | None) -> Campaign:
    """A new utskick with its addresses, not yet mailed. Refuses (CampaignRefused) with
    every problem at once, the line of each address that is wrong among them; a refused
    utskick writes nothing."""
    checked = _checked(request)
    if checked.problems or checked.instrument is None or request.closes_on is None:  # (both
        raise CampaignRefused(checked.problems)  # are problems too; said for the type checker)
    parsed, forbund, insats = checked.addresses, request.forbund, request.insats
    campaign = Campaign(
        forbund_id=forbund.id, insats_id=insats.id if insats else None,
        instrument_version_id=register_version(checked.instrument).id,
        timepoint=checked.timepoint, title=request.title.strip(),
        created_by_id=user.id if user else None, closes_at=_closing_moment(request.closes_on),
        remind_after_days=request.remind_after_days,
        recipients=[CampaignRecipient(email=address) for address in parsed.addresses],
    )
    db.session.add(campaign)
    db.session.flush()
    record_event(Action.CAMPAIGN_CREATED, user=user, forbund_id=forbund.id, subject=campaign.title,
                 detail={"campaign": campaign.id, "instrument": checked.instrument.id,
                 "timepoint": checked.timepoint, "recipients": len(parsed.addresses),
                 "duplicates": parsed.duplicates})
    return campaign


def campaign_problems(request: CampaignRequest) -> tuple[CampaignProblem, ...]:
    """What `create_campaign` would refuse, written nowhere: for a form that already
    refused some fields (a date it could not read is None here), so the page says every
    problem at once, not the form's first and the rest after the next try."""
    return _checked(request).problems


@dataclass(frozen=True)
class _Checked:
    instrument: Instrument | None
    timepoint: str
    addresses: ParsedAddresses
    problems: tuple[CampaignProblem, ...]


def _checked(request: CampaignRequest) -> _Checked:
    today = request.today or local_today()
    instrument, timepoint, problems = _instrument_problems(
        request.forbund, request.instrument_id, request.timepoint)
    problems += _frame_problems(request.forbund, request.insats, request.title,
                                request.closes_on, today)
    if request.closes_on is not None:
        problems += _reminder_problems(request.remind_after_days, today, request.closes_on)
    parsed = parse_addresses(request.addresses_text)
    problems += parsed.problems
    return _Checked(instrument, timepoint, parsed, tuple(problems))


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


def set_automatic_reminder(campaign: Campaign, days: int | None, *,
                           today: dt.date | None = None) -> None:
    """"Påminn automatiskt efter N dagar" (after the first "Skicka"), or none; refused
    (CampaignRefused) once the reminder has been queued or the utskick is closed."""
    today = today or local_today()
    refusal = reminder_refusal(campaign)
    if refusal:
        raise CampaignRefused([CampaignProblem("remind_after_days", refusal)])
    first_day = campaign.first_sent_at.astimezone(local_zone()).date() if campaign.first_sent_at \
        else today
    problems = _reminder_problems(days, first_day, closes_on(campaign))
    if problems:
        raise CampaignRefused(problems)
    campaign.remind_after_days = days
    db.session.flush()


def has_ended(campaign: Campaign, now: dt.datetime | None = None) -> bool:
    """Whether the utskick is over: closed by the förbund, or past its last day. Its links
    no longer work and nothing more is mailed, though until the nightly purge closes it
    (`close_due_campaigns`) its addresses are still kept."""
    return campaign.closed_at is not None or campaign.closes_at <= (now or utcnow())


def reminder_refusal(campaign: Campaign) -> str | None:
    """Why the automatic reminder can no longer be set or changed; None while it can."""
    if has_ended(campaign):
        return ("Utskicket är stängt, så den automatiska påminnelsen kan inte ändras. "
                "Inga fler mejl skickas.")
    if campaign.auto_reminded_at is not None:
        return ("Den automatiska påminnelsen har redan skickats, så den kan inte ändras. "
                "Välj ”Påminn de som inte har svarat” för en påminnelse till.")
    return None


def _reminder_problems(days: int | None, first_day: dt.date,
                       last_day: dt.date) -> list[CampaignProblem]:
    """An automatic reminder comes 1 to `MAX_REMIND_AFTER_DAYS` days after the first
    send, and while there is still time to answer."""
    if days is None:
        return []
    if not 1 <= days <= MAX_REMIND_AFTER_DAYS:
        return [CampaignProblem("remind_after_days", REMIND_AFTER_DAYS_RANGE)]
    if first_day + dt.timedelta(days=days) > last_day:
        return [CampaignProblem("remind_after_days", (
            f"Efter {days} dagar har sista svarsdagen ({last_day.isoformat()}) passerat. "
            "Välj färre dagar eller en senare sista svarsdag."))]
    return []


def _frame_problems(forbund: Forbund, insats: Insats | None, title: str,
                    closes_on: dt.date | None, today: dt.date) -> list[CampaignProblem]:
    problems = []
    if insats is not None and insats.forbund_id != forbund.id:
        problems.append(CampaignProblem("insats", "Välj en insats i listan."))
    if not title.strip():
        problems.append(CampaignProblem("title", "Skriv en rubrik för utskicket."))
    elif len(title.strip()) > TITLE_MAX_LENGTH:
        problems.append(CampaignProblem(
            "title", f"Rubriken får ha högst {TITLE_MAX_LENGTH} tecken."))
    if closes_on is None:
        problems.append(CampaignProblem(
            "closes_on", "Välj sista svarsdag, som år-månad-dag, till exempel 2025-03-31."))
    elif closes_on < today:
        problems.append(CampaignProblem(
            "closes_on", "Sista svarsdagen har redan varit. Välj i dag eller en senare dag."))
    elif closes_on > today + dt.timedelta(days=MAX_OPEN_DAYS):
        problems.append(CampaignProblem(
            "closes_on", f"Sista svarsdagen kan vara högst {MAX_OPEN_DAYS} dagar fram."))
    return problems


# --- what the mails say (the mails themselves: `mailing`) --------------------------------


def survey_title(campaign: Campaign) -> str:
    """The survey's Swedish title, in the version the utskick carries."""
    return stored_instrument(campaign.instrument_version).title.get("sv")


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
    """The utskick still open for answers, newest first, with their counts."""
    now = utcnow()
    return [summary for summary in campaign_summaries(forbund)
            if not has_ended(summary.campaign, now)]


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
        number_of(CampaignRecipient.queued_at.is_not(None)).label("queued"),
        number_of(CampaignRecipient.queued_at.is_not(None)
                  & CampaignRecipient.sent_at.is_(None)).label("queued_first"),
    )


def _counts(values: Sequence) -> CampaignCounts:
    return CampaignCounts(*(tuple(int(value or 0) for value in values) or (0,) * 7))


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
        recipient.email = recipient.last_error = recipient.replaced_token_hash = None
        recipient.invitation = None
        recipient.queued_at = recipient.claimed_at = None
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


@dataclass(frozen=True)
class EndedLink:
    """Why an utskick's link no longer opens its survey, for the page that says so:
    `closed_early` when the förbund closed the utskick before its last day, else the last
    day has passed. `sender` is the förbund that sent it, the one its recipients can ask:
    an utskick has no personal to ask, unlike a deltagare's link."""

    sender: str
    last_day: dt.date
    closed_early: bool


def ended_link(invitation: Invitation) -> EndedLink | None:
    """What an expired link of an utskick says; None for a link that is no utskick's."""
    campaign = db.session.get(Campaign, invitation.campaign_id) if invitation.campaign_id \
        else None
    if campaign is None:
        return None
    closed_early = campaign.closed_at is not None and campaign.closed_at < campaign.closes_at
    return EndedLink(invitation.forbund.name, closes_on(campaign), closed_early)


# --- the closing day ---------------------------------------------------------------------



def _closing_moment(last_day: dt.date) -> dt.datetime:
    """Links work through the whole last day, where the förbund is."""
    next_midnight = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), local_zone())
    return next_midnight.astimezone(dt.UTC)


def closes_on(campaign: Campaign) -> dt.date:
    """The last day to answer, as the förbund reads it."""
    return (campaign.closes_at.astimezone(local_zone()) - dt.timedelta(seconds=1)).date()
