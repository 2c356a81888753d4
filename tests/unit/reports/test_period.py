"""Report periods."""

import datetime as dt

import pytest

from enkat.reports.period import Period, default_year

D = dt.date


def test_a_period_knows_its_length_and_the_one_before():
    year = Period(D(2025, 1, 1), D(2025, 12, 31))
    assert year.days == 365
    assert year.previous() == Period(D(2024, 1, 1), D(2024, 12, 31))
    quarter = Period(D(2025, 4, 1), D(2025, 6, 30))
    assert quarter.previous() == Period(D(2025, 1, 1), D(2025, 3, 31))
    odd = Period(D(2025, 3, 10), D(2025, 3, 19))
    assert odd.previous() == Period(D(2025, 2, 28), D(2025, 3, 9))
    with pytest.raises(ValueError, match="ends"):
        Period(D(2025, 2, 1), D(2025, 1, 1))


@pytest.mark.parametrize(("today", "year"), [
    (dt.date(2026, 1, 1), 2025), (dt.date(2028, 2, 29), 2027), (dt.date(2026, 6, 30), 2025),
    (dt.date(2026, 7, 1), 2026), (dt.date(2026, 12, 31), 2026),
])
def test_the_default_year_is_the_one_most_of_the_last_twelve_months_fall_in(today, year):
    assert default_year(today) == year
