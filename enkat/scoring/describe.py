"""Descriptive statistics of a group: summaries of scores and proportions with intervals.

Conventions:

* SD is the sample standard deviation (``ddof=1``); it needs two values and is exactly
  0 for constant data.
* Quartiles and median use numpy's default ``method="linear"`` (Hyndman & Fan type 7),
  the same as Excel's QUARTILE / QUARTILE.INC and R's default. The förbund check figures
  in Excel, the quartiles always lie within the data, and they are defined for one value.
* Values are sorted before anything is computed and the mean is an exactly rounded sum
  (`math.fsum`), so a summary does not depend on the order of its input, bit for bit.
* Proportions carry a Wilson score interval (Wilson 1927), without continuity
  correction; it stays inside [0, 1] and behaves at 0 % and 100 % where the Wald
  interval collapses. It equals ``scipy.stats.binomtest(k, n).proportion_ci(method=
  "wilson")``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from enkat.scoring.results import Reason

Category = TypeVar("Category", bound=Hashable)

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None
    n_missing: int = 0  # None values in the input, not in n
    reason: Reason | None = None  # why some figure is None


@dataclass(frozen=True)
class Proportion:
    count: int
    n: int
    share: float | None
    low: float | None
    high: float | None
    reason: Reason | None = None


def summarize(values: Iterable[float | None]) -> Summary:
    """n, mean, SD, median, quartiles and range of the values that are not None."""
    given = list(values)
    present = sorted(value for value in given if value is not None)
    n_missing = len(given) - len(present)
    if not present:
        return Summary(0, None, None, None, None, None, None, None, n_missing, Reason.NO_VALUES)
    data = np.array(present, dtype=float)
    q1, median, q3 = (float(q) for q in np.quantile(data, [0.25, 0.5, 0.75], method="linear"))
    enough = len(present) >= 2
    return Summary(
        n=len(present),
        mean=math.fsum(present) / len(present),
        sd=_sd(data) if enough else None,
        median=median,
        q1=q1,
        q3=q3,
        minimum=present[0],
        maximum=present[-1],
        n_missing=n_missing,
        reason=None if enough else Reason.ONE_VALUE,
    )


def z_value(confidence: float = CONFIDENCE) -> float:
    """The two-sided standard normal quantile: 1.959963984540054 for 95 %."""
    from scipy import stats
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(count: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval for ``count`` successes out of ``n`` (n ≥ 1).

    With p = count/n and z the normal quantile::

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)

    The ends are clipped to [0, 1] (at p = 0 or 1 the formula gives 0 or 1 up to
    rounding).
    """
    _check_count(count, n)
    if n == 0:
        raise ValueError("a proportion of 0 answers has no interval")
    p = count / n
    z2 = z_value(confidence) ** 2
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = math.sqrt(z2) / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def proportion(count: int, n: int, confidence: float = CONFIDENCE) -> Proportion:
    """``count`` of ``n`` as a share with its Wilson interval; n = 0 gives no share."""
    _check_count(count, n)
    if n == 0:
        return Proportion(count, n, None, None, None, Reason.NO_VALUES)
    low, high = wilson_interval(count, n, confidence)
    return Proportion(count, n, count / n, low, high)


def shares(counts: Mapping[Category, int],
           confidence: float = CONFIDENCE) -> dict[Category, Proportion]:
    """Each count as a share of the sum of all counts, in the mapping's order."""
    n = sum(counts.values())
    return {key: proportion(count, n, confidence) for key, count in counts.items()}


def category_shares(values: Iterable[Hashable], categories: Iterable[Category],
                    confidence: float = CONFIDENCE) -> dict[Category, Proportion]:
    """The share of each category among the values, every category listed (0 included).

    Used for change classes and stegförflyttning classes; a value outside
    ``categories`` is a programming error and raises `ValueError`.
    """
    counted = Counter(values)
    order = list(categories)
    unknown = set(counted) - set(order)
    if unknown:
        raise ValueError(f"values outside the categories: {sorted(map(str, unknown))}")
    return shares({category: counted[category] for category in order}, confidence)


def _sd(data: np.ndarray) -> float:
    """Exactly 0 for constant data (numpy can leave a rounding residue of ~1e-16)."""
    return 0.0 if data[0] == data[-1] else float(np.std(data, ddof=1))


def _check_count(count: int, n: int) -> None:
    if not 0 <= count <= n:
        raise ValueError(f"a count must lie in 0..n, got {count} of {n}")
