"""Staff and paper entry: personal fill in the registration forms and the other forms they
rate about a deltagare, and enter answers given on paper, through the same drafts as
every other channel (`drafts.open_draft_for`, `save_page`, `submit`).

Entry happens in individinriktade insatser only: the forms are about deltagare, and a
strukturinriktad insats has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.model import EnrolmentRole
from enkat.instruments.roles import COURSE_ORDER, course_position
from enkat.models import Insats, InsatsKind, Participant, Response, ResponseSource, User
from enkat.services import ServiceError
from enkat.services.answering.drafts import open_draft_for
from enkat.services.answering.responses import ResponseContext, context_problems, move_enrolment
from enkat.services.deltagare.due import check_answered_within_enrolment
from enkat.services.deltagare.participants import (
    EnrolmentError,
    find_participant,
    get_or_create_participant,
)
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.organisation.overview import visible_insatser

ENTRY_SOURCES = (ResponseSource.STAFF, ResponseSource.PAPER)


class UnknownCode(ServiceError):
    """No deltagare has this code in the förbund (and the form may not create one)."""


@dataclass(frozen=True)
class Entry:
    """What a staff member asks to enter: which form, about whom, when, from where.
    `code` is empty for anonymous forms."""

    insats: Insats
    instrument: Instrument
    source: ResponseSource
    timepoint: str
    code: str
    answered_on: dt.date


def entry_instruments(insats: Insats) -> list[Instrument]:
    """Every form that may be entered for the insats, by any source: the deltagare's
    forms, registration forms first."""
    if insats.kind is not InsatsKind.INDIVID:
        return []
    about_deltagare = [instrument for instrument in usable_instruments(insats.forbund)
                       if instrument.audience == "deltagare"]
    return sorted(about_deltagare, key=_listing_order)


def is_offered(instrument: Instrument, source: ResponseSource) -> bool:
    """Personal fill in the forms they rate; from paper, any form about a deltagare."""
    if source is ResponseSource.STAFF:
        return instrument.rated_by == "staff"
    return source is ResponseSource.PAPER


def creates_participant(instrument: Instrument) -> bool:
    """Only the inskrivning may bring a new deltagare code into the förbund."""
    return instrument.results.enrolment is EnrolmentRole.STARTS


def entry_context(entry: Entry) -> ResponseContext:
    """The frame of the response `entry` asks for. The deltagare is found by code; the
    inskrivning creates the code when it is new. Refuses a code that is no pseudonym
    (InvalidCode) and an unknown code (UnknownCode)."""
    return ResponseContext(
        forbund=entry.insats.forbund, instrument=entry.instrument, insats=entry.insats,
        participant=_participant(entry) if entry.code else None,
        timepoint=entry.timepoint, answered_on=entry.answered_on,
    )


def _participant(entry: Entry) -> Participant:
    forbund = entry.insats.forbund
    if creates_participant(entry.instrument):
        return get_or_create_participant(forbund, entry.code)
    participant = find_participant(forbund, entry.code)
    if participant is None:
        raise UnknownCode(f'no deltagare has the code "{entry.code}" in {forbund.slug}')
    return participant


def open_entry(context: ResponseContext, source: ResponseSource) -> Response:
    """The draft in this frame: the unfinished one of the same deltagare, form,
    timepoint and source, or a new one; a resumed draft takes the date given now.

    Refuses, before anything is answered, what submitting would refuse: a wrong frame
    (ResponseRefused) and an enrolment the form cannot start or end (EnrolmentError);
    and a date about a deltagare outside their enrolment (OutsideEnrolment), which only
    the inskrivning, dating the enrolment's start, need not be within.
    """
    if not context_problems(context):  # else `open_draft_for` says what is wrong with it
        refused = enrolment_refusal(context)
        if refused is not None:
            raise refused
        if context.participant is not None and not creates_participant(context.instrument):
            check_answered_within_enrolment(context.participant, context.insats,
                                            context.answered_on)
    draft = open_draft_for(context, source, "sv")
    if draft.answered_on != context.answered_on:
        draft.answered_on = context.answered_on
        db.session.flush()
    return draft


def enrolment_refusal(context: ResponseContext) -> EnrolmentError | None:
    """Why submitting a response in this frame would be refused by the enrolment rules,
    or None. Found by moving the enrolment in a savepoint that is always rolled back, so
    the rules stay in one place (`participants.start_enrolment`, `end_enrolment`)."""
    savepoint = db.session.begin_nested()
    try:
        move_enrolment(context)
    except EnrolmentError as refused:
        return refused
    finally:
        savepoint.rollback()
    return None


def entry_draft(draft_id: int, user: User) -> Response | None:
    """The staff or paper draft `draft_id`, submitted or not, if its insats is one the
    user sees; None for anything else, so no address reveals another insats' drafts."""
    draft = db.session.get(Response, draft_id)
    if draft is None or draft.source not in ENTRY_SOURCES:
        return None
    visible = {insats.id for insats in visible_insatser(user)}
    return draft if draft.insats_id in visible else None


def unfinished_entries(insats: Insats) -> list[Response]:
    """The staff and paper drafts of the insats not yet sent, the latest first."""
    return list(db.session.scalars(
        select(Response)
        .where(Response.insats_id == insats.id, Response.source.in_(ENTRY_SOURCES),
               Response.submitted_at.is_(None))
        .order_by(Response.started_at.desc(), Response.id.desc())
    ))


def _listing_order(instrument: Instrument) -> tuple[int, str]:
    """Registration forms in their order, then what personal rate, then what deltagare
    answer themself, by title."""
    position = course_position(instrument)
    if position is not None:
        return (position, "")
    rated_by_staff = instrument.rated_by == "staff"
    return (len(COURSE_ORDER) + (0 if rated_by_staff else 1), instrument.title.get("sv"))
