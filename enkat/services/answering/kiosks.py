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
from collections import defaultdict
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import joinedload

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import (
    AuditEvent,
    Enrolment,
    Insats,
    InstrumentVersion,
    Kiosk,
    Participant,
    Response,
    ResponseSource,
    User,
    utcnow,
)
from enkat.services import ServiceError
from enkat.services.answering.drafts import local_today, new_draft_for
from enkat.services.answering.responses import ResponseContext
from enkat.services.audit.events import Action, record_event
from enkat.services.deltagare.due import due_for
from enkat.services.deltagare.participants import CODE_PATTERN
from enkat.services.instruments.versions import (
    InstrumentChanged,
    register_read_version,
    resolve_versions,
)
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
    #: the instrument version's row, read with the instrument; None while not stored
    version: InstrumentVersion | None = field(default=None, compare=False)
    #: the id of the person's unfinished kiosk draft of it, which the PIN resumes
    draft: int | None = None

    @property
    def key(self) -> str:
        """Names the survey in the kiosk's forms."""
        return f"{self.instrument.id}:{self.timepoint}"


def start_kiosk(insats: Insats, user: User, pin: str) -> Kiosk:
    if not PIN_PATTERN.match(pin):
        raise WrongPin("PIN-koden ska vara 4–8 siffror")
    kiosk = Kiosk(insats_id=insats.id, started_by_id=user.id, pin_hash=hash_password(pin),
                  wrong_pins=0)
    db.session.add(kiosk)
    db.session.flush()
    _register_offered(insats)
    record_event(Action.KIOSK_STARTED, user=user, forbund_id=insats.forbund_id, subject=insats.slug)
    return kiosk


def _register_offered(insats: Insats) -> None:
    """Register the instrument versions the kiosk offers as it starts, so that a
    deltagare's choice finds its row and writes nothing but the draft
    (`open_kiosk_draft`). One changed since its first use is left to be refused when
    chosen."""
    unstored = {survey.instrument.id: survey.instrument
                for survey in _scheduled_surveys(insats) if survey.version is None}
    for instrument in unstored.values():
        with suppress(InstrumentChanged):
            register_read_version(instrument, None)


def active_kiosk(kiosk_id: object, enrolment_id: object = None
                 ) -> tuple[Kiosk | None, Enrolment | None]:
    """The kiosk `kiosk_id` while it runs, and the enrolment `enrolment_id` if it is in
    the kiosk's insats, in one statement: the kiosk with its insats, the insats' förbund
    and schedule (what its pages offer), the enrolment with its deltagare."""
    if not isinstance(kiosk_id, int):
        return None, None
    found = db.session.execute(_ACTIVE_KIOSK, {
        "kiosk": kiosk_id,
        "enrolment": enrolment_id if isinstance(enrolment_id, int) else None,
    }).unique().first()
    return (found[0], found[1]) if found else (None, None)


