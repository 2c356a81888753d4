"""Deltagare as personal see them: who is in an insats and how it goes, what each one is
due for, and one deltagare's course (ORS/SRS, SKAPA, flags, responses).

A deltagare is seen through the insatser the user sees (`overview.visible_insatser`):
their page shows the enrolments, ratings and responses of those insatser only, and a
deltagare enrolled in none of them is not found at all.

Ratings are few per deltagare, so they are fetched as answers (one query for a whole
insats) and scored with `enkat.scoring`, the same rules the reports apply in bulk.
Scores are read with the instrument's current version: a new version keeps item ids and
answer codes (DESIGN.md), so every version scores alike.

The flags are the samtalsunderlag's (ORS-SRS.md), worded in Swedish by
`enkat.reports.flags`, once, for the pages and the chart alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from enkat.extensions import db
from enkat.instruments import Instrument, Score
from enkat.instruments.model import SessionChart
from enkat.instruments.roles import in_report_order, progression_score
from enkat.models import Answer, Enrolment, Insats, InstrumentVersion, Participant, Response, User
from enkat.reports.flags import Flag, ors_flags, session_flag_words, srs_flags
from enkat.scoring import (
    Course,
    Rating,
    SessionFlags,
    StepClass,
    course,
    item_courses,
    ratings_from_responses,
    session_flags,
    step_class,
)
from enkat.services.audit.events import Action, record_event
from enkat.services.deltagare.due import days_waiting, due_in_insats, is_overdue
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.instruments.versions import (
    UnknownInstrument,
    instrument_title,
    registration_forms,
    resolve_instrument,
    session_chart,
)
from enkat.services.organisation.overview import visible_insatser

if TYPE_CHECKING:
    from enkat.reports.charts import SessionScore

# --- ratings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RatedResponse:
    """A submitted response with its answers, as scoring takes them."""

    response_id: int
    participant_id: int
    insats_id: int
    instrument_id: str
    answered_on: dt.date
    answers: dict[str, tuple[str, ...]]


def rated_responses(instrument_ids: Iterable[str], *conditions) -> list[RatedResponse]:
    """Submitted responses to these instruments matching `conditions`, with their answers,
    in the order (answered on, id): one query."""
    query = (
        select(Response.id, Response.participant_id, Response.insats_id,
               InstrumentVersion.instrument_id, Response.answered_on,
               Answer.item_id, Answer.value)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(InstrumentVersion.instrument_id.in_(tuple(instrument_ids)),
               Response.submitted_at.is_not(None), Response.participant_id.is_not(None),
               *conditions)
        .order_by(Response.answered_on, Response.id, Answer.item_id, Answer.position)
    )
    found: dict[int, RatedResponse] = {}
    for response_id, participant_id, insats_id, instrument_id, answered_on, item_id, value \
            in db.session.execute(query):
        if response_id not in found:
            found[response_id] = RatedResponse(response_id, participant_id, insats_id,
                                               instrument_id, answered_on, {})
        answers = found[response_id].answers
        answers[item_id] = (*answers.get(item_id, ()), value)
    return list(found.values())


@dataclass(frozen=True)
class SessionCourse:
    """One deltagare's course on a session-by-session score (ORS or SRS)."""

    instrument: Instrument
    score: Score
    sessions: tuple[SessionFlags, ...]  # every session in order, scored or not
    course: Course

    @property
    def latest(self) -> float | None:
        return self.course.latest


def rated_on_first_score(instrument_id: str, responses: Sequence[RatedResponse],
                         instrument: Instrument | None = None
                         ) -> tuple[Instrument, Score, list[Rating]] | None:
    """The instrument, its first score and the deltagare's ratings on it, in date order;
    None without a response to the instrument. A list of many deltagare passes the
    `instrument`, resolved once."""
    chosen = [(response.answered_on, response.answers) for response in responses
              if response.instrument_id == instrument_id]
    if not chosen:
        return None
    instrument = instrument or resolve_instrument(instrument_id)
    score = instrument.scores[0]
    return instrument, score, ratings_from_responses(instrument, score, chosen)


