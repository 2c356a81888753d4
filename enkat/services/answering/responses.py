"""Recording responses: every way an answer enters enkat goes through here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.answers import AnswerProblem, check_answers
from enkat.instruments.model import EnrolmentRole
from enkat.models import (
    Answer,
    Forbund,
    Insats,
    InstrumentVersion,
    Participant,
    Response,
    ResponseSource,
    utcnow,
)
from enkat.services import ServiceError
from enkat.services.deltagare.participants import end_enrolment, start_enrolment
from enkat.services.instruments.versions import register_version, uploaded_by


@dataclass(frozen=True)
class ContextProblem:
    """What is wrong with a response's frame: `field` is timepoint, participant or insats."""

    field: str
    message: str


class ResponseRefused(ServiceError):
    """The response cannot be recorded; `problems` says where, all at once."""

    def __init__(self, problems: Sequence[ContextProblem | AnswerProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(
            f"{p.field}: {p.message}" if isinstance(p, ContextProblem)
            else f"fråga {p.item_id}: {p.message}" for p in self.problems
        ))


@dataclass(frozen=True)
class ResponseContext:
    """Who and what a response is about."""

    forbund: Forbund
    instrument: Instrument
    insats: Insats | None
    participant: Participant | None
    timepoint: str
    answered_on: dt.date


def context_problems(context: ResponseContext, version: InstrumentVersion | None = None
                     ) -> list[ContextProblem]:
    """Problems with the response's frame rather than with one answer. `version`: the
    instrument's stored row, when the caller has it, which says who uploaded it."""
    problems = frame_problems(context.instrument, context.timepoint,
                              with_participant=context.participant is not None)
    participant = context.participant
    if participant is not None and participant.forbund_id != context.forbund.id:
        problems.append(ContextProblem("participant", "deltagaren hör till ett annat förbund"))
    if context.insats is not None and context.insats.forbund_id != context.forbund.id:
        problems.append(ContextProblem("insats", "insatsen hör till ett annat förbund"))
    uploader = version.forbund_id if version else uploaded_by(context.instrument)
    problems += owner_problems(context.instrument, uploader, context.forbund.id)
    return problems


def frame_problems(instrument: Instrument, timepoint: str, *,
                   with_participant: bool) -> list[ContextProblem]:
    """Whether the instrument is answered at this timepoint, with or without a deltagare.

    An import asks this of every response before it writes any (with the owner check
    below), so both ways in refuse a response for the same reasons."""
    problems = []
    if not instrument.matches_timepoint(timepoint):
        allowed = ", ".join(instrument.timepoints)
        problems.append(ContextProblem(
            "timepoint",
            f'"{timepoint}" är ingen mätpunkt för {instrument.id} (tillåtna: {allowed})',
        ))
    if instrument.anonymous and with_participant:
        problems.append(ContextProblem(
            "participant", f"{instrument.id} är anonym och tar ingen deltagarkod"
        ))
    if needs_participant(instrument) and not with_participant:
        problems.append(ContextProblem(
            "participant", f"{instrument.id} gäller en deltagare och behöver en deltagarkod"
        ))
    return problems


def owner_problems(instrument: Instrument, uploader: int | None,
                   forbund_id: int | None) -> list[ContextProblem]:
    """A förbund's own instrument (`uploader`, from `uploaded_by`) is answered only in it;
    `forbund_id` is None for a förbund not yet created."""
    if uploader in (None, forbund_id):
        return []
    return [ContextProblem("instrument", f"{instrument.id} är ett annat förbunds eget instrument")]


def needs_participant(instrument: Instrument) -> bool:
    return instrument.audience == "deltagare" and not instrument.anonymous


def record_response(
    context: ResponseContext,
    answers: Mapping[str, Sequence[str]],
    *,
    source: ResponseSource,
    language: str = "sv",
    external_id: str | None = None,
    submitted_at: dt.datetime | None = None,
) -> Response:
    """Check and store a submitted response; registration forms move the enrolment.

    `submitted_at` defaults to now; paper entry, imports and the demo pass the moment
    the answers were really given.
    """
    normalized, answer_problems = check_answers(
        context.instrument, answers, timepoint=context.timepoint
    )
    problems = context_problems(context) + list(answer_problems)
    if problems:
        raise ResponseRefused(problems)
    version = register_version(context.instrument)
    move_enrolment(context)  # may refuse: before anything of the response is added
    now = submitted_at or utcnow()
    response = new_response(context, version, source=source, language=language,
                            external_id=external_id, started_at=now, submitted_at=now,
                            answers=answer_rows(normalized))
    db.session.add(response)
    db.session.flush()
    return response


def new_response(context: ResponseContext, version: InstrumentVersion, *,
                 source: ResponseSource, language: str, external_id: str | None = None,
                 **fields: object) -> Response:
    """A response in the context's frame, not yet added to the session."""
    return Response(
        forbund_id=context.forbund.id,
        external_id=external_id or uuid.uuid4().hex,
        instrument_version_id=version.id,
        insats_id=context.insats.id if context.insats else None,
        participant_id=context.participant.id if context.participant else None,
        timepoint=context.timepoint,
        answered_on=context.answered_on,
        source=source,
        language=language,
        **fields,
    )


def answer_rows(normalized: Mapping[str, Sequence[str]]) -> list[Answer]:
    return [Answer(item_id=item_id, position=position, value=value)
            for item_id, position, value in answer_values(normalized)]


def answer_values(normalized: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, int, str]]:
    """(item id, position, value) of each answer row: a multiple-choice item has a row
    per code, in the order given."""
    for item_id, values in normalized.items():
        for position, value in enumerate(values):
            yield item_id, position, value


