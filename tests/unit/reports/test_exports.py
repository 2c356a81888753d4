"""The outgoing formats of a report: JSON and XLSX of its tables; HTML, PDF and Word of
its layout. Rendered from a small report built by hand. No app, no database."""

import datetime as dt
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import replace

import docx
import docx.document
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image
from pypdf import PdfReader

from enkat.reports.document import Document, Heading, TableBlock, Text
from enkat.reports.exports import (
    PdfUnavailable,
    pdf_export,
    report_dict,
    to_html,
    to_json,
    to_pdf,
)
from enkat.reports.exports.docx_export import to_docx
from enkat.reports.exports.html_export import table_html
from enkat.reports.exports.texts import column_explanation, suppression_text
from enkat.reports.exports.xlsx_export import to_xlsx
from enkat.reports.layout import report_document
from enkat.reports.model import Column, Figure, Kind, Part, Report, Row, Subject, Table

NBSP = "\u00a0"
HOSTILE = "<script>alert(1)</script>"
# The suppressed count 3 (n 3) as a number of its own: not part of 31, 2025-03 or 0,3.
SUPPRESSED_THREE = re.compile(r"(?<![\d,.])3(?!\d|[,.]\d)")
# The suppressed share 0.0667 (6,7 %) and its interval 0.0184-0.162, in any spelling.
SUPPRESSED_SHARE = re.compile(r"0\.0667|6[,.]7|0\.0184|1[,.]8|0\.162|16[,.]2")


def sample_report(insats_name: str = "Steget") -> Report:
    """A count table with a Slutsumma row, a share table with intervals, suppressed,
    empty and text figures."""
    deltagare = Table(
        id="deltagare",
        title="Deltagare i perioden",
        columns=(
            Column("kvinna", "Kvinnor", Kind.COUNT),
            Column("man", "Män", Kind.COUNT),
            Column("alla", "Alla", Kind.COUNT),
        ),
        rows=(
            Row("Aktiva", (Figure(12, n=12), Figure(8, n=8), Figure(20, n=20))),
            Row("Nya", (Figure(3, n=3, suppressed="<5"), Figure(6, n=6), Figure(9, n=9))),
            Row("Slutsumma", (Figure(12, n=12), Figure(8, n=8), Figure(20, n=20)), is_total=True),
        ),
        notes=("Unika deltagare som varit aktiva någon dag i perioden.",),
    )
    avslut = Table(
        id="avslutsanledning",
        title="Avslutsanledning",
        columns=(
            Column("antal", "Antal", Kind.COUNT),
            Column("andel", "Andel", Kind.SHARE),
            Column("forandring", "Förändring", Kind.CHANGE),
        ),
        rows=(
            Row("Arbete", (Figure(19, n=19), Figure(0.317, n=60, low=0.21, high=0.44),
                           Figure(6))),
            Row("Studier", (Figure(4, n=4, suppressed="<5"),
                            Figure(0.0667, n=60, low=0.0184, high=0.162, suppressed="<5"),
                            Figure(-14))),
            Row("Övrigt", (Figure(37, n=37), Figure(0.6167, n=60, low=0.49, high=0.73),
                           Figure(None))),
            Row("Slutsumma", (Figure(60, n=60), Figure(1.0, n=60), Figure(-8)), is_total=True),
        ),
        notes=("Alla som avslutats i perioden; andelen är av dem alla.",),
    )
    bedomning = Table(
        id="bedomning",
        title="Bedömning",
        columns=(Column("mal", "Målet nått", Kind.TEXT), Column("medel", "Medel", Kind.NUMBER)),
        rows=(
            Row("Nytta", (Figure("Ja"), Figure(5.25, n=12))),
            Row("Inflytande", (Figure("Går inte att avgöra"), Figure(None))),
        ),
    )
    return Report(
        subject=Subject("insats", "steget", insats_name, "Finsam Nord"),
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        suppression_threshold=5,
        tables=(deltagare, avslut, bedomning),
        sections={
            "indicators": [{"id": "nytta", "share": 0.8, "label": "Nytta"}],
            "goals": [{"text": "Deltagarna närmar sig egen försörjning", "met": "Ja"}],
        },
    )


