"""Build the report of an insats or a whole förbund for a period."""

from __future__ import annotations

from enkat.instruments import Instrument
from enkat.models import Forbund, Insats
from enkat.reports.build import NNS_DELTAGARE, RATED, REGISTRATION, ReportInputs, build_report
from enkat.reports.inputs import GoalSpec
from enkat.reports.model import Report, Subject
from enkat.reports.period import Period

from . import report_data
from .instruments import UnknownInstrument, resolve_instrument


def build_report_for(forbund: Forbund, insats: Insats | None = None, *,
                     period: Period) -> Report:
    """The report of one insats, or of all the förbund's insatser together."""
    insats_ids = report_data.insats_ids_of(forbund.id, insats.id if insats else None)
    previous = period.previous()
    inputs = ReportInputs(
        instruments=_current_instruments((*REGISTRATION, *NNS_DELTAGARE, *RATED)),
        enrolments=report_data.enrolments_active(insats_ids, period),
        previous_enrolments=report_data.enrolments_active(insats_ids, previous),
        answer_counts=report_data.answer_counts(insats_ids, NNS_DELTAGARE, period),
        previous_answer_counts=report_data.answer_counts(insats_ids, NNS_DELTAGARE, previous),
        ratings=report_data.ratings(insats_ids, RATED, period),
        goals=tuple(GoalSpec(g.description, g.indicator, g.comparison, g.target)
                    for g in (insats.goals if insats else ())),
        insats_names=None if insats else {i.id: i.name for i in forbund.insatser},
    )
    return build_report(_subject(forbund, insats), period, inputs,
                        forbund.suppression_threshold)


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
