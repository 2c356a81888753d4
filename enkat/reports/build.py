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
)
from enkat.scoring.suppression import Suppression

from . import goals as goal_rules
from . import samhallsnytta, summary
from .coverage import coverage_table
from .goals import IndicatorShares, goal_instruments, goal_table
from .indicators import Tallies, indicator_records, indicator_tables, pooled_share, tally
from .inputs import (
    AnswerCount,
    AreaChange,
    CourseEnds,
    EnrolmentFacts,
    GoalSpec,
    ResponseTally,
    SamhallsnyttaInputs,
    SessionFlagCounts,
    SurveyReach,
    Trend,
    Unenrolled,
)
from .model import Part, Report, Subject, Table
from .outcomes import ScoreResults, outcome_tables, score_results
from .period import Period
from .pruning import without_empty
from .reach import reach_table
from .registration import insatser_table, registration_tables, to_work_or_studies_share


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
    session_flags: Sequence[SessionFlagCounts]  # per flagged score (SRS)
    reach: Sequence[SurveyReach] = ()  # utskick first mailed in the period, per instrument
    previous_reach: Sequence[SurveyReach] = ()
    responses: Sequence[ResponseTally] = ()  # every response in the period, by instrument
    unenrolled: Unenrolled = Unenrolled()  # deltagare who answered without an enrolment
    goals: Sequence[GoalSpec] = ()
    insats_names: Mapping[int, str] | None = None  # the förbund's insatser, side by side
    trend: Trend | None = None  # the key figures year by year (`summary.trend_periods`)
    samhallsnytta: SamhallsnyttaInputs | None = None  # price list, cost, assumptions


def build_report(subject: Subject, period: Period, inputs: ReportInputs,
                 suppression: Suppression) -> Report:
    forms = RegistrationForms.among(inputs.instruments.values())
    current = tally(inputs.answer_counts, inputs.instruments)
    results = score_results(inputs.instruments.values(), inputs.courses)
    previous = tally(inputs.previous_answer_counts, inputs.instruments)
    samhallsnytta_part, samhallsnytta_section = samhallsnytta.samhallsnytta_tables(
        inputs.enrolments, period, forms, inputs.samhallsnytta, suppression)
    parts = [
        _PartTables("deltagare", "Inskrivning, avslut och uppföljning",
                    _registration_part(inputs, period, forms, suppression)),
        _PartTables(samhallsnytta.PART_ID, samhallsnytta.PART_TITLE, samhallsnytta_part),
        *_instrument_parts(inputs, current, previous, results, suppression),
    ]
    sections: dict[str, Any] = {
        "indicators": indicator_records([t for part in parts for t in part.tables])}
    if samhallsnytta_section is not None:
        sections["samhallsnytta"] = samhallsnytta_section
    shares = indicator_shares(inputs, period, forms, current, previous)
    goals = None
    if inputs.goals:
        goals, sections["goals"] = goal_table(
            [(g.description, g.indicator, g.comparison, g.target) for g in inputs.goals],
            shares, suppression)
    parts.insert(0, _PartTables(summary.PART_ID, summary.PART_TITLE, summary.summary_tables(
        summary.SummaryContext(inputs, period, forms, shares, goals, results, suppression))))
    reach = reach_table(inputs.instruments, inputs.reach, inputs.previous_reach, suppression)
    coverage, sections["coverage"] = coverage_table(inputs.instruments, inputs.responses,
                                                    inputs.unenrolled, suppression)
    parts += [_PartTables("svarsfrekvens", "Svarsfrekvens i utskick", [reach] if reach else []),
              _PartTables("svar-i-perioden", "Svar i perioden", [coverage])]
    return _assembled(subject, period, suppression, parts, sections)


@dataclass(frozen=True)
class _PartTables:
    id: str
    title: str
    tables: list[Table]


def _assembled(subject: Subject, period: Period, suppression: Suppression,
               parts: list[_PartTables], sections: dict[str, Any]) -> Report:
    """The report of the parts' tables with something to show, and the parts that keep
    one."""
    kept = {part.id: without_empty(part.tables) for part in parts}
    return Report(subject, period.start, period.end, suppression.k,
                  tuple(table for tables in kept.values() for table in tables), sections,
                  tuple(Part(part.id, part.title, tuple(table.id for table in kept[part.id]))
                        for part in parts if kept[part.id]))


def _registration_part(inputs: ReportInputs, period: Period, forms: RegistrationForms | None,
                       suppression: Suppression) -> list[Table]:
    """The insatser side by side (a förbund report) and the registration tables."""
    if forms is None:
        return []
    side_by_side = ([insatser_table(inputs.enrolments, period, inputs.insats_names, forms,
                                    suppression)] if inputs.insats_names else [])
    return [*side_by_side, *registration_tables(inputs.enrolments, period, forms, suppression)]


def _instrument_parts(inputs: ReportInputs, current: Tallies, previous: Tallies,
                      results: ScoreResults, suppression: Suppression) -> list[_PartTables]:
    """A part for every other instrument, in its declared order: its indicator tables,
    then its outcome tables."""
    parts = []
    for instrument in in_report_order(inputs.instruments.values()):
        if instrument.results.enrolment is not None:
            continue
        tables = (indicator_tables(instrument, current, previous, suppression)
                  if has_indicators(instrument) else [])
        tables += outcome_tables([instrument], inputs.courses, inputs.area_changes,
                                 inputs.session_flags, suppression, results)
        parts.append(_PartTables(instrument.id, instrument.title.get("sv"),
                                 tables))
    return parts


def indicator_shares(inputs: ReportInputs, period: Period, forms: RegistrationForms | None,
                     current: Tallies, previous: Tallies) -> dict[str, IndicatorShares]:
    """Every indicator a goal can name, this period and the one before."""
    shares = {}
    if forms is not None:
        shares[goal_rules.TO_WORK_OR_STUDIES] = IndicatorShares(
            to_work_or_studies_share(inputs.enrolments, period, forms),
            to_work_or_studies_share(inputs.previous_enrolments, period.previous(), forms))
    measuring = goal_instruments(inputs.instruments.values())
    for instrument in measuring:
        for indicator in instrument.indicators:
            shares[indicator.id] = IndicatorShares(
                pooled_share(measuring, current, indicator.id),
                pooled_share(measuring, previous, indicator.id))
    return shares


#: Tables that say what a report was built under, not what happened in its period.
SETTINGS_TABLES = frozenset({samhallsnytta.ASSUMPTIONS_TABLE})


def has_findings(report: Report) -> bool:
    """Whether the report says anything of its period and subject: a table beyond the
    assumptions it was built under. A quarter without answers still has findings when
    deltagare were enrolled in it (they are counted, a legitimate filing); a period before
    anything happened has none."""
    return any(table.id not in SETTINGS_TABLES for table in report.tables)
