"""Who is due for which instrument now, by an insats' measurement schedule.

The rules live in one pure function, `due`, over plain data; `due_in_insats` fetches
what it needs. Anonymous instruments (NNS) cannot be tracked per deltagare, so they
are offered during a window after they fall due rather than until answered.

A measurement due for more than `OVERDUE_AFTER` is overdue (`Due.overdue`): the to-do
lists show it apart and first, with how long it has waited. This is the one home of
that rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from enkat.extensions import db
from enkat.instruments import Instrument, timepoint_matches
from enkat.instruments.timepoints import FOLLOW_UP_MONTHS, FOLLOW_UP_PATTERN, timepoint_choices
from enkat.models import (
    Enrolment,
    Insats,
    InstrumentVersion,
    Participant,
    Response,
    ScheduleEntry,
    ScheduleTrigger,
)
from enkat.services import ServiceError
from enkat.services.instruments.versions import resolve_instruments

#: How long an anonymous survey is offered after it falls due.
ANONYMOUS_WINDOW = dt.timedelta(days=30)
DAYS_PER_MONTH = 30
#: How long after the last follow-up falls due (uppfoljning-18m: 540 days after the
#: exit) an answer to it may still be dated: a paper form comes back some weeks later.
LATE_FOLLOW_UP = dt.timedelta(days=90)
#: How long a measurement may wait before it is overdue: two weeks, the time to meet the
#: deltagare once more or to get a link answered. A session's ORS/SRS falls due the day
#: of the session, so it is never overdue.
OVERDUE_AFTER = dt.timedelta(days=14)


def days_waiting(since: dt.date, today: dt.date) -> int:
    """Days since a measurement fell due (0 on the day)."""
    return max((today - since).days, 0)


def is_overdue(since: dt.date, today: dt.date) -> bool:
    """Whether a measurement due since `since` is overdue today (`OVERDUE_AFTER`)."""
    return today - since > OVERDUE_AFTER


@dataclass(frozen=True)
class Due:
    instrument_id: str
    timepoint: str
    since: dt.date


@dataclass(frozen=True)
class DueParticipant:
    participant: Participant
    enrolment: Enrolment
    due: tuple[Due, ...]


def due(entries: Iterable[ScheduleEntry], enrolment: Enrolment,
        answered: Mapping[str, set[str]], today: dt.date,
        anonymous: frozenset[str] = frozenset()) -> list[Due]:
    """What one enrolment is due for today; `answered` maps instrument -> timepoints."""
    found = []
    for entry in entries:
        item = _due_entry(entry, enrolment, answered.get(entry.instrument_id, set()), today)
        if item is None:
            continue
        if entry.instrument_id in anonymous and today > item.since + ANONYMOUS_WINDOW:
            continue
        found.append(item)
    return sorted(found, key=lambda d: (d.since, d.instrument_id))


def _due_entry(entry: ScheduleEntry, enrolment: Enrolment, done: set[str],
               today: dt.date) -> Due | None:
    started, ended = enrolment.started_on, enrolment.ended_on
    ongoing = ended is None
    trigger, days = entry.trigger, entry.days or 0
    if trigger is ScheduleTrigger.AT_START and ongoing:
        return _unless_done(entry.instrument_id, entry.timepoint, started, done)
    if trigger is ScheduleTrigger.EVERY_SESSION and ongoing:
        sessions = sum(1 for timepoint in done if timepoint_matches(entry.timepoint, timepoint))
        return Due(entry.instrument_id, _numbered(entry.timepoint, sessions + 1), today)
    if trigger is ScheduleTrigger.AFTER_DAYS and ongoing:
        since = started + dt.timedelta(days=days)
        return _unless_done(entry.instrument_id, entry.timepoint, since, done, today)
    if trigger is ScheduleTrigger.EVERY_DAYS and ongoing and days:
        rounds = (today - started).days // days
        if rounds < 1:
            return None
        months = round(rounds * days / DAYS_PER_MONTH)
        since = started + dt.timedelta(days=rounds * days)
        return _unless_done(entry.instrument_id, _numbered(entry.timepoint, months), since,
                            done)
    if trigger is ScheduleTrigger.AT_EXIT and not ongoing:
        return _unless_done(entry.instrument_id, entry.timepoint, ended, done)
    if trigger is ScheduleTrigger.AFTER_EXIT_DAYS and not ongoing:
        since = ended + dt.timedelta(days=days)
        return _unless_done(entry.instrument_id, entry.timepoint, since, done, today)
    return None


def _unless_done(instrument_id: str, timepoint: str, since: dt.date, done: set[str],
                 today: dt.date | None = None) -> Due | None:
    if timepoint in done or (today is not None and today < since):
        return None
    return Due(instrument_id, timepoint, since)


def _numbered(pattern: str, number: int) -> str:
    return pattern.replace("{n}", str(number))


def due_in_insats(insats: Insats, today: dt.date) -> list[DueParticipant]:
    """Every deltagare of the insats with what they are due for (open or recent)."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.insats_id == insats.id)
        .options(selectinload(Enrolment.participant))
        .order_by(Enrolment.started_on)
    ).all()
    answered = _answered(insats)
    anonymous = _anonymous({entry.instrument_id for entry in insats.schedule})
    result = []
    for enrolment in enrolments:
        found = due(insats.schedule, enrolment, answered[enrolment.participant_id], today,
                    anonymous)
        if found:
            result.append(DueParticipant(enrolment.participant, enrolment, tuple(found)))
    return result