def session_course(instrument_id: str, responses: Sequence[RatedResponse],
                   instrument: Instrument | None = None) -> SessionCourse | None:
    """The course on the instrument's first score, or None without a response to it."""
    rated = rated_on_first_score(instrument_id, responses, instrument)
    if rated is None:
        return None
    instrument, score, ratings = rated
    return SessionCourse(instrument, score, session_flags(score, ratings), course(ratings))


# --- flags -------------------------------------------------------------------------------


def flags_of(ors: SessionCourse | None, srs: SessionCourse | None) -> list[Flag]:
    """The flags of a deltagare: the latest SRS session's, then the ORS course's."""
    return [*(srs_flags(srs.instrument, srs.score, srs.sessions[-1]) if srs else []),
            *(ors_flags(ors.score, ors.course) if ors else [])]


# --- an insats: its deltagare and what they are due for ----------------------------------


@dataclass(frozen=True)
class DeltagareRow:
    participant: Participant
    enrolment: Enrolment  # the latest in the insats
    exit_reason: str | None
    latest_ors: float | None
    flags: tuple[Flag, ...]
    follow_up: str | None  # the follow-up timepoint to register next, once ended


def deltagare_in(insats: Insats) -> list[DeltagareRow]:
    """The deltagare of the insats, ongoing first, each with their latest enrolment."""
    latest: dict[int, Enrolment] = {}
    for enrolment in db.session.scalars(
            select(Enrolment).where(Enrolment.insats_id == insats.id)
            .options(selectinload(Enrolment.participant))
            .order_by(Enrolment.started_on, Enrolment.id)):
        latest[enrolment.participant_id] = enrolment
    lines = _session_lines()
    instruments = [resolve_instrument(line) for line in lines]
    rated = _by_participant(rated_responses(lines, Response.insats_id == insats.id))
    reasons = exit_reasons([insats.id], list(latest))
    done = _follow_ups_done(insats)
    rows = []
    for participant_id, enrolment in latest.items():
        ors, srs = (session_course(line, rated[participant_id], instrument)
                    for line, instrument in zip(lines, instruments, strict=True))
        rows.append(DeltagareRow(
            enrolment.participant, enrolment,
            reasons.get((participant_id, insats.id, enrolment.ended_on)),
            ors.latest if ors else None, tuple(flags_of(ors, srs)),
            _next_follow_up(enrolment, done[participant_id]),
        ))
    return sorted(rows, key=lambda row: (row.enrolment.ended_on is not None,
                                         row.participant.code))


def _by_participant(responses: Iterable[RatedResponse]) -> dict[int, list[RatedResponse]]:
    grouped: dict[int, list[RatedResponse]] = defaultdict(list)
    for response in responses:
        grouped[response.participant_id].append(response)
    return grouped


def exit_reasons(insats_ids: Sequence[int], participant_ids: Sequence[int]
                 ) -> dict[tuple[int, int, dt.date], str]:
    """The avslutsanledning of each ended enrolment, by (deltagare, insats, end date):
    the avslut answered on the day the enrolment ended (as `responses` ends it)."""
    forms = registration_forms()
    item = forms.exit_reason if forms else None
    if forms is None or item is None:
        return {}
    responses = rated_responses((forms.ends.id,), Response.insats_id.in_(insats_ids),
                                Response.participant_id.in_(participant_ids))
    return {(response.participant_id, response.insats_id, response.answered_on):
            ", ".join(item.code_label(code) for code in response.answers[item.id])
            for response in responses if item.id in response.answers}


def _follow_up_form() -> Instrument | None:
    forms = registration_forms()
    return forms.follow_up if forms else None


def _follow_ups_done(insats: Insats) -> dict[int, set[tuple[str, dt.date]]]:
    done: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
    follow_up = _follow_up_form()
    if follow_up is None:
        return done
    rows = db.session.execute(
        select(Response.participant_id, Response.timepoint, Response.answered_on)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(Response.insats_id == insats.id,
               InstrumentVersion.instrument_id == follow_up.id,
               Response.submitted_at.is_not(None))
    )
    for participant_id, timepoint, answered_on in rows:
        done[participant_id].add((timepoint, answered_on))
    return done


