"""Every format a person reads states the förbund's threshold once, near the start, and
the JSON carries it: a report built by hand with the threshold 3 (and 1, which hides
nothing)."""

import io
import json
import re
from dataclasses import replace

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from enkat.reports.exports import to_html, to_json, to_pdf
from enkat.reports.exports.docx_export import to_docx
from enkat.reports.exports.xlsx_export import to_xlsx
from enkat.reports.layout import report_document

from .test_exports import sample_report

STATED = "Uppgifter som bygger på färre än 3 deltagare, svar eller källor visas inte."
NOTHING_HIDDEN = ("Alla uppgifter visas, även de som bygger på en enda deltagare, ett svar "
                  "eller en källa")


def report(threshold: int = 3):
    return replace(sample_report(), suppression_threshold=threshold)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_json_carries_the_threshold():
    assert json.loads(to_json(report()))["suppression_threshold"] == 3


def test_html_states_it_once_in_the_header_before_any_table():
    page = to_html(report_document(report()))
    assert page.count(STATED) == 1
    header = page[page.index("<header>"):page.index("</header>")]
    assert STATED in header and page.index(STATED) < page.index("<table")


def test_pdf_states_it_once_on_the_first_page_before_the_first_table():
    pages = [one_line(page.extract_text())
             for page in PdfReader(io.BytesIO(to_pdf(report_document(report())))).pages]
    assert sum(page.count(STATED) for page in pages) == 1
    assert pages[0].index(STATED) < pages[0].index("Deltagare i perioden")


def test_xlsx_states_it_once_on_the_first_sheet_under_sekretess():
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report())))
    cells = [(sheet.title, row) for sheet in workbook
             for row in sheet.iter_rows(values_only=True)]
    stating = [(title, row) for title, row in cells
               if any(isinstance(value, str) and STATED in value for value in row)]
    assert len(stating) == 1
    (title, row), = stating
    assert title == "Om rapporten" and row[0] == "Sekretess"
    about = list(workbook["Om rapporten"].iter_rows(values_only=True))
    assert about.index(row) < 6  # with the subject and the period, before the tables


def test_docx_states_it_once_under_the_title_before_any_table():
    opened = docx.Document(io.BytesIO(to_docx(report_document(report()))))
    texts = [paragraph.text for paragraph in opened.paragraphs]
    assert sum(text.count(STATED) for text in texts) == 1
    body = list(opened.element.body)
    stating = opened.paragraphs[2]
    assert STATED in stating.text  # after the title and the period
    assert body.index(stating._element) < body.index(opened.tables[0]._element)


@pytest.mark.parametrize("render", [
    lambda r: to_html(report_document(r)),
    lambda r: one_line(" ".join(page.extract_text() for page in
                                PdfReader(io.BytesIO(to_pdf(report_document(r)))).pages)),
    lambda r: " ".join(paragraph.text for paragraph in docx.Document(
        io.BytesIO(to_docx(report_document(r)))).paragraphs),
    lambda r: " ".join(str(value) for sheet in openpyxl.load_workbook(io.BytesIO(to_xlsx(r)))
                       for row in sheet.iter_rows(values_only=True) for value in row),
], ids=["html", "pdf", "docx", "xlsx"])
def test_a_threshold_of_1_says_that_nothing_is_hidden(render):
    text = render(report(1))
    assert NOTHING_HIDDEN in text
    assert not re.search(r"färre än 1\b", text)
