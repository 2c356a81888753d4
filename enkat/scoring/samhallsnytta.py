"""Samhällsnytta: what the public purse saves when deltagare leave an insats, set against
what the insats cost (the method of the domain page SAMHALLSNYTTA.md).

Each deltagare's försörjning is priced per month before (at inskrivning) and after (at
avslut); the status after holds from month 1 after exit until a follow-up registered N
months after exit replaces it from month N + 1. The saving of a month is the sum over
deltagare of before − after, times (1 − deadweight) and the persistence; the
återbetalningstid is the first month whose cumulative saving reaches the cost. The same
split by payer: one payer may lose while another gains.

Exact arithmetic throughout (`Fraction`): kronor are whole, and a deadweight of 25 % or a
persistence of 50 % must not turn 150 000 into 149 999.99. Callers round for display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import accumulate

#: Who pays a försörjning source, by code, in the words reports use.
PAYERS: Mapping[str, str] = {
    "kommunen": "Kommunen",
    "forsakringskassan": "Försäkringskassan",
    "arbetsformedlingen": "Arbetsförmedlingen",
    "a-kassan": "A-kassan",
    "csn": "CSN",
    "regionen": "Regionen",
    "ingen": "Ingen offentlig betalare",
}
#: The persistences every report shows the återbetalningstid at, the chosen one first.
PERSISTENCES = (Fraction(1), Fraction(1, 2), Fraction(1, 4))
DEFAULT_HORIZON = 12


@dataclass(frozen=True)
class Price:
    """What one försörjning source costs the public purse a month, and who pays it."""

    kronor: int
    payer: str

    def __post_init__(self) -> None:
        if self.kronor < 0:
            raise ValueError(f"a price is never negative: {self.kronor}")
        if self.payer not in PAYERS:
            raise ValueError(f"unknown payer: {self.payer!r}")


#: A price list: every source a förbund priced, None for one marked "ej prissatt".
Prices = Mapping[str, Price | None]


@dataclass(frozen=True)
class Assumptions:
    """What the figures assume, written next to them: the horizon in months after exit,
    the deadweight (the share of the change that would have happened anyway) and the
    persistence (the share of the change that lasts)."""

    horizon: int = DEFAULT_HORIZON
    deadweight: Fraction = Fraction(0)
    persistence: Fraction = Fraction(1)

    def __post_init__(self) -> None:
        if not 1 <= self.horizon <= 600:
            raise ValueError(f"the horizon is 1 to 600 months: {self.horizon}")
        for name in ("deadweight", "persistence"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"the {name} is a share from 0 to 1: {getattr(self, name)}")

    @property
    def factor(self) -> Fraction:
        """What each krona of change counts for: (1 − deadweight) × persistence."""
        return (1 - self.deadweight) * self.persistence


@dataclass(frozen=True)
class SupportCourse:
    """One deltagare's försörjning sources at inskrivning, at avslut, and at each
    follow-up registered `months` after exit (by months)."""

    before: frozenset[str]
    after: frozenset[str]
    follow_ups: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def spans(self, horizon: int) -> Iterator[tuple[int, int, frozenset[str]]]:
        """The sources of each span of months after exit within the horizon, as (first,
        last, sources) with months counted from 1: the status at avslut from month 1,
        each follow-up made N months after exit from month N + 1."""
        made = sorted(self.follow_ups)
        firsts = [1, *(months + 1 for months in made)]
        statuses = [self.after, *(self.follow_ups[months] for months in made)]
        for first, following, sources in zip(firsts, [*firsts[1:], horizon + 1], statuses,
                                             strict=True):
            if first <= horizon:
                yield first, min(following, horizon + 1) - 1, sources

    @property
    def every_source(self) -> frozenset[str]:
        return self.before | self.after | frozenset().union(*self.follow_ups.values())


class LeftOut(StrEnum):
    """Why a deltagare is not in the figures, in the words the report counts them by."""

    NO_SUPPORT_BEFORE = "Ingen försörjning registrerad vid inskrivning"
    NO_SUPPORT_AFTER = "Ingen försörjning registrerad vid avslut"
    UNPRICED = "Försörjning utan pris i prislistan"


@dataclass(frozen=True)
class Saving:
    """The saving of the deltagare who are in the figures, month by month after exit.

    `monthly` and `by_payer` are after the deadweight and the persistence of the
    assumptions; `before` and `after` count the deltagare with each source at inskrivning
    and at avslut (one deltagare may have several)."""

    assumptions: Assumptions
    included: int
    left_out: Mapping[LeftOut, int]
    before: Mapping[str, int]
    after: Mapping[str, int]
    monthly: tuple[Fraction, ...]
    by_payer: Mapping[str, tuple[Fraction, ...]]

    @property
    def cumulative(self) -> tuple[Fraction, ...]:
        return tuple(accumulate(self.monthly))

    def payback_month(self, cost: int) -> int | None:
        """The first month whose cumulative saving reaches `cost`; None when none within
        the horizon does (the report says "inte inom N månader")."""
        return next((month for month, total in enumerate(self.cumulative, start=1)
                     if total >= cost), None)


def saving(courses: Iterable[SupportCourse], prices: Prices,
           assumptions: Assumptions = Assumptions()) -> Saving:
    """The saving of `courses` priced by `prices` under `assumptions`; deltagare without
    a försörjning before or after, or with a source the list does not price, are left
    out and counted by reason."""
    included, left_out = [], Counter[LeftOut]()
    for course in courses:
        reason = left_out_because(course, prices)
        if reason is None:
            included.append(course)
        else:
            left_out[reason] += 1
    by_payer = _changes_by_payer(included, prices, assumptions)
    monthly = tuple(sum((months[index] for months in by_payer.values()), Fraction(0))
                    for index in range(assumptions.horizon))
    return Saving(assumptions, len(included), dict(left_out),
                  _source_counts(course.before for course in included),
                  _source_counts(course.after for course in included), monthly, by_payer)


def left_out_because(course: SupportCourse, prices: Prices) -> LeftOut | None:
    """Why a deltagare is not in the figures, or None when they are."""
    if not course.before:
        return LeftOut.NO_SUPPORT_BEFORE
    if not course.after:
        return LeftOut.NO_SUPPORT_AFTER
    if any(prices.get(source) is None for source in course.every_source):
        return LeftOut.UNPRICED
    return None


def _changes_by_payer(courses: Sequence[SupportCourse], prices: Prices,
                      assumptions: Assumptions) -> dict[str, tuple[Fraction, ...]]:
    """What each payer of the price list pays less in each month after exit (before −
    after), times the assumptions' factor. Kept as month-to-month differences, so that a
    deltagare costs a step per span of months rather than one per month."""
    horizon = assumptions.horizon
    steps = {payer: [0] * (horizon + 1)
             for payer in sorted({price.payer for price in prices.values() if price})}
    for course in courses:
        for payer, kronor in _costs(course.before, prices).items():
            steps[payer][0] += kronor
        for first, last, sources in course.spans(horizon):
            for payer, kronor in _costs(sources, prices).items():
                steps[payer][first - 1] -= kronor
                steps[payer][last] += kronor
    return {payer: tuple(assumptions.factor * change
                         for change in accumulate(differences[:horizon]))
            for payer, differences in steps.items()}


def _costs(sources: frozenset[str], prices: Prices) -> Counter[str]:
    """The monthly kronor each payer pays for `sources`, each source at its price."""
    costs = Counter[str]()
    for source in sources:
        price = prices[source]
        if price is not None:
            costs[price.payer] += price.kronor
    return costs


def _source_counts(sources: Iterable[frozenset[str]]) -> dict[str, int]:
    return dict(Counter(source for each in sources for source in each))

