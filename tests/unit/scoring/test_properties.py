"""Properties that hold whatever the data: shares, intervals, order, classes, suppression."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from enkat.instruments import Score, Text
from enkat.scoring import (
    ChangeClass,
    Rating,
    SuppressedTable,
    change_class,
    classify_change,
    course,
    difference_in_proportions,
    mann_whitney,
    paired_change,
    pre_post,
    proportion,
    shares,
    summarize,
    suppress,
)

ORS_VALUES = st.integers(0, 400).map(lambda tenths: tenths / 10)  # 0.0–40.0, one decimal
COUNTS = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 35, 80])
ORS_TOTAL = Score(id="total", label=Text.of("ORS"), method="sum", items=("a",), cutoff=25,
                  rci=5)


@st.composite
def count_and_n(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, 5000))
    return draw(st.integers(0, n)), n


@given(st.lists(st.integers(0, 10_000), min_size=1).filter(lambda counts: sum(counts) > 0))
def test_shares_of_a_table_sum_to_one(counts):
    result = shares(dict(enumerate(counts)))
    assert math.fsum(share.share for share in result.values()) == pytest.approx(1.0, abs=1e-12)


@given(count_and_n(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_a_wilson_interval_contains_its_estimate_within_zero_and_one(counted, confidence):
    count, n = counted
    result = proportion(count, n, confidence)
    assert 0.0 <= result.low <= result.share <= result.high <= 1.0


@given(count_and_n(), count_and_n())
def test_a_newcombe_interval_contains_its_difference(first, second):
    result = difference_in_proportions(*first, *second).difference
    assert -1.0 <= result.low <= result.value <= result.high <= 1.0


@given(st.lists(st.one_of(st.none(), ORS_VALUES), max_size=40), st.randoms())
def test_a_summary_does_not_depend_on_order(values, rng):
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert summarize(shuffled) == summarize(values)


@settings(deadline=None)
@given(st.lists(st.tuples(ORS_VALUES, ORS_VALUES), max_size=25), st.randoms())
def test_pre_post_does_not_depend_on_the_order_of_pairs(pairs, rng):
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    assert paired_change(shuffled) == paired_change(pairs)


@settings(deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=30),
       st.lists(st.integers(1, 6), min_size=1, max_size=30), st.randoms())
def test_mann_whitney_does_not_depend_on_order(first, second, rng):
    values = [[float(value) for value in group] for group in (first, second)]
    shuffled = [rng.sample(group, len(group)) for group in values]
    assert mann_whitney(*shuffled) == mann_whitney(*values)


@settings(deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), ORS_VALUES), max_size=5), max_size=15),
       st.randoms())
def test_class_shares_do_not_depend_on_the_order_of_courses(totals, rng):
    courses = [course(Rating(session, total) for session, total in enumerate(each))
               for each in totals]
    shuffled = rng.sample(courses, len(courses))
    assert pre_post(ORS_TOTAL, shuffled) == pre_post(ORS_TOTAL, courses)


def jacobson_truax(first: float, latest: float, cutoff: float, rci: float,
                   higher_is_better: bool) -> set[ChangeClass]:
    """Every class of ORS-SRS.md whose definition the course meets, in exact fractions."""
    sign = 1 if higher_is_better else -1
    change = sign * (Fraction(str(latest)) - Fraction(str(first)))
    beyond_at_start = sign * (Fraction(str(first)) - Fraction(str(cutoff))) > 0
    beyond_at_end = sign * (Fraction(str(latest)) - Fraction(str(cutoff))) > 0
    rci_ = Fraction(str(rci))
    met = set()
    if beyond_at_start:
        return {ChangeClass.ABOVE_CUTOFF_AT_START}
    if change >= rci_ and beyond_at_end:
        met.add(ChangeClass.RECOVERED)
    if change >= rci_ and not beyond_at_end:
        met.add(ChangeClass.IMPROVED)
    if abs(change) < rci_:
        met.add(ChangeClass.UNCHANGED)
    if change <= -rci_:
        met.add(ChangeClass.DETERIORATED)
    return met


@given(ORS_VALUES, ORS_VALUES, ORS_VALUES, st.integers(1, 100).map(lambda t: t / 10),
       st.booleans())
def test_change_classes_are_exhaustive_and_exclusive(first, latest, cutoff, rci, higher):
    met = jacobson_truax(first, latest, cutoff, rci, higher)
    assert len(met) == 1
    assert classify_change(first, latest, rci=rci, cutoff=cutoff,
                           higher_is_better=higher) in met


@given(st.lists(st.one_of(st.none(), ORS_VALUES), min_size=1, max_size=8))
def test_every_rated_course_has_exactly_one_class(totals):
    result = course(Rating(session, total) for session, total in enumerate(totals))
    klass = change_class(ORS_TOTAL, result)
    rated = sum(total is not None for total in totals)
    assert (klass is None) == (rated == 0)
    assert (klass is ChangeClass.ONE_RATING_ONLY) == (rated == 1)


# --- suppression ---------------------------------------------------------------------

@st.composite
def tables(draw: st.DrawFn) -> list[list[int]]:
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return [[draw(COUNTS) for _ in range(columns)] for _ in range(rows)]


def published_grid(result: SuppressedTable) -> list[list[int | str]]:
    """The table as a reader sees it, totals included (a total row and/or column)."""
    grid = [list(row) for row in result.cells]
    if result.row_totals is not None:
        for row, total in zip(grid, result.row_totals, strict=True):
            row.append(total)
    if result.column_totals is not None:
        bottom = list(result.column_totals)
        if result.grand_total is not None:
            bottom.append(result.grand_total)
        grid.append(bottom)
    return grid


def published_lines(result: SuppressedTable, grid: list[list[int | str]]):
    """Each equation a reader can write: the entries of a row or column, total last."""
    lines = []
    if result.row_totals is not None:
        lines += [[(i, j) for j in range(len(grid[i]))] for i in range(len(grid))]
    if result.column_totals is not None:
        columns = len(grid[0]) if grid else 0
        lines += [[(i, j) for i in range(len(grid))] for j in range(columns)]
    return lines


def reader_ranges(result: SuppressedTable, k: int,
                  marks: bool = True) -> dict[tuple[int, int], tuple[float, float]]:
    """The least and greatest value each suppressed figure can have, judged only from what
    is published: shown numbers, row/column sums and the marks ("<k": 1..k−1, "X": ≥ k);
    with ``marks=False`` only that counts are ≥ 0."""
    grid = published_grid(result)
    unknowns = [(i, j) for i, row in enumerate(grid) for j, cell in enumerate(row)
                if isinstance(cell, str)]
    index = {entry: n for n, entry in enumerate(unknowns)}
    a_eq, b_eq = [], []
    for line in published_lines(result, grid):
        row, constant = [0.0] * len(unknowns), 0.0
        for position, (i, j) in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0
            if isinstance(grid[i][j], str):
                row[index[(i, j)]] += sign
            else:
                constant -= sign * grid[i][j]
        if any(row):
            a_eq.append(row)
            b_eq.append(constant)
    bounds = [((1, k - 1) if grid[i][j] == f"<{k}" else (k, None)) if marks else (0, None)
              for i, j in unknowns]
    ranges = {}
    for n, entry in enumerate(unknowns):
        extremes = []
        for direction in (1.0, -1.0):
            objective = [0.0] * len(unknowns)
            objective[n] = direction
            solved = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds,
                             method="highs")
            assert solved.status in (0, 3), solved.message  # the truth is always feasible
            extremes.append(math.inf if solved.status == 3 else direction * solved.fun)
        ranges[entry] = (extremes[0], extremes[1])
    return ranges


def true_grid(table: list[list[int]], result: SuppressedTable) -> list[list[int]]:
    counts = np.array(table).reshape(len(table), -1)
    if result.row_totals is not None:
        counts = np.column_stack([counts, counts.sum(axis=1)])
    if result.column_totals is not None:
        counts = np.vstack([counts, counts.sum(axis=0)])
    return counts.tolist()


@settings(deadline=None, max_examples=150)
@given(tables(), st.sampled_from([2, 3, 4, 5, 6]), st.booleans(), st.booleans())
def test_suppression_leaves_no_recoverable_figure(table, k, row_totals, col_totals):
    result = suppress(table, k=k, row_totals=row_totals, col_totals=col_totals)
    grid, truth = published_grid(result), true_grid(table, result)
    for shown_row, true_row in zip(grid, truth, strict=True):
        for shown, value in zip(shown_row, true_row, strict=True):
            if isinstance(shown, int):
                assert shown == value and not 0 < value < k  # shown figures are true, not small
            else:
                assert value > 0  # zeros are never hidden
                assert shown == (f"<{k}" if value < k else "X")
    # the line rule of the brief: no equation holds exactly one suppressed figure
    for line in published_lines(result, grid):
        assert sum(isinstance(grid[i][j], str) for i, j in line) != 1
    # the equations alone never give a suppressed figure away
    for entry, (low, high) in reader_ranges(result, k, marks=False).items():
        assert high > low, f"{entry} is recoverable in {grid}"
    # nor do they with what the marks say, unless every figure of the entry's lines is
    # suppressed or zero: then nothing more can be hidden (1 + 1 under a total "<3").
    # With k = 2 the mark "<2" says 1 by itself.
    lines = published_lines(result, grid)
    for entry, (low, high) in reader_ranges(result, k).items():
        if high - low < 1 and grid[entry[0]][entry[1]] != "<2":
            neighbours = [grid[i][j] for line in lines if entry in line for i, j in line]
            assert all(isinstance(shown, str) or shown == 0 for shown in neighbours), \
                f"{entry} is recoverable in {grid}"


@settings(deadline=None, max_examples=60)
@given(tables())
def test_suppression_without_totals_is_primary_only(table):
    result = suppress(table, row_totals=False, col_totals=False)
    assert result.mask == tuple(tuple(0 < value < 5 for value in row) for row in table)

