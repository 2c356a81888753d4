"""Two groups (or a cross-table) compared: kvinnor and män, two insatser, two years.

Conventions:

* Difference in proportions p₁ − p₂ with Newcombe's hybrid score interval (Newcombe
  1998, method 10): with (l₁, u₁) and (l₂, u₂) the Wilson intervals of each proportion,
  ``low = d − √((p₁ − l₁)² + (u₂ − p₂)²)``, ``high = d + √((u₁ − p₁)² + (p₂ − l₂)²)``.
  It stays within [−1, 1] and behaves at 0 and 100 %, where the Wald interval fails.
* Cross-tables: rows or columns that are all zero are dropped first (they carry no
  information and make expected counts zero); fewer than two rows or columns left
  gives no test (`Reason.TABLE_TOO_SMALL`). `table_test` uses Fisher's exact test
  for what is then 2×2 and the chi-square test otherwise.
* Fisher: ``scipy.stats.fisher_exact``, two-sided; the statistic is the sample odds
  ratio (ad/bc), None when it is infinite.
* Chi-square: ``scipy.stats.chi2_contingency`` with its defaults (Yates' continuity
  correction only for a 2×2 table). The result counts cells with an expected count
  below 5 and warns by Cochran's rule: more than 20 % of the cells below 5, or any
  below 1, makes the p-value unreliable.
* Mann–Whitney U for ordinal answers: two-sided, with the p-value method scipy's
  ``"auto"`` picks, named in the result: ``exact`` when one group has at most 8
  answers and there are no ties, else ``asymptotic`` (normal approximation with tie
  correction and continuity correction). Answers on a short ordinal scale nearly always
  tie, so reports will mostly show the asymptotic test. The statistic is U of the first
  group. All answers equal: no test (`Reason.ALL_VALUES_TIED`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from enkat.scoring.describe import CONFIDENCE, Proportion, proportion, wilson_interval
from enkat.scoring.results import Estimate, Reason, TestResult

FISHER = "Fisher's exact test"
CHI_SQUARE = "chi-square test"
MANN_WHITNEY = "Mann–Whitney U test"
MANN_WHITNEY_EXACT_LIMIT = 8  # scipy: exact when a group has at most this many answers
SMALL_EXPECTED = 5.0
COCHRAN_SHARE = 0.2


@dataclass(frozen=True)
class ProportionDifference:
    first: Proportion
    second: Proportion
    difference: Estimate  # first − second, Newcombe hybrid score interval


@dataclass(frozen=True)
class TableTest:
    """A test of a cross-table; the expected-count figures belong to the chi-square test."""

    test: TestResult
    rows: int  # after dropping empty rows
    columns: int  # after dropping empty columns
    min_expected: float | None = None
    cells_expected_below_5: int = 0
    expected_warning: bool = False  # Cochran's rule is broken


def difference_in_proportions(count1: int, n1: int, count2: int, n2: int,
                              confidence: float = CONFIDENCE) -> ProportionDifference:
    first, second = proportion(count1, n1, confidence), proportion(count2, n2, confidence)
    if n1 == 0 or n2 == 0:
        return ProportionDifference(first, second, Estimate.unavailable(Reason.EMPTY_GROUP))
    return ProportionDifference(first, second,
                                newcombe_interval(count1, n1, count2, n2, confidence))


def newcombe_interval(count1: int, n1: int, count2: int, n2: int,
                      confidence: float = CONFIDENCE) -> Estimate:
    """p₁ − p₂ with Newcombe's method 10 interval (n₁, n₂ ≥ 1)."""
    p1, p2 = count1 / n1, count2 / n2
    low1, high1 = wilson_interval(count1, n1, confidence)
    low2, high2 = wilson_interval(count2, n2, confidence)
    difference = p1 - p2
    return Estimate(difference,
                    difference - math.hypot(p1 - low1, high2 - p2),
                    difference + math.hypot(high1 - p1, p2 - low2))


def fisher_exact_test(table: Sequence[Sequence[int]]) -> TableTest:
    """Fisher's exact test of a 2×2 table (after dropping empty rows and columns)."""
    from scipy import stats
    counts = _non_empty(table)
    rows, columns = counts.shape
    if rows < 2 or columns < 2:
        return TableTest(TestResult.unavailable(FISHER, Reason.TABLE_TOO_SMALL), rows, columns)
    if counts.shape != (2, 2):
        raise ValueError(f"Fisher's exact test takes a 2×2 table, not {rows}×{columns}")
    result = stats.fisher_exact(counts)
    odds_ratio = float(result.statistic)
    return TableTest(
        TestResult(FISHER, "exact", odds_ratio if math.isfinite(odds_ratio) else None,
                   float(result.pvalue)),
        rows, columns)


def chi_square_test(table: Sequence[Sequence[int]]) -> TableTest:
    from scipy import stats
    counts = _non_empty(table)
    rows, columns = counts.shape
    if rows < 2 or columns < 2:
        return TableTest(TestResult.unavailable(CHI_SQUARE, Reason.TABLE_TOO_SMALL), rows,
                         columns)
    result = stats.chi2_contingency(counts)
    expected = result.expected_freq
    below = int(np.count_nonzero(expected < SMALL_EXPECTED))
    return TableTest(
        TestResult(CHI_SQUARE, "asymptotic", float(result.statistic), float(result.pvalue)),
        rows, columns,
        min_expected=float(expected.min()),
        cells_expected_below_5=below,
        expected_warning=below > COCHRAN_SHARE * expected.size or bool(expected.min() < 1),
    )


def table_test(table: Sequence[Sequence[int]]) -> TableTest:
    """Fisher's exact test for a 2×2 table, the chi-square test for a larger one."""
    rows, columns = _non_empty(table).shape
    return fisher_exact_test(table) if (rows, columns) == (2, 2) else chi_square_test(table)


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> TestResult:
    from scipy import stats
    if not first or not second:
        return TestResult.unavailable(MANN_WHITNEY, Reason.EMPTY_GROUP)
    values = [*first, *second]
    if min(values) == max(values):
        return TestResult.unavailable(MANN_WHITNEY, Reason.ALL_VALUES_TIED)
    method = mann_whitney_method(first, second)
    result = stats.mannwhitneyu(sorted(first), sorted(second), alternative="two-sided",
                                method=method)
    return TestResult(MANN_WHITNEY, method, float(result.statistic), float(result.pvalue))


def mann_whitney_method(first: Sequence[float], second: Sequence[float]) -> str:
    """The p-value method scipy's ``method="auto"`` picks for these groups."""
    values = [*first, *second]
    small = min(len(first), len(second)) <= MANN_WHITNEY_EXACT_LIMIT
    return "exact" if small and len(set(values)) == len(values) else "asymptotic"


def _non_empty(table: Sequence[Sequence[int]]) -> np.ndarray:
    if not table:
        return np.zeros((0, 0), dtype=np.int64)
    counts = np.asarray(table, dtype=np.int64)
    if counts.ndim != 2 or (counts < 0).any():
        raise ValueError("a cross-table is a rectangle of counts ≥ 0")
    counts = counts[counts.sum(axis=1) > 0]
    non_empty: np.ndarray = counts[:, counts.sum(axis=0) > 0]
    return non_empty
