"""The data a report needs, fetched with a few SQL queries as plain tuples.

Counting is pushed into SQL where the figure is a plain count (NNS answers). Rated
instruments (ORS/SRS, SKAPA, processtrappan) are the bulk of a förbund's answers, so SQL
sums each response's answers to a score and keeps what the tables use: the first and the
latest rating of each course and their number (window functions, one sort per course),
and for flagged scores (SRS) the sessions counted by their flags. Registration forms are
fetched whole, as tuples, never as ORM objects. The report builder (`enkat.reports`)
turns these into tables; nothing here knows about tables.

Sums are exact on both databases: an answer's value is summed as a whole number of its
smallest unit (tenths for VAS), since SQLite has no decimal type, and the score is
worked out from the sum by scoring's one rule (`enkat.scoring.score_from_sum`), the
rule `enkat.scoring.scale_score` applies to one response. The unit is the items'
`decimal_places`, declared by the item type in `enkat.instruments`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Double,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from enkat.instruments import Instrument, Score
from enkat.instruments.model import EnrolmentRole
from enkat.instruments.roles import RegistrationForms, rated_items
from enkat.models import Answer, Enrolment, Insats, InstrumentVersion, Response
from enkat.reports.indicators import grouping_items
from enkat.reports.inputs import (
    AnswerCount,
    Answers,
    AreaChange,
    CourseEnds,
    EnrolmentFacts,
    ResponseTally,
    SessionFlagCounts,
    Unenrolled,
)
from enkat.reports.period import Period
from enkat.scoring import score_from_sum
from enkat.services.bulk import among, read_rows


class Scope(NamedTuple):
    """Whose responses a report counts: those in the insatser, and in a förbund report
    also those about none (an utskick to the förbund's styrelse or chefer)."""

    forbund_id: int
    insats_ids: tuple[int, ...]
    whole_forbund: bool

    def responses(self) -> ColumnElement[bool]:
        """The condition on `Response`: in scope."""
        in_insatser = among(Response.insats_id, self.insats_ids)
        if not self.whole_forbund:
            return in_insatser
        return and_(Response.forbund_id == self.forbund_id,
                    or_(in_insatser, Response.insats_id.is_(None)))


def insatser_of(forbund_id: int, insats_id: int | None = None) -> dict[int, str]:
    """The förbund's insatser (or just the one), their names by id, in the order of the
    names: what a report's scope and its side-by-side table need, in one statement."""
    query = select(Insats.id, Insats.name).where(Insats.forbund_id == forbund_id)
    if insats_id is not None:
        query = query.where(Insats.id == insats_id)
    return {insats_id: name for insats_id, name in read_rows(query.order_by(Insats.name))}


def _overlapping(insats_ids: Sequence[int], period: Period):
    """The condition: an enrolment in these insatser that overlaps the period."""
    return and_(
        among(Enrolment.insats_id, insats_ids),
        Enrolment.started_on <= period.end,
        or_(Enrolment.ended_on.is_(None), Enrolment.ended_on >= period.start),
    )


def enrolled_in(insats_ids: Sequence[int], period: Period) -> Select:
    """The deltagare enrolled some day of the period, as a subquery."""
    return select(Enrolment.participant_id).where(_overlapping(insats_ids, period))


def enrolments_active(insats_ids: Sequence[int], period: Period,
                      forms: RegistrationForms) -> list[EnrolmentFacts]:
    """Enrolments that overlap the period, with their inskrivning, avslut and follow-ups."""
    facts = _enrolments(insats_ids, period)
    _attach_registrations(facts, insats_ids, period, forms, forms.ids)
    return facts


def enrolment_exits(insats_ids: Sequence[int], period: Period,
                    forms: RegistrationForms) -> list[EnrolmentFacts]:
    """Enrolments that overlap the period with their avslut only: enough for who was
    enrolled, started and ended, and why they ended (the key figures year by year),
    without the bulk of the other forms' answers."""
    facts = _enrolments(insats_ids, period)
    _attach_registrations(facts, insats_ids, period, forms, (forms.ends.id,))
    return facts


def _enrolments(insats_ids: Sequence[int], period: Period) -> list[EnrolmentFacts]:
    query = (
        select(Enrolment.participant_id, Enrolment.insats_id, Enrolment.started_on,
               Enrolment.ended_on, Insats.trial_period_days)
        .join(Insats, Insats.id == Enrolment.insats_id)
        .where(_overlapping(insats_ids, period))
        .order_by(Enrolment.insats_id, Enrolment.participant_id, Enrolment.started_on)
    )
    return [EnrolmentFacts(*row) for row in read_rows(query)]


def _attach_registrations(facts: list[EnrolmentFacts], insats_ids: Sequence[int],
                          period: Period, forms: RegistrationForms,
                          instrument_ids: tuple[str, ...]) -> None:
    """Give each enrolment the responses to the registration forms `instrument_ids` that
    started, ended and followed it.

    An inskrivning belongs to the enrolment that started on its date, an avslut to the
    one that ended on its date, a follow-up to the latest enrolment ended before it.
    """
    by_participant: dict[tuple[int, int], list[EnrolmentFacts]] = defaultdict(list)
    for enrolment in facts:
        by_participant[(enrolment.participant_id, enrolment.insats_id)].append(enrolment)
    for response in _responses_with_answers(insats_ids, instrument_ids,
                                            enrolled_in(insats_ids, period)):
        role = forms.role_of(response.instrument_id)
        for enrolment in by_participant.get((response.participant_id, response.insats_id), ()):
            _attach(enrolment, response, role)


class FormResponse(NamedTuple):
    """A submitted response about a deltagare, with its answers."""

    participant_id: int
    insats_id: int
    instrument_id: str
    timepoint: str
    answered_on: dt.date
    answers: Answers


def _attach(enrolment: EnrolmentFacts, response: FormResponse,
            role: EnrolmentRole | None) -> None:
    if role is EnrolmentRole.STARTS and response.answered_on == enrolment.started_on:
        enrolment.inskrivning = response.answers
    elif role is EnrolmentRole.ENDS and response.answered_on == enrolment.ended_on:
        enrolment.avslut = response.answers
    elif (role is EnrolmentRole.FOLLOW_UP and enrolment.ended_on is not None
          and response.answered_on >= enrolment.ended_on):
        enrolment.follow_ups[response.timepoint] = response.answers


#: Rows fetched from the driver at a time while grouping answers.
_BATCH = 2000


def _responses_with_answers(insats_ids: Sequence[int], instrument_ids: tuple[str, ...],
                            participants: Select) -> list[FormResponse]:
    """Submitted responses about these deltagare with their answers, in one query, by date.

    The Core result is read in batches and grouped as it comes (the ORM result path
    would first build every row of a whole förbund's answers as a list, and row by row
    the driver is asked for each row on its own).
    """
    query = (
        select(Response.id, Response.participant_id, Response.insats_id,
               InstrumentVersion.instrument_id, Response.timepoint, Response.answered_on,
               Answer.item_id, Answer.value)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            among(Response.insats_id, insats_ids),
            among(InstrumentVersion.instrument_id, instrument_ids),
            Response.submitted_at.is_not(None),
            Response.participant_id.in_(participants),
        )
        .order_by(Response.answered_on, Response.id, Answer.item_id, Answer.position)
    )
    return _group_answers(row for rows in read_rows(query).partitions(_BATCH) for row in rows)