def a_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), "steelblue").save(buffer, format="PNG")
    return buffer.getvalue()


AN_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="steelblue"/></svg>'
)


# JSON


def test_json_names_the_subject_period_and_threshold():
    data = report_dict(sample_report())
    assert data["insats"] == {"slug": "steget", "name": "Steget", "forbund": "Finsam Nord"}
    assert "forbund" not in data
    assert (data["from"], data["to"]) == ("2025-01-01", "2025-12-31")
    assert data["suppression_threshold"] == 5
    assert [table["id"] for table in data["tables"]] == [
        "deltagare", "avslutsanledning", "bedomning"
    ]


def test_json_of_a_forbund_report_names_the_forbund():
    report = sample_report()
    whole = Report(Subject("forbund", "finsam-nord", "Finsam Nord", "Finsam Nord"),
                   report.period_from, report.period_to, 5, report.tables)
    data = report_dict(whole)
    assert data["forbund"] == {"slug": "finsam-nord", "name": "Finsam Nord"}
    assert "insats" not in data
    assert (data["indicators"], data["prepost"], data["goals"]) == (None, None, None)


def test_json_tables_have_labels_first_marks_for_suppressed_and_null_n():
    tables = report_dict(sample_report())["tables"]
    assert tables[0] == {
        "id": "deltagare",
        "title": "Deltagare i perioden",
        "columns": [
            {"key": "kvinna", "label": "Kvinnor", "kind": "count"},
            {"key": "man", "label": "Män", "kind": "count"},
            {"key": "alla", "label": "Alla", "kind": "count"},
        ],
        "rows": [["Aktiva", 12, 8, 20], ["Nya", "<5", 6, 9], ["Slutsumma", 12, 8, 20]],
        "n": [["Aktiva", 12, 8, 20], ["Nya", None, 6, 9], ["Slutsumma", 12, 8, 20]],
        "notes": ["Unika deltagare som varit aktiva någon dag i perioden."],
    }
    avslut = tables[1]
    assert avslut["rows"] == [
        ["Arbete", 19, 0.317, 6],
        ["Studier", "<5", "<5", -14],
        ["Övrigt", 37, 0.6167, None],
        ["Slutsumma", 60, 1.0, -8],
    ]
    assert avslut["n"] == [
        ["Arbete", 19, 60, None],
        ["Studier", None, None, None],
        ["Övrigt", 37, 60, None],
        ["Slutsumma", 60, 60, None],
    ]
    assert avslut["intervals"] == [
        ["Arbete", None, [0.21, 0.44], None],
        ["Studier", None, None, None],
        ["Övrigt", None, [0.49, 0.73], None],
        ["Slutsumma", None, None, None],
    ]
    assert tables[2]["rows"] == [["Nytta", "Ja", 5.25], ["Inflytande", "Går inte att avgöra", None]]
    assert "intervals" not in tables[2]


def test_json_passes_sections_through_with_sorted_keys():
    text = to_json(sample_report())
    data = json.loads(text)
    assert data["indicators"] == [{"id": "nytta", "label": "Nytta", "share": 0.8}]
    assert data["goals"] == [{"met": "Ja", "text": "Deltagarna närmar sig egen försörjning"}]
    assert data["prepost"] is None and data["coverage"] is None
    assert text.index('"id": "nytta"') < text.index('"label": "Nytta"') < text.index('"share"')
    assert "försörjning" in text  # letters, not \u escapes
    assert text.startswith('{\n  "coverage": null,\n  "from": "2025-01-01",')