#: What a registration form does to its deltagare's enrolment in the insats.
_ENROLMENT_MOVES = {EnrolmentRole.STARTS: start_enrolment, EnrolmentRole.ENDS: end_enrolment}


def move_enrolment(context: ResponseContext) -> None:
    move = _ENROLMENT_MOVES.get(context.instrument.results.enrolment)
    if move is not None and context.insats is not None and context.participant is not None:
        move(context.participant, context.insats, context.answered_on)


def moves_enrolment(instrument: Instrument, insats_id: int | None,
                    participant_id: int | None) -> bool:
    """Whether `move_enrolment` does anything, told from ids: a caller holding only a
    response's ids reads its insats and deltagare for a registration form alone."""
    return (insats_id is not None and participant_id is not None
            and instrument.results.enrolment in _ENROLMENT_MOVES)


def answers_of(response: Response) -> dict[str, tuple[str, ...]]:
    """A stored response's answers: item id -> values in their stored order."""
    collected: dict[str, list[str]] = {}
    for answer in sorted(response.answers, key=lambda a: (a.item_id, a.position)):
        collected.setdefault(answer.item_id, []).append(answer.value)
    return {item_id: tuple(values) for item_id, values in collected.items()}


def saved_answers(response: Response) -> dict[str, tuple[str, ...]]:
    """What `answers_of` gives, read from the database as plain rows (nothing while the
    response is not stored): the pages of a draft read its answers on every request, and
    loading them as objects cost several times as much (bench/respond_load.py)."""
    if response.id is None:
        return {}
    collected: dict[str, list[str]] = {}
    for item_id, value in db.session.execute(_SAVED_ANSWERS, {"response": response.id}):
        collected.setdefault(item_id, []).append(value)
    return {item_id: tuple(values) for item_id, values in collected.items()}


#: On the table rather than the mapped class: the same rows, without the ORM's work.
_SAVED_ANSWERS = (select(Answer.__table__.c.item_id, Answer.__table__.c.value)
                  .where(Answer.__table__.c.response_id == bindparam("response"))
                  .order_by(Answer.__table__.c.item_id, Answer.__table__.c.position))