def _group_answers(rows: Iterable[tuple]) -> list[FormResponse]:
    collected: list[FormResponse] = []
    current_id, frame, answers = None, None, defaultdict(list)
    for response_id, *rest, item_id, value in rows:
        if response_id != current_id:
            if frame is not None:
                collected.append(_form_response(frame, answers))
            current_id, frame, answers = response_id, rest, defaultdict(list)
        answers[item_id].append(value)
    if frame is not None:
        collected.append(_form_response(frame, answers))
    return collected


def _form_response(frame: list, answers: dict[str, list[str]]) -> FormResponse:
    return FormResponse(*frame, {item: tuple(values) for item, values in answers.items()})


def answer_counts(scope: Scope, instrument: Instrument, period: Period) -> list[AnswerCount]:
    """Counts of each answer to the instrument's items with positive codes, per timepoint
    and per answer of the same response to each grouping item (kön, the items split by)."""
    return counted_answers(instrument, and_(
        scope.responses(), Response.answered_on.between(period.start, period.end)))


def counted_answers(instrument: Instrument,
                    responses: ColumnElement[bool]) -> list[AnswerCount]:
    """`answer_counts` of the submitted responses that meet the condition `responses`
    (those in a report's scope and period, those of one utskick)."""
    groups = [aliased(Answer) for _ in grouping_items(instrument)]
    query: Select = (
        select(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
               Answer.value, func.count(), *(group.value for group in groups))
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            responses,
            InstrumentVersion.instrument_id == instrument.id,
            among(Answer.item_id, (item.id for item in rated_items(instrument))),
            Response.submitted_at.is_not(None),
        )
        .group_by(InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
                  Answer.value, *(group.value for group in groups))
    )
    for group, item in zip(groups, grouping_items(instrument), strict=True):
        query = query.outerjoin(group, and_(group.response_id == Response.id,
                                            group.item_id == item.id))
    return [AnswerCount(*row[:5], groups=tuple(row[5:]))
            for row in read_rows(query).tuples()]


