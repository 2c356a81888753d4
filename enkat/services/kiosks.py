"""The kiosk: a shared tablet on which deltagare of one insats answer, one after another.

A staff member starts the kiosk with a PIN; only that PIN ends it. A deltagare enters
their code and sees what they are due for, or chooses an anonymous survey. Because the
tablet is shared, guessing is bounded: after `MAX_WRONG_CODES` wrong codes in a row the
kiosk waits for the staff member's PIN, and after `MAX_WRONG_PINS` wrong PINs it refuses
every PIN for `PIN_LOCKOUT`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.models import (
    Enrolment,
    Insats,
    Kiosk,
    Participant,
    Response,
    ResponseSource,
    User,
    utcnow,
)

from . import ServiceError
from .accounts import record_event
from .drafts import local_today, open_draft_for
from .instruments import UnknownInstrument, resolve_instrument
from .organisation import hash_matches, hash_password
from .participants import CODE_PATTERN, find_participant
from .responses import ResponseContext
from .schedule import due_for

PIN_PATTERN = re.compile(r"^\d{4,8}$")
MAX_WRONG_CODES = 5
MAX_WRONG_PINS = 5
PIN_LOCKOUT = dt.timedelta(minutes=5)


class KioskLocked(ServiceError):
    """Too many wrong codes: the kiosk waits for the staff member's PIN."""


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
                  wrong_pins=0, wrong_codes=0)
    db.session.add(kiosk)
    db.session.flush()
    record_event("kiosk-started", user=user, forbund_id=insats.forbund_id, subject=insats.slug)
    return kiosk


def active_kiosk(kiosk_id: object) -> Kiosk | None:
    kiosk = db.session.get(Kiosk, kiosk_id) if isinstance(kiosk_id, int) else None
    return kiosk if kiosk is not None and kiosk.ended_at is None else None


def end_kiosk(kiosk: Kiosk, pin: str, *, now: dt.datetime | None = None) -> None:
    """End the kiosk if `pin` is its PIN; PinRefused says why not."""
    unlock_with_pin(kiosk, pin, now=now)
    kiosk.ended_at = now or utcnow()
    record_event("kiosk-ended", forbund_id=kiosk.insats.forbund_id, subject=kiosk.insats.slug)


def unlock_with_pin(kiosk: Kiosk, pin: str, *, now: dt.datetime | None = None) -> None:
    """Check the staff member's PIN: right, it clears the wrong-code count; wrong, it
    counts, and too many wrong PINs refuse every PIN for a while."""
    now = now or utcnow()
    if kiosk.locked_until is not None and now < kiosk.locked_until:
        raise PinLocked("too many wrong PINs; wait a few minutes")
    if not hash_matches(kiosk.pin_hash, pin):
        kiosk.wrong_pins += 1
        if kiosk.wrong_pins >= MAX_WRONG_PINS:
            kiosk.wrong_pins, kiosk.locked_until = 0, now + PIN_LOCKOUT
        db.session.flush()
        raise WrongPin("wrong PIN")
    kiosk.wrong_pins, kiosk.wrong_codes, kiosk.locked_until = 0, 0, None
    db.session.flush()


def is_waiting_for_staff(kiosk: Kiosk) -> bool:
    return kiosk.wrong_codes >= MAX_WRONG_CODES


def find_enrolment(kiosk: Kiosk, code: str) -> Enrolment | None:
    """The enrolment in the kiosk's insats of the deltagare with `code`, the latest if
    there are several; None (and one more wrong code) when there is none."""
    if is_waiting_for_staff(kiosk):
        raise KioskLocked("too many wrong codes")
    code = code.strip()
    participant = find_participant(kiosk.insats.forbund, code) if CODE_PATTERN.match(code) else None
    enrolment = _latest_enrolment(kiosk.insats, participant) if participant else None
    kiosk.wrong_codes = 0 if enrolment else kiosk.wrong_codes + 1
    db.session.flush()
    return enrolment


def _latest_enrolment(insats: Insats, participant: Participant) -> Enrolment | None:
    return db.session.scalars(
        select(Enrolment)
        .where(Enrolment.insats_id == insats.id, Enrolment.participant_id == participant.id)
        .order_by(Enrolment.started_on.desc(), Enrolment.id.desc())
    ).first()


def due_at_kiosk(enrolment: Enrolment, today: dt.date | None = None) -> list[Survey]:
    """What the deltagare answers themself now: registration forms and other instruments
    rated by staff are filled in by personal, and anonymous ones are chosen without a code."""
    surveys = (_survey(due.instrument_id, due.timepoint)
               for due in due_for(enrolment, today or local_today()))
    return [survey for survey in surveys
            if survey and not survey.instrument.anonymous]


def anonymous_surveys(kiosk: Kiosk) -> list[Survey]:
    """The anonymous surveys of the insats' schedule (NNS), offered to anyone."""
    surveys = (_survey(entry.instrument_id, entry.timepoint) for entry in kiosk.insats.schedule)
    return [survey for survey in surveys if survey and survey.instrument.anonymous]


def _survey(instrument_id: str, timepoint: str) -> Survey | None:
    """A survey deltagare answer themself, or None."""
    try:
        instrument = resolve_instrument(instrument_id)
    except UnknownInstrument:
        return None
    if instrument.audience != "deltagare" or instrument.rated_by != "self":
        return None
    return Survey(instrument, timepoint)


def open_kiosk_draft(kiosk: Kiosk, survey: Survey, enrolment: Enrolment | None,
                     language: str) -> Response:
    """The draft for `survey`: with a code, the one the same deltagare left unfinished;
    without, always a new one (see `drafts.open_draft_for`)."""
    context = ResponseContext(
        forbund=kiosk.insats.forbund, instrument=survey.instrument, insats=kiosk.insats,
        participant=enrolment.participant if enrolment else None,
        timepoint=survey.timepoint, answered_on=local_today(),
    )
    return open_draft_for(context, ResponseSource.KIOSK, language)


def kiosk_draft(kiosk: Kiosk, draft_id: object) -> Response | None:
    """The unsubmitted kiosk draft `draft_id` of this kiosk's insats, or None."""
    draft = db.session.get(Response, draft_id) if isinstance(draft_id, int) else None
    if (draft is None or draft.insats_id != kiosk.insats_id
            or draft.source is not ResponseSource.KIOSK or draft.submitted_at is not None):
        return None
    return draft
