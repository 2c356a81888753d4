"""The audit log as a förbund's administrators read it, and the ways downloads, refused
addresses and the command line's work are written to it.

Events are written by `record_event` wherever something happens; the database
refuses to change or delete them (migration 0005). A förbund's log is its own events
(those carrying its id) and the sign-ins, password resets and refused addresses of its
members, which carry no förbund because a user may belong to several: they are matched
by user or, for attempts that found no user to name (a locked address), by the e-mail
address tried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
from dataclasses import dataclass, replace

from sqlalchemy import and_, or_, select

from enkat.config import local_zone
from enkat.instruments.timepoints import timepoint_words
from enkat.models import AuditEvent, Forbund, Membership, User
from enkat.reports.filed.templates import KINDS
from enkat.services.audit.events import (
    ACCOUNT_ACTIONS,
    LABELS,
    SYSTEM_ACTIONS,
    Action,
    record_event,
)
from enkat.services.listing import Page, page_of_query

#: The user name of who ran a command line's work.
COMMAND_USER = "os_user"
PAGE_SIZE = 50
NOBODY = "–"
DETAIL_LENGTH = 200

#: The kinds of event a förbund's log may hold, in the order of their Swedish names.
FORBUND_KINDS = dict(sorted(((action, name) for action, name in LABELS.items()
                            if action not in SYSTEM_ACTIONS), key=lambda kind: kind[1]))
#: The names of the keys of an event's detail, as the log page shows them.
DETAIL_NAMES = {
    "client": "klient", "reason": "orsak", "format": "format", "subject": "omfattning",
    "insats": "insats", "from": "från", "to": "till", "instrument": "enkät", "rows": "rader",
    "timepoint": "mätpunkt", "expires_at": "går ut", "invitation": "länk nr",
    "campaign": "utskick nr", "recipients": "mottagare", "duplicates": "dubbletter",
    "sent": "skickade", "failed": "misslyckade", "queued": "köade mejl",
    "skipped": "nyss mejlade, hoppades över", "user": "användare nr", "role": "roll",
    "insatser": "insatser", "changed": "ändrat", "before": "före", "after": "efter",
    "responses": "svar", "sha256": "sha256", "response": "svar nr", "source": "källa",
    "kiosk": "kiosk nr", "status": "utfall", "document": "rapport nr", "kind": "slag",
    "version": "version", "section": "avsnitt", "sections": "avsnitt",
    "previous": "gjord av rapport nr", "granted_kronor": "beviljat medel",
    "spent_kronor": "utfall", "year": "år", "example": "exempelsiffror",
    "item": "fråga", "hidden": "följdfrågor utan svar", "answers": "frågor",
    "answered_on": "besvarat", "started": "påbörjad",
}
#: Keys whose values are moments (ISO 8601 with their offset): shown to the minute in
#: the förbund's time, as the log's own Tid column.
MOMENT_KEYS = frozenset({"expires_at"})
#: Values of the detail shown in Swedish.
DETAIL_VALUES = {"source": {"staff": "personal fyllde i", "paper": "från papper"},
                 "status": {403: "inte tillåtet (403)", 404: "finns inte (404)"},
                 "kind": {kind: named.name for kind, named in KINDS.items()}}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


# --- writing ---------------------------------------------------------------------------


def record_download(user: User | None, forbund: Forbund, file_name: str,
                    **detail: object) -> AuditEvent:
    """A file a user takes out of enkat. Its name says what it holds (report or answers,
    förbund, insats, period, format), so it is the event's subject; names of downloads
    are built from slugs and dates, never from a token or a person."""
    return record_event(Action.DOWNLOAD, user=user, forbund_id=forbund.id, subject=file_name,
                        detail=detail)


def record_denied(user: User, address: str, status: int) -> AuditEvent:
    """An address refused to a signed-in user (403, or 404 for what is not theirs to know
    of). Without a förbund, as a sign-in: the user's förbund see it by the user."""
    return record_event(Action.ACCESS_DENIED, user=user,
                        subject=_CONTROL_CHARACTERS.sub("", address)[:200],
                        detail={"status": status})