def answer_counts_by_period(scope: Scope, instruments: Sequence[Instrument],
                            periods: Sequence[Period]) -> dict[Period, list[AnswerCount]]:
    """The counts `answer_counts` gives (without groups) for each of the periods, which
    do not overlap, of the instruments' items with positive codes: one query for all."""
    items = [item.id for instrument in instruments for item in rated_items(instrument)]
    if not periods or not items:
        return {}
    bucket = case(*((Response.answered_on.between(period.start, period.end), index)
                    for index, period in enumerate(periods)))
    query = (
        select(bucket, InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
               Answer.value, func.count())
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            scope.responses(),
            Response.answered_on.between(min(p.start for p in periods),
                                         max(p.end for p in periods)),
            among(InstrumentVersion.instrument_id, (instrument.id for instrument in instruments)),
            among(Answer.item_id, items),
            Response.submitted_at.is_not(None),
        )
        .group_by(bucket, InstrumentVersion.instrument_id, Response.timepoint, Answer.item_id,
                  Answer.value)
    )
    counted: dict[Period, list[AnswerCount]] = defaultdict(list)
    for index, *count in read_rows(query).tuples():
        if index is not None:
            counted[periods[index]].append(AnswerCount(*count))
    return dict(counted)


def response_tallies(scope: Scope, period: Period) -> tuple[list[ResponseTally], Unenrolled]:
    """Every submitted response in scope answered in the period, counted per instrument:
    in all, without a deltagare code, and of deltagare without an enrolment in the
    response's insats during the period; and those deltagare once each.

    Two aggregates: the totals per instrument, and the few responses of deltagare
    without an enrolment, found by an anti-join on the enrolments of the period (one
    pass over the responses, where a correlated EXISTS would probe once per response)."""
    answered = (
        select(InstrumentVersion.instrument_id, func.count(),
               func.count(case((Response.participant_id.is_(None), 1))))
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(*_answered_in(scope, period))
        .group_by(InstrumentVersion.instrument_id).order_by(InstrumentVersion.instrument_id)
    )
    enrolled = (select(Enrolment.participant_id, Enrolment.insats_id)
                .where(_overlapping(scope.insats_ids, period)).distinct().subquery())
    unenrolled = (
        select(InstrumentVersion.instrument_id, Response.participant_id, func.count())
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .outerjoin(enrolled, and_(enrolled.c.participant_id == Response.participant_id,
                                  enrolled.c.insats_id == Response.insats_id))
        .where(*_answered_in(scope, period), Response.participant_id.is_not(None),
               enrolled.c.participant_id.is_(None))
        .group_by(InstrumentVersion.instrument_id, Response.participant_id)
    )
    people: dict[str, set[int]] = defaultdict(set)
    responses: Counter[str] = Counter()
    for instrument_id, participant_id, count in read_rows(unenrolled):
        people[instrument_id].add(participant_id)
        responses[instrument_id] += count
    tallies = [ResponseTally(instrument_id, count, without_code, len(people[instrument_id]),
                             responses[instrument_id])
               for instrument_id, count, without_code in read_rows(answered)]
    everyone = set().union(*people.values())
    return tallies, Unenrolled(len(everyone), sum(responses.values()))


