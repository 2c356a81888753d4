"""Samhällsnytta through the whole stack: the worked example of SAMHALLSNYTTA.md
registered with the real registration services (inskrivning and avslut), a price list
and a cost saved in the database, the report built from them and written as JSON.

The förbund's suppression threshold is set to 1 so that the three deltagare of the
worked example are shown as they are (at 5, every figure would rest on too few)."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

from enkat.reports.period import Period
from enkat.reports.rendering import render
from enkat.scoring.samhallsnytta import Assumptions
from enkat.services.organisation.suppression import set_suppression_threshold
from enkat.services.results.reports import build_report_for
from enkat.services.samhallsnytta import save_price_list, set_insats_cost

from ..samhallsnytta.prices_data import entries

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
#: The domain page's three deltagare: before and after.
WORKED_EXAMPLE = {"SAMH01": ("forsorjningsstod", "lon"),
                  "SAMH02": ("sjukpenning-rehabpenning", "aktivitetsstod"),
                  "SAMH03": ("aktivitetsersattning", "aktivitetsersattning")}


def register(make_participant, make_response, code: str, before: str, after: str,
             started: dt.date = dt.date(2025, 1, 15), ended: dt.date = dt.date(2025, 9, 30)):
    person = make_participant(code)
    make_response("finsam-inskrivning", {"kon": "kvinna", "forsorjning": before},
                  participant=person, timepoint="start", answered_on=started)
    make_response("finsam-avslut", {"avslutsanledning": "arbete", "forsorjning": after},
                  participant=person, timepoint="avslut", answered_on=ended)
    return person


def worked_example(forbund, insats, admin, make_participant, make_response) -> None:
    set_suppression_threshold(forbund, 1, admin, reason="Det räknade exemplet visas helt.",
                              confirmed=True)
    save_price_list(forbund, 2025, entries(), admin)
    set_insats_cost(insats, YEAR.start, YEAR.end, 150_000, by=admin)
    for code, (before, after) in WORKED_EXAMPLE.items():
        register(make_participant, make_response, code, before, after)


def samhallsnytta_of(report) -> dict:
    return json.loads(render(report, "json"))["samhallsnytta"]


def test_the_worked_example_pays_back_in_8_months(forbund, insats, admin, make_participant,
                                                   make_response):
    worked_example(forbund, insats, admin, make_participant, make_response)

    section = samhallsnytta_of(build_report_for(forbund, insats, period=YEAR))

    assert section["n"] == 3 and section["cost"] == 150_000
    assert section["monthly"] == [19_000] * 12
    assert section["by_payer"] == {"kommunen": [10_000] * 12,
                                   "forsakringskassan": [18_000] * 12,
                                   "arbetsformedlingen": [-9_000] * 12}
    assert [(entry["persistence"], entry["month"], entry["text"])
            for entry in section["payback"]] == [(1.0, 8, "8 månader"),
                                                  (0.5, None, "inte inom 12 månader"),
                                                  (0.25, None, "inte inom 12 månader")]
    assert section["assumptions"]["price_year"] == 2025


def test_a_deadweight_of_25_per_cent_pays_back_in_11_months(forbund, insats, admin,
                                                            make_participant, make_response):
    worked_example(forbund, insats, admin, make_participant, make_response)

    report = build_report_for(forbund, insats, period=YEAR,
                              assumptions=Assumptions(deadweight=Fraction(1, 4)))

    section = samhallsnytta_of(report)
    assert section["payback"][0]["month"] == 11
    assert section["monthly"][0] == 14_250
    assert section["assumptions"]["deadweight"] == 0.25


def test_the_forbund_report_and_a_follow_up_in_the_database(forbund, insats, admin,
                                                            make_participant, make_response):
    """The 6-month follow-up of the first deltagare says försörjningsstöd again: from
    month 7 kommunen saves nothing on her."""
    worked_example(forbund, insats, admin, make_participant, make_response)
    first = make_participant("SAMH01")
    make_response("finsam-uppfoljning", {"lage": "arbete-studier-arbetssokande",
                                         "forsorjning": "forsorjningsstod"},
                  participant=first, timepoint="uppfoljning-6m", answered_on=dt.date(2026, 3, 30))

    report = build_report_for(forbund, period=YEAR)

    section = samhallsnytta_of(report)
    assert section["by_payer"]["kommunen"] == [10_000] * 6 + [0] * 6
    assert [part.id for part in report.parts][:3] == ["sammanfattning", "deltagare",
                                                      "samhallsnytta"]
