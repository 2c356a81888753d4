"""A deltagare's course over sessions or timepoints: change, change class, flags, steps.

Input is one `Rating` per response: when (session number or date), the score (None
when the response gave no valid score) and, where needed, the item values. Ratings are
put in order of ``at`` first (equal ``at`` keep their given order), so callers need not
sort; one course must use either session numbers or dates, not both. Timepoint names
(``start``, ``uppfoljning-3m``, ``avslut``) do not sort: pass the answered-on date.

A course uses the ratings that have a score: *first* and *latest* are the earliest and
the last of them, *change* = latest − first (computed exactly, see `enkat.scoring.exact`).
Ratings without a score are counted in ``n_without_score`` and otherwise ignored.

Every rule reads its numbers from the instrument's `Score` (cutoff, rci,
meaningful_change, item_flag_below, drop_flag) and respects ``higher_is_better``: for a
score where lower is better, "improvement" is a fall, "beyond the cut-off" is below it,
and a "drop" is a rise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from enkat.instruments import Instrument, Score
from enkat.scoring.exact import difference
from enkat.scoring.responses import Answers, item_value, scale_score
from enkat.scoring.results import Reason

At = int | dt.date  # a session number or the date the rating was given


@dataclass(frozen=True)
class Rating:
    at: At
    value: float | None
    items: Mapping[str, float | None] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Course:
    n_ratings: int  # ratings with a score
    n_without_score: int
    first: float | None
    latest: float | None
    first_at: At | None
    latest_at: At | None
    change: float | None  # latest − first; None with fewer than two ratings
    reason: Reason | None = None


class ChangeClass(StrEnum):
    """Jacobson–Truax classes of a course (ORS-SRS.md), Δ = latest − first.

    Checked in this order, so exactly one applies to every course with a score:

    1. `ONE_RATING_ONLY`: one rating; there is no change to judge.
    2. `ABOVE_CUTOFF_AT_START`: the first score is beyond the cut-off (above it when
       higher is better); such a course cannot recover and is reported apart.
    3. `RECOVERED`: improvement ≥ RCI and the latest score is beyond the cut-off.
    4. `IMPROVED`: improvement ≥ RCI, not recovered.
    5. `DETERIORATED`: improvement ≤ −RCI.
    6. `UNCHANGED`: |Δ| < RCI.

    A first score exactly at the cut-off is in the clinical range (recovery needs
    ``first ≤ cutoff``). A score with an RCI but no cut-off uses 1, 4, 5 and 6 only.
    """

    RECOVERED = "recovered"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"
    ABOVE_CUTOFF_AT_START = "above_cutoff_at_start"
    ONE_RATING_ONLY = "one_rating_only"


class StepClass(StrEnum):
    """Stegförflyttning: improvement of at least the score's ``meaningful_change``."""

    FORWARD = "forward"  # a stegförflyttning
    NO_STEP = "no_step"
    BACKWARD = "backward"  # worse by at least meaningful_change
    ONE_RATING_ONLY = "one_rating_only"


@dataclass(frozen=True)
class SessionFlags:
    """The flags of one session (SRS): what the staff member should look at.

    ``drop`` is the fall from the previous session that had a score (positive = worse),
    None for the first scored session or when this session has no score.
    """

    at: At
    value: float | None
    below_cutoff: bool  # on the worse side of the cut-off (above it if lower is better)
    items_below: tuple[str, ...]
    drop: float | None
    dropped: bool

    @property
    def flagged(self) -> bool:
        return self.below_cutoff or bool(self.items_below) or self.dropped


def course(ratings: Iterable[Rating]) -> Course:
    ordered = _in_order(ratings)
    scored = [(rating.at, rating.value) for rating in ordered if rating.value is not None]
    without = len(ordered) - len(scored)
    if not scored:
        return Course(0, without, None, None, None, None, None, Reason.NO_VALID_RATING)
    (first_at, first), (latest_at, latest) = scored[0], scored[-1]
    if len(scored) == 1:
        return Course(1, without, first, first, first_at, first_at, None, Reason.ONE_RATING_ONLY)
    return Course(len(scored), without, first, latest, first_at, latest_at,
                  difference(latest, first))


def item_courses(ratings: Iterable[Rating], item_ids: Iterable[str]) -> dict[str, Course]:
    """The course of each item on its own (SKAPA per area), from the ratings' item values."""
    ordered = _in_order(ratings)
    return {
        item_id: course(Rating(rating.at, rating.items.get(item_id)) for rating in ordered)
        for item_id in item_ids
    }