def _answered_in(scope: Scope, period: Period) -> tuple:
    return (scope.responses(), Response.submitted_at.is_not(None),
            Response.answered_on.between(period.start, period.end))


# --- rated instruments: courses and sessions, summed and ranked in SQL ------------------


class CourseScope(NamedTuple):
    """Whose courses a report shows on each rated instrument, and up to when: the
    responses in the insatser up to the end of the period, of the deltagare enrolled in
    it and of those who answered the instrument in it without an enrolment (their course
    runs over their answers). Made by `course_scope`."""

    insats_ids: tuple[int, ...]
    period: Period
    deltagare: dict[str, tuple[int, ...]]

    def of(self, instrument_id: str) -> tuple[int, ...]:
        """The deltagare whose courses on the instrument are shown."""
        return self.deltagare.get(instrument_id, ())


def course_scope(insats_ids: Sequence[int], instrument_ids: Iterable[str],
                 period: Period) -> CourseScope:
    """The `CourseScope` of these rated instruments, in one statement: the deltagare
    enrolled in the period, and per instrument those who answered it in the period
    without an enrolment (few).

    Given to the courses' statements as a list, not as a subquery: each of them would
    otherwise work out the same union again, and PostgreSQL plans the sums around it
    (a fifth of their time at 100,000 answers)."""
    instrument_ids = tuple(instrument_ids)
    if not instrument_ids:  # no rated instrument: no course to scope, and no statement
        return CourseScope(tuple(insats_ids), period, {})
    enrolled = enrolled_in(insats_ids, period)
    unenrolled = (
        select(Response.participant_id, InstrumentVersion.instrument_id)
        .join(InstrumentVersion, InstrumentVersion.id == Response.instrument_version_id)
        .where(among(Response.insats_id, insats_ids),
               Response.instrument_version_id.in_(select(InstrumentVersion.id).where(
                   among(InstrumentVersion.instrument_id, instrument_ids))),
               Response.submitted_at.is_not(None),
               Response.answered_on.between(period.start, period.end),
               Response.participant_id.is_not(None),
               Response.participant_id.not_in(enrolled))
    )
    anyone = literal(None, InstrumentVersion.instrument_id.type)  # enrolled: every instrument
    everyone: set[int] = set()
    answered: dict[str, set[int]] = defaultdict(set)
    for participant_id, instrument_id in read_rows(union(
            enrolled.add_columns(anyone), unenrolled)):
        (answered[instrument_id] if instrument_id else everyone).add(participant_id)
    return CourseScope(tuple(insats_ids), period, {
        instrument_id: tuple(sorted(everyone | answered[instrument_id]))
        for instrument_id in instrument_ids})


