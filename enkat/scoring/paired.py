"""Pre/post: the change from first to latest score over a group of deltagare.

Conventions:

* A pair is (first, latest) of one deltagare; change = latest − first, computed exactly
  (`enkat.scoring.exact`). Pairs are sorted before anything is computed, so results do
  not depend on their order.
* Mean change has a 95 % t interval: mean ± t(0.975, n − 1) · SD/√n, SD of the changes
  with ``ddof=1``.
* Paired t-test: the one-sample t-test of the changes against 0, which is exactly what
  ``scipy.stats.ttest_rel(latest, first)`` computes (it calls ``ttest_1samp(a − b)``);
  feeding the exact changes avoids float noise in a − b.
* Wilcoxon signed-rank, two-sided, ``zero_method="pratt"``: zero changes stay in the
  ranking and only their ranks are dropped from the statistic (Pratt 1959; normal
  approximation adjusted per Cureton 1967). Integer scales (Processtrappan, SKAPA)
  give many zero changes, and discarding them ("wilcox") would overstate the evidence
  of change. p-value method as scipy's ``"auto"`` would pick, but chosen here so the
  result can name it: ``exact`` without zeros or tied |changes| up to n = 50;
  ``permutation`` (all 2ⁿ sign flips, so deterministic) with zeros or ties up to n = 13;
  ``asymptotic`` (normal, no continuity correction) otherwise.
* Effect size: mean change / SD, the SD of the first scores (``ddof=1``) unless a
  normative SD is given (ORS-SRS.md). d_z = mean change / SD of the changes. Both keep
  the sign of the raw change (negative for a fall, whatever ``higher_is_better``).
* n = 0, n = 1, constant first scores, constant or all-zero changes: the affected
  figures are None with a `Reason`; nothing raises and nothing is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from enkat.instruments import Score
from enkat.scoring.courses import ChangeClass, Course, StepClass, change_class, step_class
from enkat.scoring.describe import CONFIDENCE, Proportion, category_shares
from enkat.scoring.exact import difference
from enkat.scoring.results import Estimate, Reason, TestResult

PAIRED_T = "paired t-test"
WILCOXON = "Wilcoxon signed-rank test (Pratt zeros)"
WILCOXON_EXACT_LIMIT = 50  # scipy: exact distribution up to this n without zeros or ties
WILCOXON_PERMUTATION_LIMIT = 13  # scipy: all 2**n sign flips up to this n

FIRST_SCORES = "first_scores"
NORMATIVE = "normative"


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_first: float | None
    mean_latest: float | None
    mean_change: Estimate  # with its t interval
    t_test: TestResult
    wilcoxon: TestResult
    effect_size: Estimate  # mean change / effect_size_sd
    effect_size_sd: float | None
    effect_size_basis: str  # FIRST_SCORES or NORMATIVE
    d_z: Estimate  # mean change / SD of the changes


@dataclass(frozen=True)
class PrePost:
    """Everything ORS-SRS.md asks of a group's courses on one score.

    ``change`` uses the courses with two or more ratings. The class shares are of all
    courses with at least one rating (one-rating courses and courses above the cut-off
    at start are classes of their own); None when the score declares no ``rci``
    (change classes) or no ``meaningful_change`` (stegförflyttning).
    """

    score_id: str
    n_courses: int  # courses with at least one rating
    change: PairedChange
    change_classes: dict[ChangeClass, Proportion] | None
    step_classes: dict[StepClass, Proportion] | None


def paired_change(pairs: Iterable[tuple[float, float]], *, normative_sd: float | None = None,
                  confidence: float = CONFIDENCE) -> PairedChange:
    if normative_sd is not None and not normative_sd > 0:
        raise ValueError(f"a normative SD must be positive, got {normative_sd}")
    ordered = sorted(pairs)
    firsts = [first for first, _ in ordered]
    latests = [latest for _, latest in ordered]
    changes = [difference(latest, first) for first, latest in ordered]
    basis = NORMATIVE if normative_sd is not None else FIRST_SCORES
    sd = normative_sd if normative_sd is not None else _sd(firsts)
    mean_change = _mean(changes)
    return PairedChange(
        n=len(ordered),
        mean_first=_mean(firsts),
        mean_latest=_mean(latests),
        mean_change=_mean_with_interval(changes, confidence),
        t_test=_t_test(changes),
        wilcoxon=wilcoxon_test(changes),
        effect_size=_effect_size(mean_change, sd, len(firsts)),
        effect_size_sd=sd,
        effect_size_basis=basis,
        d_z=_d_z(changes),
    )


def pre_post(score: Score, courses: Iterable[Course], *,
             normative_sd: float | None = None) -> PrePost:
    rated = [course for course in courses if course.n_ratings > 0]
    pairs = [(course.first, course.latest) for course in rated
             if course.n_ratings > 1 and course.first is not None and course.latest is not None]
    change_classes = None
    if score.rci is not None:
        change_classes = category_shares(
            (change_class(score, course) for course in rated), ChangeClass)
    step_classes = None
    if score.meaningful_change is not None:
        step_classes = category_shares((step_class(score, course) for course in rated), StepClass)
    return PrePost(score.id, len(rated), paired_change(pairs, normative_sd=normative_sd),
                   change_classes, step_classes)


def wilcoxon_test(changes: Sequence[float]) -> TestResult:
    """Two-sided Wilcoxon signed-rank test of the changes (conventions above)."""
    from scipy import stats
    if len(changes) < 2:
        return TestResult.unavailable(WILCOXON, _too_few(changes))
    if all(change == 0 for change in changes):
        return TestResult.unavailable(WILCOXON, Reason.ALL_CHANGES_ZERO)
    method = wilcoxon_method(changes)
    if method == "permutation":
        return _wilcoxon_by_permutation(changes)
    result = stats.wilcoxon(changes, zero_method="pratt", method=method)
    return TestResult(WILCOXON, method, float(result.statistic), float(result.pvalue))


def wilcoxon_method(changes: Sequence[float]) -> str:
    """The p-value method scipy's ``method="auto"`` picks for these changes."""
    sizes = [abs(change) for change in changes]
    zeros_or_ties = 0 in sizes or len(set(sizes)) < len(sizes)
    if len(changes) > WILCOXON_EXACT_LIMIT:
        return "asymptotic"
    if not zeros_or_ties:
        return "exact"
    return "permutation" if len(changes) <= WILCOXON_PERMUTATION_LIMIT else "asymptotic"


