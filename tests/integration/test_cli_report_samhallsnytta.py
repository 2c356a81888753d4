"""`enkat report` with samhällsnytta: a year of data with a price list gives the section
with its figures, one without says what is missing, and the assumptions are read from
--horizon and --deadweight or refused in Swedish."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from enkat.services.samhallsnytta import save_price_list, set_insats_cost

from .services.samhallsnytta.prices_data import entries

YEAR = ("--from", "2025-01-01", "--to", "2025-12-31")
COURSES = (("forsorjningsstod", "lon"), ("sjukpenning-rehabpenning", "aktivitetsstod"),
           ("aktivitetsersattning", "aktivitetsersattning"))


@pytest.fixture
def year_of_data(insats, make_participant, make_response):
    """The worked example of SAMHALLSNYTTA.md five times over: 15 deltagare, every count
    5, so nothing is suppressed at the default threshold."""
    for number in range(15):
        before, after = COURSES[number % 3]
        person = make_participant(f"CLI{number:03}")
        make_response("finsam-inskrivning", {"kon": "man", "forsorjning": before},
                      participant=person, timepoint="start", answered_on=dt.date(2025, 1, 20))
        make_response("finsam-avslut", {"avslutsanledning": "studier", "forsorjning": after},
                      participant=person, timepoint="avslut", answered_on=dt.date(2025, 10, 1))
    return insats


def report_json(enkat, insats, *options) -> dict:
    result = enkat("report", "--insats", insats.slug, *YEAR, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_year_with_a_price_list_gives_the_section(enkat, forbund, year_of_data):
    save_price_list(forbund, 2025, entries(), None)
    set_insats_cost(year_of_data, dt.date(2025, 1, 1), dt.date(2025, 12, 31), 750_000, by=None)

    report = report_json(enkat, year_of_data, "--horizon", "24", "--deadweight", "25")

    section = report["samhallsnytta"]
    assert section["n"] == 15 and len(section["monthly"]) == 24
    assert section["monthly"][0] == 71_250  # 5 × 19 000 × 75 %
    assert section["payback"][0]["text"] == "11 månader"
    assert section["assumptions"] == {"horizon": 24, "deadweight": 0.25, "persistence": 1.0,
                                      "persistences": [1.0, 0.5, 0.25], "price_year": 2025,
                                      "example_prices": False}
    assert "samhallsnytta" in [part["id"] for part in report["parts"]]


def test_without_a_price_list_the_section_says_what_is_missing(enkat, year_of_data):
    section = report_json(enkat, year_of_data)["samhallsnytta"]

    assert section["missing"] == ["prislista"]
    assert section["message"].startswith("Förbundet har ingen prislista för 2025")
    assert "monthly" not in section


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--horizon", "0", "Horisonten ”0” går inte att använda"),
    ("--horizon", "601", "från 1 till 600"),
    ("--horizon", "tolv", "Horisonten ”tolv”"),
    ("--deadweight", "101", "Dödvikten ”101” går inte att använda"),
    ("--deadweight", "-5", "från 0 till 100"),
])
def test_a_horizon_or_deadweight_out_of_range_is_refused(enkat, forbund, option, value, said):
    result = enkat("report", "--forbund", forbund.slug, *YEAR, option, value)

    assert result.exit_code == 2
    assert said in result.output and option in result.output