def change_class(score: Score, course: Course) -> ChangeClass | None:
    """The course's class, or None when the score declares no RCI or has no rating."""
    if score.rci is None or course.first is None or course.latest is None:
        return None
    if course.n_ratings == 1:
        return ChangeClass.ONE_RATING_ONLY
    return classify_change(course.first, course.latest, rci=score.rci, cutoff=score.cutoff,
                           higher_is_better=score.higher_is_better)


def classify_change(first: float, latest: float, *, rci: float, cutoff: float | None = None,
                    higher_is_better: bool = True) -> ChangeClass:
    """The class of a course with two or more ratings (rules in `ChangeClass`)."""
    improvement = _improvement(first, latest, higher_is_better)
    if cutoff is not None and _beyond_cutoff(first, cutoff, higher_is_better):
        return ChangeClass.ABOVE_CUTOFF_AT_START
    if improvement >= rci:
        if cutoff is not None and _beyond_cutoff(latest, cutoff, higher_is_better):
            return ChangeClass.RECOVERED
        return ChangeClass.IMPROVED
    if improvement <= -rci:
        return ChangeClass.DETERIORATED
    return ChangeClass.UNCHANGED


def step_class(score: Score, course: Course) -> StepClass | None:
    """Stegförflyttning of a course (SKAPA mean or area, Processtrappan step), or None
    when the score declares no ``meaningful_change`` or the course has no rating.

    SKAPA's ``meaningful_change`` applies to each area as well as to the mean.
    """
    step = score.meaningful_change
    if step is None or course.first is None or course.latest is None:
        return None
    if course.n_ratings == 1:
        return StepClass.ONE_RATING_ONLY
    improvement = _improvement(course.first, course.latest, score.higher_is_better)
    if improvement >= step:
        return StepClass.FORWARD
    if improvement <= -step:
        return StepClass.BACKWARD
    return StepClass.NO_STEP


def session_flags(score: Score, ratings: Iterable[Rating]) -> tuple[SessionFlags, ...]:
    """Flags per session, in order (SRS: total < 36, an item < 9, a fall ≥ 1).

    ``item_flag_below`` is taken literally, as its name says: an item value below it
    flags, whatever ``higher_is_better`` says. The cut-off and the drop follow the
    direction of the score.
    """
    flags = []
    previous: float | None = None
    for rating in _in_order(ratings):
        drop = None
        if rating.value is not None and previous is not None:
            drop = -_improvement(previous, rating.value, score.higher_is_better)
        flags.append(SessionFlags(
            at=rating.at,
            value=rating.value,
            below_cutoff=_worse_than_cutoff(rating.value, score),
            items_below=_items_below(rating, score.item_flag_below),
            drop=drop,
            dropped=drop is not None and score.drop_flag is not None
            and drop >= score.drop_flag,
        ))
        if rating.value is not None:
            previous = rating.value
    return tuple(flags)


def ratings_from_responses(instrument: Instrument, score: Score,
                           responses: Iterable[tuple[At, Answers]]) -> list[Rating]:
    """One `Rating` per response of a deltagare: the score and the score's item values."""
    return [
        Rating(at, scale_score(instrument, score, answers).value,
               {item_id: item_value(instrument.item(item_id), answers)
                for item_id in score.items})
        for at, answers in responses
    ]


def _in_order(ratings: Iterable[Rating]) -> list[Rating]:
    try:
        return sorted(ratings, key=lambda rating: rating.at)
    except TypeError:
        raise ValueError("a course mixes session numbers and dates") from None


def _improvement(earlier: float, later: float, higher_is_better: bool) -> float:
    change = difference(later, earlier)
    return change if higher_is_better else -change


def _beyond_cutoff(value: float, cutoff: float, higher_is_better: bool) -> bool:
    """On the healthy side of the cut-off: above it when higher is better."""
    return value > cutoff if higher_is_better else value < cutoff


def _worse_than_cutoff(value: float | None, score: Score) -> bool:
    if value is None or score.cutoff is None:
        return False
    return value < score.cutoff if score.higher_is_better else value > score.cutoff


def _items_below(rating: Rating, threshold: float | None) -> tuple[str, ...]:
    if threshold is None:
        return ()
    return tuple(item_id for item_id, value in rating.items.items()
                 if value is not None and value < threshold)