def _wilcoxon_by_permutation(changes: Sequence[float]) -> TestResult:
    """The p-value of ``scipy.stats.wilcoxon(changes, zero_method="pratt",
    method=PermutationMethod())``, with the statistic vectorised.

    A sign flip keeps |change|, so the ranks are fixed and W₊ = Σ rank · [change > 0]
    (zeros keep their rank and never count: Pratt). scipy's wilcoxon evaluates its
    statistic once per sign pattern in a Python loop, about a second at n = 13; this is
    the same enumeration of all 2ⁿ patterns through `scipy.stats.permutation_test`.
    """
    from scipy import stats
    data = np.asarray(changes, dtype=float)
    ranks = stats.rankdata(np.abs(data))

    def positive_rank_sum(sample: np.ndarray, axis: int = -1) -> np.ndarray:
        sums: np.ndarray = np.sum(ranks * (sample > 0), axis=axis)
        return sums

    result = stats.permutation_test((data,), positive_rank_sum, permutation_type="samples",
                                    vectorized=True, n_resamples=np.inf,
                                    alternative="two-sided")
    statistic = min(float(positive_rank_sum(data)), float(np.sum(ranks * (data < 0))))
    return TestResult(WILCOXON, "permutation", float(statistic), float(result.pvalue))


def _t_test(changes: Sequence[float]) -> TestResult:
    from scipy import stats
    reason = _changes_reason(changes)
    if reason is not None:
        return TestResult.unavailable(PAIRED_T, reason)
    result = stats.ttest_1samp(changes, 0.0)
    return TestResult(PAIRED_T, "student_t", float(result.statistic), float(result.pvalue))


def _mean_with_interval(changes: Sequence[float], confidence: float) -> Estimate:
    from scipy import stats
    mean = _mean(changes)
    if mean is None:
        return Estimate.unavailable(Reason.NO_VALUES)
    reason = _changes_reason(changes)
    if reason is not None:
        return Estimate(mean, reason=reason)
    sd = float(np.std(changes, ddof=1))
    n = len(changes)
    margin = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return Estimate(mean, mean - margin, mean + margin)


def _changes_reason(changes: Sequence[float]) -> Reason | None:
    """Why the spread of the changes cannot carry a t interval, a t-test or d_z."""
    if len(changes) < 2:
        return _too_few(changes)
    if all(change == 0 for change in changes):
        return Reason.ALL_CHANGES_ZERO
    if len(set(changes)) == 1:
        return Reason.CONSTANT_CHANGES
    return None


def _effect_size(mean_change: float | None, sd: float | None, n: int) -> Estimate:
    if mean_change is None:
        return Estimate.unavailable(Reason.NO_VALUES)
    if sd is None:
        return Estimate.unavailable(Reason.ONE_VALUE if n == 1 else Reason.NO_VALUES)
    if sd == 0:
        return Estimate.unavailable(Reason.CONSTANT_VALUES)
    return Estimate(mean_change / sd)


def _d_z(changes: Sequence[float]) -> Estimate:
    reason = _changes_reason(changes)
    mean, sd = _mean(changes), _sd(changes)
    if reason is not None or mean is None or sd is None:
        return Estimate.unavailable(reason or Reason.NO_VALUES)
    return Estimate(mean / sd)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _sd(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    return 0.0 if len(set(values)) == 1 else float(np.std(values, ddof=1))


def _too_few(values: Sequence[float]) -> Reason:
    return Reason.NO_VALUES if not values else Reason.ONE_VALUE
