"""Build the report of an insats or a whole förbund for a period."""

from __future__ import annotations

from collections.abc import Sequence

from enkat.instruments import Instrument
from enkat.instruments.roles import NNS_DELTAGARE, RATED, REGISTRATION_FORMS
from enkat.models import Forbund, Insats
from enkat.reports.build import ReportInputs, build_report
from enkat.reports.inputs import AreaChange, CourseEnds, GoalSpec, RatedSession
from enkat.reports.model import Report, Subject
from enkat.reports.outcomes import flagged, has_areas
from enkat.reports.period import Period
from enkat.scoring.suppression import Suppression
from enkat.services.instruments.versions import UnknownInstrument, resolve_instrument
from enkat.services.results import report_data


def build_report_for(forbund: Forbund, insats: Insats | None = None, *,
                     period: Period) -> Report:
    """The report of one insats, or of all the förbund's insatser together."""
    insats_ids = report_data.insats_ids_of(forbund.id, insats.id if insats else None)
    previous = period.previous()
    instruments = _current_instruments((*REGISTRATION_FORMS, *NNS_DELTAGARE, *RATED))
    # one query for both periods: the forms of an enrolment do not depend on the period
    both = report_data.enrolments_active(insats_ids, Period(previous.start, period.end))
    rated = [instruments[i] for i in RATED if i in instruments]
    inputs = ReportInputs(
        instruments=instruments,
        enrolments=[e for e in both if e.overlaps(period)],
        previous_enrolments=[e for e in both if e.overlaps(previous)],
        answer_counts=report_data.answer_counts(insats_ids, NNS_DELTAGARE, period),
        previous_answer_counts=report_data.answer_counts(insats_ids, NNS_DELTAGARE, previous),
        courses=_courses(insats_ids, rated, period),
        area_changes=_area_changes(insats_ids, rated, period),
        sessions=_sessions(insats_ids, rated, period),
        goals=tuple(GoalSpec(g.description, g.indicator, g.comparison, g.target)
                    for g in (insats.goals if insats else ())),
        insats_names=None if insats else {i.id: i.name for i in forbund.insatser},
    )
    return build_report(_subject(forbund, insats), period, inputs,
                        Suppression(forbund.suppression_threshold))


def _courses(insats_ids: Sequence[int], rated: Sequence[Instrument],
             period: Period) -> list[CourseEnds]:
    return [ends for instrument in rated for score in instrument.scores if not flagged(score)
            for ends in report_data.score_courses(insats_ids, instrument, score, period)]


def _area_changes(insats_ids: Sequence[int], rated: Sequence[Instrument],
                  period: Period) -> list[AreaChange]:
    changes = []
    for instrument in rated:
        areas = {item: None for score in instrument.scores if has_areas(score)
                 for item in score.items}  # in order, once each
        if areas:
            changes += report_data.area_changes(insats_ids, instrument, list(areas), period)
    return changes


def _sessions(insats_ids: Sequence[int], rated: Sequence[Instrument],
              period: Period) -> list[RatedSession]:
    return [session for instrument in rated for score in instrument.scores if flagged(score)
            for session in report_data.rated_sessions(insats_ids, instrument, score, period)]


def _subject(forbund: Forbund, insats: Insats | None) -> Subject:
    if insats is None:
        return Subject("forbund", forbund.slug, forbund.name, forbund.name)
    return Subject("insats", insats.slug, insats.name, forbund.name)


def _current_instruments(instrument_ids: tuple[str, ...]) -> dict[str, Instrument]:
    found = {}
    for instrument_id in instrument_ids:
        try:
            found[instrument_id] = resolve_instrument(instrument_id)
        except UnknownInstrument:
            continue  # an installation without this instrument reports without it
    return found