def _next_follow_up(enrolment: Enrolment, done: set[tuple[str, dt.date]]) -> str | None:
    """The first follow-up timepoint not registered since the enrolment ended, or None
    (ongoing, or every follow-up registered)."""
    if enrolment.ended_on is None:
        return None
    registered = {timepoint for timepoint, on in done if on >= enrolment.ended_on}
    follow_up = _follow_up_form()
    if follow_up is None:
        return None
    return next((timepoint for timepoint in follow_up.timepoints
                 if "{n}" not in timepoint and timepoint not in registered), None)


@dataclass(frozen=True)
class DueRow:
    """One instrument one deltagare is due for now, and how it is given."""

    participant: Participant
    instrument: Instrument
    timepoint: str
    since: dt.date
    waiting: int  # days since it fell due
    overdue: bool  # due for longer than `due.OVERDUE_AFTER`

    @property
    def by_staff(self) -> bool:
        """Filled in by personal, through the registrera pages."""
        return self.instrument.rated_by == "staff"

    @property
    def anonymous(self) -> bool:
        return self.instrument.anonymous


def due_rows(insats: Insats, today: dt.date) -> list[DueRow]:
    """Who is due for what now by the insats' schedule, the longest waiting first.
    Lines of the schedule naming an instrument that does not exist are left out."""
    instruments = _schedule_instruments(insats)
    rows = []
    for waiting in due_in_insats(insats, today):
        for item in waiting.due:
            instrument = instruments.get(item.instrument_id)
            if instrument is None:
                continue
            rows.append(DueRow(waiting.participant, instrument, item.timepoint, item.since,
                               days_waiting(item.since, today), is_overdue(item.since, today)))
    return sorted(rows, key=lambda row: (row.since, row.participant.code, row.instrument.id))


def _schedule_instruments(insats: Insats) -> dict[str, Instrument]:
    """The instruments the insats' schedule names, each resolved once (a lookup is a
    query), those that exist."""
    found = {}
    for instrument_id in {entry.instrument_id for entry in insats.schedule}:
        try:
            found[instrument_id] = resolve_instrument(instrument_id)
        except UnknownInstrument:
            continue
    return found


# --- one deltagare ------------------------------------------------------------------------


def visible_participant(user: User, code: str) -> Participant | None:
    """The deltagare with this code enrolled in an insats the user sees; None otherwise,
    and when the code names deltagare of two förbund the user works in (the address
    cannot tell which)."""
    insats_ids = [insats.id for insats in visible_insatser(user)]
    found = db.session.scalars(
        select(Participant).join(Enrolment, Enrolment.participant_id == Participant.id)
        .where(Participant.code == code.upper(), Enrolment.insats_id.in_(insats_ids))
        .distinct()
    ).all()
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class EnrolmentRow:
    enrolment: Enrolment
    exit_reason: str | None


@dataclass(frozen=True)
class AreaProgress:
    """First and latest rating of one area (or of the mean), and whether it is a step."""

    label: str
    course: Course
    step: StepClass | None


@dataclass(frozen=True)
class Progression:
    instrument: Instrument
    overall: AreaProgress
    areas: tuple[AreaProgress, ...]


@dataclass(frozen=True)
class ResponseRow:
    response: Response
    title: str


@dataclass(frozen=True)
class DeltagarePage:
    participant: Participant
    enrolments: tuple[EnrolmentRow, ...]
    ors: SessionCourse | None
    srs: SessionCourse | None
    flags: tuple[Flag, ...]
    progressions: tuple[Progression, ...]
    responses: tuple[ResponseRow, ...]


def deltagare_page(participant: Participant, user: User) -> DeltagarePage:
    """What the user may see of the deltagare: only what belongs to their insatser."""
    insats_ids = [insats.id for insats in visible_insatser(user)]
    in_view = (Response.insats_id.in_(insats_ids), Response.participant_id == participant.id)
    lines = _session_lines()
    progressions = [instrument.id for instrument
                    in in_report_order(usable_instruments(participant.forbund))
                    if progression_score(instrument)]
    rated = rated_responses((*lines, *progressions), *in_view)
    ors, srs = (session_course(line, rated) for line in lines)
    return DeltagarePage(
        participant=participant,
        enrolments=tuple(_enrolments(participant, insats_ids)),
        ors=ors, srs=srs, flags=tuple(flags_of(ors, srs)),
        progressions=tuple(progression for instrument_id in progressions
                           if (progression := _progression(instrument_id, rated))),
        responses=tuple(_responses(in_view)),
    )