def test_json_never_carries_a_suppressed_value_n_or_interval():
    text = to_json(sample_report())
    assert not SUPPRESSED_SHARE.search(text)
    numbers = re.findall(r"(?<![\w.\-])-?\d+(?:\.\d+)?(?![\w.\-])", text)
    assert "3" not in numbers and "4" not in numbers


# XLSX


def load_workbook(report: Report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))


def test_xlsx_explains_the_report_first_then_has_one_sheet_per_table():
    workbook = load_workbook(sample_report())
    assert workbook.sheetnames == ["Om rapporten", "deltagare", "avslutsanledning", "bedomning"]
    about = [value for row in workbook["Om rapporten"].iter_rows(values_only=True)
             for value in row if value is not None]
    for expected in ("Steget, Finsam Nord", "2025-01-01 – 2025-12-31",
                     "Deltagare i perioden (bladet deltagare)",
                     "Alla som avslutats i perioden; andelen är av dem alla.", "Ordlista",
                     "Andel. n = 60.", "Slutsumma"):
        assert expected in about
    assert any("färre än 5" in str(value) for value in about)


def test_the_explanation_names_the_n_of_shown_figures_only():
    column = Column("andel", "Andel", Kind.SHARE)
    rows = tuple(Row(label, (figure,)) for label, figure in (
        ("Arbete", Figure(0.5, n=12)), ("Studier", Figure(0.1, n=45)),
        ("Övrigt", Figure(0.6667, n=3, suppressed="<5")),
    ))
    table = Table(id="andelar", title="Andelar", columns=(column,), rows=rows)
    assert column_explanation(table, 0) == "Andel. n = 12–45, olika för olika rader."
    counts = Table(id="antal", title="Antal", columns=(Column("antal", "Antal", Kind.COUNT),),
                   rows=(Row("Arbete", (Figure(12, n=12),)),))
    assert column_explanation(counts, 0) == "Antal."


def test_xlsx_stores_numbers_with_number_formats_and_marks_as_text():
    sheet = load_workbook(sample_report())["avslutsanledning"]
    assert sheet["A1"].value == "Avslutsanledning"
    assert [cell.value for cell in sheet[2]] == [None, "Antal", "Andel", "Förändring"]
    assert all(cell.font.b and cell.border.bottom.style == "thin" for cell in sheet[2])
    assert sheet.freeze_panes == "B3"
    arbete = sheet[3]
    assert [cell.value for cell in arbete] == ["Arbete", 19, 0.317, 6]
    assert [cell.number_format for cell in arbete[1:]] == ["0", "0.0%", "+0;-0;0"]
    assert [cell.value for cell in sheet[4]] == ["Studier", "<5", "<5", -14]
    assert sheet["D5"].value is None
    assert all(cell.font.b for cell in sheet[6]) and not sheet["A5"].font.b
    assert sheet["A8"].value == "Alla som avslutats i perioden; andelen är av dem alla."
    bedomning = load_workbook(sample_report())["bedomning"]
    assert (bedomning["C3"].value, bedomning["C3"].number_format) == (5.25, "0.0")


def test_xlsx_sheet_names_keep_excels_rules():
    report = sample_report()
    long_id = "a" * 40
    tables = tuple(
        Table(id=table_id, title="T", columns=(), rows=())
        for table_id in (long_id, long_id.upper(), "x/y:z", "Om rapporten")
    )
    names = load_workbook(Report(report.subject, report.period_from, report.period_to, 5,
                                 tables)).sheetnames
    assert names == ["Om rapporten", "a" * 31, "A" * 29 + "-2", "x-y-z", "Om rapporten-2"]


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text():
    report = sample_report(insats_name='=HYPERLINK("http://example.org")')
    table = Table(id="t", title="=1+1", columns=(Column("svar", "=SUM(A1)", Kind.TEXT),),
                  rows=(Row("=2+2", (Figure("=A1"),)),), notes=("=B2",))
    workbook = load_workbook(Report(report.subject, report.period_from, report.period_to, 5,
                                    (table,)))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert {cell.value for cell in cells} >= {"=1+1", "=SUM(A1)", "=2+2", "=A1", "=B2"}
    assert {cell.data_type for cell in cells} == {"s"}


