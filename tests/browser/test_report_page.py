"""The report as an HTML page, in a real Chromium: axe finds nothing serious, and each
chart stands beside its table on a wide screen and under it on a narrow one."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.indicators import indicator_tables, tally
from enkat.reports.inputs import AnswerCount
from enkat.reports.model import Part, Report, Subject
from enkat.reports.rendering import render
from enkat.scoring import Suppression
from tests.browser.pages import describe, run_axe, serious


@pytest.fixture(scope="module")
def report_page() -> str:
    survey = load_directory(bundled_directory())["nns-deltagare-pagaende"]
    counts = [AnswerCount(survey.id, "pagaende", item, value, count)
              for item in ("q1", "q2") for value, count in (("6", 9), ("2", 4))]
    [table] = indicator_tables(survey, tally(counts, {survey.id: survey}), {}, Suppression(5))
    report = Report(Subject("insats", "steget", "Steget", "Finsam Nord"), dt.date(2025, 1, 1),
                    dt.date(2025, 12, 31), 5, (table,), parts=(Part("nns", survey.title.get("sv"),
                                                                     (table.id,)),))
    return render(report, "html").decode("utf-8")


def boxes(page):
    table = page.locator(".with-chart .figures").bounding_box()  # the table, scrolled in it
    chart = page.locator(".with-chart img").bounding_box()
    return table, chart


def test_the_report_page_has_no_serious_axe_violations(new_context, axe_source, report_page):
    page = new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_content(report_page)
    violations = serious(run_axe(page, axe_source))
    assert not violations, describe(violations)


def test_a_chart_stands_beside_its_table_when_there_is_room(new_context, report_page):
    page = new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_content(report_page)
    table, chart = boxes(page)
    assert chart["x"] >= table["x"] + table["width"]  # to the right
    assert chart["y"] < table["y"] + table["height"]  # at its height


def test_a_chart_stands_under_its_table_on_a_narrow_screen(new_context, report_page):
    page = new_context(viewport={"width": 400, "height": 900}).new_page()
    page.set_content(report_page)
    table, chart = boxes(page)
    assert chart["y"] >= table["y"] + table["height"]
    assert chart["width"] <= 400