@dataclass(frozen=True)
class _Line:
    """A schedule entry as plain data: `due` reads each entry once per enrolment, and
    a förbund has thousands of enrolments (ORM attributes cost more than the rules)."""

    instrument_id: str
    timepoint: str
    trigger: ScheduleTrigger
    days: int | None


def due_in_insatser(insatser: Iterable[Insats], today: dt.date, *,
                    sessions: bool = True) -> dict[int, list[tuple[int, list[Due]]]]:
    """By insats id, each deltagare (participant id) with something due, in three
    queries for all the insatser together (a förbund's overview). Without `sessions`,
    what falls due at every session is left out: it is due at each meeting, not by a
    date. A deltagare enrolled twice in an insats is there for each enrolment."""
    schedules = {insats.id: [_Line(entry.instrument_id, entry.timepoint, entry.trigger,
                                   entry.days) for entry in insats.schedule
                             if sessions or entry.trigger is not ScheduleTrigger.EVERY_SESSION]
                 for insats in insatser}
    enrolments = db.session.execute(
        select(Enrolment.insats_id, Enrolment.participant_id, Enrolment.started_on,
               Enrolment.ended_on)
        .where(Enrolment.insats_id.in_(list(schedules))).order_by(Enrolment.started_on)
    ).all()
    answered = _answered_in(list(schedules))
    anonymous = _anonymous({line.instrument_id for lines in schedules.values()
                            for line in lines})
    found: dict[int, list[tuple[int, list[Due]]]] = defaultdict(list)
    for enrolment in enrolments:
        items = due(schedules[enrolment.insats_id], enrolment,
                    answered[(enrolment.insats_id, enrolment.participant_id)], today,
                    anonymous)
        if items:
            found[enrolment.insats_id].append((enrolment.participant_id, items))
    return found


def _answered_in(insats_ids: list[int], *conditions) -> dict[tuple[int, int], dict[str, set[str]]]:
    """What each deltagare answered, by (insats id, participant id): the instrument's
    timepoints."""
    rows = db.session.execute(
        select(Response.insats_id, Response.participant_id, InstrumentVersion.instrument_id,
               Response.timepoint)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.insats_id.in_(insats_ids), Response.submitted_at.is_not(None),
               Response.participant_id.is_not(None), *conditions)
    )
    answered: dict[tuple[int, int], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set))
    for insats_id, participant_id, instrument_id, timepoint in rows:
        answered[(insats_id, participant_id)][instrument_id].add(timepoint)
    return answered


def due_for(enrolment: Enrolment, today: dt.date,
            instruments: Mapping[str, Instrument] | None = None,
            answered: Mapping[str, set[str]] | None = None) -> list[Due]:
    """What one deltagare is due for today in the insats of `enrolment`. `instruments`:
    the schedule's instruments by id (`resolve_instruments`), and `answered`: the
    timepoints of each instrument the deltagare has submitted in the insats, when the
    caller read them."""
    insats = enrolment.insats
    if answered is None:
        answered = _answered(insats, Response.participant_id == enrolment.participant_id)[
            enrolment.participant_id]
    if instruments is None:
        instruments = resolve_instruments({entry.instrument_id for entry in insats.schedule})
    return due(insats.schedule, enrolment, answered, today, _anonymous_among(instruments))


def _answered(insats: Insats, *conditions) -> dict[int, dict[str, set[str]]]:
    answered: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (_insats_id, participant_id), done in _answered_in([insats.id], *conditions).items():
        answered[participant_id] = done
    return answered