def test_xlsx_never_carries_a_suppressed_value_n_or_interval():
    workbook = load_workbook(sample_report())
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert value not in (3, 0.0667, 0.0184, 0.162)
                assert not SUPPRESSED_THREE.search(str(value or ""))
                assert not SUPPRESSED_SHARE.search(str(value or ""))


def test_xlsx_dates_come_from_the_period_not_the_clock():
    data = to_xlsx(sample_report())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    midnight = dt.datetime(2025, 12, 31)
    assert (workbook.properties.creator, workbook.properties.created,
            workbook.properties.modified) == ("enkat", midnight, midnight)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 12, 31, 0, 0, 0)}


# HTML, PDF and Word: renderings of the report's layout


def document(report: Report | None = None) -> Document:
    return report_document(report or sample_report())


CHART_SVG = {"avslutsanledning": AN_SVG}


def test_html_is_a_swedish_accessible_page_with_one_table_per_report_table():
    page = to_html(document())
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert "<title>Steget, Finsam Nord, 2025-01-01 – 2025-12-31</title>" in page
    assert "<h1>Steget, Finsam Nord</h1>" in page
    assert '<p class="lead">2025-01-01 – 2025-12-31</p>' in page
    assert page.count("<table") == 3
    assert '<h2 id="rubrik-deltagare">Deltagare i perioden</h2>' in page
    assert '<table id="deltagare" aria-labelledby="rubrik-deltagare" class="whole">' in page
    assert "<caption>" not in page  # the heading names the table
    assert '<th scope="col" class="num">Kvinnor</th>' in page
    assert '<th scope="row">Arbete</th>' in page
    assert f'<td class="num">31,7{NBSP}%</td>' in page
    assert '<td class="num">−14</td>' in page
    assert '<td class="num">&lt;5</td>' in page
    assert '<tr class="total">' in page
    assert '<p class="note">Unika deltagare som varit aktiva någon dag i perioden.</p>' in page
    assert "@media print" in page and "Sida " in page


def test_html_shows_parts_as_headings_over_their_tables():
    parted = replace(sample_report(), parts=(
        Part("deltagare", "Deltagarna", ("deltagare", "avslutsanledning")),))
    page = to_html(document(parted))
    headings = re.findall(r"<h(\d)[^>]*>([^<]*)</h\d>", page)
    assert headings == [("1", "Steget, Finsam Nord"), ("2", "Deltagarna"),
                        ("3", "Deltagare i perioden"), ("3", "Avslutsanledning"),
                        ("2", "Övriga tabeller"), ("3", "Bedömning")]


def test_html_draws_a_chart_beside_its_table_with_alternative_text():
    page = to_html(document(), CHART_SVG)
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)=\"(?!data:)", page)
    assert page.count("<img ") == 1
    table, image = page.index('<table id="avslutsanledning"'), page.index("<img ")
    assert table < image < page.index('<table id="bedomning"')
    assert '<div class="with-chart">' in page[page.index("rubrik-avslutsanledning"):image]
    assert 'alt="Diagram: Avslutsanledning. Samma siffror som i tabellen."' in page
    assert '<img src="data:image/svg+xml;base64,' in page


def test_html_writes_peoples_text_as_paragraphs_and_a_placeholder_when_empty():
    written = Document("Kvartalsrapport", ("2025-01-01 – 2025-03-31",), (
        Heading("Aktiviteter", 2),
        Text("Vi har haft öppet hus.\n\nTolv kom.", placeholder="Beskriv aktiviteterna."),
        Heading("Avvikelser", 3),
        Text("", placeholder="Inga avvikelser är beskrivna ännu."),
        TableBlock(sample_report().tables[0]),
    ))
    page = to_html(written)
    assert "<p>Vi har haft öppet hus.</p>" in page and "<p>Tolv kom.</p>" in page
    assert "Beskriv aktiviteterna." not in page
    assert '<p class="placeholder">Inga avvikelser är beskrivna ännu.</p>' in page
    assert '<h4 id="rubrik-deltagare">' in page  # under the level-3 heading


