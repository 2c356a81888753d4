"""Pre/post change: a five-pair example by hand, and the tests against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from enkat.scoring import (
    ChangeClass,
    Rating,
    Reason,
    StepClass,
    course,
    paired_change,
    pre_post,
    wilcoxon_test,
)
from enkat.scoring.paired import FIRST_SCORES, NORMATIVE, wilcoxon_method

TOLERANCE = 1e-9

FIRST = [16.0, 18.0, 15.0, 20.0, 17.0]
LATEST = [20.0, 21.0, 22.0, 19.0, 23.0]


def test_five_pairs_by_hand():
    result = paired_change(zip(FIRST, LATEST, strict=True))
    # changes 4, 3, 7, −1, 6: mean 19 / 5 = 3.8
    # deviations 0.2, −0.8, 3.2, −4.8, 2.2; squares sum to 38.8; SD = √(38.8 / 4) = 3.114482
    # SE = 3.114482 / √5 = 1.392839; t = 3.8 / 1.392839 = 2.728241 on 4 df
    # t(0.975, 4) = 2.776445; margin 2.776445 · 1.392839 = 3.867141
    assert result.n == 5
    assert (result.mean_first, result.mean_latest) == (17.2, 21.0)
    assert result.mean_change.value == pytest.approx(3.8, abs=TOLERANCE)
    assert result.mean_change.low == pytest.approx(3.8 - 3.867141, abs=1e-6)
    assert result.mean_change.high == pytest.approx(3.8 + 3.867141, abs=1e-6)
    assert result.t_test.statistic == pytest.approx(2.728241, abs=1e-6)
    assert 0.05 < result.t_test.p_value < 0.06
    # first scores 16, 18, 15, 20, 17: mean 17.2, squares of deviations sum to 14.8,
    # SD √(14.8 / 4) = 1.923538; effect size 3.8 / 1.923538 = 1.975526
    assert result.effect_size.value == pytest.approx(1.975526, abs=1e-6)
    assert result.effect_size_sd == pytest.approx(1.923538, abs=1e-6)
    assert result.effect_size_basis == FIRST_SCORES
    # d_z = 3.8 / 3.114482 = 1.220106
    assert result.d_z.value == pytest.approx(1.220106, abs=1e-6)
    # Wilcoxon: |changes| 4, 3, 7, 1, 6 rank 3, 2, 5, 1, 4; the one fall has rank 1,
    # so W = min(14, 1) = 1. Of the 2⁵ = 32 sign patterns, 2 give W− ≤ 1 ({} and {1}):
    # one-sided 2/32, two-sided p = 4/32 = 0.125 (exact: no zeros, no ties)
    assert (result.wilcoxon.statistic, result.wilcoxon.p_value) == (1.0, 0.125)
    assert result.wilcoxon.method == "exact"


def test_five_pairs_equal_scipy():
    result = paired_change(zip(FIRST, LATEST, strict=True))
    t = stats.ttest_rel(LATEST, FIRST)
    interval = t.confidence_interval(0.95)
    assert result.t_test.statistic == pytest.approx(t.statistic, abs=TOLERANCE)
    assert result.t_test.p_value == pytest.approx(t.pvalue, abs=TOLERANCE)
    assert result.mean_change.low == pytest.approx(interval.low, abs=TOLERANCE)
    assert result.mean_change.high == pytest.approx(interval.high, abs=TOLERANCE)


def ors_like_pairs(seed: int, n: int) -> list[tuple[float, float]]:
    """ORS totals with one decimal, some equal before and after, many tied changes."""
    rng = np.random.default_rng(seed)
    first = np.round(rng.uniform(8, 30, n), 1)
    change = np.round(rng.normal(3, 5, n) * 2) / 2  # half points: ties and zeros
    return [(float(a), float(np.clip(a + c, 0, 40))) for a, c in zip(first, change, strict=True)]


@pytest.mark.parametrize(("seed", "n"), [(1, 6), (2, 12), (3, 13), (4, 14), (5, 30),
                                         (6, 51), (7, 120)])
def test_tests_equal_scipy(seed, n):
    pairs = ors_like_pairs(seed, n)
    first, latest = (np.array(values) for values in zip(*pairs, strict=True))
    result = paired_change(pairs)
    t = stats.ttest_rel(latest, first)
    assert result.t_test.statistic == pytest.approx(t.statistic, abs=TOLERANCE)
    assert result.t_test.p_value == pytest.approx(t.pvalue, abs=TOLERANCE)
    assert result.mean_change.low == pytest.approx(t.confidence_interval().low, abs=TOLERANCE)
    # scipy advises passing rounded differences rather than x and y (float noise in x − y)
    w = stats.wilcoxon(np.round(latest - first, 10), zero_method="pratt")
    assert result.wilcoxon.statistic == pytest.approx(w.statistic, abs=TOLERANCE)
    assert result.wilcoxon.p_value == pytest.approx(w.pvalue, abs=TOLERANCE)


@pytest.mark.parametrize(("changes", "method"), [
    ([1.0, 2.0, 3.0, -4.0], "exact"),
    ([1.0, 2.0, 2.0, -4.0], "permutation"),  # tied |changes|
    ([0.0, 2.0, 3.0, -4.0], "permutation"),  # a zero
    ([float(n) for n in range(1, 51)], "exact"),
    ([float(n) for n in range(1, 52)], "asymptotic"),
    ([0.0] + [float(n) for n in range(1, 14)], "asymptotic"),  # 14 with a zero
])
def test_the_wilcoxon_method_is_the_one_scipy_picks(changes, method):
    assert wilcoxon_method(changes) == method
    assert wilcoxon_test(changes).p_value == pytest.approx(
        stats.wilcoxon(changes, zero_method="pratt").pvalue, abs=TOLERANCE)


def test_pratt_keeps_zero_changes_in_the_ranking():
    changes = [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, -6.0]
    pratt = wilcoxon_test(changes)
    wilcox = stats.wilcoxon(changes, zero_method="wilcox")
    assert pratt.test.endswith("(Pratt zeros)")
    assert pratt.p_value == pytest.approx(
        stats.wilcoxon(changes, zero_method="pratt").pvalue, abs=TOLERANCE)
    assert pratt.p_value != pytest.approx(wilcox.pvalue)


def test_no_pairs():
    result = paired_change([])
    assert result.n == 0 and result.mean_first is None
    assert result.mean_change.reason is Reason.NO_VALUES
    assert result.t_test.reason is Reason.NO_VALUES
    assert result.wilcoxon.reason is Reason.NO_VALUES
    assert result.effect_size.reason is Reason.NO_VALUES
    assert result.d_z.reason is Reason.NO_VALUES


def test_one_pair():
    result = paired_change([(17.0, 26.5)])
    assert result.mean_change.value == 9.5
    assert result.mean_change.low is None and result.mean_change.reason is Reason.ONE_VALUE
    assert result.t_test.reason is Reason.ONE_VALUE
    assert result.wilcoxon.reason is Reason.ONE_VALUE
    assert result.effect_size.reason is Reason.ONE_VALUE
    # with a normative SD one pair has an effect size: 9.5 / 7.0
    normed = paired_change([(17.0, 26.5)], normative_sd=7.0)
    assert normed.effect_size.value == pytest.approx(9.5 / 7.0)
    assert normed.effect_size_basis == NORMATIVE


def test_all_changes_zero():
    result = paired_change([(17.0, 17.0), (20.5, 20.5), (12.0, 12.0)])
    assert result.mean_change.value == 0.0
    assert result.mean_change.reason is Reason.ALL_CHANGES_ZERO
    assert result.t_test.reason is Reason.ALL_CHANGES_ZERO
    assert result.wilcoxon.reason is Reason.ALL_CHANGES_ZERO
    assert result.d_z.reason is Reason.ALL_CHANGES_ZERO
    assert result.effect_size.value == 0.0  # the first scores do vary


def test_equal_changes_and_equal_first_scores():
    # 11.4 → 16.4 and 12.4 → 17.4: both changes exactly 5, though floats disagree
    result = paired_change([(11.4, 16.4), (12.4, 17.4), (20.0, 25.0)])
    assert result.t_test.reason is Reason.CONSTANT_CHANGES
    assert result.d_z.reason is Reason.CONSTANT_CHANGES
    assert result.wilcoxon.p_value == 0.25  # three rises of equal size: 2 · 1/8
    same_start = paired_change([(15.0, 20.0), (15.0, 22.0)])
    assert same_start.effect_size.reason is Reason.CONSTANT_VALUES


def test_a_normative_sd_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        paired_change([(1.0, 2.0)], normative_sd=0)


def test_pre_post_of_ors_courses(ors):
    courses = [
        course([Rating(1, 17.0), Rating(2, 26.5)]),  # recovered, +9.5
        course([Rating(1, 18.0), Rating(2, 22.0)]),  # unchanged, +4
        course([Rating(1, 20.0), Rating(2, 14.5)]),  # deteriorated, −5.5
        course([Rating(1, 27.0), Rating(2, 29.0)]),  # above the cut-off at start, +2
        course([Rating(1, 19.0)]),  # one rating only: in the classes, not in the change
        course([Rating(1, None)]),  # no score at all: left out
    ]
    result = pre_post(ors.score("total"), courses)
    assert result.n_courses == 5
    assert result.change.n == 4
    # (9.5 + 4 − 5.5 + 2) / 4 = 2.5
    assert result.change.mean_change.value == 2.5
    assert result.change_classes is not None
    assert {key: value.count for key, value in result.change_classes.items()} == {
        ChangeClass.RECOVERED: 1, ChangeClass.IMPROVED: 0, ChangeClass.UNCHANGED: 1,
        ChangeClass.DETERIORATED: 1, ChangeClass.ABOVE_CUTOFF_AT_START: 1,
        ChangeClass.ONE_RATING_ONLY: 1}
    assert result.change_classes[ChangeClass.RECOVERED].share == 0.2
    assert result.step_classes is None  # ORS declares no meaningful change


def test_pre_post_of_processtrappan(processtrappan):
    steps = [(2, 4), (3, 3), (1, 2), (4, 3)]
    courses = [course([Rating(1, float(a)), Rating(2, float(b))]) for a, b in steps]
    result = pre_post(processtrappan.score("steg"), courses)
    assert result.change_classes is None  # no RCI declared
    assert result.step_classes is not None
    assert result.step_classes[StepClass.FORWARD].count == 2
    assert result.step_classes[StepClass.NO_STEP].count == 1
    assert result.step_classes[StepClass.BACKWARD].count == 1
    # changes 2, 0, 1, −1: mean 0.5; Wilcoxon with a zero and ties → permutation
    assert result.change.mean_change.value == 0.5
    assert result.change.wilcoxon.method == "permutation"
