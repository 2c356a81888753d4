"""Build a report from its plain inputs: every table, suppressed, plus the JSON sections.

What a report holds follows the instruments' declarations, never their ids: the
registration tables from the forms that declare an enrolment role, then for each other
instrument in its declared order the indicator tables of its items with positive codes
and the outcome tables of its scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument
from enkat.instruments.roles import (
    RegistrationForms,
    has_indicators,
    in_report_order,
    rated_items,
)
from enkat.scoring.suppression import Suppression

from . import goals as goal_rules
from .coverage import coverage_table
from .goals import IndicatorShares, Share, goal_instruments, goal_table
from .indicators import Tallies, indicator_records, indicator_tables, tally
from .inputs import (
    AnswerCount,
    AreaChange,
    CourseEnds,
    EnrolmentFacts,
    GoalSpec,
    RatedSession,
    ResponseTally,
    SurveyReach,
    Unenrolled,
)
from .model import Report, Subject, Table
from .outcomes import outcome_tables
from .period import Period
from .pruning import without_empty
from .reach import reach_table
from .registration import ended_in, insatser_table, registration_tables, to_work_or_studies


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report is built from, as the services fetch it."""

    instruments: Mapping[str, Instrument]  # current versions by id
    enrolments: Sequence[EnrolmentFacts]
    previous_enrolments: Sequence[EnrolmentFacts]
    answer_counts: Sequence[AnswerCount]  # answers to items with positive codes, in the period
    previous_answer_counts: Sequence[AnswerCount]
    # scored instruments, for the deltagare in the report, up to the end of the period:
    courses: Sequence[CourseEnds]  # per deltagare and score (not flagged ones)
    area_changes: Sequence[AreaChange]  # per item of a mean score and change
    sessions: Sequence[RatedSession]  # every rating on a flagged score (SRS)
    reach: Sequence[SurveyReach] = ()  # utskick first mailed in the period, per instrument
    previous_reach: Sequence[SurveyReach] = ()
    responses: Sequence[ResponseTally] = ()  # every response in the period, by instrument
    unenrolled: Unenrolled = Unenrolled()  # deltagare who answered without an enrolment
    goals: Sequence[GoalSpec] = ()
    insats_names: Mapping[int, str] | None = None  # the förbund's insatser, side by side


def build_report(subject: Subject, period: Period, inputs: ReportInputs,
                 suppression: Suppression) -> Report:
    forms = RegistrationForms.among(inputs.instruments.values())
    current = tally(inputs.answer_counts, inputs.instruments)
    previous = tally(inputs.previous_answer_counts, inputs.instruments)
    reach = reach_table(inputs.instruments, inputs.reach, inputs.previous_reach, suppression)
    tables = [*_registration_part(inputs, period, forms, suppression),
              *_instrument_part(inputs, current, previous, suppression),
              *([reach] if reach else [])]
    sections: dict[str, Any] = {"indicators": indicator_records(tables)}
    if inputs.goals:
        table, sections["goals"] = goal_table(
            [(g.description, g.indicator, g.comparison, g.target) for g in inputs.goals],
            indicator_shares(inputs, period, forms, current, previous), suppression)
        tables.append(table)
    coverage, sections["coverage"] = coverage_table(inputs.instruments, inputs.responses,
                                                    inputs.unenrolled, suppression)
    tables.append(coverage)
    return Report(subject, period.start, period.end, suppression.k, without_empty(tables),
                  sections)


def _registration_part(inputs: ReportInputs, period: Period, forms: RegistrationForms | None,
                       suppression: Suppression) -> list[Table]:
    """The insatser side by side (a förbund report) and the registration tables."""
    if forms is None:
        return []
    side_by_side = ([insatser_table(inputs.enrolments, period, inputs.insats_names, forms,
                                    suppression)] if inputs.insats_names else [])
    return [*side_by_side, *registration_tables(inputs.enrolments, period, forms, suppression)]


def _instrument_part(inputs: ReportInputs, current: Tallies, previous: Tallies,
                     suppression: Suppression) -> list[Table]:
    """Every other instrument in its declared order: its indicator tables, then its
    outcome tables."""
    tables: list[Table] = []
    for instrument in in_report_order(inputs.instruments.values()):
        if instrument.results.enrolment is not None:
            continue
        if has_indicators(instrument):
            tables += indicator_tables(instrument, current, previous, suppression)
        tables += outcome_tables([instrument], inputs.courses, inputs.area_changes,
                                 inputs.sessions, suppression)
    return tables


def indicator_shares(inputs: ReportInputs, period: Period, forms: RegistrationForms | None,
                     current: Tallies, previous: Tallies) -> dict[str, IndicatorShares]:
    """Every indicator a goal can name, this period and the one before."""
    shares = {}
    if forms is not None:
        shares[goal_rules.TO_WORK_OR_STUDIES] = IndicatorShares(
            _to_work_or_studies(inputs.enrolments, period, forms),
            _to_work_or_studies(inputs.previous_enrolments, period.previous(), forms))
    measuring = goal_instruments(inputs.instruments.values())
    for instrument in measuring:
        for indicator in instrument.indicators:
            shares[indicator.id] = IndicatorShares(_pooled(measuring, indicator.id, current),
                                                   _pooled(measuring, indicator.id, previous))
    return shares


def _to_work_or_studies(enrolments: Sequence[EnrolmentFacts], period: Period,
                        forms: RegistrationForms) -> Share:
    ended = [e for e in ended_in(enrolments, period) if not e.ended_in_trial_period]
    return Share(sum(1 for e in ended if to_work_or_studies(e, forms)), len(ended))


def _pooled(instruments: Sequence[Instrument], indicator: str, tallies: Tallies) -> Share:
    """Positive answers among all answers to the items measuring the indicator, at every
    timepoint."""
    positive = n = 0
    for instrument in instruments:
        measuring = {item.id for item in rated_items(instrument) if item.indicator == indicator}
        for (instrument_id, _, item_id, group), counted in tallies.items():
            if instrument_id == instrument.id and item_id in measuring and group is None:
                positive, n = positive + counted.positive, n + counted.n
    return Share(positive, n)
