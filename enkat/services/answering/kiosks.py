"""The kiosk: a shared tablet on which deltagare of one insats answer, one after another.

A staff member starts the kiosk with a PIN; only that PIN ends it. A deltagare enters
their code and sees what they are due for, or chooses an anonymous survey. Because the
tablet is shared, guessing is bounded:

- every wrong code is an audit event (`KIOSK_CODE_WRONG`, naming the kiosk); `MAX_WRONG_CODES`
  of them within `CODE_WINDOW` lock the kiosk's code field for a `CODE_WINDOW`, counted
  as sign-in failures are (`accounts.lock_end`). A right code does not reset the count,
  so someone who knows one code cannot go on guessing others between its uses; only the
  staff member's PIN (`Action.KIOSK_UNLOCKED`) starts the count afresh;
- a saved draft is resumed only with the staff member's PIN: a code alone is no proof
  that the person at the tablet is the one who began it;
- after `MAX_WRONG_PINS` wrong PINs the kiosk refuses every PIN for `PIN_LOCKOUT`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import (
    AuditEvent,
    Enrolment,
    Insats,
    Kiosk,
    Participant,
    Response,
    ResponseSource,
    User,
    utcnow,
)
from enkat.services import ServiceError
from enkat.services.answering.drafts import local_today, open_draft_for, resumable_draft
from enkat.services.answering.responses import ResponseContext
from enkat.services.audit.events import Action, record_event
from enkat.services.deltagare.due import due_for
from enkat.services.deltagare.participants import CODE_PATTERN
from enkat.services.instruments.versions import resolve_instruments
from enkat.services.people.accounts import lock_end
from enkat.services.people.passwords import hash_matches, hash_password

PIN_PATTERN = re.compile(r"^\d{4,8}$")
MAX_WRONG_CODES = 5
CODE_WINDOW = dt.timedelta(minutes=15)
MAX_WRONG_PINS = 5
PIN_LOCKOUT = dt.timedelta(minutes=5)



class KioskLocked(ServiceError):
    """Too many wrong codes: the kiosk takes no code until `until`, or the staff member's
    PIN."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"too many wrong codes; locked until {until.isoformat()}")
        self.until = until


class PinRefused(ServiceError):
    """A PIN that is not the kiosk's (`WrongPin`), or any PIN while the kiosk refuses
    PINs after too many wrong ones (`PinLocked`)."""


class WrongPin(PinRefused):
    pass


class PinLocked(PinRefused):
    pass


@dataclass(frozen=True)
class Survey:
    """Something a deltagare can answer at the kiosk: an instrument at a timepoint."""

    instrument: Instrument
    timepoint: str

    @property
    def key(self) -> str:
        """Names the survey in the kiosk's forms."""
        return f"{self.instrument.id}:{self.timepoint}"


def start_kiosk(insats: Insats, user: User, pin: str) -> Kiosk:
    if not PIN_PATTERN.match(pin):
        raise WrongPin("the PIN must be 4 to 8 digits")
    kiosk = Kiosk(insats_id=insats.id, started_by_id=user.id, pin_hash=hash_password(pin),
                  wrong_pins=0)
    db.session.add(kiosk)
    db.session.flush()
    record_event(Action.KIOSK_STARTED, user=user, forbund_id=insats.forbund_id, subject=insats.slug)
    return kiosk


def active_kiosk(kiosk_id: object) -> Kiosk | None:
    """The kiosk `kiosk_id` while it runs, read with its insats and the insats' schedule
    (what its start screen offers) in one statement."""
    if not isinstance(kiosk_id, int):
        return None
    return db.session.scalars(_ACTIVE_KIOSK, {"kiosk": kiosk_id}).unique().first()


_ACTIVE_KIOSK = (
    select(Kiosk).where(Kiosk.id == bindparam("kiosk"), Kiosk.ended_at.is_(None))
    .options(joinedload(Kiosk.insats).joinedload(Insats.schedule))
)


def end_kiosk(kiosk: Kiosk, pin: str, *, now: dt.datetime | None = None) -> None:
    """End the kiosk if `pin` is its PIN; PinRefused says why not."""
    unlock_with_pin(kiosk, pin, now=now)
    kiosk.ended_at = now or utcnow()
    record_event(Action.KIOSK_ENDED, forbund_id=kiosk.insats.forbund_id, subject=kiosk.insats.slug)


