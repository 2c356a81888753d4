"""Report periods: from and to, inclusive, and the period before for comparisons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """From and to, both inclusive."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one.

        Whole calendar months step back by months (2025 -> 2024, Q2 -> Q1, whatever the
        leap days); any other period steps back by its number of days.
        """
        end = self.start - dt.timedelta(days=1)
        months = self._whole_months()
        if months:
            first = _add_months(self.start, -months)
            return Period(first, end)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def _whole_months(self) -> int:
        after_end = self.end + dt.timedelta(days=1)
        if self.start.day != 1 or after_end.day != 1:
            return 0
        return (after_end.year - self.start.year) * 12 + after_end.month - self.start.month

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` away from a first of a month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def default_year(today: dt.date) -> int:
    """The calendar year a report is about unless another is chosen: the one most of the
    last twelve months fall in. Last year until the end of June, when its report is
    written; from July this year, which then holds the more recent half of the data."""
    return today.year if today.month > 6 else today.year - 1
