"""Samhällsnytta, worked by hand: the domain page's example to the krona, follow-ups that
replace the status at exit, a payer that loses while another gains, who is left out and
why, and properties that must hold for any deltagare and prices."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enkat.scoring.samhallsnytta import (
    PAYERS,
    Assumptions,
    LeftOut,
    Price,
    SupportCourse,
    saving,
)

#: The prices of the worked example in SAMHALLSNYTTA.md.
PRICES = {
    "forsorjningsstod": Price(10_000, "kommunen"),
    "aktivitetsersattning": Price(12_000, "forsakringskassan"),
    "sjukpenning-rehabpenning": Price(18_000, "forsakringskassan"),
    "aktivitetsstod": Price(9_000, "arbetsformedlingen"),
    "lon": Price(0, "ingen"),
    "annan": None,  # ej prissatt
}


def course(before: str, after: str, **follow_ups: str) -> SupportCourse:
    """A deltagare's sources, comma separated; follow-ups by name ``m6="lon"``."""
    return SupportCourse(_sources(before), _sources(after),
                         {int(name[1:]): _sources(value) for name, value in follow_ups.items()})


def _sources(text: str) -> frozenset[str]:
    return frozenset(source for source in text.split(",") if source)


WORKED = [course("forsorjningsstod", "lon"),
          course("sjukpenning-rehabpenning", "aktivitetsstod"),
          course("aktivitetsersattning", "aktivitetsersattning")]


def test_the_worked_example_pays_back_in_8_months():
    figures = saving(WORKED, PRICES)
    assert figures.monthly == (19_000,) * 12
    assert figures.cumulative[7] == 152_000 and figures.cumulative[6] == 133_000
    assert figures.payback_month(150_000) == 8
    assert figures.included == 3 and figures.left_out == {}


def test_the_worked_example_at_deadweight_25_percent_pays_back_in_11_months():
    figures = saving(WORKED, PRICES, Assumptions(deadweight=Fraction(1, 4)))
    assert figures.monthly[0] == 14_250
    assert figures.cumulative[9] == 142_500 and figures.cumulative[10] == 156_750
    assert figures.payback_month(150_000) == 11


def test_the_worked_example_per_payer():
    by_payer = saving(WORKED, PRICES).by_payer
    assert {payer: months[0] for payer, months in by_payer.items()} == {
        "kommunen": 10_000, "forsakringskassan": 18_000, "arbetsformedlingen": -9_000,
        "ingen": 0}
    assert all(len(set(months)) == 1 for months in by_payer.values())


def test_before_and_after_count_the_deltagare_with_each_source():
    figures = saving(WORKED, PRICES)
    assert figures.before == {"forsorjningsstod": 1, "sjukpenning-rehabpenning": 1,
                              "aktivitetsersattning": 1}
    assert figures.after == {"lon": 1, "aktivitetsstod": 1, "aktivitetsersattning": 1}


def test_several_sources_at_once_are_each_counted_at_their_price():
    figures = saving([course("forsorjningsstod,aktivitetsstod", "lon")], PRICES)
    assert figures.monthly[0] == 19_000
    assert figures.by_payer["kommunen"][0] == 10_000
    assert figures.by_payer["arbetsformedlingen"][0] == 9_000


def test_a_follow_up_replaces_the_status_at_exit_from_the_month_after_it():
    # back on försörjningsstöd at the 6-month follow-up: saving in months 1-6 only
    figures = saving([course("forsorjningsstod", "lon", m6="forsorjningsstod")], PRICES)
    assert figures.monthly == (10_000,) * 6 + (0,) * 6
    assert figures.cumulative[-1] == 60_000
    assert figures.payback_month(60_000) == 6
    assert figures.payback_month(60_001) is None


def test_the_18_month_follow_up_takes_over_from_month_19():
    # lön at exit, aktivitetsstöd at 6 months, lön again at 18 months
    figures = saving([course("forsorjningsstod", "lon", m6="aktivitetsstod", m18="lon")],
                     PRICES, Assumptions(horizon=24))
    assert figures.monthly == (10_000,) * 6 + (1_000,) * 12 + (10_000,) * 6
    assert figures.by_payer["arbetsformedlingen"] == (0,) * 6 + (-9_000,) * 12 + (0,) * 6
    assert figures.cumulative[-1] == 60_000 + 12_000 + 60_000


def test_a_follow_up_after_the_horizon_changes_nothing_within_it():
    with_late = saving([course("forsorjningsstod", "lon", m18="forsorjningsstod")], PRICES)
    assert with_late.monthly == (10_000,) * 12


def test_a_payer_can_lose_while_another_gains():
    figures = saving([course("sjukpenning-rehabpenning", "aktivitetsstod")], PRICES)
    assert figures.by_payer["forsakringskassan"][0] == 18_000
    assert figures.by_payer["arbetsformedlingen"][0] == -9_000
    assert figures.monthly[0] == 9_000


def test_a_change_for_the_worse_is_a_negative_saving():
    figures = saving([course("lon", "forsorjningsstod")], PRICES)
    assert figures.monthly[0] == -10_000
    assert figures.payback_month(1) is None


