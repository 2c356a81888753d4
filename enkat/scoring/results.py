"""Result types shared by the scoring modules, and the reasons a figure can be missing.

A statistic that cannot be computed (too few values, constant data, an empty group) is
never NaN or an exception: its value is None and `reason` says why, so a report can
write "går inte att beräkna" with the cause instead of a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a figure is None. The values are stable codes a report can translate."""

    NO_VALUES = "no_values"
    ONE_VALUE = "one_value"  # a spread, a test or an interval needs at least two
    CONSTANT_VALUES = "constant_values"  # SD 0: nothing to divide by, nothing to test
    TOO_MANY_MISSING = "too_many_missing"  # more items missing than the score allows
    NO_VALID_RATING = "no_valid_rating"
    ONE_RATING_ONLY = "one_rating_only"
    ALL_CHANGES_ZERO = "all_changes_zero"
    CONSTANT_CHANGES = "constant_changes"
    EMPTY_GROUP = "empty_group"
    TABLE_TOO_SMALL = "table_too_small"  # fewer than 2 non-empty rows or columns
    ALL_VALUES_TIED = "all_values_tied"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with an optional interval (both ends None when there is none)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    reason: Reason | None = None

    @classmethod
    def unavailable(cls, reason: Reason) -> Estimate:
        return cls(None, reason=reason)


@dataclass(frozen=True)
class TestResult:
    """A hypothesis test: its statistic, its two-sided p-value and how p was computed.

    ``method`` names the p-value computation actually used (``"exact"``,
    ``"permutation"``, ``"asymptotic"``), so a report can state it.
    """

    __test__ = False  # not a pytest test class, despite the name

    test: str
    method: str
    statistic: float | None
    p_value: float | None
    reason: Reason | None = None

    @classmethod
    def unavailable(cls, test: str, reason: Reason) -> TestResult:
        return cls(test, "", None, None, reason)
