"""The demo's filed reports: every figure in their data sections is the report JSON's, and
a sent report keeps its figures whatever happens to the data afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import DocumentStatus, ReportDocument, Response
from enkat.reports.document import TableBlock, Text
from enkat.reports.exports import report_dict
from enkat.reports.filed.compose import PROGNOS
from enkat.reports.filed.snapshot import report_from_snapshot, report_snapshot
from enkat.reports.goals import UNDECIDED
from enkat.reports.model import Report
from enkat.services.documents import (
    document_view,
    documents_for,
    get_document,
    template_of,
    view_with_key_figures,
)
from enkat.services.documents.content import content_of, live_report
from enkat.services.organisation.forbund import get_forbund
from enkat.services.organisation.insatser import get_insats

#: Document tables that are not report tables: the insats and its period (kind insats)
#: and the entered figures (kind figures), by their section keys.
OWN_TABLES = {"insatsen", "allmant", "forbundet", "ekonomi"}


@pytest.fixture
def demo(demo):  # the demo of every test (tests/conftest.py), as its förbund
    return get_forbund(demo.forbund_slug)


def test_the_demo_files_three_reports_per_insats_and_a_helarsrapport(demo):
    found = {(d.insats.slug if d.insats else None, d.kind, d.status)
             for d in documents_for(demo)}
    for slug in ("steget-vidare", "halsolotsen", "unga-vuxna-i-arbete"):
        assert {(kind, status) for insats, kind, status in found if insats == slug} == {
            ("kvartalsrapport", DocumentStatus.SENT), ("delrapport", DocumentStatus.APPROVED),
            ("slutrapport", DocumentStatus.DRAFT)}
    assert (None, "helarsrapport", DocumentStatus.DRAFT) in found


def shown_cells(report: Report) -> dict[str, dict[tuple[str, str], object]]:
    """Every cell of the report JSON, by table id, (row label, column key)."""
    cells = {}
    for table in report_dict(report)["tables"]:
        keys = [column["key"] for column in table["columns"]]
        cells[table["id"]] = {(row[0], key): value for row in table["rows"]
                              for key, value in zip(keys, row[1:], strict=True)}
    return cells


def test_every_figure_in_the_data_sections_is_the_report_json_s(demo):
    """For a kvartals-, del- and slutrapport of an insats (sent, approved, a draft) and
    the helårsrapport: one demo load for all four, as loading it is slow."""
    for kind in ("kvartalsrapport", "delrapport", "slutrapport", "helarsrapport"):
        document = next(d for d in documents_for(demo) if d.kind == kind
                        and (d.insats is None or d.insats.slug == "steget-vidare"))
        assert figures_compared(document) > 20, kind


def figures_compared(document: ReportDocument) -> int:
    """Check each figure of the document's report tables against the JSON of the same
    report (the snapshot's when sent, the live one for a draft); count them."""
    report = content_of(document).report
    json_cells = shown_cells(report)
    compared = 0
    for block in document_view(document).blocks:
        if not isinstance(block, TableBlock):
            continue
        table = block.table
        if table.id in OWN_TABLES:
            continue
        cells = json_cells[table.id]
        for row in table.rows:
            for column, figure in zip(table.columns, row.figures, strict=True):
                if (row.label, column.key) not in cells:
                    assert column.key == "kommentar"  # the goal table's own column
                    continue
                expected = cells[row.label, column.key]
                if figure.shown == PROGNOS:
                    assert expected == UNDECIDED
                else:
                    assert figure.shown == expected, (table.id, row.label, column.key)
                compared += 1
    return compared


def test_a_data_correction_after_approval_leaves_the_approved_document_unchanged(demo):
    insats = get_insats(demo, "steget-vidare")
    document = next(d for d in documents_for(demo, insats) if d.kind == "delrapport")
    assert document.status == DocumentStatus.APPROVED
    before, figures_before = view_with_key_figures(document)
    live_before = live_report(document)

    answered = db.session.scalars(select(Response).where(
        Response.insats_id == insats.id, Response.answered_on >= document.period_start,
        Response.answered_on <= document.period_end))
    for response in list(answered)[::2]:
        db.session.delete(response)
    insats.name, insats.granted_kronor = "Nytt namn", 1
    db.session.flush()
    db.session.expire_all()

    document = get_document(demo, document.id)
    assert live_report(document) != live_before  # the data did change
    after, figures_after = view_with_key_figures(document)
    assert after == before
    assert figures_after == figures_before


def test_a_demo_report_survives_its_snapshot(demo):
    document = next(d for d in documents_for(demo) if d.kind == "helarsrapport")
    report = live_report(document)
    assert report_from_snapshot(report_snapshot(report)) == report
    sent = next(d for d in documents_for(demo) if d.status == DocumentStatus.SENT)
    stored = db.session.scalar(select(ReportDocument.snapshot).where(
        ReportDocument.id == sent.id))
    assert report_snapshot(report_from_snapshot(stored["report"])) == stored["report"]


def test_the_demo_texts_quote_key_figures_that_exist(demo):
    document = next(d for d in documents_for(demo) if d.kind == "helarsrapport")
    assert "sammanfattning" in template_of(document).keys()
    text = {t.section_key: t.text for t in document.texts}["sammanfattning"]
    assert "{{nyckeltal:deltagare}}" in text
    for document in documents_for(demo):
        written = " ".join(block.text for block in document_view(document).blocks
                           if isinstance(block, Text))
        assert "{{" not in written and "okänd uppgift" not in written
    figures = {figure.marker: figure for figure in view_with_key_figures(document)[1]}
    assert figures["{{nyckeltal:andel-till-arbete-eller-studier}}"].label == (
        "Andel till arbete eller studier")


def test_the_demo_documents_froze_their_samhallsnytta_with_the_price_list(demo):
    """The price lists and costs are in place before the demo sends its reports, so an
    approved delrapport shows samhällsnytta, not "ingen prislista"."""
    approved = [document for document in documents_for(demo)
                if document.status == DocumentStatus.APPROVED]
    assert approved
    for document in approved:
        frozen = report_from_snapshot(document.snapshot["report"])
        section = report_dict(frozen)["samhallsnytta"]
        assert section["missing"] == [] and section["assumptions"]["price_year"] == 2025