_ACTIVE_KIOSK = (
    select(Kiosk, Enrolment)
    .outerjoin(Enrolment, and_(Enrolment.id == bindparam("enrolment"),
                               Enrolment.insats_id == Kiosk.insats_id))
    .where(Kiosk.id == bindparam("kiosk"), Kiosk.ended_at.is_(None))
    .options(joinedload(Kiosk.insats).joinedload(Insats.schedule),
             joinedload(Kiosk.insats).joinedload(Insats.forbund),
             joinedload(Enrolment.participant))
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
    """What the deltagare answers themself now, each with their unfinished kiosk draft
    of it: registration forms and other instruments rated by staff are filled in by
    personal, and anonymous ones are chosen without a code."""
    versions = resolve_versions({entry.instrument_id for entry in enrolment.insats.schedule})
    answered, drafts = _worked_on(enrolment)
    due = [(entry.instrument_id, entry.timepoint) for entry in due_for(
        enrolment, today or local_today(), _instruments(versions), answered)]
    return [survey for survey in _surveys(due, versions, drafts)
            if not survey.instrument.anonymous]


def anonymous_surveys(kiosk: Kiosk) -> list[Survey]:
    """The anonymous surveys of the insats' schedule (NNS), offered to anyone."""
    return [survey for survey in _scheduled_surveys(kiosk.insats) if survey.instrument.anonymous]


def _scheduled_surveys(insats: Insats) -> list[Survey]:
    """Every survey of the insats' schedule that deltagare answer themself."""
    scheduled = [(entry.instrument_id, entry.timepoint) for entry in insats.schedule]
    versions = resolve_versions({instrument_id for instrument_id, _ in scheduled})
    return _surveys(scheduled, versions)


def _instruments(versions: Mapping[str, tuple[Instrument, InstrumentVersion | None]]
                 ) -> dict[str, Instrument]:
    return {instrument_id: instrument for instrument_id, (instrument, _) in versions.items()}


def _worked_on(enrolment: Enrolment
               ) -> tuple[dict[str, set[str]], dict[tuple[int, str], int]]:
    """In one statement, what the deltagare has done in the enrolment's insats: the
    timepoints of each instrument they submitted, and their latest unfinished kiosk draft
    by (instrument version id, timepoint)."""
    answered: dict[str, set[str]] = defaultdict(set)
    drafts: dict[tuple[int, str], int] = {}
    for instrument_id, version_id, timepoint, submitted, draft in db.session.execute(
            _WORKED_ON, {"insats": enrolment.insats_id,
                         "participant": enrolment.participant_id}):
        if submitted:
            answered[instrument_id].add(timepoint)
        else:
            drafts[(version_id, timepoint)] = draft  # oldest first: the latest stays
    return answered, drafts


_WORKED_ON = (
    select(InstrumentVersion.instrument_id, Response.instrument_version_id,
           Response.timepoint, Response.submitted_at.is_not(None), Response.id)
    .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
    .where(Response.insats_id == bindparam("insats"),
           Response.participant_id == bindparam("participant"),
           or_(Response.submitted_at.is_not(None), Response.source == ResponseSource.KIOSK))
    .order_by(Response.started_at, Response.id)
)


def _surveys(entries: list[tuple[str, str]],
             versions: Mapping[str, tuple[Instrument, InstrumentVersion | None]],
             drafts: Mapping[tuple[int, str], int] | None = None) -> list[Survey]:
    """The (instrument id, timepoint) entries deltagare answer themself, as surveys, with
    their instruments and rows by id (`resolve_versions`) and the person's `drafts`."""
    surveys = [Survey(versions[instrument_id][0], timepoint, versions[instrument_id][1])
               for instrument_id, timepoint in entries if instrument_id in versions]
    return [_with_draft(survey, drafts or {}) for survey in surveys
            if survey.instrument.audience == "deltagare" and survey.instrument.rated_by == "self"]


def _with_draft(survey: Survey, drafts: Mapping[tuple[int, str], int]) -> Survey:
    if survey.version is None:  # nothing was ever answered with it
        return survey
    return replace(survey, draft=drafts.get((survey.version.id, survey.timepoint)))


def open_kiosk_draft(kiosk: Kiosk, survey: Survey, enrolment: Enrolment | None,
                     language: str, *, resume: bool = False) -> int:
    """The id of the draft for `survey`: with `resume` (which the view allows only after
    the staff member's PIN), the one the same deltagare left unfinished; otherwise, or
    when there is none, a new one."""
    if resume and survey.draft is not None:
        return survey.draft
    context = ResponseContext(
        forbund=kiosk.insats.forbund, instrument=survey.instrument, insats=kiosk.insats,
        participant=enrolment.participant if enrolment else None,
        timepoint=survey.timepoint, answered_on=local_today(),
    )
    return new_draft_for(context, ResponseSource.KIOSK, language, survey.version).id


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