def test_html_escapes_names_and_texts():
    page = to_html(document(sample_report(HOSTILE)))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_never_carries_a_suppressed_value_n_or_interval():
    page = to_html(document())
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*</style>", "", page,
                                                        flags=re.S)))
    assert not SUPPRESSED_THREE.search(text)
    assert not SUPPRESSED_SHARE.search(text)


def test_table_html_keeps_its_caption_for_enkats_own_pages():
    fragment = table_html(sample_report().tables[0])
    assert '<table id="deltagare">' in fragment
    assert "<caption>Deltagare i perioden</caption>" in fragment
    assert '<th scope="row">Nya</th>' in fragment and "&lt;5" in fragment


# PDF


def pdf_text(data: bytes) -> str:
    """The text of every page, all runs of white space (line breaks in wrapped cells,
    non-breaking spaces) made one plain space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def structure(data: bytes) -> list[dict]:
    """The PDF's structure elements (its tags) in reading order."""
    found: list[dict] = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                walk(kid)

    walk(PdfReader(io.BytesIO(data)).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_first_pdf_of_a_process_writes_no_english_line_to_its_log():
    """The worker logs at INFO; WeasyPrint says its steps in English, some of them while
    it is imported, so a fresh process shows whether any gets through."""
    script = ("import logging, sys\n"
              "logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
              "from enkat.reports.document import Document, Text\n"
              "from enkat.reports.exports import to_pdf\n"
              "to_pdf(Document('Rapport', (), (Text('Inga svar.'),)))\n")
    logged = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True).stdout
    assert "weasyprint" not in logged, logged


def test_pdf_is_tagged_with_headings_tables_and_charts_with_alternative_text():
    data = to_pdf(document(), CHART_SVG)
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "sv"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Steget, Finsam Nord, 2025-01-01 – 2025-12-31"
    assert b"pdfuaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    tags = [element["/S"] for element in structure(data)]
    assert tags.count("/H1") == 1 and tags.count("/H2") == 3
    assert tags.count("/Table") == 3 and "/TH" in tags and "/TD" in tags
    [figure] = [element for element in structure(data) if element["/S"] == "/Figure"]
    assert figure["/Alt"] == "Diagram: Avslutsanledning. Samma siffror som i tabellen."
    avslut_table = [index for index, tag in enumerate(tags) if tag == "/Table"][1]
    assert avslut_table < tags.index("/Figure") < max(
        index for index, tag in enumerate(tags) if tag == "/Table")


def test_pdf_has_the_title_block_tables_and_page_footer():
    data = to_pdf(document(), CHART_SVG)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    for expected in ("Steget, Finsam Nord", "2025-01-01 – 2025-12-31", "färre än 5",
                     "Deltagare i perioden", "Förändring", "31,7 %", "−14", "5,3",
                     "Går inte att avgöra", f"Sida 1 av {pages}", f"Sida {pages} av {pages}"):
        assert expected in text


def test_pdf_numbers_every_page_of_a_long_table_and_repeats_its_header():
    report = sample_report()
    long = Table(id="lang", title="Lång tabell", columns=(Column("antal", "Antal", Kind.COUNT),),
                 rows=tuple(Row(f"Rad {number}", (Figure(10 + number),)) for number in range(120)))
    reader = PdfReader(io.BytesIO(to_pdf(document(replace(report, tables=(long,))))))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Sida {number} av {pages}" in text
        assert "Antal" in text


