"""Swedish numbers and dates for chart text, written out here so that no chart depends
on the locale of the server it happens to run on.

Numbers follow the rules of `enkat.reports.numbers` (decimal comma, rounding
half away from zero, a no-break space before "%", a true minus sign), so a figure in a
chart reads as it does in the report's tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import get_month_names
from matplotlib import dates as mdates
from matplotlib import ticker

from enkat.reports.numbers import NBSP, SWEDISH, format_number, format_share

#: Babel's Swedish month names cut to three letters, the width a tick has room for:
#: "jan", "feb", "mar", ..., "maj", "jun", "jul", ... (Babel: "mars", "juni", "aug.").
MONTHS = tuple(name[:3] for _, name in sorted(
    get_month_names("abbreviated", locale=SWEDISH).items()))


def number(value: float, decimals: int = 1) -> str:
    """17.25 -> "17,3"."""
    return format_number(value, decimals)


def short(value: float) -> str:
    """A score as people write it: 4.0 -> "4", 4.25 -> "4,3"."""
    return number(value).removesuffix(",0")


def percent(share: float) -> str:
    """A share 0..1 in whole per cent: 0.625 -> "63 %"."""
    return format_share(share, decimals=0)


def date(day: dt.date, *, with_year: bool = False) -> str:
    """3 February 2025 -> "3 feb" (or "3 feb 2025")."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def number_formatter() -> ticker.Formatter:
    """Axis ticks with a decimal comma: 2.5 -> "2,5", 40.0 -> "40"."""
    return ticker.FuncFormatter(lambda value, _: short(value))


def percent_formatter() -> ticker.Formatter:
    """Ticks of an axis in per cent (0-100): 40 -> "40 %"."""
    return ticker.FuncFormatter(lambda value, _: f"{short(value)}{NBSP}%")


class DateFormatter(ticker.Formatter):
    """Date ticks such as "3 feb", with the year under the first tick and under the
    first tick of each new year, so a course across new year reads right."""

    def __call__(self, value: float, pos: int | None = None) -> str:
        return date(_day(value))

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        labels = []
        previous_year = None
        for day in map(_day, values):
            label = date(day)
            if day.year != previous_year:
                label += f"\n{day.year}"
            previous_year = day.year
            labels.append(label)
        return labels


def _day(value: float) -> dt.date:
    moment: dt.datetime = mdates.num2date(value)
    return moment.date()