def record_command(action: Action, forbund: Forbund, subject: str, **detail: object) -> AuditEvent:
    """What a command took out of or brought into a förbund; the operating-system user who
    ran it stands for the user, since the command line has no sign-in."""
    return record_event(action, forbund_id=forbund.id, subject=subject[:200],
                        detail={**command_detail(), **detail})


def command_detail() -> dict[str, str]:
    """The detail that names who ran a command, for a service that a command calls and
    that records its own event with no user."""
    return {COMMAND_USER: _os_user()}


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no password-database entry
        return f"uid {os.getuid()}"


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    """Which events to show: one action or all, between two local dates (both included)."""

    action: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime  # local time
    who: str
    what: str
    subject: str
    detail: str


def forbund_events(forbund: Forbund, query: AuditQuery, page: int = 1,
                   size: int = PAGE_SIZE) -> Page[AuditRow]:
    """One page of the förbund's events, newest first; a page past the last is the last."""
    found = page_of_query(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(_of_forbund(forbund), *_chosen(query))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        page, size, scalars=False)
    zone = local_zone()
    rows = [AuditRow(at=event.occurred_at.astimezone(zone), who=_who(email, event.detail),
                     what=label(event.action), subject=event.subject,
                     detail=describe(event.detail, zone)) for event, email in found.rows]
    return replace(found, rows=rows)


def label(action: str) -> str:
    return LABELS.get(action, action)


def _who(email: str | None, detail: dict | None) -> str:
    """The user's e-mail, or for a command "kommandoraden (os-user)"."""
    if email:
        return email
    if detail and COMMAND_USER in detail:
        return f"kommandoraden ({detail[COMMAND_USER]})"
    return NOBODY


def describe(detail: dict | None, zone: dt.tzinfo = dt.UTC) -> str:
    """An event's detail in a line: "klient: 10.0.0.1; format: csv". A change names what
    changed, a list of rows says how many, a moment is given in `zone`, and a long line
    is cut."""
    parts = [f"{DETAIL_NAMES.get(key, key)}: {_shown(_in_swedish(key, value), key, zone)}"
             for key, value in (detail or {}).items()
             if value not in (None, "", [], {}) and key != COMMAND_USER]
    line = "; ".join(parts)
    return line if len(line) <= DETAIL_LENGTH else line[:DETAIL_LENGTH - 1] + "…"


def _in_swedish(key: str, value: object) -> object:
    if key == "timepoint" and isinstance(value, str):
        return timepoint_words(value)
    words = DETAIL_VALUES.get(key)
    return words.get(value, value) if words and isinstance(value, str | int) else value



def _shown(value: object, key: str, zone: dt.tzinfo) -> str:
    if key in MOMENT_KEYS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict):
        return ", ".join(DETAIL_NAMES.get(name, name) for name in value)
    if isinstance(value, list):
        if all(isinstance(item, str | int | float) for item in value):
            return ", ".join(map(str, value))
        return f"{len(value)} rader"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def _of_forbund(forbund: Forbund):
    members = select(Membership.user_id).where(Membership.forbund_id == forbund.id)
    member_emails = (select(User.email).join(Membership, Membership.user_id == User.id)
                     .where(Membership.forbund_id == forbund.id))
    return or_(
        AuditEvent.forbund_id == forbund.id,
        and_(AuditEvent.forbund_id.is_(None), AuditEvent.action.in_(ACCOUNT_ACTIONS),
             or_(AuditEvent.user_id.in_(members), AuditEvent.subject.in_(member_emails))),
    )


def _chosen(query: AuditQuery) -> list:
    chosen = []
    if query.action:
        chosen.append(AuditEvent.action == query.action)
    if query.start:
        chosen.append(AuditEvent.occurred_at >= _start_of(query.start))
    if query.end:
        chosen.append(AuditEvent.occurred_at < _start_of(query.end + dt.timedelta(days=1)))
    return chosen


def _start_of(day: dt.date) -> dt.datetime:
    """The moment a local day begins, in UTC as the log keeps time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=local_zone()).astimezone(dt.UTC)