def test_pdf_pages_render_to_images_with_ink_on_them(tmp_path):
    (tmp_path / "rapport.pdf").write_bytes(to_pdf(document(), CHART_SVG))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "rapport.pdf"),
                    str(tmp_path / "sida")], check=True)
    images = sorted(tmp_path.glob("sida-*.png"))
    assert images
    for path in images:
        with Image.open(path) as page:
            darkest, lightest = page.convert("L").getextrema()
            assert lightest == 255 and darkest < 100, path.name  # white paper, dark text


def test_pdf_escapes_names_and_texts():
    text = pdf_text(to_pdf(document(sample_report(HOSTILE))))
    assert HOSTILE in text


def test_pdf_never_carries_a_suppressed_value_n_or_interval():
    text = pdf_text(to_pdf(document()))
    assert "<5" in text
    assert not SUPPRESSED_THREE.search(text)
    assert not SUPPRESSED_SHARE.search(text)


# Word


def word(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_docx_has_word_headings_in_order_title_first():
    parted = replace(sample_report(), parts=(
        Part("deltagare", "Deltagarna", ("deltagare", "avslutsanledning")),))
    opened = word(to_docx(document(parted)))
    headings = [(paragraph.style.name, paragraph.text) for paragraph in opened.paragraphs
                if paragraph.style.name == "Title" or paragraph.style.name.startswith("Heading")]
    assert headings == [("Title", "Steget, Finsam Nord"), ("Heading 1", "Deltagarna"),
                        ("Heading 2", "Deltagare i perioden"), ("Heading 2", "Avslutsanledning"),
                        ("Heading 1", "Övriga tabeller"), ("Heading 2", "Bedömning")]
    texts = [paragraph.text for paragraph in opened.paragraphs]
    assert texts[1:3] == ["2025-01-01 – 2025-12-31",
                          suppression_text(sample_report().suppression)]
    assert opened.core_properties.title == "Steget, Finsam Nord"
    assert opened.core_properties.language == "sv-SE"


def test_docx_tables_are_word_tables_with_a_repeating_header_and_the_pages_figures():
    report = sample_report()
    opened = word(to_docx(document(report)))
    assert len(opened.tables) == len(report.tables)
    page = to_html(document(report))
    for word_table, table in zip(opened.tables, report.tables, strict=True):
        cells = [[cell.text for cell in row.cells] for row in word_table.rows]
        assert cells[0] == ["", *(column.label for column in table.columns)]
        header = word_table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) == "true"
        html_rows = re.findall(
            r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>",
            page[page.index(f'<table id="{table.id}"'):], re.S)[:len(table.rows)]
        assert cells[1:] == [
            [html.unescape(label), *(html.unescape(cell) for cell in
                                     re.findall(r"<td[^>]*>(.*?)</td>", rest))]
            for label, rest in html_rows]
    avslut = [[cell.text for cell in row.cells] for row in opened.tables[1].rows]
    assert avslut[1] == ["Arbete", "19", f"31,7{NBSP}%", "+6"]
    assert avslut[2][1:] == ["<5", "<5", "−14"]


def test_docx_places_each_chart_after_its_table_with_alternative_text():
    opened = word(to_docx(document(), {"avslutsanledning": a_png()}))
    [picture] = opened.inline_shapes
    described = picture._inline.docPr
    assert described.get("descr") == "Diagram: Avslutsanledning. Samma siffror som i tabellen."
    body = list(opened.element.body)
    tables = [index for index, element in enumerate(body) if element.tag == qn("w:tbl")]
    drawing = next(index for index, element in enumerate(body)
                   if element.findall(".//" + qn("w:drawing")))
    assert tables[1] < drawing < tables[2]
    assert picture.width <= Cm(16)


def test_docx_writes_peoples_text_and_a_grey_placeholder():
    written = Document("Delrapport", (), (
        Heading("Bakgrund", 2), Text("Första stycket.\n\nAndra stycket."),
        Heading("Syfte", 2), Text("", placeholder="Syftet är inte beskrivet ännu.")))
    paragraphs = word(to_docx(written)).paragraphs
    texts = [paragraph.text for paragraph in paragraphs]
    assert texts == ["Delrapport", "Bakgrund", "Första stycket.", "Andra stycket.", "Syfte",
                     "Syftet är inte beskrivet ännu."]
    [run] = paragraphs[-1].runs
    assert run.italic and run.font.color.rgb is not None