def _anonymous(instrument_ids: set[str]) -> frozenset[str]:
    return _anonymous_among(resolve_instruments(instrument_ids))


def _anonymous_among(instruments: Mapping[str, Instrument]) -> frozenset[str]:
    return frozenset(instrument_id for instrument_id, instrument in instruments.items()
                     if instrument.anonymous)


# --- the timepoints staff choose from -----------------------------------------------------


def offered_timepoints(instrument: Instrument, insats: Insats,
                       participant: Participant | None, today: dt.date) -> list[str]:
    """The timepoints a new answer to `instrument` about `participant` (None: anonymous
    or not yet known) may take in the insats: what the instrument declares and the
    deltagare has not answered (`timepoints.timepoint_choices`); the follow-ups every N
    days of the schedule are those fallen due so far."""
    answered: set[str] = set()
    if participant is not None:
        answered = _answered(insats, Response.participant_id == participant.id)[
            participant.id][instrument.id]
    return timepoint_choices(instrument.timepoints, answered,
                             _follow_up_months(instrument.id, insats, participant, today))


def _follow_up_months(instrument_id: str, insats: Insats, participant: Participant | None,
                      today: dt.date) -> tuple[int, ...]:
    """The months of the follow-ups `uppfoljning-{n}m` the schedule makes every N days
    (SKAPA: every 90 days, so 3, 6, 9, ...), as far as the deltagare's latest enrolment
    has come (at least the first); FOLLOW_UP_MONTHS when the schedule names none."""
    every = next((entry.days for entry in insats.schedule
                  if entry.instrument_id == instrument_id and entry.days
                  and entry.trigger is ScheduleTrigger.EVERY_DAYS
                  and entry.timepoint == FOLLOW_UP_PATTERN), None)
    if every is None:
        return FOLLOW_UP_MONTHS
    enrolment = None if participant is None else db.session.scalar(
        select(Enrolment).where(Enrolment.participant_id == participant.id,
                                Enrolment.insats_id == insats.id)
        .order_by(Enrolment.started_on.desc()).limit(1))
    rounds = 1
    if enrolment is not None:
        rounds = max(1, ((enrolment.ended_on or today) - enrolment.started_on).days // every)
    return tuple(round(k * every / DAYS_PER_MONTH) for k in range(1, rounds + 1))


# --- the days a deltagare's answers may be dated ------------------------------------------


@dataclass(frozen=True)
class EnrolmentWindow:
    """The days answers about one enrolment may be dated: from its start to its end,
    and after the end while the schedule's follow-ups last. Open ends are None."""

    started_on: dt.date
    ended_on: dt.date | None
    last_day: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.last_day is None or day <= self.last_day)


class OutsideEnrolment(ServiceError):
    """A date that falls in none of the deltagare's enrolments in the insats;
    `window` is the latest of them, None when there is none."""

    def __init__(self, day: dt.date, window: EnrolmentWindow | None) -> None:
        super().__init__(f"{day.isoformat()} is outside the deltagare's enrolments")
        self.day, self.window = day, window


def enrolment_window(enrolment: Enrolment) -> EnrolmentWindow:
    """The enrolment's days; after its end, as long as the insats' schedule declares
    follow-ups ("N dagar efter avslut"), the last of them and `LATE_FOLLOW_UP`."""
    ended = enrolment.ended_on
    follow_ups = [entry.days or 0 for entry in enrolment.insats.schedule
                  if entry.trigger is ScheduleTrigger.AFTER_EXIT_DAYS]
    last_day = ended
    if ended is not None and follow_ups:
        last_day = ended + dt.timedelta(days=max(follow_ups)) + LATE_FOLLOW_UP
    return EnrolmentWindow(enrolment.started_on, ended, last_day)


def check_answered_within_enrolment(participant: Participant, insats: Insats,
                                    day: dt.date) -> None:
    """Refuse (OutsideEnrolment) a date about the deltagare that none of their
    enrolments in the insats covers: a paper form dated 1999 for an enrolment of 2025."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.participant_id == participant.id,
                                Enrolment.insats_id == insats.id)
        .order_by(Enrolment.started_on, Enrolment.id)
    ).all()
    windows = [enrolment_window(enrolment) for enrolment in enrolments]
    if not any(window.covers(day) for window in windows):
        raise OutsideEnrolment(day, windows[-1] if windows else None)
