"""Figures written the Swedish way, shared by the HTML, PDF and XLSX explanations."""

import pytest

from enkat.reports.model import Figure, Kind
from enkat.reports.numbers import (
    format_change,
    format_count,
    format_figure,
    format_number,
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
    ("change", "text"), [(-14, "−14"), (6, "+6"), (0, "0"), (2.25, "+2,3"), (-0.04, "0,0")]
)
def test_changes_carry_their_sign_and_a_true_minus(change, text):
    assert format_change(change) == text


def test_numbers_have_one_decimal_rounded_half_away_from_zero():
    assert format_number(5.25) == "5,3"
    assert format_number(-5.25) == "−5,3"
    assert format_number(12345.6) == f"12{NBSP}345,6"


def test_a_figure_shows_its_mark_its_text_its_number_or_nothing():
    assert format_figure(Figure(3, n=3, suppressed="<5"), Kind.COUNT) == "<5"
    assert format_figure(Figure("Går inte att avgöra"), Kind.TEXT) == "Går inte att avgöra"
    assert format_figure(Figure(0.317, n=60), Kind.SHARE) == f"31,7{NBSP}%"
    assert format_figure(Figure(None), Kind.CHANGE) == ""
