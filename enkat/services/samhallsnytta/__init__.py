"""Samhällsnytta's inputs kept by the förbund: its price lists per year (`prices`) and
what its insatser cost per period (`costs`), and both as a report takes them
(`report_inputs`). The computation itself is pure: `enkat.scoring.samhallsnytta`."""

from __future__ import annotations

from collections.abc import Sequence

from enkat.models import Forbund
from enkat.reports.inputs import SamhallsnyttaInputs
from enkat.reports.period import Period
from enkat.scoring.samhallsnytta import Assumptions

from .costs import (
    insats_costs,
    period_cost,
    remove_insats_cost,
    set_insats_cost,
    without_whole_cost,
)
from .prices import (
    NOT_PRICED,
    PriceEntry,
    PriceImportFailed,
    Source,
    copy_price_list,
    entries_of,
    find_price_list,
    import_prices,
    is_sensible_year,
    new_year_problems,
    price_list_for,
    price_years,
    prices_of,
    save_price_list,
    support_sources,
)

__all__ = [
    "NOT_PRICED", "PriceEntry", "PriceImportFailed", "Source", "copy_price_list",
    "entries_of", "find_price_list", "import_prices", "insats_costs", "is_sensible_year",
    "new_year_problems", "period_cost", "price_list_for", "price_years", "prices_of",
    "remove_insats_cost", "report_inputs", "save_price_list", "set_insats_cost",
    "support_sources", "without_whole_cost",
]


def report_inputs(forbund: Forbund, insats_ids: Sequence[int], period: Period,
                  assumptions: Assumptions) -> SamhallsnyttaInputs:
    """What a report on `insats_ids` over `period` needs for its samhällsnytta: the price
    list of the year the period ends in (or the latest earlier one) and what the
    insatser cost in the period (`costs.period_cost`)."""
    price_list = price_list_for(forbund, period.end.year)
    cost, cost_days = period_cost(insats_ids, period)
    costs = {"cost": cost, "cost_days": cost_days,
             "without_cost": tuple(without_whole_cost(insats_ids, period))
             if len(insats_ids) > 1 else ()}
    if price_list is None:
        return SamhallsnyttaInputs(assumptions, **costs)
    return SamhallsnyttaInputs(assumptions, prices=prices_of(price_list),
                               price_year=price_list.year, example_prices=price_list.example,
                               **costs)
