"""Build the report of an insats or a whole förbund for a period.

Every instrument the förbund may use is reported as its file declares (`enkat.reports`
decides the tables): the registration forms, and each instrument with items with
positive codes or with scores that has answers in scope.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction

from enkat.database import one_moment
from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.roles import RegistrationForms, has_indicators
from enkat.models import Forbund, Insats
from enkat.reports import PROGRAM_FORMATS
from enkat.reports.build import ReportInputs, build_report, has_findings
from enkat.reports.goals import goal_instruments
from enkat.reports.inputs import (
    AnswerCount,
    AreaChange,
    CourseEnds,
    EnrolmentFacts,
    GoalSpec,
    SessionFlagCounts,
    Trend,
)
from enkat.reports.model import Report, Subject
from enkat.reports.period import Period
from enkat.reports.summary import trend_periods
from enkat.scoring.samhallsnytta import DEFAULT_HORIZON, Assumptions
from enkat.scoring.suppression import Suppression
from enkat.services import ServiceError
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.results import report_data
from enkat.services.results.report_data import CourseScope, Scope
from enkat.services.results.utskick import survey_reach
from enkat.services.samhallsnytta import report_inputs

#: A report's samhällsnytta unless asked otherwise: 12 months, no deadweight, 100 %.
DEFAULT_ASSUMPTIONS = Assumptions()
#: The horizon a report's samhällsnytta may look ahead, in months after exit.
HORIZON_MONTHS = (1, 600)
#: Why there is no file to read (PDF, Word, Excel, HTML) of a report that says nothing of
#: its period.
NOTHING_TO_REPORT = ("Rapporten har inget att redovisa för den period och det urval du har "
                     "valt: inga deltagare, inga svar och inga utskick. Välj en annan period.")


class AssumptionRefused(ServiceError):
    """A horizon or deadweight a report cannot use; the message says what it may be."""


def horizon_of(text: str | int | None) -> int:
    """The horizon in whole months, `HORIZON_MONTHS`; empty: the default, 12."""
    written = str(text).strip() if text is not None else ""
    if not written:
        return DEFAULT_HORIZON
    low, high = HORIZON_MONTHS
    if written.isascii() and written.isdigit() and low <= int(written) <= high:
        return int(written)
    raise AssumptionRefused(f"Horisonten ”{written}” går inte att använda: skriv ett helt "
                            f"antal månader från {low} till {high}, till exempel 12.")


def deadweight_of(text: str | None) -> Fraction:
    """The deadweight, written in per cent from 0 to 100 ("25", "12,5"), as a share;
    empty: 0."""
    written = (text or "").strip().removesuffix("%").strip()
    if not written:
        return Fraction(0)
    try:
        percent = Fraction(written.replace(",", ".")) if _DECIMAL.fullmatch(written) else None
    except (ValueError, ZeroDivisionError):
        percent = None
    if percent is None or not 0 <= percent <= 100:
        raise AssumptionRefused(f"Dödvikten ”{text}” går inte att använda: skriv en procentsats "
                                "från 0 till 100, till exempel 25.")
    return percent / 100


_DECIMAL = re.compile(r"\d{1,3}([.,]\d{1,2})?")


def report_refusal(report: Report, file_format: str) -> str | None:
    """Why the report is not written in `file_format`, or None when it is: a file for
    people to read (PDF, Word, Excel, HTML) of a report that says nothing of its period
    (`has_findings`) would be empty pages. One rule, said by the results page, its
    download addresses, the job and `enkat report`. The JSON, read by programs, is
    always written (`PROGRAM_FORMATS`)."""
    if file_format in PROGRAM_FORMATS or has_findings(report):
        return None
    return NOTHING_TO_REPORT


def build_report_for(forbund: Forbund, insats: Insats | None = None, *, period: Period,
                     assumptions: Assumptions = DEFAULT_ASSUMPTIONS) -> Report:
    """The report of one insats, or of all the förbund's insatser together; its
    samhällsnytta under `assumptions` (horizon, deadweight, persistence). Every figure
    is of the database at one moment, though answers come in while it is built."""
    with one_moment(db.session), cycle_collection_paused():
        return _build_report_for(forbund, insats, period, assumptions)


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while a report is built, and on again after.

    A report holds tens of thousands of rows and tuples while it builds (a whole
    förbund's registration answers, a course per deltagare and score); when enough of
    them outlive a young collection, Python walks every object of the process (the
    app's, the instruments', SQLAlchemy's: a quarter of a million) looking for cycles:
    0.15-0.3 s a report at a million answers, for nothing, as a report's rows hold no
    cycles and reference counting frees them. Already paused (another report in another
    thread), it is left as it is.

    Switched on again as it is, the collector would walk the report's objects at once
    (3-50 ms): they count as new, so the next allocation sets off a collection of the
    young generations. They are moved to the oldest one instead, unwalked (`gc.freeze`
    and `gc.unfreeze` do so and reset the counts), where the periodic full collection
    finds them if they are ever garbage; not when the process keeps objects frozen of
    its own (`unfreeze` would thaw them too)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _age_young_objects()
        gc.enable()


def _age_young_objects() -> None:
    """Every tracked object to the oldest generation, the counts to 0 (see above)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _build_report_for(forbund: Forbund, insats: Insats | None, period: Period,
                      assumptions: Assumptions) -> Report:
    insatser = report_data.insatser_of(forbund.id, insats.id if insats else None)
    scope = Scope(forbund.id, tuple(insatser), whole_forbund=insats is None)
    previous = period.previous()
    instruments = {instrument.id: instrument for instrument in usable_instruments(forbund)}
    forms = RegistrationForms.among(instruments.values())
    # one query for both periods: the forms of an enrolment do not depend on the period
    both = (report_data.enrolments_active(scope.insats_ids, Period(previous.start, period.end),
                                          forms) if forms else [])
    scored = [instrument for instrument in instruments.values() if instrument.scores]
    rated = report_data.course_scope(scope.insats_ids, (i.id for i in scored), period)
    responses, unenrolled = report_data.response_tallies(scope, period)
    reached = None if insats is None else [insats.id]
    # an instrument without responses in the period has no answers in it to count
    answered = {tally.instrument_id for tally in responses}
    counts = {period: _answer_counts(scope, [instrument for instrument in instruments.values()
                                             if instrument.id in answered], period),
              previous: _answer_counts(scope, instruments.values(), previous)}
    inputs = ReportInputs(
        instruments=instruments,
        enrolments=[e for e in both if e.overlaps(period)],
        previous_enrolments=[e for e in both if e.overlaps(previous)],
        answer_counts=counts[period],
        previous_answer_counts=counts[previous],
        courses=_courses(rated, scored),
        area_changes=_area_changes(rated, scored),
        session_flags=_session_flags(rated, scored),
        reach=survey_reach(forbund.id, reached, period),
        previous_reach=survey_reach(forbund.id, reached, previous),
        responses=responses,
        unenrolled=unenrolled,
        goals=tuple(GoalSpec(g.description, g.indicator, g.comparison, g.target)
                    for g in (insats.goals if insats else ())),
        insats_names=None if insats else insatser,
        trend=_trend(scope, forms, goal_instruments(instruments.values()), period, both,
                     counts),
        samhallsnytta=report_inputs(forbund, scope.insats_ids, period, assumptions),
    )
    return build_report(_subject(forbund, insats), period, inputs,
                        Suppression(forbund.suppression_threshold))


