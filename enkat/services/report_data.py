"""The data a report needs, fetched with a few SQL queries as plain tuples.

Counting is pushed into SQL where the figure is a plain count (NNS answers); where the
scoring layer needs single values (registration forms, ORS/SRS, SKAPA), the rows are
fetched as tuples, never as ORM objects, in one query per kind of data. The report
builder (`enkat.reports`) turns these into tables; nothing here knows about tables.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from enkat.extensions import db
from enkat.models import Answer, Enrolment, Insats, InstrumentVersion, Response
from enkat.reports.inputs import KON_ITEM, AnswerCount, EnrolmentFacts, Rating
from enkat.reports.period import Period

from .responses import ENROLMENT_ENDS, ENROLMENT_STARTS

FOLLOW_UP = "finsam-uppfoljning"
NNS_DELTAGARE = ("nns-deltagare-pagaende", "nns-deltagare-avslut")


def insats_ids_of(forbund_id: int, insats_id: int | None = None) -> list[int]:
    query = select(Insats.id).where(Insats.forbund_id == forbund_id)
    if insats_id is not None:
        query = query.where(Insats.id == insats_id)
    return list(db.session.scalars(query.order_by(Insats.name)))


def _overlapping(insats_ids: Sequence[int], period: Period):
    """The condition: an enrolment in these insatser that overlaps the period."""
    return and_(
        Enrolment.insats_id.in_(insats_ids),
        Enrolment.started_on <= period.end,
        or_(Enrolment.ended_on.is_(None), Enrolment.ended_on >= period.start),
    )


def enrolled_in(insats_ids: Sequence[int], period: Period) -> Select:
    """The deltagare enrolled some day of the period, as a subquery."""
    return select(Enrolment.participant_id).where(_overlapping(insats_ids, period))


def enrolments_active(insats_ids: Sequence[int], period: Period) -> list[EnrolmentFacts]:
    """Enrolments that overlap the period, with their inskrivning, avslut and follow-ups."""
    query = (
        select(Enrolment.participant_id, Enrolment.insats_id, Enrolment.started_on,
               Enrolment.ended_on, Insats.trial_period_days)
        .join(Insats, Insats.id == Enrolment.insats_id)
        .where(_overlapping(insats_ids, period))
        .order_by(Enrolment.insats_id, Enrolment.participant_id, Enrolment.started_on)
    )
    facts = [EnrolmentFacts(*row) for row in db.session.execute(query)]
    _attach_registrations(facts, insats_ids, period)
    return facts


def _attach_registrations(facts: list[EnrolmentFacts], insats_ids: Sequence[int],
                          period: Period) -> None:
    """Give each enrolment the registration responses that started, ended and followed it.

    An inskrivning belongs to the enrolment that started on its date, an avslut to the
    one that ended on its date, a follow-up to the latest enrolment ended before it.
    """
    by_participant: dict[tuple[int, int], list[EnrolmentFacts]] = defaultdict(list)
    for enrolment in facts:
        by_participant[(enrolment.participant_id, enrolment.insats_id)].append(enrolment)
    instruments = (ENROLMENT_STARTS, ENROLMENT_ENDS, FOLLOW_UP)
    for response in _responses_with_answers(insats_ids, instruments,
                                            enrolled_in(insats_ids, period)):
        for enrolment in by_participant.get((response.participant_id, response.insats_id), ()):
            _attach(enrolment, response)


def _attach(enrolment: EnrolmentFacts, response: Rating) -> None:
    if response.instrument_id == ENROLMENT_STARTS and response.answered_on == enrolment.started_on:
        enrolment.inskrivning = response.answers
    elif response.instrument_id == ENROLMENT_ENDS and response.answered_on == enrolment.ended_on:
        enrolment.avslut = response.answers
    elif (response.instrument_id == FOLLOW_UP and enrolment.ended_on is not None
          and response.answered_on >= enrolment.ended_on):
        enrolment.follow_ups[response.timepoint] = response.answers


def ratings(insats_ids: Sequence[int], instrument_ids: Iterable[str],
            period: Period) -> list[Rating]:
    """Responses of these instruments about the deltagare enrolled in the period, answered
    up to its end (a course runs from the first rating to the latest)."""
    return _responses_with_answers(insats_ids, tuple(instrument_ids),
                                   enrolled_in(insats_ids, period), until=period.end)


def _responses_with_answers(
    insats_ids: Sequence[int], instrument_ids: tuple[str, ...], participants: Select,
    until: dt.date | None = None,
) -> list[Rating]:
    """Submitted responses about these deltagare with their answers, in one query, by date.

    The Core result is iterated row by row and grouped as it comes (the ORM result path
    would first build every row of a whole förbund's answers as a list).
    """
    query = (
        select(Response.id, Response.participant_id, Response.insats_id,
               InstrumentVersion.instrument_id, InstrumentVersion.version, Response.timepoint,
               Response.answered_on, Answer.item_id, Answer.value)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Response.insats_id.in_(insats_ids),
            InstrumentVersion.instrument_id.in_(instrument_ids),
            Response.submitted_at.is_not(None),
            Response.participant_id.in_(participants),
        )
        .order_by(Response.answered_on, Response.id, Answer.item_id, Answer.position)
    )
    if until is not None:
        query = query.where(Response.answered_on <= until)
    return _group_answers(db.session.connection().execute(query))


def _group_answers(rows: Iterable[tuple]) -> list[Rating]:
    collected: list[Rating] = []
    current_id, frame, answers = None, None, defaultdict(list)
    for response_id, *rest, item_id, value in rows:
        if response_id != current_id:
            if frame is not None:
                collected.append(_rating(current_id, frame, answers))
            current_id, frame, answers = response_id, rest, defaultdict(list)
        answers[item_id].append(value)
    if frame is not None:
        collected.append(_rating(current_id, frame, answers))
    return collected


def _rating(response_id: int, frame: list, answers: dict[str, list[str]]) -> Rating:
    return Rating(response_id, *frame, {item: tuple(values) for item, values in answers.items()})


def answer_counts(insats_ids: Sequence[int], instrument_ids: Iterable[str],
                  period: Period) -> list[AnswerCount]:
    """Counts of each answer per item, timepoint and kön (the response's own kön item)."""
    kon = aliased(Answer)
    query: Select = (
        select(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
               Answer.value, kon.value, func.count())
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(kon, and_(kon.response_id == Response.id, kon.item_id == KON_ITEM))
        .where(
            Response.insats_id.in_(insats_ids),
            InstrumentVersion.instrument_id.in_(tuple(instrument_ids)),
            Response.submitted_at.is_not(None),
            Response.answered_on.between(period.start, period.end),
        )
        .group_by(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
                  Answer.value, kon.value)
    )
    return [AnswerCount(*row) for row in db.session.execute(query).tuples()]
