"""Figures written the Swedish way, shared by the HTML, PDF and XLSX explanations."""

import pytest

from enkat.reports.model import Column, Figure, Kind
from enkat.reports.numbers import (
    counted,
    format_change,
    format_count,
    format_figure,
    format_number,
    format_p_value,
    format_share,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0.317, "31,7 %"),
        (1.0, "100,0 %"),
        (0.0125, "1,3 %"),
        (-0.14, "−14,0 %"),
        (-0.0004, "0,0 %"),
    ],
)
def test_shares_are_per_cent_with_one_decimal_and_a_non_breaking_space(share, text):
    assert format_share(share) == text.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("count", "text"), [(1234, "1 234"), (1234567, "1 234 567"), (7, "7"), (0, "0"), (-14, "−14")]
)
def test_counts_group_thousands_with_non_breaking_spaces(count, text):
    assert format_count(count) == text.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 ny deltagare"), (0, "0 nya deltagare"), (2, "2 nya deltagare"),
     (1234, "1 234 nya deltagare")],
)
def test_a_count_takes_its_noun_in_the_right_form(count, text):
    assert counted(count, "ny deltagare", "nya deltagare") == text.replace("1 234", f"1{NBSP}234")


@pytest.mark.parametrize(
    ("change", "text"), [(-14, "−14"), (6, "+6"), (0, "0"), (2.25, "+2,3"), (-0.04, "0,0")]
)
def test_changes_carry_their_sign_and_a_true_minus(change, text):
    assert format_change(change) == text


def test_numbers_have_one_decimal_rounded_half_away_from_zero():
    assert format_number(5.25) == "5,3"
    assert format_number(-5.25) == "−5,3"
    assert format_number(12345.6) == f"12{NBSP}345,6"


@pytest.mark.parametrize(("count", "text"), [(9, "9"), (9.0, "9"), (10.0, "10"), (29.0, "29")])
def test_counts_are_whole_even_when_they_come_as_floats(count, text):
    assert format_count(count) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0004, "< 0,001"), (0.0, "< 0,001"), (0.000999, "< 0,001"), (0.001, "0,001"),
     (0.0123, "0,012"), (0.0125, "0,013"), (0.05, "0,050"), (0.5, "0,500"), (1.0, "1,000")],
)
def test_p_values_have_three_decimals_and_never_read_as_zero(p, text):
    assert format_p_value(p) == text.replace(" ", NBSP)


def column(kind: Kind) -> Column:
    return Column("c", "C", kind)


def test_a_figure_shows_its_mark_its_text_its_number_or_nothing():
    assert format_figure(Figure(3, n=3, suppressed="<5"), column(Kind.COUNT)) == "<5"
    assert format_figure(Figure("Går inte att avgöra"), column(Kind.TEXT)) == "Går inte att avgöra"
    assert format_figure(Figure(0.317, n=60), column(Kind.SHARE)) == f"31,7{NBSP}%"
    assert format_figure(Figure(None), column(Kind.CHANGE)) == ""


def test_a_cell_of_its_own_kind_is_written_as_that_kind_not_as_its_column():
    values = column(Kind.NUMBER)
    assert format_figure(Figure(29, n=29, kind=Kind.COUNT), values) == "29"
    assert format_figure(Figure(0.0002, n=29, kind=Kind.P_VALUE), values) == f"<{NBSP}0,001"
    assert format_figure(Figure(17.14, n=29), values) == "17,1"


def test_float_noise_does_not_decide_a_rounding():
    """A mean change of 0.95 worked out in floats is 0.9499999999999999: it is written
    as the 0.95 it is, rounded half up."""
    assert 3.55 - 2.6 == 0.9499999999999997  # the floats of a mean change
    assert format_number(3.55 - 2.6) == "1,0"
    assert format_number(2.2499999999999996) == "2,3"
    assert format_number(0.0125, decimals=3) == "0,013"
    assert format_share(0.31699999999999995) == "31,7\u00a0%"