def _trend(scope: Scope, forms: RegistrationForms | None, nns: Sequence[Instrument],
           period: Period, both: Sequence[EnrolmentFacts],
           counts: Mapping[Period, Sequence[AnswerCount]]) -> Trend:
    """The facts of the key figures year by year: those of the report's period and the
    previous one (`both`, `counts`, fetched for the report), and of the periods before
    them the enrolments with their exits and the NNS answers, a query each."""
    previous = period.previous()
    periods = trend_periods(period)
    earlier = periods[:-2]
    if not earlier:
        return Trend(periods, both, counts)
    fetched = set(map(_enrolment_key, both))
    older = (report_data.enrolment_exits(scope.insats_ids, Period(earlier[0].start,
                                                                  previous.start - ONE_DAY),
                                         forms) if forms else [])
    return Trend(periods, [*both, *(e for e in older if _enrolment_key(e) not in fetched)],
                 {**report_data.answer_counts_by_period(scope, nns, earlier), **counts})


ONE_DAY = dt.timedelta(days=1)


def _enrolment_key(enrolment: EnrolmentFacts) -> tuple[int, int, dt.date]:
    return enrolment.participant_id, enrolment.insats_id, enrolment.started_on


def _answer_counts(scope: Scope, instruments, period: Period) -> list[AnswerCount]:
    return [count for instrument in instruments if has_indicators(instrument)
            for count in report_data.answer_counts(scope, instrument, period)]


def _courses(rated: CourseScope, scored: Sequence[Instrument]) -> list[CourseEnds]:
    return [ends for instrument in scored for score in instrument.scores if not score.is_flagged
            for ends in report_data.score_courses(rated, instrument, score)]


def _area_changes(rated: CourseScope, scored: Sequence[Instrument]) -> list[AreaChange]:
    changes = []
    for instrument in scored:
        areas = {item: None for score in instrument.scores if score.has_areas
                 for item in score.items}  # in order, once each
        if areas:
            changes += report_data.area_changes(rated, instrument, list(areas))
    return changes


def _session_flags(rated: CourseScope, scored: Sequence[Instrument]) -> list[SessionFlagCounts]:
    return [report_data.session_flag_counts(rated, instrument, score)
            for instrument in scored for score in instrument.scores if score.is_flagged]


def _subject(forbund: Forbund, insats: Insats | None) -> Subject:
    if insats is None:
        return Subject("forbund", forbund.slug, forbund.name, forbund.name)
    return Subject("insats", insats.slug, insats.name, forbund.name)
