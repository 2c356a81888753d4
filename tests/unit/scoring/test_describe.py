"""Group summaries and proportions: by hand and against scipy/numpy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from enkat.scoring import (
    Reason,
    category_shares,
    proportion,
    shares,
    summarize,
    wilson_interval,
)
from enkat.scoring.describe import z_value

TOLERANCE = 1e-9


def test_a_summary_by_hand():
    summary = summarize([18.0, 12.0, None, 15.0, 21.0, 9.0])
    # sorted 9, 12, 15, 18, 21: n 5, mean 75 / 5 = 15, median 15
    # SD: deviations −6, −3, 0, 3, 6; squares 36 + 9 + 0 + 9 + 36 = 90; √(90 / 4) = 4.7434…
    # quartiles (type 7): position 1 + 0.25 · 4 = 2 → 12, position 1 + 0.75 · 4 = 4 → 18
    assert (summary.n, summary.n_missing) == (5, 1)
    assert summary.mean == 15.0
    assert summary.sd == pytest.approx(np.sqrt(90 / 4), abs=TOLERANCE)
    assert (summary.q1, summary.median, summary.q3) == (12.0, 15.0, 18.0)
    assert (summary.minimum, summary.maximum) == (9.0, 21.0)
    assert summary.reason is None


def test_quartiles_interpolate_like_excel():
    # 1, 2, 3, 4: Q1 at position 1 + 0.25 · 3 = 1.75 → 1 + 0.75 · (2 − 1) = 1.75 (QUARTILE.INC)
    summary = summarize([4.0, 1.0, 3.0, 2.0])
    assert (summary.q1, summary.median, summary.q3) == (1.75, 2.5, 3.25)


def test_small_and_constant_data():
    assert summarize([]).reason is Reason.NO_VALUES
    assert summarize([None]).n_missing == 1
    one = summarize([7.0])
    assert (one.n, one.mean, one.median, one.q1, one.sd, one.reason) == (
        1, 7.0, 7.0, 7.0, None, Reason.ONE_VALUE)
    constant = summarize([5.3, 5.3, 5.3])
    assert constant.sd == 0.0 and constant.reason is None


def test_wilson_interval_for_13_of_41_by_hand():
    # The förbund example "13 av 41 = 31,7 %". z = 1.959964, z² = 3.841459, n = 41.
    # p = 13/41 = 0.317073; z²/n = 0.093694; denominator 1 + z²/n = 1.093694
    # centre = (p + z²/2n) / 1.093694 = (0.317073 + 0.046847) / 1.093694 = 0.332744
    # half = z / 1.093694 · √(p(1 − p)/n + z²/4n²)
    #      = 1.792059 · √(0.005281409 + 0.000571306) = 1.792059 · 0.076503 = 0.137098
    # interval 0.332744 ∓ 0.137098 = 0.195646 to 0.469842
    result = proportion(13, 41)
    assert round(result.share * 100, 1) == 31.7
    assert result.low == pytest.approx(0.195646, abs=1e-6)
    assert result.high == pytest.approx(0.469842, abs=1e-6)


@pytest.mark.parametrize(("count", "n"), [
    (13, 41), (0, 41), (41, 41), (1, 1), (0, 1), (1, 2), (5, 7), (498, 1000), (3, 5000)])
def test_wilson_interval_equals_scipy(count, n):
    expected = stats.binomtest(count, n).proportion_ci(method="wilson")
    low, high = wilson_interval(count, n)
    assert low == pytest.approx(expected.low, abs=TOLERANCE)
    assert high == pytest.approx(expected.high, abs=TOLERANCE)


def test_wilson_interval_at_another_confidence():
    expected = stats.binomtest(13, 41).proportion_ci(confidence_level=0.9, method="wilson")
    assert wilson_interval(13, 41, 0.9) == pytest.approx((expected.low, expected.high),
                                                         abs=TOLERANCE)
    assert z_value() == pytest.approx(1.959963984540054, abs=1e-15)


def test_a_proportion_of_nothing():
    result = proportion(0, 0)
    assert (result.share, result.low, result.high, result.reason) == (
        None, None, None, Reason.NO_VALUES)


def test_a_count_outside_its_n_is_refused():
    with pytest.raises(ValueError, match="0..n"):
        proportion(5, 4)


def test_shares_of_a_distribution():
    result = shares({"arbete": 9, "studier": 4, "ovrigt": 28})
    assert [share.n for share in result.values()] == [41, 41, 41]
    assert result["arbete"].share == pytest.approx(9 / 41)


def test_category_shares_list_every_category():
    result = category_shares(["a", "a", "b"], ["a", "b", "c"])
    assert [(key, value.count) for key, value in result.items()] == [("a", 2), ("b", 1), ("c", 0)]
    with pytest.raises(ValueError, match="outside the categories"):
        category_shares(["d"], ["a"])