def unlock_with_pin(kiosk: Kiosk, pin: str, *, now: dt.datetime | None = None) -> None:
    """Check the staff member's PIN (see `check_pin`); a right one also lifts a lock of
    the code field and starts the count of wrong codes afresh."""
    now = now or utcnow()
    check_pin(kiosk, pin, now=now)
    if code_locked_until(kiosk, now=now) is not None:
        _record(kiosk, Action.KIOSK_UNLOCKED, now)


def check_pin(kiosk: Kiosk, pin: str, *, now: dt.datetime | None = None) -> None:
    """Whether `pin` is the staff member's: wrong PINs count, and too many refuse every
    PIN for a while. PinRefused says why not."""
    now = now or utcnow()
    if kiosk.locked_until is not None and now < kiosk.locked_until:
        raise PinLocked("too many wrong PINs; wait a few minutes")
    if not hash_matches(kiosk.pin_hash, pin):
        kiosk.wrong_pins += 1
        if kiosk.wrong_pins >= MAX_WRONG_PINS:
            kiosk.wrong_pins, kiosk.locked_until = 0, now + PIN_LOCKOUT
        db.session.flush()
        raise WrongPin("wrong PIN")
    kiosk.wrong_pins, kiosk.locked_until = 0, None
    db.session.flush()


def code_locked_until(kiosk: Kiosk, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the kiosk takes codes again after too many wrong ones, or None if it does now.

    Counted from the audit log since the staff member last unlocked the kiosk, as the
    sign-in lock is counted (`accounts.lock_end`); a right code changes nothing.
    """
    now = now or utcnow()
    horizon = now - 2 * CODE_WINDOW
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at)
        .where(AuditEvent.forbund_id == kiosk.insats.forbund_id,
               AuditEvent.action.in_((Action.KIOSK_CODE_WRONG, Action.KIOSK_UNLOCKED)),
               AuditEvent.occurred_at > horizon,
               AuditEvent.detail["kiosk"].as_integer() == kiosk.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    failures: list[dt.datetime] = []
    for action, occurred_at in events:
        failures = [] if action == Action.KIOSK_UNLOCKED else [*failures, occurred_at]
    return lock_end(failures, now=now, needed=MAX_WRONG_CODES, window=CODE_WINDOW)


def find_enrolment(kiosk: Kiosk, code: str, *,
                   now: dt.datetime | None = None) -> Enrolment | None:
    """The enrolment in the kiosk's insats of the deltagare with `code`, the latest if
    there are several; None, recorded as a wrong code, when there is none. Raises
    KioskLocked, without looking at the code, while too many wrong codes lock the kiosk."""
    now = now or utcnow()
    until = code_locked_until(kiosk, now=now)
    if until is not None:
        raise KioskLocked(until)
    code = code.strip()
    enrolment = _latest_enrolment(kiosk.insats, code) if CODE_PATTERN.match(code) else None
    if enrolment is None:
        _record(kiosk, Action.KIOSK_CODE_WRONG, now)
        until = code_locked_until(kiosk, now=now)
        if until is not None:
            _record(kiosk, Action.KIOSK_LOCKED, now)
            raise KioskLocked(until)
    return enrolment


def _record(kiosk: Kiosk, action: str, now: dt.datetime) -> None:
    """An event of this kiosk; never the code typed, which may be someone's real code."""
    record_event(action, forbund_id=kiosk.insats.forbund_id, subject=kiosk.insats.slug,
                 detail={"kiosk": kiosk.id}, at=now)


def _latest_enrolment(insats: Insats, code: str) -> Enrolment | None:
    """The latest enrolment in `insats` of the deltagare with `code` (as
    `participants.find_participant` finds them), in one statement."""
    return db.session.scalars(
        select(Enrolment)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Participant.forbund_id == insats.forbund_id, Participant.code == code.upper(),
               Enrolment.insats_id == insats.id)
        .order_by(Enrolment.started_on.desc(), Enrolment.id.desc())
    ).first()


