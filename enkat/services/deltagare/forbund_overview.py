"""The förbund's overview for its administrators and analysts: each insats with its
deltagare and the measurements due and overdue, and the data that need fixing, each
warning with the deltagare it concerns. Computed for all the insatser together in a
fixed number of queries, however many deltagare (`bench/forbund_overview.py`); the
rules of what is due stay in `due`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from enkat.extensions import db
from enkat.models import (
    Enrolment,
    Forbund,
    Insats,
    InstrumentVersion,
    Participant,
    Response,
    ScheduleTrigger,
    User,
)
from enkat.services.instruments.versions import registration_forms
from enkat.services.organisation.overview import InsatsSummary, forbund_insats_summaries

from .due import due_in_insatser, is_overdue

#: The data-quality warnings, in the order the overview shows them.
ENDED_WITHOUT_AVSLUT = "utan-avslut"
OVERDUE_FOLLOW_UPS = "forsenade-uppfoljningar"
ANSWERS_WITHOUT_ENROLMENT = "svar-utan-inskrivning"
WARNINGS = (ENDED_WITHOUT_AVSLUT, OVERDUE_FOLLOW_UPS, ANSWERS_WITHOUT_ENROLMENT)


@dataclass(frozen=True)
class InsatsFigures:
    """One insats on the förbund's overview. `due` and `overdue` count measurements
    with a date (not those of every session); `overdue` ones are not in `due`."""

    summary: InsatsSummary
    due: int
    overdue: int


@dataclass(frozen=True)
class WarningIn:
    """One warning in one insats: the deltagare it concerns, by code (sorted); a
    deltagare may count twice for overdue follow-ups (6 and 12 months)."""

    insats: Insats
    codes: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Warning:
    kind: str  # one of WARNINGS
    places: tuple[WarningIn, ...]

    @property
    def count(self) -> int:
        return sum(place.count for place in self.places)


@dataclass(frozen=True)
class ForbundOverview:
    insatser: list[InsatsFigures]
    warnings: list[Warning]  # every kind, in WARNINGS order, also when none is found

    @property
    def ongoing(self) -> int:
        return sum(figures.summary.ongoing for figures in self.insatser)


def forbund_overview(forbund: Forbund, user: User, today: dt.date) -> ForbundOverview:
    """The förbund at a glance, in a fixed number of queries however many deltagare
    it has (`bench/forbund_overview.py`)."""
    summaries = forbund_insats_summaries(forbund, user)
    insatser = _with_schedules([summary.insats.id for summary in summaries])
    due_now = due_in_insatser(insatser, today, sessions=False)
    follow_ups = _follow_up_timepoints(insatser)
    late_follow_ups: dict[int, list[str]] = defaultdict(list)
    figures = []
    for summary in summaries:
        counts = [0, 0]
        for participant_id, items in due_now.get(summary.insats.id, ()):
            for item in items:
                late = is_overdue(item.since, today)
                counts[late] += 1
                if late and (item.instrument_id, item.timepoint) in follow_ups:
                    late_follow_ups[summary.insats.id].append(participant_id)
        figures.append(InsatsFigures(summary, *counts))
    by_id = {insats.id: insats for insats in insatser}
    warnings = [
        _warning(ENDED_WITHOUT_AVSLUT, by_id, _ended_without_avslut(by_id)),
        _warning(OVERDUE_FOLLOW_UPS, by_id, _coded(late_follow_ups)),
        _warning(ANSWERS_WITHOUT_ENROLMENT, by_id, _answers_without_enrolment(by_id)),
    ]
    return ForbundOverview(figures, warnings)


def _with_schedules(ids: list[int]) -> list[Insats]:
    return list(db.session.scalars(
        select(Insats).where(Insats.id.in_(ids)).options(selectinload(Insats.schedule))
        .order_by(Insats.name)))


def _follow_up_timepoints(insatser: Iterable[Insats]) -> set[tuple[str, str]]:
    return {(entry.instrument_id, entry.timepoint) for insats in insatser
            for entry in insats.schedule if entry.trigger is ScheduleTrigger.AFTER_EXIT_DAYS}


def _ended_without_avslut(insatser: dict[int, Insats]) -> list[tuple[int, str]]:
    """(insats id, code) of each ended enrolment with no avslut form about the deltagare
    in the insats."""
    forms = registration_forms()
    if forms is None:
        return []
    avslut = (
        select(Response.id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.participant_id == Enrolment.participant_id,
               Response.insats_id == Enrolment.insats_id,
               Response.submitted_at.is_not(None),
               InstrumentVersion.instrument_id == forms.ends.id)
    )
    return _codes(select(Enrolment.insats_id, Participant.code)
                  .join(Participant, Participant.id == Enrolment.participant_id)
                  .where(Enrolment.insats_id.in_(list(insatser)),
                         Enrolment.ended_on.is_not(None), ~avslut.exists()))


def _answers_without_enrolment(insatser: dict[int, Insats]) -> list[tuple[int, str]]:
    """(insats id, code) of each deltagare with submitted answers in an insats they were
    never enrolled in."""
    enrolment = select(Enrolment.id).where(Enrolment.participant_id == Response.participant_id,
                                           Enrolment.insats_id == Response.insats_id)
    return _codes(select(Response.insats_id, Participant.code).distinct()
                  .join(Participant, Participant.id == Response.participant_id)
                  .where(Response.insats_id.in_(list(insatser)),
                         Response.submitted_at.is_not(None), ~enrolment.exists()))


def _codes(query) -> list[tuple[int, str]]:
    return db.session.execute(query).tuples().all()


def _coded(participants: dict[int, list[int]]) -> list[tuple[int, str]]:
    """The codes of participants found by id, per insats, in one query."""
    ids = {participant for found in participants.values() for participant in found}
    if not ids:
        return []
    codes = dict(db.session.execute(
        select(Participant.id, Participant.code).where(Participant.id.in_(ids))).tuples().all())
    return [(insats_id, codes[participant]) for insats_id, found in participants.items()
            for participant in found]


def _warning(kind: str, insatser: dict[int, Insats], found: list[tuple[int, str]]) -> Warning:
    codes: dict[int, list[str]] = defaultdict(list)
    for insats_id, code in found:
        codes[insats_id].append(code)
    places = tuple(WarningIn(insats, tuple(sorted(codes[insats.id])))
                   for insats in insatser.values() if codes[insats.id])
    return Warning(kind, places)
