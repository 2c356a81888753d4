"""The lists personal work through in one insats, at the size of a real förbund (a
hundred and more deltagare an insats): what is due, its deltagare, its responses.

Each list is searched by code, filtered and sorted here; the web layer cuts it into
pages (`enkat.services.listing`). The due list and the deltagare list are computed in
Python (the schedule's rules and the ORS course are), so they are filtered in memory;
the responses are a plain query, filtered and paged in SQL.

The filter and sort values are the words the addresses use (`sortera=kod`,
`status=avslutade`), so a view passes them on as they come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from enkat.extensions import db
from enkat.models import Enrolment, Insats, InstrumentVersion, Participant, Response, ResponseSource
from enkat.services.deltagare.overview import DeltagareRow, DueRow

# --- the summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class InsatsSummary:
    ongoing: int  # deltagare whose latest enrolment is open
    ended: int
    due_now: int  # deltagare with a measurement due, none of them overdue
    overdue: int  # deltagare with an overdue measurement


def insats_summary(insats: Insats, due: Sequence[DueRow]) -> InsatsSummary:
    """The counts at the top of the insats page: deltagare by status, and by what they
    are due for, as the due list places them (`due_groups`)."""
    latest: dict[int, dt.date | None] = {}
    for participant_id, ended_on in db.session.execute(
            select(Enrolment.participant_id, Enrolment.ended_on)
            .where(Enrolment.insats_id == insats.id)
            .order_by(Enrolment.started_on, Enrolment.id)):
        latest[participant_id] = ended_on
    ended = sum(1 for ended_on in latest.values() if ended_on is not None)
    overdue = {row.participant.id for row in due if row.overdue}
    return InsatsSummary(
        ongoing=len(latest) - ended, ended=ended,
        due_now=len({row.participant.id for row in due} - overdue), overdue=len(overdue),
    )


def matches_code(code: str, search: str) -> bool:
    """A search by code: any part of it, in either case ("abc" finds ABC123)."""
    return search.strip().upper() in code.upper()


# --- what is due ---------------------------------------------------------------------------


class DueSort(StrEnum):
    SINCE = "sedan"  # the longest waiting first
    CODE = "kod"


class DueState(StrEnum):
    OVERDUE = "forsenade"
    NOW = "nu"


@dataclass(frozen=True)
class DueGroup:
    """What one deltagare is due for; overdue when any of it is."""

    participant: Participant
    overdue: bool
    rows: tuple[DueRow, ...]

    @property
    def since(self) -> dt.date:
        return min(row.since for row in self.rows)

    @property
    def waiting(self) -> int:
        return max(row.waiting for row in self.rows)


def due_groups(rows: Iterable[DueRow], *, search: str = "", instrument_id: str = "",
               state: str = "", sort: str = DueSort.SINCE,
               descending: bool = False) -> list[DueGroup]:
    """The due list, grouped by deltagare: those with an overdue measurement first,
    then those due now, each part sorted by `sort` (`DueSort`). A deltagare is one
    group with everything kept that they are due for, so staff see it at once; `state`
    (`DueState`) keeps one of the parts."""
    kept = [row for row in rows
            if matches_code(row.participant.code, search)
            and (not instrument_id or row.instrument.id == instrument_id)]
    key: Callable[[DueGroup], object] = (
        (lambda group: group.participant.code) if sort == DueSort.CODE
        else (lambda group: (group.since, group.participant.code)))
    groups = [group for group in _grouped(kept)
              if not state or group.overdue is (state == DueState.OVERDUE)]
    return [group for overdue in (True, False)
            for group in sorted((group for group in groups if group.overdue is overdue),
                                key=key, reverse=descending)]


def _grouped(rows: list[DueRow]) -> list[DueGroup]:
    by_participant = sorted(rows, key=lambda row: (row.participant.code, row.since,
                                                   row.instrument.id))
    found = []
    for _, group in groupby(by_participant, key=lambda row: row.participant.id):
        rows_of = tuple(group)
        found.append(DueGroup(rows_of[0].participant, any(row.overdue for row in rows_of),
                              rows_of))
    return found


# --- the deltagare -------------------------------------------------------------------------


class DeltagareSort(StrEnum):
    CODE = "kod"
    START = "start"
    ORS = "senaste-ors"


class DeltagareStatus(StrEnum):
    ONGOING = "pagaende"
    ENDED = "avslutade"


class Flagged(StrEnum):
    WITH = "med"
    WITHOUT = "utan"


def deltagare_list(rows: Iterable[DeltagareRow], *, search: str = "", status: str = "",
                   flags: str = "", sort: str = DeltagareSort.CODE,
                   descending: bool = False) -> list[DeltagareRow]:
    """The deltagare of an insats searched, filtered by status and flags, and sorted.
    Sorted by latest ORS, deltagare without one come last in either order."""
    kept = [row for row in rows
            if matches_code(row.participant.code, search)
            and (not status or _ongoing(row) is (status == DeltagareStatus.ONGOING))
            and (not flags or bool(row.flags) is (flags == Flagged.WITH))]
    by_code = sorted(kept, key=lambda row: row.participant.code)
    if sort == DeltagareSort.CODE:
        return by_code[::-1] if descending else by_code
    # sorted() keeps equal rows in their order, in either direction: ties stay by code
    if sort == DeltagareSort.START:
        return sorted(by_code, key=lambda row: row.enrolment.started_on, reverse=descending)
    if sort == DeltagareSort.ORS:
        rated = [row for row in by_code if row.latest_ors is not None]
        return [*sorted(rated, key=lambda row: row.latest_ors, reverse=descending),
                *(row for row in by_code if row.latest_ors is None)]
    raise ValueError(f"unknown sort {sort!r}")


def _ongoing(row: DeltagareRow) -> bool:
    return row.enrolment.ended_on is None


# --- the responses -------------------------------------------------------------------------


class ResponseState(StrEnum):
    SUBMITTED = "inskickade"
    DRAFT = "utkast"


def responses_in(insats: Insats, *, instrument_id: str = "", timepoint: str = "",
                 source: ResponseSource | None = None, state: str = "",
                 search: str = "", descending: bool = True) -> Select:
    """The responses of the insats as an ordered query (by answer date, then id), for
    `page_of_query`; each with its deltagare and instrument version loaded."""
    query = (
        select(Response)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(Participant, Participant.id == Response.participant_id)
        .where(Response.insats_id == insats.id)
        .options(selectinload(Response.participant), selectinload(Response.instrument_version))
    )
    if instrument_id:
        query = query.where(InstrumentVersion.instrument_id == instrument_id)
    if timepoint:
        query = query.where(Response.timepoint == timepoint)
    if source is not None:
        query = query.where(Response.source == source)
    if state:
        submitted = Response.submitted_at.is_not(None)
        query = query.where(submitted if state == ResponseState.SUBMITTED else ~submitted)
    if search.strip():
        query = query.where(Participant.code.contains(search.strip().upper(), autoescape=True))
    order = (Response.answered_on.desc(), Response.id.desc()) if descending \
        else (Response.answered_on, Response.id)
    return query.order_by(*order)


@dataclass(frozen=True)
class ResponseChoices:
    """What the responses of an insats may be filtered by: the instruments and
    mätpunkter they have."""

    instrument_ids: tuple[str, ...]
    timepoints: tuple[str, ...]


def response_choices(insats: Insats) -> ResponseChoices:
    rows = db.session.execute(
        select(InstrumentVersion.instrument_id, Response.timepoint).distinct()
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.insats_id == insats.id)
    ).all()
    return ResponseChoices(tuple(sorted({row[0] for row in rows})),
                           tuple(sorted({row[1] for row in rows}, key=_timepoint_order)))


def _timepoint_order(timepoint: str) -> tuple[str, int]:
    """session-2 before session-10."""
    stem, _, number = timepoint.rpartition("-")
    return (stem, int(number)) if number.isdigit() else (timepoint, 0)
