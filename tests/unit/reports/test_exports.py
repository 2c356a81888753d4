"""The outgoing formats of a report: JSON, XLSX, HTML and PDF, rendered from a small
report built by hand. No app, no database."""

import datetime as dt
import html
import io
import json
import re
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from enkat.reports.exports import report_dict, to_html, to_json, to_pdf, to_xlsx
from enkat.reports.exports.texts import column_explanation
from enkat.reports.model import Column, Figure, Kind, Report, Row, Subject, Table

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


# HTML


def test_html_is_a_swedish_accessible_page_with_one_table_per_report_table():
    page = to_html(sample_report())
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert re.search(r"<h1>Steget, Finsam Nord<span class=\"period\">2025-01-01 – 2025-12-31",
                     page)
    assert page.count("<table") == 3
    assert "<caption>Deltagare i perioden</caption>" in page
    assert '<th scope="col" class="num">Kvinnor</th>' in page
    assert '<th scope="row">Arbete</th>' in page
    assert f'<td class="num">31,7{NBSP}%</td>' in page
    assert '<td class="num">−14</td>' in page
    assert '<td class="num">&lt;5</td>' in page
    assert '<tr class="total">' in page
    assert '<p class="note">Unika deltagare som varit aktiva någon dag i perioden.</p>' in page
    assert "@media print" in page and "break-before: page" in page


def test_html_is_self_contained_and_script_free():
    page = to_html(sample_report(), charts=[("Andel till arbete", AN_SVG)])
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)=\"(?!data:)", page)
    assert '<img src="data:image/svg+xml;base64,' in page
    assert 'alt="Andel till arbete"' in page


def test_html_escapes_names_and_texts():
    page = to_html(sample_report(HOSTILE))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_never_carries_a_suppressed_value_n_or_interval():
    page = to_html(sample_report())
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*</style>", "", page,
                                                        flags=re.S)))
    assert not SUPPRESSED_THREE.search(text)
    assert not SUPPRESSED_SHARE.search(text)


# PDF


def pdf_text(data: bytes) -> str:
    """The text of every page, all runs of white space (line breaks in wrapped cells,
    non-breaking spaces) made one plain space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_pdf_has_the_title_block_tables_charts_and_page_footer():
    data = to_pdf(sample_report(), charts=[("Andel till arbete", a_png())])
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Steget, Finsam Nord, 2025-01-01 – 2025-12-31"
    text = pdf_text(data)
    pages = len(reader.pages)
    for expected in ("Steget, Finsam Nord", "2025-01-01 – 2025-12-31", "färre än 5",
                     "Deltagare i perioden", "Förändring", "31,7 %", "−14", "5,3",
                     "Går inte att avgöra", "Andel till arbete", f"Sida 1 av {pages}",
                     f"Sida {pages} av {pages}"):
        assert expected in text
    assert sum(len(page.images) for page in reader.pages) == 1


def test_pdf_numbers_every_page_of_a_long_table_and_repeats_its_header():
    report = sample_report()
    long = Table(id="lang", title="Lång tabell", columns=(Column("antal", "Antal", Kind.COUNT),),
                 rows=tuple(Row(f"Rad {number}", (Figure(10 + number),)) for number in range(120)))
    reader = PdfReader(io.BytesIO(to_pdf(Report(report.subject, report.period_from,
                                                 report.period_to, 5, (long,)))))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Sida {number} av {pages}" in text
        assert "Antal" in text


def test_pdf_escapes_names_and_texts():
    text = pdf_text(to_pdf(sample_report(HOSTILE)))
    assert HOSTILE in text


def test_pdf_never_carries_a_suppressed_value_n_or_interval():
    text = pdf_text(to_pdf(sample_report()))
    assert "<5" in text
    assert not SUPPRESSED_THREE.search(text)
    assert not SUPPRESSED_SHARE.search(text)


# Every format


@pytest.mark.parametrize(
    "render",
    [
        to_json,
        to_xlsx,
        lambda report: to_html(report, charts=[("Diagram", AN_SVG)]),
        lambda report: to_pdf(report, charts=[("Diagram", a_png())]),
    ],
    ids=["json", "xlsx", "html", "pdf"],
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
