"""Build the report of an insats or a whole förbund for a period.

Every instrument the förbund may use is reported as its file declares (`enkat.reports`
decides the tables): the registration forms, and each instrument with items with
positive codes or with scores that has answers in scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from enkat.instruments import Instrument
from enkat.instruments.roles import RegistrationForms, has_indicators
from enkat.models import Forbund, Insats
from enkat.reports.build import ReportInputs, build_report
from enkat.reports.goals import goal_instruments
from enkat.reports.inputs import (
    AnswerCount,
    AreaChange,
    CourseEnds,
    GoalSpec,
    RatedSession,
    Trend,
)
from enkat.reports.model import Report, Subject
from enkat.reports.period import Period
from enkat.reports.summary import trend_periods
from enkat.scoring.suppression import Suppression
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.results import report_data
from enkat.services.results.report_data import Scope
from enkat.services.results.utskick import survey_reach


def build_report_for(forbund: Forbund, insats: Insats | None = None, *,
                     period: Period) -> Report:
    """The report of one insats, or of all the förbund's insatser together."""
    scope = report_data.scope_of(forbund.id, insats.id if insats else None)
    previous = period.previous()
    instruments = {instrument.id: instrument for instrument in usable_instruments(forbund)}
    forms = RegistrationForms.among(instruments.values())
    trend = trend_periods(period)
    # one query for every period of the trend: an enrolment's forms do not depend on it
    every = (report_data.enrolments_active(scope.insats_ids, Period(trend[0].start, period.end),
                                           forms) if forms else [])
    scored = [instrument for instrument in instruments.values() if instrument.scores]
    responses, unenrolled = report_data.response_tallies(scope, period)
    reached = None if insats is None else [insats.id]
    inputs = ReportInputs(
        instruments=instruments,
        enrolments=[e for e in every if e.overlaps(period)],
        previous_enrolments=[e for e in every if e.overlaps(previous)],
        answer_counts=_answer_counts(scope, instruments.values(), period),
        previous_answer_counts=_answer_counts(scope, instruments.values(), previous),
        courses=_courses(scope.insats_ids, scored, period),
        area_changes=_area_changes(scope.insats_ids, scored, period),
        sessions=_sessions(scope.insats_ids, scored, period),
        reach=survey_reach(forbund.id, reached, period),
        previous_reach=survey_reach(forbund.id, reached, previous),
        responses=responses,
        unenrolled=unenrolled,
        goals=tuple(GoalSpec(g.description, g.indicator, g.comparison, g.target)
                    for g in (insats.goals if insats else ())),
        insats_names=None if insats else {i.id: i.name for i in forbund.insatser},
        trend=Trend(trend, every, report_data.answer_counts_by_period(
            scope, goal_instruments(instruments.values()), trend)),
    )
    return build_report(_subject(forbund, insats), period, inputs,
                        Suppression(forbund.suppression_threshold))


def _answer_counts(scope: Scope, instruments, period: Period) -> list[AnswerCount]:
    return [count for instrument in instruments if has_indicators(instrument)
            for count in report_data.answer_counts(scope, instrument, period)]


def _courses(insats_ids: Sequence[int], scored: Sequence[Instrument],
             period: Period) -> list[CourseEnds]:
    return [ends for instrument in scored for score in instrument.scores if not score.is_flagged
            for ends in report_data.score_courses(insats_ids, instrument, score, period)]


def _area_changes(insats_ids: Sequence[int], scored: Sequence[Instrument],
                  period: Period) -> list[AreaChange]:
    changes = []
    for instrument in scored:
        areas = {item: None for score in instrument.scores if score.has_areas
                 for item in score.items}  # in order, once each
        if areas:
            changes += report_data.area_changes(insats_ids, instrument, list(areas), period)
    return changes


def _sessions(insats_ids: Sequence[int], scored: Sequence[Instrument],
              period: Period) -> list[RatedSession]:
    return [session for instrument in scored for score in instrument.scores if score.is_flagged
            for session in report_data.rated_sessions(insats_ids, instrument, score, period)]


def _subject(forbund: Forbund, insats: Insats | None) -> Subject:
    if insats is None:
        return Subject("forbund", forbund.slug, forbund.name, forbund.name)
    return Subject("insats", insats.slug, insats.name, forbund.name)
