"""Two-group comparisons: Newcombe's published examples and the tests against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from enkat.scoring import (
    Reason,
    chi_square_test,
    difference_in_proportions,
    fisher_exact_test,
    mann_whitney,
    table_test,
)
from enkat.scoring.groups import mann_whitney_method

TOLERANCE = 1e-9


@pytest.mark.parametrize(("counts", "expected"), [
    # Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10
    # (hybrid score interval without continuity correction), to four decimals.
    ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.5714, 0.0582, 0.8062)),
    ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
    ((0, 10, 0, 20), (0.0000, -0.1611, 0.2775)),
    ((10, 10, 0, 20), (1.0000, 0.6791, 1.0000)),
])
def test_newcombe_table_ii(counts, expected):
    difference = difference_in_proportions(*counts).difference
    assert (round(difference.value, 4), round(difference.low, 4),
            round(difference.high, 4)) == pytest.approx(expected, abs=1e-12)


def test_newcombe_by_hand():
    # 56/70 vs 48/80: p₁ = 0.8, p₂ = 0.6, d = 0.2.
    # Wilson 95 % (as in test_describe): 56/70 → (0.691834, 0.876953),
    #                                    48/80 → (0.490455, 0.700382)
    # low  = 0.2 − √((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.2 − √(0.011700 + 0.010076)
    #      = 0.2 − 0.147569 = 0.052431
    # high = 0.2 + √((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.2 + √(0.005922 + 0.012000)
    #      = 0.2 + 0.133873 = 0.333873                     (Newcombe: 0.0524 and 0.3339)
    result = difference_in_proportions(56, 70, 48, 80)
    assert (result.first.low, result.first.high) == pytest.approx((0.691834, 0.876953),
                                                                  abs=1e-6)
    assert (result.second.low, result.second.high) == pytest.approx((0.490455, 0.700382),
                                                                    abs=1e-6)
    assert result.difference.value == pytest.approx(0.2, abs=1e-12)
    assert result.difference.low == pytest.approx(0.052431, abs=1e-6)
    assert result.difference.high == pytest.approx(0.333873, abs=1e-6)


def test_a_difference_with_an_empty_group():
    result = difference_in_proportions(3, 10, 0, 0)
    assert result.difference.value is None
    assert result.difference.reason is Reason.EMPTY_GROUP
    assert result.first.share == 0.3


@pytest.mark.parametrize("table", [
    [[8, 2], [1, 5]], [[13, 28], [20, 21]], [[0, 5], [3, 4]], [[3, 0], [0, 3]],
    [[100, 40], [60, 80]],
])
def test_fisher_equals_scipy(table):
    result = fisher_exact_test(table)
    expected = stats.fisher_exact(table)
    assert result.test.p_value == pytest.approx(expected.pvalue, abs=TOLERANCE)
    if np.isfinite(expected.statistic):
        assert result.test.statistic == pytest.approx(expected.statistic, abs=TOLERANCE)
    else:
        assert result.test.statistic is None  # an infinite odds ratio is not a number to print


def test_fisher_on_a_table_with_an_empty_row():
    result = fisher_exact_test([[0, 0], [3, 4]])
    assert result.test.p_value is None and result.test.reason is Reason.TABLE_TOO_SMALL
    with pytest.raises(ValueError, match="2×2"):
        fisher_exact_test([[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("table", [
    [[12, 7, 9], [5, 11, 14]],
    [[20, 15], [30, 25], [10, 12]],
    [[3, 1, 4], [1, 5, 9], [2, 6, 5]],
    [[40, 10], [12, 30]],  # 2×2: scipy applies Yates' correction
])
def test_chi_square_equals_scipy(table):
    result = chi_square_test(table)
    expected = stats.chi2_contingency(table)
    assert result.test.statistic == pytest.approx(expected.statistic, abs=TOLERANCE)
    assert result.test.p_value == pytest.approx(expected.pvalue, abs=TOLERANCE)
    assert result.min_expected == pytest.approx(expected.expected_freq.min(), abs=TOLERANCE)


def test_chi_square_counts_small_expected_cells():
    # expected = row total · column total / n; row totals 8, 15, 13, column totals 6, 12, 18,
    # n = 36: row 1 → 1.33, 2.67, 4.00; row 2 → 2.50, 5.00, 7.50; row 3 → 2.17, 4.33, 6.50
    # below 5: three in row 1, one in row 2, two in row 3 = 6 of 9 cells (> 20 %)
    result = chi_square_test([[3, 1, 4], [1, 5, 9], [2, 6, 5]])
    assert result.cells_expected_below_5 == 6
    assert result.expected_warning
    roomy = chi_square_test([[20, 15], [30, 25], [10, 12]])
    assert roomy.cells_expected_below_5 == 0 and not roomy.expected_warning


def test_empty_rows_and_columns_are_dropped():
    result = chi_square_test([[12, 0, 9], [0, 0, 0], [5, 0, 14]])
    assert (result.rows, result.columns) == (2, 2)
    assert chi_square_test([[1, 2]]).test.reason is Reason.TABLE_TOO_SMALL
    assert chi_square_test([]).test.reason is Reason.TABLE_TOO_SMALL


def test_table_test_picks_fisher_for_two_by_two():
    assert table_test([[8, 2], [1, 5]]).test.test == "Fisher's exact test"
    assert table_test([[8, 2, 0], [1, 5, 0]]).test.test == "Fisher's exact test"
    assert table_test([[8, 2, 3], [1, 5, 4]]).test.test == "chi-square test"


NNS_KVINNOR = [6, 5, 5, 4, 6, 3, 5, 2, 6, 5, 4, 4, 6, 5]
NNS_MAN = [3, 4, 2, 5, 4, 1, 3, 4, 6, 2, 3]


@pytest.mark.parametrize(("first", "second"), [
    (NNS_KVINNOR, NNS_MAN),  # ordinal answers, many ties: asymptotic
    ([1.5, 2.5, 7.0], [3.0, 4.0, 5.0, 6.0]),  # small, no ties: exact
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], [10.0, 11.5, 12.0, 13.0, 14.0, 15.0,
                                                      16.0, 17.0, 18.0]),  # 9 and 9: asymptotic
    ([2.0, 2.0, 3.0], [2.0, 4.0]),  # small with ties: asymptotic
])
def test_mann_whitney_equals_scipy(first, second):
    result = mann_whitney(first, second)
    expected = stats.mannwhitneyu(first, second, alternative="two-sided")
    assert result.statistic == pytest.approx(expected.statistic, abs=TOLERANCE)
    assert result.p_value == pytest.approx(expected.pvalue, abs=TOLERANCE)


def test_mann_whitney_names_its_method():
    assert mann_whitney_method(NNS_KVINNOR, NNS_MAN) == "asymptotic"
    assert mann_whitney_method([1.5, 2.5, 7.0], [3.0, 4.0, 5.0, 6.0]) == "exact"
    assert mann_whitney([1.5, 2.5, 7.0], [3.0, 4.0, 5.0, 6.0]).method == "exact"


def test_mann_whitney_without_information():
    assert mann_whitney([], [1.0]).reason is Reason.EMPTY_GROUP
    assert mann_whitney([4.0, 4.0], [4.0]).reason is Reason.ALL_VALUES_TIED
