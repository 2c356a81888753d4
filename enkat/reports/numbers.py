"""Figures written for people: Swedish decimal comma, per cent, thousands and signs.

The one home of these rules for charts, HTML, PDF, the explanations in XLSX and the web
pages, so a figure reads the same everywhere. (XLSX cells keep numbers as numbers with
Excel number formats; Excel then writes them in the reader's own locale.)

Every number goes through `format_decimal`: Babel's locale data (CLDR) for the digits,
the grouping and the signs, with enkat's rounding (half away from zero) done first. The
reports write Swedish (`SWEDISH`); a web page passes the reader's locale.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel import numbers as babel_numbers

from enkat.reports.model import Column, Figure, Kind

SWEDISH = "sv_SE"
NBSP = "\u00a0"  # before "%" (and, in Swedish, between thousands): never broken over a line
P_VALUE_FLOOR = 0.001  # smaller p-values are written "< 0,001"
#: Decimals written when a caller does not fix them: a bound as written (2.5, 0.25).
AS_WRITTEN = 3


def format_decimal(value: int | float | Decimal, decimals: int | None = None, *,
                   plus: bool = False, locale: str | Locale = SWEDISH) -> str:
    """A number written in `locale`: grouped thousands, the locale's decimal sign and
    its minus sign (Swedish: "1 234,5", "−3"), rounded half away from zero.

    With `decimals` the number has exactly that many; without, as many as it needs up
    to `AS_WRITTEN` (2.50 -> "2,5", 10 -> "10"). A value that rounds to zero gets no
    sign; `plus` writes the sign of a positive one as well ("+6").
    """
    places = AS_WRITTEN if decimals is None else decimals
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    written_in = _locale(locale) if isinstance(locale, str) else locale
    digits = str(_pattern(decimals).apply(abs(rounded), written_in))
    if rounded < 0:
        return str(babel_numbers.get_minus_sign_symbol(written_in)) + digits
    if rounded > 0 and plus:
        return str(babel_numbers.get_plus_sign_symbol(written_in)) + digits
    return digits


@cache
def _pattern(decimals: int | None) -> babel_numbers.NumberPattern:
    """Thousands grouped; exactly `decimals` decimals, or up to `AS_WRITTEN` without."""
    if decimals is None:
        return babel_numbers.parse_pattern("#,##0." + "#" * AS_WRITTEN)
    return babel_numbers.parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def format_count(value: int | float) -> str:
    """A whole number with thousands grouped: 1234 -> "1 234"."""
    return _signed(_decimal(value), decimals=0)


def counted(number: int, one: str, many: str) -> str:
    """A count and its noun in the right form: "1 ny deltagare", "1 234 nya deltagare"."""
    return f"{format_count(number)} {one if number == 1 else many}"


def format_number(value: int | float, decimals: int = 1) -> str:
    """A measurement with one decimal: 5.25 -> "5,3"."""
    return _signed(_decimal(value), decimals=decimals)


def format_share(value: int | float, decimals: int = 1) -> str:
    """A proportion 0..1 as per cent with one decimal: 0.317 -> "31,7 %"."""
    return _signed(_decimal(value).scaleb(2), decimals=decimals) + NBSP + "%"


def format_change(value: int | float) -> str:
    """A signed difference, always with its sign: 6 -> "+6", -14 -> "−14", 0 -> "0"."""
    return _signed(_decimal(value), decimals=change_decimals(value), plus=True)


def format_kronor(value: int | float) -> str:
    """Whole kronor with thousands grouped: 10000 -> "10 000 kr", -9000 -> "−9 000 kr"."""
    return _signed(_decimal(value), decimals=0) + NBSP + "kr"


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
    Kind.KRONOR: format_kronor,
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


#: Significant digits a float is read with before it is rounded for people.
FLOAT_DIGITS = 12


def _decimal(value: int | float | Decimal) -> Decimal:
    """The number people mean: 0.0125 is the 0.0125 they read, not its binary neighbour,
    and a mean change worked out in floats as 0.9499999999999999 is the 0.95 it is
    (3,6 − 2,6 written "1,0", not "0,9"). Floats carry about 16 significant digits and
    their arithmetic errs in the last ones; 12 keep every figure a report shows."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(f"{value:.{FLOAT_DIGITS}g}")
    return Decimal(str(value))  # an int, or numpy's (chart ticks)


def _signed(number: Decimal, decimals: int, plus: bool = False) -> str:
    """Swedish, rounded half away from zero, as Excel shows the same cell and as people
    expect on paper (Python's round() would turn 2.25 into 2.2)."""
    return format_decimal(number, decimals, plus=plus)