def test_docx_numbers_its_pages_with_fields_word_fills_in():
    footer = word(to_docx(document())).sections[0].footer.paragraphs[0]
    assert footer.text == "Sida  av "  # the numbers are fields, computed by Word
    fields = [element.text.strip() for element in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    kinds = [element.get(qn("w:fldCharType")) for element in footer._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "end", "begin", "end"]


def test_docx_never_carries_a_suppressed_value_n_or_interval():
    opened = word(to_docx(document()))
    text = " ".join([paragraph.text for paragraph in opened.paragraphs] +
                    [cell.text for table in opened.tables for row in table.rows
                     for cell in row.cells])
    assert "<5" in text
    assert not SUPPRESSED_THREE.search(text)
    assert not SUPPRESSED_SHARE.search(text)


def test_docx_keeps_text_that_looks_like_markup_as_text():
    opened = word(to_docx(document(sample_report(HOSTILE))))
    assert opened.paragraphs[0].text == f"{HOSTILE}, Finsam Nord"


# Every format


@pytest.mark.parametrize(
    "render",
    [
        to_json,
        to_xlsx,
        lambda report: to_html(report_document(report), CHART_SVG),
        lambda report: to_pdf(report_document(report), CHART_SVG),
        lambda report: to_docx(report_document(report), {"avslutsanledning": a_png()}),
    ],
    ids=["json", "xlsx", "html", "pdf", "docx"],
)
def test_every_format_renders_the_same_bytes_twice(render):
    assert render(sample_report()) == render(sample_report())


def test_a_table_of_only_zeros_and_blanks_is_empty_and_a_mark_or_word_is_not():
    def table(*figures):
        return Table(id="t", title="T", columns=(Column("antal", "Antal", Kind.COUNT),),
                     rows=tuple(Row(f"r{index}", (figure,))
                                for index, figure in enumerate(figures)))

    assert table(Figure(0, n=0), Figure(None), Figure(0.0)).is_empty
    assert not table(Figure(0, n=0), Figure(1, n=1)).is_empty
    assert not table(Figure(3, n=3, suppressed="<5")).is_empty
    assert not table(Figure("Går inte att avgöra")).is_empty


def test_json_says_the_kind_of_a_cell_that_differs_from_its_column():
    values = Table(id="ors-total-prepost", title="Före och efter",
                   columns=(Column("varde", "Värde", Kind.NUMBER),),
                   rows=(Row("Deltagare", (Figure(29, n=29, kind=Kind.COUNT),)),
                         Row("Medel", (Figure(17.1, n=29),)),
                         Row("p-värde", (Figure(0.0004, n=29, kind=Kind.P_VALUE),))))
    whole = replace(sample_report(), tables=(values,))
    [table] = report_dict(whole)["tables"]
    assert table["kinds"] == [["Deltagare", "count"], ["Medel", "number"],
                              ["p-värde", "p-value"]]
    assert table["rows"][0] == ["Deltagare", 29]
    assert all("kinds" not in table for table in report_dict(sample_report())["tables"])


def test_a_server_without_pango_is_told_so_in_swedish(monkeypatch):
    """WeasyPrint opens pango when it is imported; cffi raises OSError where it is
    missing. That cannot happen on this machine, so the import is made to fail."""
    real_import = __import__

    def without_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    pdf_export._weasyprint.cache_clear()
    monkeypatch.setattr("builtins.__import__", without_pango)
    try:
        with pytest.raises(PdfUnavailable, match="systembiblioteket pango saknas"):
            to_pdf(document())
    finally:
        monkeypatch.undo()
        pdf_export._weasyprint.cache_clear()