def _enrolments(participant: Participant, insats_ids: Sequence[int]) -> list[EnrolmentRow]:
    enrolments = [enrolment for enrolment in participant.enrolments
                  if enrolment.insats_id in insats_ids]
    reasons = exit_reasons(insats_ids, [participant.id])
    return [EnrolmentRow(enrolment, reasons.get((participant.id, enrolment.insats_id,
                                                 enrolment.ended_on)))
            for enrolment in enrolments]


def _progression(instrument_id: str, responses: Sequence[RatedResponse]) -> Progression | None:
    rated = rated_on_first_score(instrument_id, responses)
    if rated is None:
        return None
    instrument, score, ratings = rated
    overall = course(ratings)
    areas = item_courses(ratings, score.items)
    return Progression(
        instrument,
        AreaProgress(score.label.get("sv"), overall, step_class(score, overall)),
        tuple(AreaProgress(instrument.item(item_id).text.get("sv"), area,
                           step_class(score, area))
              for item_id, area in areas.items()),
    )


def _responses(conditions: tuple) -> list[ResponseRow]:
    """Every response about the deltagare in view, sent or not, the latest first."""
    responses = db.session.scalars(
        select(Response).where(*conditions)
        .order_by(Response.answered_on.desc(), Response.id.desc())
    ).all()
    titles: dict[tuple[str, int], str] = {}
    rows = []
    for response in responses:
        version = response.instrument_version
        key = (version.instrument_id, version.version)
        if key not in titles:
            titles[key] = instrument_title(*key)
        rows.append(ResponseRow(response, titles[key]))
    return rows


# --- the samtalsunderlag ------------------------------------------------------------------


@dataclass(frozen=True)
class CourseChart:
    svg: bytes
    description: str


def course_chart(page: DeltagarePage) -> CourseChart | None:
    """The ORS/SRS chart of the deltagare as SVG, with its description in words;
    None without a scored ORS or SRS session."""
    from enkat.reports.charts import describe_ors_srs, ors_srs_chart  # matplotlib: on first use

    ors, srs = _chart_scores(page.ors), _chart_scores(page.srs)
    if not ors and not srs:
        return None
    outcome, alliance = _session_lines()
    cutoffs = {"ors_cutoff": _cutoff(page.ors, outcome), "srs_cutoff": _cutoff(page.srs, alliance)}
    return CourseChart(
        svg=ors_srs_chart(ors, srs, title=f"Samtalsunderlag för {page.participant.code}",
                          format="svg", **cutoffs),
        description=describe_ors_srs(ors, srs, **cutoffs),
    )


def _chart_scores(scores: SessionCourse | None) -> list[SessionScore]:
    from enkat.reports.charts import SessionScore

    if scores is None:
        return []
    return [SessionScore(session.at, session.value, session_flag_words(session, scores.score))
            for session in scores.sessions if session.value is not None]


def _cutoff(scores: SessionCourse | None, instrument_id: str) -> float:
    """The cut-off the instrument declares, from the course or the current instrument
    (a panel without ratings still draws its line)."""
    score = scores.score if scores else resolve_instrument(instrument_id).scores[0]
    return score.cutoff


def _session_lines() -> tuple[str, str]:
    """The ids of the instruments drawing the samtalsunderlag's two lines: how the
    deltagare has been (ORS) and how the session was (SRS)."""
    outcome, alliance = session_chart(SessionChart.OUTCOME), session_chart(SessionChart.ALLIANCE)
    assert outcome and alliance, "the samtalsunderlag's instruments are bundled with enkat"
    return outcome.id, alliance.id





def record_view(participant: Participant, user: User) -> None:
    """Who looked at a deltagare's page, and when (the audit log)."""
    record_event(Action.PARTICIPANT_VIEWED, user=user, forbund_id=participant.forbund_id,
                 subject=participant.code)
