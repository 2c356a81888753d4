"""The plain data a report is built from, as the services fetch it from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from enkat.scoring.samhallsnytta import Assumptions, Prices

from .period import Period

Answers = dict[str, tuple[str, ...]]


@dataclass
class EnrolmentFacts:
    """One enrolment active in the period, with what its registration forms say."""

    participant_id: int
    insats_id: int
    started_on: dt.date
    ended_on: dt.date | None
    trial_period_days: int
    inskrivning: Answers = field(default_factory=dict)
    avslut: Answers | None = None
    follow_ups: dict[str, Answers] = field(default_factory=dict)  # by timepoint

    def overlaps(self, period: Period) -> bool:
        """Enrolled some day of the period."""
        return self.started_on <= period.end and (self.ended_on is None
                                                  or self.ended_on >= period.start)

    @property
    def ended_in_trial_period(self) -> bool:
        return (
            self.ended_on is not None
            and (self.ended_on - self.started_on).days < self.trial_period_days
        )


@dataclass(frozen=True)
class AnswerCount:
    """How many responses gave `value` to `item`, by instrument and timepoint, and by the
    answers of the same responses to the instrument's grouping items (its kön item, then
    the items its results are split by: `enkat.reports.indicators.grouping_items`), None
    where a response gave none."""

    instrument_id: str
    timepoint: str
    item_id: str
    value: str
    count: int
    groups: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class CourseEnds:
    """A deltagare's course on one score of a rated instrument.

    Only the first and the latest rating with a value, and how many have one: all that
    the course's first, latest, change and class depend on (`enkat.scoring.course`).
    A deltagare with ratings but none with a value has ``n_rated`` 0 and no values.
    """

    participant_id: int
    instrument_id: str
    score_id: str
    n_rated: int
    first_on: dt.date | None = None
    first: float | None = None
    latest_on: dt.date | None = None
    latest: float | None = None


@dataclass(frozen=True)
class AreaChange:
    """The deltagare whose course on an item (an area of a mean score, SKAPA) changed by
    `change` from their first to their latest rating: how many, and the sums of their
    first and of their latest values. Only courses with two or more ratings count."""

    instrument_id: str
    item_id: str
    change: float  # latest − first
    n: int
    first_total: float
    latest_total: float


@dataclass(frozen=True)
class SessionFlagCounts:
    """The ratings on a score with session flags (SRS) of the deltagare in a report,
    counted by the flags `enkat.scoring.session_flags` gives each session: the sessions
    with a score, those on the worse side of the cut-off, those with an item below its
    flag, those that dropped from the session before, and the deltagare with any flag.
    `ratings` counts every rating, with a score or not. Counted by the database: a
    förbund has tens of thousands of sessions, and the flag table shows only these."""

    instrument_id: str
    score_id: str
    ratings: int
    sessions: int = 0
    below_cutoff: int = 0
    item_low: int = 0
    dropped: int = 0
    participants_flagged: int = 0


@dataclass(frozen=True)
class GoalSpec:
    """A goal an insats reports against (`models.Goal` as plain data)."""

    description: str
    indicator: str
    comparison: str
    target: float | None = None


@dataclass(frozen=True)
class ResponseTally:
    """The submitted responses to one instrument answered in the period, in the report's
    insatser (or, in a förbund report, about none): how many, how many carry no deltagare
    code, and the deltagare (and their responses) without an enrolment in the insats
    during the period."""

    instrument_id: str
    responses: int
    without_code: int = 0
    participants_without_enrolment: int = 0
    responses_without_enrolment: int = 0


@dataclass(frozen=True)
class Unenrolled:
    """The deltagare with responses in the period but no enrolment in the insats during
    it, each counted once across instruments, and those responses."""

    participants: int = 0
    responses: int = 0


@dataclass(frozen=True)
class SurveyReach:
    """The utskick of one instrument first mailed in a period: how many, how many
    addresses were sent a link, and how many of them answered."""

    instrument_id: str
    campaigns: int
    sent: int
    answered: int


@dataclass(frozen=True)
class Trend:
    """What the key figures year by year need (`enkat.reports.summary.trend_periods`):
    the periods, oldest first and the report's own last, the enrolments overlapping any
    of them, and the answers to the deltagare's NNS surveys in each (counted as
    `AnswerCount`, without groups)."""

    periods: tuple[Period, ...]
    enrolments: Sequence[EnrolmentFacts] = ()
    answer_counts: Mapping[Period, Sequence[AnswerCount]] = field(default_factory=dict)


@dataclass(frozen=True)
class SamhallsnyttaInputs:
    """What the samhällsnytta part needs besides the enrolments, as the services fetch it
    (`enkat.services.samhallsnytta.report_inputs`).

    `prices` is the förbund's price list for the period (the list of the year the period
    ends in, or failing that of the latest earlier year: `price_year`), None when it has
    none; `example_prices` says the list holds example figures (the demo's). `cost` is
    what the report's insatser cost in the period in whole kronor (utfall where known,
    else beviljat medel; a cost row reaching outside the period counts for its days in
    it), None when none is registered; `cost_days` is how many days of the period the
    registered costs cover (fewer than the period's: the report says so). In a report of
    several insatser, `without_cost` names those running in the period whose costs do
    not cover all of it (the cost leaves them out, so the report names them)."""

    assumptions: Assumptions
    prices: Prices | None = None
    price_year: int | None = None
    example_prices: bool = False
    cost: int | None = None
    cost_days: int = 0
    without_cost: tuple[str, ...] = ()