def score_courses(scope: CourseScope, instrument: Instrument,
                  score: Score) -> list[CourseEnds]:
    """Each deltagare's course on the score: first and latest response with a score, in
    the order (answered on, id), and how many have one; of the scope's deltagare, up to
    the end of its period. A deltagare whose ratings all lack a score has n 0."""
    unit = _unit(instrument, score.items)
    sums = _score_sums(scope, instrument, score, unit).subquery()
    ranked = select(sums, *_ranked(
        (sums.c.participant_id,), (sums.c.scored.desc(), sums.c.answered_on, sums.c.id),
        func.sum(sums.c.scored))).subquery()
    query = _ends(ranked, (ranked.c.participant_id,), (
        ranked.c.answered_on, ranked.c.total, ranked.c.answered),
    ).order_by(ranked.c.participant_id)
    courses = []
    for (participant_id, n_rated, first_on, first_total, first_answered,
         latest_on, latest_total, latest_answered) in read_rows(query):
        if not n_rated:
            courses.append(CourseEnds(participant_id, instrument.id, score.id, 0))
            continue
        courses.append(CourseEnds(
            participant_id, instrument.id, score.id, int(n_rated),
            first_on, _score_value(score, unit, first_total, first_answered),
            latest_on, _score_value(score, unit, latest_total, latest_answered)))
    return courses


def area_changes(scope: CourseScope, instrument: Instrument,
                 item_ids: Sequence[str]) -> list[AreaChange]:
    """The deltagare's courses on each item (the areas of a mean score), counted by their
    change: first and latest rating with a value to the item, in the order (answered on,
    id), for the courses with two or more (one value has no change to show)."""
    unit = _unit(instrument, item_ids)
    values = (
        select(Response.id, Response.participant_id, Response.answered_on, Answer.item_id,
               _in_units(unit).label("value"))
        .join(Answer, and_(Answer.response_id == Response.id,
                           _valued(instrument, item_ids)))
        .where(*_rated(scope, instrument.id))
    ).subquery()
    course = (values.c.participant_id, values.c.item_id)
    ranked = select(values, *_ranked(
        course, (values.c.answered_on, values.c.id), func.count())).subquery()
    ends = _ends(ranked, (ranked.c.participant_id, ranked.c.item_id), (ranked.c.value,)
                 ).where(ranked.c.n_rated >= 2).subquery()
    first, latest = ends.c.first_value, ends.c.latest_value
    change = latest - first
    query = (select(ends.c.item_id, change, func.count(), func.sum(first), func.sum(latest))
             .group_by(ends.c.item_id, change)
             .order_by(ends.c.item_id, change))
    return [AreaChange(instrument.id, item_id, _value(change, unit), n,
                       _value(first_total, unit), _value(latest_total, unit))
            for item_id, change, n, first_total, latest_total in read_rows(query)]


def session_flag_counts(scope: CourseScope, instrument: Instrument,
                        score: Score) -> SessionFlagCounts:
    """The ratings on a score with session flags (SRS), counted by their flags in SQL.

    A session is flagged as `enkat.scoring.session_flags` flags it: its score on the
    worse side of the cut-off, one of its items' values below `item_flag_below`, or a
    drop of at least `drop_flag` from the deltagare's previous session with a score (in
    the order answered on, id). Each comparison is made on exact fractions of the sums in
    units (the score is the sum, prorated or the mean: `_score_fraction`), so it agrees
    with scoring's decimal arithmetic; the cut-offs are taken as written.
    """
    unit = _unit(instrument, score.items)
    lowest = func.min(case((_valued(instrument, score.items), _in_units(unit))))
    sums = (_score_sums(scope, instrument, score, unit)
            .add_columns(lowest.label("lowest")).subquery())
    scored = sums.c.scored == 1
    value = _score_fraction(score, unit, sums.c.total, sums.c.answered)
    # the previous session with a score: the same deltagare's, among those with one
    before = {"partition_by": (sums.c.participant_id, sums.c.scored),
              "order_by": (sums.c.answered_on, sums.c.id)}
    previous = _Fraction(func.lag(value.numerator).over(**before),
                         func.lag(value.denominator).over(**before))
    drop = (previous.minus(value) if score.higher_is_better else value.minus(previous))
    flags = select(
        sums.c.participant_id,
        case((scored, 1), else_=0).label("scored"),
        _flag(scored, score.cutoff, lambda cutoff: value.beyond(
            cutoff, below=score.higher_is_better)).label("below"),
        _flag(scored, score.item_flag_below, lambda threshold: _Fraction(
            sums.c.lowest, literal(10**unit)).beyond(threshold, below=True)).label("item_low"),
        _flag(and_(scored, previous.numerator.is_not(None)), score.drop_flag,
              lambda least: drop.at_least(least)).label("dropped"),
    ).subquery()
    any_flag = flags.c.below + flags.c.item_low + flags.c.dropped > 0
    query = select(func.count(), *(func.coalesce(func.sum(column), 0) for column in (
        flags.c.scored, flags.c.below, flags.c.item_low, flags.c.dropped)),
        func.count(func.distinct(case((any_flag, flags.c.participant_id)))))
    return SessionFlagCounts(instrument.id, score.id,
                             *(int(count) for count in read_rows(query).one()))


