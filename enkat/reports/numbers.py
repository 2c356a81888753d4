"""Figures written for people: Swedish decimal comma, per cent, thousands and signs.

The one home of these rules for charts, HTML, PDF and the explanations in XLSX, so a
figure reads the same everywhere. (XLSX cells keep numbers as numbers with Excel number formats;
Excel then writes them in the reader's own locale.)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from enkat.reports.model import Column, Figure, Kind

NBSP = "\u00a0"  # between thousands and before "%": the number never breaks over a line
MINUS = "\u2212"  # the typographic minus sign, as Swedish print uses
P_VALUE_FLOOR = 0.001  # smaller p-values are written "< 0,001"


def format_count(value: int | float) -> str:
    """A whole number with thousands grouped: 1234 -> "1 234"."""
    return _signed(_decimal(value), decimals=0)


def format_number(value: int | float, decimals: int = 1) -> str:
    """A measurement with one decimal: 5.25 -> "5,3"."""
    return _signed(_decimal(value), decimals=decimals)


def format_share(value: int | float, decimals: int = 1) -> str:
    """A proportion 0..1 as per cent with one decimal: 0.317 -> "31,7 %"."""
    return _signed(_decimal(value).scaleb(2), decimals=decimals) + NBSP + "%"


def format_change(value: int | float) -> str:
    """A signed difference, always with its sign: 6 -> "+6", -14 -> "−14", 0 -> "0"."""
    return _signed(_decimal(value), decimals=change_decimals(value), plus=True)


def format_p_value(value: int | float) -> str:
    """A p-value with three decimals; below 0.001 as "< 0,001", never a bare "0,000"."""
    if value < P_VALUE_FLOOR:
        return "<" + NBSP + format_number(P_VALUE_FLOOR, decimals=3)
    return format_number(value, decimals=3)


def change_decimals(value: int | float) -> int:
    """Differences of counts are whole; differences of measurements keep one decimal."""
    return 0 if isinstance(value, int) else 1


_FORMATTERS: dict[Kind, Callable[[int | float], str]] = {
    Kind.COUNT: format_count,
    Kind.SHARE: format_share,
    Kind.NUMBER: format_number,
    Kind.CHANGE: format_change,
    Kind.P_VALUE: format_p_value,
    Kind.TEXT: str,
}


def format_figure(figure: Figure, column: Column) -> str:
    """What a cell shows: the suppression mark, a text, a number written as its kind
    (the cell's own, else its column's) says, or nothing."""
    shown = figure.shown
    if shown is None:
        return ""
    if isinstance(shown, str):
        return shown
    return _FORMATTERS[figure.kind_in(column)](shown)


def right_aligned(kind: Kind) -> bool:
    """Figures line up on their last digit; words read from the left."""
    return kind is not Kind.TEXT


def _decimal(value: int | float) -> Decimal:
    # Through str(), so 0.0125 is the 0.0125 people read, not its binary neighbour.
    return Decimal(str(value))


def _signed(number: Decimal, decimals: int, plus: bool = False) -> str:
    """Round half away from zero, as Excel shows the same cell and as people expect on
    paper (Python's round() would turn 2.25 into 2.2), then add the sign: a value that
    rounds to zero gets none."""
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    digits = f"{abs(rounded):,.{decimals}f}".translate({ord(","): NBSP, ord("."): ","})
    if rounded < 0:
        return MINUS + digits
    if rounded > 0 and plus:
        return "+" + digits
    return digits
