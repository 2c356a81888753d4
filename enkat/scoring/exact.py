"""Decimal arithmetic where binary floating point would misjudge a boundary.

Scores are written with one decimal (ORS 17.3) or are means of whole numbers. In
binary floating point 16.4 − 11.4 is 4.999999999999998, which would put an ORS change
of exactly 5 (the RCI) on the wrong side of the rule. Changes are therefore computed
from the numbers as written (their shortest decimal form) and rounded to
`CHANGE_PLACES` decimals, so a change of 5 is 5 and equal changes are equal.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

CHANGE_PLACES = 10
_QUANTUM = Decimal(1).scaleb(-CHANGE_PLACES)


@lru_cache(maxsize=65536, typed=True)
def decimal(value: float | int | str) -> Decimal:
    """The number as written: ``str(0.1)`` is ``"0.1"``, not its binary neighbour.

    Cached: a report parses the same few hundred answer values (ORS "6.5", SKAPA "7")
    hundreds of thousands of times, and a Decimal never changes.
    """
    return Decimal(str(value))


def difference(later: float, earlier: float) -> float:
    """``later − earlier`` in decimal arithmetic, rounded to `CHANGE_PLACES` decimals."""
    return float((decimal(later) - decimal(earlier)).quantize(_QUANTUM))
