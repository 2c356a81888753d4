"""The report of the demo förbund, built from the database and written in every format."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from enkat.reports.model import Kind
from enkat.reports.period import Period
from enkat.reports.rendering import FORMATS, render
from enkat.services import organisation
from enkat.services.demo import load_demo
from enkat.services.reports import build_report_for

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def demo(db_session):
    load_demo()
    return organisation.get_forbund("alvdalen")


def test_the_forbund_report_has_every_kind_of_table(demo):
    report = build_report_for(demo, period=YEAR)
    ids = {table.id for table in report.tables}
    assert {"deltagare", "bakgrund-aldersgrupp", "avslutsanledning", "resultat", "forsorjning",
            "sysselsattning", "uppfoljning", "nns-pagaende", "nns-avslut", "ors-total-prepost",
            "ors-total-klasser", "srs-flaggor", "skapa-omraden", "processtrappan-steg-steg"} <= ids
    assert report.table("deltagare").figure("Slutsumma", "unika").value == 60
    side_by_side = report.table("insatser")
    assert [row.label for row in side_by_side.rows] == [
        "Hälsolotsen", "Steget vidare", "Unga vuxna i arbete", "Summa insatser"]
    assert side_by_side.figure("Summa insatser", "unika").value == 60


def test_no_outgoing_count_is_below_the_threshold(demo):
    report = build_report_for(demo, period=YEAR)
    k = report.suppression_threshold
    for table in report.tables:
        for index, column in enumerate(table.columns):
            if column.kind is Kind.COUNT:
                shown = [row.figures[index].shown for row in table.rows]
                assert not [s for s in shown if isinstance(s, int) and 0 < s < k], table.id


def test_an_insats_report_judges_its_goals(demo):
    insats = organisation.get_insats(demo, "steget-vidare")
    report = build_report_for(demo, insats, period=YEAR)
    goals = report.table("mal")
    assert [row.label for row in goals.rows] == [goal.description for goal in insats.goals]
    verdicts = {row.figures[0].value for row in goals.rows}
    assert verdicts <= {"Ja", "Nej", "Går inte att avgöra"}
    assert report.subject.scope == "insats"


def test_every_format_is_written(demo):
    report = build_report_for(demo, period=YEAR)
    signatures = {"json": b"{", "xlsx": b"PK", "html": b"<!doctype html", "pdf": b"%PDF"}
    for format in FORMATS:
        assert render(report, format).lower().startswith(signatures[format].lower()), format
    assert json.loads(render(report, "json"))["forbund"]["slug"] == "alvdalen"
