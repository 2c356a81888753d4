"""What a report takes of samhällsnytta from the database: the price list of the year
its period ends in (or the latest earlier one), and the insatser's cost in the period,
prorated by days, utfall before beviljat medel."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from enkat.reports.period import Period
from enkat.scoring.samhallsnytta import Assumptions, Price
from enkat.services.samhallsnytta import report_inputs, save_price_list, set_insats_cost

from .prices_data import entries

YEAR_2025 = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
ASSUMED = Assumptions(horizon=18, deadweight=Fraction(1, 4))


def test_without_price_list_or_cost_the_inputs_say_so(forbund, insats):
    inputs = report_inputs(forbund, [insats.id], YEAR_2025, ASSUMED)

    assert inputs.assumptions == ASSUMED
    assert (inputs.prices, inputs.price_year, inputs.example_prices) == (None, None, False)
    assert (inputs.cost, inputs.cost_days) == (None, 0)


def test_the_list_of_the_year_the_period_ends_in_is_taken(forbund, insats, admin):
    save_price_list(forbund, 2024, entries(forsorjningsstod=("9000", "kommunen")), admin)
    save_price_list(forbund, 2025, entries(), admin, example=True)
    save_price_list(forbund, 2026, entries(forsorjningsstod=("11000", "kommunen")), admin)

    inputs = report_inputs(forbund, [insats.id], Period(dt.date(2024, 7, 1),
                                                        dt.date(2025, 6, 30)), ASSUMED)

    assert inputs.price_year == 2025
    assert inputs.example_prices is True
    assert inputs.prices["forsorjningsstod"] == Price(10000, "kommunen")
    assert inputs.prices["sjukpenning-rehabpenning"] == Price(18000, "forsakringskassan")
    assert inputs.prices["lon"] == Price(0, "ingen")
    assert inputs.prices["annan"] is None
    assert len(inputs.prices) == 10


def test_failing_that_the_latest_earlier_list_and_never_a_later_one(forbund, insats, admin,
                                                                    make_forbund):
    save_price_list(forbund, 2022, entries(forsorjningsstod=("8000", "kommunen")), admin)
    save_price_list(forbund, 2023, entries(forsorjningsstod=("9000", "kommunen")), admin)
    save_price_list(forbund, 2027, entries(), admin)
    other = make_forbund("annat")
    save_price_list(other, 2025, entries(), None)

    inputs = report_inputs(forbund, [insats.id], YEAR_2025, ASSUMED)
    assert (inputs.price_year, inputs.example_prices) == (2023, False)
    assert inputs.prices["forsorjningsstod"] == Price(9000, "kommunen")

    before = report_inputs(forbund, [insats.id], Period(dt.date(2021, 1, 1),
                                                        dt.date(2021, 12, 31)), ASSUMED)
    assert (before.prices, before.price_year) == (None, None)


def test_the_cost_counts_utfall_where_known_else_beviljat_medel(forbund, make_insats):
    first, second = make_insats("forsta"), make_insats("andra")
    set_insats_cost(first, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 1_000_000, 900_000,
                    by=None)
    set_insats_cost(second, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 500_000, by=None)

    inputs = report_inputs(forbund, [first.id, second.id], YEAR_2025, ASSUMED)

    assert (inputs.cost, inputs.cost_days) == (1_400_000, 365)
    assert report_inputs(forbund, [second.id], YEAR_2025, ASSUMED).cost == 500_000


def test_a_row_reaching_outside_the_period_counts_for_its_days_in_it(forbund, insats):
    # 2024-07-01 to 2025-06-30 is 365 days, 181 of them in 2025.
    set_insats_cost(insats, dt.date(2024, 7, 1), dt.date(2025, 6, 30), 365_000, by=None)
    # 2025-10-01 to 2026-03-31 is 182 days, 92 of them in 2025: 100 000 × 92/182 = 50 549.45
    set_insats_cost(insats, dt.date(2025, 10, 1), dt.date(2026, 3, 31), 100_000, by=None)

    inputs = report_inputs(forbund, [insats.id], YEAR_2025, ASSUMED)

    assert inputs.cost == 181_000 + 50_549
    assert inputs.cost_days == 181 + 92


def test_the_sum_is_rounded_once_half_up(forbund, make_insats):
    # Each row gives 0.5 kronor in the period: one krona together, not 0 + 0.
    one, two = make_insats("ett"), make_insats("tva")
    for insats in (one, two):
        set_insats_cost(insats, dt.date(2025, 12, 31), dt.date(2026, 1, 1), 1, by=None)

    inputs = report_inputs(forbund, [one.id, two.id], YEAR_2025, ASSUMED)

    assert (inputs.cost, inputs.cost_days) == (1, 1)


def test_rows_outside_the_period_or_of_other_insatser_do_not_count(forbund, insats,
                                                                   make_insats):
    set_insats_cost(insats, dt.date(2024, 1, 1), dt.date(2024, 12, 31), 300_000, by=None)
    set_insats_cost(make_insats("annan"), dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                    300_000, by=None)

    inputs = report_inputs(forbund, [insats.id], YEAR_2025, ASSUMED)
    assert (inputs.cost, inputs.cost_days) == (None, 0)
    assert report_inputs(forbund, [], YEAR_2025, ASSUMED).cost is None


def test_a_forbund_report_names_the_insatser_its_cost_leaves_out(insats, make_insats):
    half = make_insats("halvt", name="Halvt betald", starts_on=dt.date(2025, 1, 1))
    unpaid = make_insats("obetald", name="Obetald", starts_on=dt.date(2025, 1, 1))
    ended = make_insats("avslutad", name="Avslutad", starts_on=dt.date(2023, 1, 1),
                        ends_on=dt.date(2024, 12, 31))
    set_insats_cost(insats, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 1_000_000, by=None)
    set_insats_cost(half, dt.date(2025, 1, 1), dt.date(2025, 6, 30), 400_000, by=None)
    everyone = [insats.id, half.id, unpaid.id, ended.id]

    inputs = report_inputs(insats.forbund, everyone, YEAR_2025, ASSUMED)

    assert (inputs.cost, inputs.cost_days) == (1_400_000, 365)
    assert inputs.without_cost == ("Halvt betald", "Obetald")  # not the one that ended
    assert report_inputs(insats.forbund, [half.id], YEAR_2025, ASSUMED).without_cost == ()


def test_costs_that_follow_each_other_cover_the_year_and_one_day_missing_does_not(
        insats, make_insats):
    """Days are counted once, whichever rows hold them (the cost's days are the year's 365
    here); an insats whose rows leave one day out of its running days is named."""
    gap = make_insats("glapp", name="Med en dag utan kostnad", starts_on=dt.date(2025, 1, 1))
    for row in ((dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
                (dt.date(2025, 7, 1), dt.date(2026, 2, 28))):
        set_insats_cost(insats, *row, 100_000, by=None)
    for row in ((dt.date(2024, 12, 1), dt.date(2025, 6, 29)),
                (dt.date(2025, 7, 1), dt.date(2025, 12, 31))):
        set_insats_cost(gap, *row, 100_000, by=None)

    inputs = report_inputs(insats.forbund, [insats.id, gap.id], YEAR_2025, ASSUMED)

    assert inputs.cost_days == 365
    assert inputs.without_cost == ("Med en dag utan kostnad",)