class _Fraction(NamedTuple):
    """An exact fraction in SQL, numerator and denominator integer expressions (the
    denominator positive), compared by cross-multiplying: no rounding anywhere."""

    numerator: ColumnElement
    denominator: ColumnElement

    def minus(self, other: _Fraction) -> _Fraction:
        return _Fraction(self.numerator * other.denominator
                         - other.numerator * self.denominator,
                         self.denominator * other.denominator)

    def beyond(self, bound: float, *, below: bool) -> ColumnElement[bool]:
        """Below the bound (`below`), else above it."""
        exact = Fraction(str(bound))
        left = self.numerator * exact.denominator
        right = self.denominator * exact.numerator
        return left < right if below else left > right

    def at_least(self, bound: float) -> ColumnElement[bool]:
        exact = Fraction(str(bound))
        return self.numerator * exact.denominator >= self.denominator * exact.numerator


def _score_fraction(score: Score, places: int, total: ColumnElement,
                    answered: ColumnElement) -> _Fraction:
    """The score `score_from_sum` gives a response with a score, from its sum in
    10^-places and its number of answered items: the mean, the sum prorated to all items
    when some are missing, or the sum."""
    scale = literal(10**places)
    if score.method == "mean":
        return _Fraction(total, answered * scale)
    n_items = len(score.items)
    missing = answered < n_items
    return _Fraction(case((missing, total * n_items), else_=total),
                     case((missing, answered * scale), else_=scale))


def _flag(applies: ColumnElement[bool], bound: float | None,
          condition: Callable[[float], ColumnElement[bool]]) -> ColumnElement[int]:
    """1 where the flag applies and its condition on the bound holds; 0 where not, and
    everywhere when the score declares no such bound."""
    if bound is None:
        return literal(0)
    return case((and_(applies, condition(bound)), 1), else_=0)


def _rated(scope: CourseScope, instrument_id: str) -> tuple:
    """The conditions: submitted responses of the instrument in the scope's insatser about
    its deltagare, answered up to the end of its period (a course runs up to the latest).

    The instrument is named by its versions' ids (`_versions_of`), not by a join: SQLite
    then finds the responses through the index on (insats, version, date) and tests each
    response's version against a list instead of looking the version up."""
    return (
        among(Response.insats_id, scope.insats_ids),
        Response.instrument_version_id.in_(_versions_of(instrument_id)),
        Response.submitted_at.is_not(None),
        among(Response.participant_id, scope.of(instrument_id)),
        Response.answered_on <= scope.period.end,
    )


def _versions_of(instrument_id: str) -> Select:
    """The ids of the instrument's versions, as a subquery."""
    return select(InstrumentVersion.id).where(InstrumentVersion.instrument_id == instrument_id)