def due_at_kiosk(enrolment: Enrolment, today: dt.date | None = None) -> list[Survey]:
    """What the deltagare answers themself now: registration forms and other instruments
    rated by staff are filled in by personal, and anonymous ones are chosen without a code."""
    instruments = resolve_instruments(
        {entry.instrument_id for entry in enrolment.insats.schedule})
    due = [(entry.instrument_id, entry.timepoint)
           for entry in due_for(enrolment, today or local_today(), instruments)]
    return [survey for survey in _surveys(due, instruments) if not survey.instrument.anonymous]


def anonymous_surveys(kiosk: Kiosk) -> list[Survey]:
    """The anonymous surveys of the insats' schedule (NNS), offered to anyone."""
    scheduled = [(entry.instrument_id, entry.timepoint) for entry in kiosk.insats.schedule]
    instruments = resolve_instruments({instrument_id for instrument_id, _ in scheduled})
    return [survey for survey in _surveys(scheduled, instruments) if survey.instrument.anonymous]


def _surveys(entries: list[tuple[str, str]], instruments: Mapping[str, Instrument]
             ) -> list[Survey]:
    """The (instrument id, timepoint) entries deltagare answer themself, as surveys, with
    their `instruments` by id (`resolve_instruments`)."""
    surveys = [Survey(instruments[instrument_id], timepoint)
               for instrument_id, timepoint in entries if instrument_id in instruments]
    return [survey for survey in surveys
            if survey.instrument.audience == "deltagare" and survey.instrument.rated_by == "self"]


def open_kiosk_draft(kiosk: Kiosk, survey: Survey, enrolment: Enrolment | None,
                     language: str, *, resume: bool = False) -> Response:
    """The draft for `survey`: with `resume` (which the view allows only after the staff
    member's PIN), the one the same deltagare left unfinished; otherwise a new one."""
    return open_draft_for(_context(kiosk, survey, enrolment), ResponseSource.KIOSK,
                          language, resume=resume)


def has_saved_draft(kiosk: Kiosk, survey: Survey, enrolment: Enrolment) -> bool:
    """Whether the deltagare left `survey` unfinished at a kiosk of this insats."""
    context = _context(kiosk, survey, enrolment)
    return resumable_draft(context, ResponseSource.KIOSK) is not None


def _context(kiosk: Kiosk, survey: Survey, enrolment: Enrolment | None) -> ResponseContext:
    return ResponseContext(
        forbund=kiosk.insats.forbund, instrument=survey.instrument, insats=kiosk.insats,
        participant=enrolment.participant if enrolment else None,
        timepoint=survey.timepoint, answered_on=local_today(),
    )


def kiosk_draft(kiosk_id: object, draft_id: object, *, lock: bool = False) -> Response | None:
    """The unsubmitted kiosk draft `draft_id` of the insats of the kiosk `kiosk_id`, while
    that kiosk runs; None otherwise.

    One statement reads it with all its pages need but the answers: its förbund,
    instrument version, insats and deltagare, as a link's lookup does
    (`invitations.find_invitation`). With `lock` the draft's row is locked to the end of
    the transaction (SELECT ... FOR UPDATE on PostgreSQL), so saves and sends of one
    draft run one after the other; its answers are then read after the lock.
    """
    if not isinstance(kiosk_id, int) or not isinstance(draft_id, int):
        return None
    return db.session.scalars(_draft_lookup(lock),
                              {"kiosk": kiosk_id, "draft": draft_id}).unique().first()


@cache
def _draft_lookup(lock: bool) -> Select:
    """The statement of `kiosk_draft`, built once for each way it is asked."""
    query = (
        select(Response)
        .join(Kiosk, Kiosk.insats_id == Response.insats_id)
        .where(Kiosk.id == bindparam("kiosk"), Kiosk.ended_at.is_(None),
               Response.id == bindparam("draft"), Response.source == ResponseSource.KIOSK,
               Response.submitted_at.is_(None))
        .options(joinedload(Response.forbund), joinedload(Response.instrument_version),
                 joinedload(Response.insats), joinedload(Response.participant))
    )
    return query.with_for_update(of=Response) if lock else query
