"""The plain data a report is built from, as the services fetch it from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KON_ITEM = "kon"

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

    @property
    def kon(self) -> str | None:
        values = self.inskrivning.get(KON_ITEM)
        return values[0] if values else None

    @property
    def ended_in_trial_period(self) -> bool:
        return (
            self.ended_on is not None
            and (self.ended_on - self.started_on).days < self.trial_period_days
        )


@dataclass(frozen=True)
class AnswerCount:
    """How many responses gave `value` to `item`, by instrument, timepoint and kön."""

    instrument_id: str
    timepoint: str
    item_id: str
    value: str
    kon: str | None
    count: int


@dataclass(frozen=True)
class Rating:
    """One response of a rated instrument (ORS, SRS, SKAPA, ...) for one deltagare."""

    response_id: int
    participant_id: int
    insats_id: int
    instrument_id: str
    version: int
    timepoint: str
    answered_on: dt.date
    answers: Answers


@dataclass(frozen=True)
class GoalSpec:
    """A goal an insats reports against (`models.Goal` as plain data)."""

    description: str
    indicator: str
    comparison: str
    target: float | None = None
