"""Small-cell suppression on example tables, each step explained (k = 5 unless said)."""

from __future__ import annotations

import pytest

from enkat.scoring import (
    CountShare,
    column_shares,
    count_share,
    shares_by_column,
    suppress,
    suppress_column,
)


def test_primary_suppression_without_totals():
    # 3 is below 5; 0 is shown; nothing to recover without totals
    result = suppress([[12, 3], [0, 7]], row_totals=False, col_totals=False)
    assert result.cells == ((12, "<5"), (0, 7))
    assert result.mask == ((False, True), (False, False))
    assert (result.row_totals, result.column_totals, result.grand_total) == (None, None, None)


def test_a_column_with_its_total():
    # 3 alone in "12 + 3 + 0 + 25 = 40" would be 40 − 12 − 0 − 25 = 3: the smallest other
    # non-zero count, 12, is suppressed too (marked X: it is not small). The reader then
    # knows x + y = 15 with x in 1..4, y ≥ 5: x could be 1, 2, 3 or 4.
    result = suppress_column([12, 3, 0, 25])
    assert result.counts == ("X", "<5", 0, 25)
    assert result.total == 40


def test_the_marks_themselves_can_give_a_count_away():
    # 1 + 5 + 40 = 46. The line rule hides 1 and 5: x + y = 6, x in 1..4 ("<5"), y ≥ 5
    # ("X") leaves only x = 1, y = 5. The audit sees it and hides 40 as well:
    # x + y + z = 46 with z ≥ 5 leaves x free in 1..4.
    result = suppress_column([1, 5, 40])
    assert result.counts == ("<5", "X", "X")
    assert result.total == 46


def test_a_table_with_row_and_column_totals():
    #   3  12  40 | 55        3 is small. Row 1: hide the smallest other, 12.
    #   8   9  30 | 47        Column 1: 3 alone → hide 8. Column 2: 12 alone → hide 9.
    #  11  21  70 | 102       Now every row and column has two suppressed cells:
    # 3 + 12 = 15, 8 + 9 = 17, 3 + 8 = 11, 12 + 9 = 21; with a in 1..4 every choice of
    # a fits (b = 15 − a ≥ 5, c = 11 − a ≥ 5, d = 6 + a ≥ 5), so nothing is recovered.
    result = suppress([[3, 12, 40], [8, 9, 30]])
    assert result.cells == (("<5", "X", 40), ("X", "X", 30))
    assert result.row_totals == (55, 47)
    assert result.column_totals == (11, 21, 70)
    assert result.grand_total == 102


def test_a_cell_pinned_by_combining_rows_and_columns():
    # Two blocks of small cells and a small cell between them:
    #    2   3   1  20 | 26       Every row and column has two or three suppressed cells,
    #    4   2  30  25 | 61       but rows 1 + 2 minus columns 1 + 2 leave only the 1:
    #   30  25   3   2 | 60       (26 + 61 − 20 − 30 − 25) − (56 + 60 − 30 − 20 − 25 − 30)
    #   20  30   4   1 | 55       = 12 − 11 = 1. The audit hides 20 in row 1 as well,
    #   56  60  38  48 | 202      which puts the 1 on a cycle of suppressed cells.
    result = suppress([[2, 3, 1, 20], [4, 2, 30, 25], [30, 25, 3, 2], [20, 30, 4, 1]])
    assert result.cells == (("<5", "<5", "<5", "X"), ("<5", "<5", 30, 25),
                            (30, 25, "<5", "<5"), (20, 30, "<5", "<5"))
    assert result.row_totals == (26, 61, 60, 55)
    assert result.column_totals == (56, 60, 38, 48)


def test_small_totals_are_suppressed_too():
    # a row of 2 + 1 + 0 = 3 people: every non-zero figure, the totals included, is small
    result = suppress([[2, 1, 0]])
    assert result.cells == (("<5", "<5", 0),)
    assert result.row_totals == ("<5",)
    assert result.column_totals == ("<5", "<5", 0)
    assert result.grand_total == "<5"


def test_a_wholly_small_line_is_left_as_it_is():
    # k = 3, column totals only. Column 1 is 1 + 1 = 2: every figure is "<3", so a reader
    # can still reason that two non-zero counts under a total below 3 are both 1. Nothing
    # more can be hidden in that column, and hiding the 9, 7 or 20 would not help, so the
    # rest of the table stays shown.
    result = suppress([[1, 9, 0], [1, 7, 20]], k=3, row_totals=False)
    assert result.cells == (("<3", 9, 0), ("<3", 7, 20))
    assert result.column_totals == ("<3", 16, 20)


def test_zeros_are_shown():
    result = suppress([[0, 0], [0, 0]])
    assert result.cells == ((0, 0), (0, 0))
    assert result.grand_total == 0


@pytest.mark.parametrize(("k", "cells"), [
    (3, ((12, 3), (0, 7))),  # 3 is not below 3
    (1, ((12, 3), (0, 7))),  # k = 1 suppresses nothing
    (10, (("X", "<10"), (0, "<10"))),
])
def test_the_threshold_is_a_parameter(k, cells):
    assert suppress([[12, 3], [0, 7]], k=k).cells == cells


def test_the_secondary_mark_is_a_parameter():
    assert suppress_column([12, 3, 0, 25], secondary_mark="..").counts == ("..", "<5", 0, 25)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        suppress([[1]], k=0)
    with pytest.raises(ValueError, match="rectangle"):
        suppress([[1, -2]])


def test_empty_tables():
    assert suppress([]).cells == ()
    assert suppress_column([]).total == 0


def test_shares_are_suppressed_with_their_counts():
    shared = column_shares(suppress_column([12, 3, 0, 25]))
    assert shared == (CountShare("X", "X"), CountShare("<5", "<5"), CountShare(0, 0.0),
                      CountShare(25, 25 / 40))


def test_a_share_of_a_suppressed_denominator_is_suppressed():
    assert count_share(7, "X") == CountShare(7, "X")
    assert count_share(0, 0) == CountShare(0, None)


def test_shares_by_column():
    # categories in rows, kön in columns: the 3 women and the 8 beside them are hidden
    table = suppress([[3, 12], [8, 9], [40, 30]], row_totals=False)
    assert table.cells == (("<5", 12), ("X", 9), (40, 30))
    assert shares_by_column(table) == (
        (CountShare("<5", "<5"), CountShare(12, 12 / 51)),
        (CountShare("X", "X"), CountShare(9, 9 / 51)),
        (CountShare(40, 40 / 51), CountShare(30, 30 / 51)),
    )
    with pytest.raises(ValueError, match="column totals"):
        shares_by_column(suppress([[1]], col_totals=False))
    with pytest.raises(ValueError, match="column total"):
        column_shares(suppress_column([1], total=False))
