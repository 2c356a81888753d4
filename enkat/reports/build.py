"""Build a report from its plain inputs: every table, suppressed, plus the JSON sections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enkat.instruments import Instrument
from enkat.instruments.roles import EXIT_REASON_ITEM, NNS_DELTAGARE, RATED, REGISTRATION_FORMS
from enkat.scoring.suppression import Suppression

from . import goals as goal_rules
from .goals import IndicatorShares, Share, goal_table
from .indicators import Tallies, indicator_records, indicator_table, tally
from .inputs import (
    AnswerCount,
    AreaChange,
    CourseEnds,
    EnrolmentFacts,
    GoalSpec,
    RatedSession,
)
from .model import Report, Subject, Table
from .outcomes import outcome_tables
from .period import Period
from .pruning import without_empty
from .registration import (
    TO_WORK_OR_STUDIES,
    RegistrationForms,
    ended_in,
    insatser_table,
    registration_tables,
)


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report is built from, as the services fetch it."""

    instruments: Mapping[str, Instrument]  # current versions by id
    enrolments: Sequence[EnrolmentFacts]
    previous_enrolments: Sequence[EnrolmentFacts]
    answer_counts: Sequence[AnswerCount]  # NNS answers in the period
    previous_answer_counts: Sequence[AnswerCount]
    # rated instruments, for the deltagare enrolled in the period, up to its end:
    courses: Sequence[CourseEnds]  # per deltagare and score (not flagged ones)
    area_changes: Sequence[AreaChange]  # per item of a mean score and change
    sessions: Sequence[RatedSession]  # every rating on a flagged score (SRS)
    goals: Sequence[GoalSpec] = ()
    insats_names: Mapping[int, str] | None = None  # the förbund's insatser, side by side


def build_report(subject: Subject, period: Period, inputs: ReportInputs,
                 suppression: Suppression) -> Report:
    forms = RegistrationForms(*(inputs.instruments[i] for i in REGISTRATION_FORMS))
    nns = {i: inputs.instruments[i] for i in NNS_DELTAGARE if i in inputs.instruments}
    current, previous = tally(inputs.answer_counts, nns), tally(inputs.previous_answer_counts, nns)
    indicator_tables = [indicator_table(instrument, current, previous, suppression)
                        for instrument in nns.values()]
    rated = {i: inputs.instruments[i] for i in RATED if i in inputs.instruments}
    side_by_side = ([insatser_table(inputs.enrolments, period, inputs.insats_names, suppression)]
                    if inputs.insats_names else [])
    tables: list[Table] = [
        *side_by_side,
        *registration_tables(inputs.enrolments, period, forms, suppression),
        *indicator_tables,
        *outcome_tables(rated, inputs.courses, inputs.area_changes, inputs.sessions, suppression),
    ]
    sections: dict[str, Any] = {"indicators": indicator_records(indicator_tables)}
    if inputs.goals:
        shares = indicator_shares(inputs, period, nns, current, previous)
        table, records = goal_table(
            [(g.description, g.indicator, g.comparison, g.target) for g in inputs.goals],
            shares, suppression)
        tables.append(table)
        sections["goals"] = records
    return Report(subject, period.start, period.end, suppression.k, without_empty(tables),
                  sections)


def indicator_shares(inputs: ReportInputs, period: Period, nns: Mapping[str, Instrument],
                     current: Tallies, previous: Tallies) -> dict[str, IndicatorShares]:
    """Every indicator a goal can name, this period and the one before."""
    shares = {
        goal_rules.TO_WORK_OR_STUDIES: IndicatorShares(
            _to_work_or_studies(inputs.enrolments, period),
            _to_work_or_studies(inputs.previous_enrolments, period.previous())),
    }
    for instrument in nns.values():
        for indicator in instrument.indicators:
            shares[indicator.id] = IndicatorShares(
                _pooled(nns, indicator.id, current), _pooled(nns, indicator.id, previous))
    return shares


def _to_work_or_studies(enrolments: Sequence[EnrolmentFacts], period: Period) -> Share:
    ended = [e for e in ended_in(enrolments, period) if not e.ended_in_trial_period]
    hits = sum(1 for e in ended
               if (e.avslut or {}).get(EXIT_REASON_ITEM, ("",))[0] in TO_WORK_OR_STUDIES)
    return Share(hits, len(ended))


def _pooled(nns: Mapping[str, Instrument], indicator: str, tallies: Tallies) -> Share:
    """Positive answers among all answers to the items measuring the indicator."""
    positive = n = 0
    for instrument in nns.values():
        for item in instrument.items:
            if item.indicator == indicator:
                counted = tallies.get((instrument.id, item.id, None))
                if counted is not None:
                    positive, n = positive + counted.positive, n + counted.n
    return Share(positive, n)