def _score_sums(scope: CourseScope, instrument: Instrument, score: Score,
                unit: int) -> Select:
    """Per response (id, deltagare, date): the sum of its items' values in `unit`s, how
    many items have a value, and whether that gives a score (scored, 1 or 0). Responses
    whose answers give no value are kept (with total None), so a deltagare rated without
    a score still counts as rated."""
    valued = _valued(instrument, score.items)
    answered = func.count(case((valued, 1)))
    return (
        select(Response.id, Response.participant_id, Response.answered_on,
               func.sum(case((valued, _in_units(unit)))).label("total"),
               answered.label("answered"),
               case((answered >= len(score.items) - score.max_missing, 1),
                    else_=0).label("scored"))
        .join(Answer, Answer.response_id == Response.id)
        .where(*_rated(scope, instrument.id))
        .group_by(Response.id, Response.participant_id, Response.answered_on)
    )


def _ranked(partition: tuple, order: tuple, rated: ColumnElement) -> tuple:
    """Each rating's place in its course in `order` (place, from 1) and the course's number
    of rated ratings (n_rated, the aggregate `rated` over the course).

    Both windows share one partition and order (the count spans the whole partition), so
    the database sorts the ratings once: the latest rated rating is the one at place
    n_rated, as rated ratings order first (`order` puts them there where not all are
    rated), with no second sort in the opposite order.
    """
    whole = (None, None)  # ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    return (
        func.row_number().over(partition_by=partition, order_by=order).label("place"),
        rated.over(partition_by=partition, order_by=order, rows=whole).label("n_rated"),
    )


def _ends(ranked: Subquery, key: tuple, columns: tuple) -> Select:
    """One row per course (`key`): its n_rated, then each of `columns` at the first rating
    (first_<name>) and at the latest rated one (latest_<name>, none when n_rated is 0),
    the same rating when there is one."""
    first, latest = ranked.c.place == 1, ranked.c.place == ranked.c.n_rated

    def at(place: ColumnElement[bool], column: ColumnElement) -> ColumnElement:
        return func.max(case((place, column)))

    return (
        select(*key, func.max(ranked.c.n_rated).label("n_rated"),
               *(at(first, c).label(f"first_{c.name}") for c in columns),
               *(at(latest, c).label(f"latest_{c.name}") for c in columns))
        .where(or_(first, latest))
        .group_by(*key)
    )


def _valued(instrument: Instrument, item_ids: Iterable[str]) -> ColumnElement[bool]:
    """The condition: an answer to one of these items that is a value, not a missing code."""
    conditions = []
    for item_id in item_ids:
        item = instrument.item(item_id)
        answered = Answer.item_id == item_id
        if item.missing_codes:
            answered = and_(answered, ~among(Answer.value, item.missing_codes))
        conditions.append(answered)
    return or_(*conditions)


def _unit(instrument: Instrument, item_ids: Iterable[str]) -> int:
    """Decimal places of the smallest unit the items' values are written in."""
    return max(instrument.item(item_id).decimal_places for item_id in item_ids)


def _in_units(places: int) -> ColumnElement[int]:
    """An answer's value as a whole number of 10^-places: sums of these are exact.

    The text is read as a double (SQLite reads it so whatever the type named; on
    PostgreSQL a double is several times cheaper than a numeric): a value written with
    at most `places` decimals, times 10^places, lies within a few units in the last
    place of a whole number far below 2^50, so rounding gives that number exactly."""
    return cast(func.round(cast(Answer.value, Double) * 10**places), BigInteger)


def _value(in_units: int | Decimal | None, places: int) -> float | None:
    """The float `enkat.scoring.item_value` gives the value written (correctly rounded)."""
    return None if in_units is None else int(in_units) / 10**places


def _score_value(score: Score, places: int, total: int | Decimal | None,
                 answered: int) -> float | None:
    """The value `enkat.scoring.scale_score` gives a response, from its sum in SQL (in
    10^-places, None when no item has a value): the same rule, `score_from_sum`, on the
    same exact sum."""
    exact = Decimal(0) if total is None else Decimal(int(total)).scaleb(-places)
    return score_from_sum(score, exact, answered)