def test_deltagare_without_support_or_with_an_unpriced_source_are_left_out_and_counted():
    figures = saving([*WORKED,
                      course("", "lon"),
                      course("forsorjningsstod", ""),
                      course("forsorjningsstod", "annan"),  # ej prissatt
                      course("forsorjningsstod", "lon", m6="a-kassa"),  # not in the list
                      course("", "")],
                     PRICES)
    assert figures.included == 3
    assert figures.left_out == {LeftOut.NO_SUPPORT_BEFORE: 2, LeftOut.NO_SUPPORT_AFTER: 1,
                                LeftOut.UNPRICED: 2}
    assert figures.monthly == saving(WORKED, PRICES).monthly


def test_nobody_included_saves_nothing_and_never_pays_back():
    figures = saving([], PRICES)
    assert figures.included == 0 and figures.monthly == (0,) * 12
    assert figures.payback_month(1) is None


def test_the_persistence_scales_the_saving():
    half = saving(WORKED, PRICES, Assumptions(persistence=Fraction(1, 2)))
    assert half.monthly[0] == 9_500
    assert half.payback_month(150_000) is None  # 114 000 after 12 months
    longer = saving(WORKED, PRICES, Assumptions(horizon=24, persistence=Fraction(1, 2)))
    assert longer.payback_month(150_000) == 16  # 142 500 after 15, 152 000 after 16


def test_deadweight_and_persistence_multiply_exactly():
    figures = saving([course("forsorjningsstod", "lon")], {"forsorjningsstod": Price(
        10_001, "kommunen"), "lon": Price(0, "ingen")},
        Assumptions(deadweight=Fraction(1, 3), persistence=Fraction(1, 4)))
    assert figures.monthly[0] == Fraction(10_001 * 2, 3 * 4)


@pytest.mark.parametrize(("kronor", "payer"), [(-1, "kommunen"), (100, "staten")])
def test_a_price_is_whole_kronor_of_a_known_payer(kronor, payer):
    with pytest.raises(ValueError):
        Price(kronor, payer)


@pytest.mark.parametrize("wrong", [dict(horizon=0), dict(horizon=601),
                                   dict(deadweight=Fraction(-1, 100)),
                                   dict(deadweight=Fraction(101, 100)),
                                   dict(persistence=Fraction(3, 2))])
def test_assumptions_out_of_range_are_refused(wrong):
    with pytest.raises(ValueError):
        Assumptions(**wrong)


# --- properties ------------------------------------------------------------------------

SOURCES = ("forsorjningsstod", "aktivitetsersattning", "sjukpenning-rehabpenning",
           "aktivitetsstod", "lon")
some_sources = st.frozensets(st.sampled_from(SOURCES), max_size=3)
courses = st.lists(st.builds(
    SupportCourse, some_sources, some_sources,
    st.dictionaries(st.sampled_from((6, 18)), some_sources, max_size=2)), max_size=12)
prices = st.fixed_dictionaries({source: st.builds(
    Price, st.integers(0, 30_000), st.sampled_from(sorted(PAYERS))) for source in SOURCES})
assumptions = st.builds(Assumptions, st.integers(1, 30),
                        st.fractions(0, 1, max_denominator=100),
                        st.fractions(0, 1, max_denominator=100))


@given(courses, prices, assumptions, st.integers(0, 5))
def test_the_saving_is_linear_in_the_prices(deltagare, priced, assumed, times):
    scaled = {source: Price(price.kronor * times, price.payer)
              for source, price in priced.items()}
    assert saving(deltagare, scaled, assumed).monthly == tuple(
        month * times for month in saving(deltagare, priced, assumed).monthly)


@given(courses, prices, assumptions)
def test_persistence_0_saves_nothing(deltagare, priced, assumed):
    nothing = Assumptions(assumed.horizon, assumed.deadweight, Fraction(0))
    figures = saving(deltagare, priced, nothing)
    assert set(figures.monthly) <= {0}
    assert all(set(months) <= {0} for months in figures.by_payer.values())


@given(courses, prices, assumptions, st.randoms())
def test_the_order_of_the_deltagare_does_not_matter(deltagare, priced, assumed, chance):
    shuffled = list(deltagare)
    chance.shuffle(shuffled)
    assert saving(shuffled, priced, assumed) == saving(deltagare, priced, assumed)


@given(courses, courses, prices, assumptions)
def test_two_groups_save_the_sum_of_what_each_saves(first, second, priced, assumed):
    together = saving([*first, *second], priced, assumed)
    apart = saving(first, priced, assumed), saving(second, priced, assumed)
    assert together.monthly == tuple(a + b for a, b in zip(apart[0].monthly, apart[1].monthly,
                                                              strict=True))
    assert together.included == apart[0].included + apart[1].included


@given(courses, prices, assumptions)
def test_the_payers_add_up_to_the_total(deltagare, priced, assumed):
    figures = saving(deltagare, priced, assumed)
    assert figures.monthly == tuple(sum(months) for months in zip(
        *figures.by_payer.values(), strict=True)) or not figures.by_payer
