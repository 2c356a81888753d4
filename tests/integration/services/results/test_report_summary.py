"""The summary a report opens with, built from the demo förbund's database: every
figure equals the figure of the detailed table it summarises, and the years side by side
equal the reports of those years."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.instruments import bundled_directory, load_directory
from enkat.reports.goals import TO_WORK_OR_STUDIES
from enkat.reports.period import Period
from enkat.reports.rendering import render
from enkat.services.organisation.forbund import get_forbund
from enkat.services.organisation.insatser import get_insats
from enkat.services.results.reports import build_report_for

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
SECOND_HALF = Period(dt.date(2025, 7, 1), dt.date(2025, 12, 31))
KEYS = ("deltagare", "nya", "avslutade", "andel-till-arbete-eller-studier")
NNS_TABLES = ("nns-pagaende", "nns-avslut")
#: The indicator each item of the deltagare's NNS surveys measures (the same in both).
MEASURED = {item.id: item.indicator for name in ("nns-deltagare-pagaende", "nns-deltagare-avslut")
            for item in load_directory(bundled_directory())[name].items if item.indicator}


@pytest.fixture
def demo(demo):  # the demo of every test (tests/conftest.py), as its förbund
    return get_forbund(demo.forbund_slug)


def key_figure(report, key):
    return report.table("nyckeltal").row_about(key).figures[0]


def test_the_insats_report_opens_with_its_key_figures_and_goals(demo):
    insats = get_insats(demo, "steget-vidare")
    report = build_report_for(demo, insats, period=YEAR)
    summary = report.parts[0]
    assert (summary.id, summary.title) == ("sammanfattning", "Sammanfattning")
    assert summary.table_ids[:2] == ("nyckeltal", "mal")
    assert all(part.id != "mal" for part in report.parts[1:])
    deltagare, exits, results = (report.table(table_id) for table_id in
                                 ("deltagare", "avslutsanledning", "resultat"))
    assert key_figure(report, "deltagare").value == deltagare.figure("Slutsumma", "unika").value
    assert key_figure(report, "avslutade").value == exits.figure("Slutsumma", "totalt").value
    assert key_figure(report, "pagaende").value == deltagare.figure("Slutsumma",
                                                                     "pagaende").value
    assert key_figure(report, "kon-kvinna").shown == deltagare.figure("Kvinna", "unika").shown
    assert key_figure(report, "till-arbete").value == results.figure("Arbete", "totalt").value
    assert key_figure(report, "aktivt-arbetssokande").value == results.figure(
        "Aktivt arbetssökande enligt sysselsättning", "totalt").value
    [goal] = [goal for goal in report.sections["goals"] if goal["indicator"] == TO_WORK_OR_STUDIES]
    written = report.table("nyckeltal").row_about("andel-till-arbete-eller-studier").figures[2]
    assert goal["outcome"].startswith(f"{written.value};")  # "6 av 14 = 42,9 %; målet 40 %"


def test_the_change_in_ratings_is_the_pre_post_tables(demo):
    report = build_report_for(demo, period=YEAR)
    changes = report.table("forandring-skattningar")
    assert changes.rows
    for row in changes.rows:
        prepost = report.table(f"{row.key}-prepost")
        n, first, latest, change, _ = (figure.value for figure in row.figures)
        assert n == prepost.figure("Deltagare med minst två skattningar", "varde").value
        assert first == prepost.figure("Medelvärde första skattningen", "varde").value
        assert latest == prepost.figure("Medelvärde senaste skattningen", "varde").value
        assert change == prepost.figure("Medelförändring", "varde").value


def test_the_largest_nns_changes_pool_the_nns_tables(demo):
    report = build_report_for(demo, period=SECOND_HALF)
    changes = report.table("storst-forandring")
    assert 0 < len(changes.rows) <= 5
    differences = [abs(row.figures[4].value) for row in changes.rows]
    assert differences == sorted(differences, reverse=True)
    nns = [table for table in report.tables if table.id in NNS_TABLES]
    for row in changes.rows:
        positive = n = 0
        for table in nns:
            for item_row in table.rows:
                if MEASURED.get(item_row.key) == row.key:
                    counted = table.figure(item_row.label, "n").value
                    positive += round(table.figure(item_row.label, "andel").value * counted)
                    n += counted
        assert row.figures[1].value == n
        assert row.figures[0].value == pytest.approx(positive / n)


def test_the_years_side_by_side_are_the_reports_of_those_years(demo):
    """A quarter's report: the two latest quarters come with the report's own data, the
    ones before from the trend's own queries; each column equals that quarter's report."""
    quarter = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    report = build_report_for(demo, period=quarter)
    trend = report.table("nyckeltal-per-ar")
    assert trend.title == "Nyckeltal period för period"
    assert len(trend.columns) >= 3
    for column in trend.columns:
        start, end = (dt.date.fromisoformat(day) for day in column.key.split("--"))
        that = build_report_for(demo, period=Period(start, end))
        for key in KEYS:
            assert trend.figure(trend.row_about(key).label, column.key).shown == (
                key_figure(that, key).shown), (column.key, key)
        nns = trend.figure(trend.row_about("andel-positiva-nns").label, column.key)
        assert (nns.n or 0) == sum(that.table(table_id).figure(row.label, "n").value or 0
                            for table_id in NNS_TABLES
                            if table_id in {t.id for t in that.tables}
                            for row in that.table(table_id).rows
                            if row.key in MEASURED)


def test_the_summary_is_written_in_every_format(demo):
    report = build_report_for(demo, period=SECOND_HALF)
    html = render(report, "html").decode("utf-8")
    assert "Nyckeltal" in html and "Nyckeltal period för period" in html
    assert render(report, "pdf").startswith(b"%PDF")
