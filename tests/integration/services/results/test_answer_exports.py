"""Answers as files: the tidy rows as a workbook, and one instrument wide as SPSS .sav
with variable labels, value labels, measures and user-missing codes."""

from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
from pathlib import Path

import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Answer, Response
from enkat.services import ServiceError
from enkat.services.answering.tidy_import import import_responses
from enkat.services.results.answer_exports import (
    AnswerFilter,
    answered_instruments,
    spss_sav,
    tidy_csv,
    tidy_rows,
    tidy_xlsx,
)

from ..tidy import csv_bytes, rows

D = dt.date


@pytest.fixture
def answered(forbund, make_participant, make_response):
    """Inskrivningar (codes in words, a multiple choice), ORS (VAS, hyphenated item ids)
    and NNS (whole-number codes with "vet ej" as 0)."""
    first, second = make_participant("ALFA1"), make_participant("BETA2")
    make_response("finsam-inskrivning",
                  {"kon": "kvinna", "aldersgrupp": "30-44",
                   "forsorjning": ["forsorjningsstod", "a-kassa"]},
                  participant=first, timepoint="start", answered_on=D(2025, 2, 3),
                  external_id="i-1")
    make_response("finsam-inskrivning", {"kon": "man"}, participant=second, timepoint="start",
                  answered_on=D(2025, 2, 4), external_id="i-2")
    make_response("ors", {"individuellt": "5.5", "nara-relationer": "6.0", "socialt": "7.0",
                          "allmant": "4.2"},
                  participant=first, timepoint="session-1", answered_on=D(2025, 2, 3),
                  external_id="o-1")
    for number, q1 in enumerate(("6", "0", "3")):
        make_response("nns-deltagare-pagaende", {"q1": q1}, timepoint="pagaende",
                      answered_on=D(2025, 5, 5 + number), external_id=f"n-{number}")
    make_response("nns-deltagare-pagaende", {"q1": "1"}, timepoint="pagaende",
                  answered_on=D(2024, 12, 31), external_id="n-old")
    return forbund


def read_sav(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svar.sav"
        path.write_bytes(data)
        return pyreadstat.read_sav(str(path), user_missing=True)


def stored_values(external_id: str) -> dict[str, list[str]]:
    response = db.session.scalar(select(Response).where(Response.external_id == external_id))
    values: dict[str, list[str]] = {}
    for answer in db.session.scalars(select(Answer).where(Answer.response_id == response.id)):
        values.setdefault(answer.item_id, []).append(answer.value)
    return values


def test_a_coded_instrument_reads_back_with_its_labels(answered):
    data, count = spss_sav(AnswerFilter(answered, date_from=D(2025, 1, 1)),
                           "finsam-inskrivning")
    frame, meta = read_sav(data)
    assert count == 2 and frame["response_id"].tolist() == ["i-1", "i-2"]
    assert frame["kon"].tolist() == ["kvinna", "man"]
    assert meta.column_names_to_labels["kon"] == "Kön"
    assert meta.variable_value_labels["kon"]["kvinna"] == "Kvinna"
    assert meta.variable_measure["kon"] == "nominal"
    assert frame["deltagare"].tolist() == ["ALFA1", "BETA2"]
    assert frame["answered_on"].tolist() == [D(2025, 2, 3), D(2025, 2, 4)]
    assert meta.variable_value_labels["source"]["staff"] == "Personal fyllde i"


def test_a_multiple_choice_item_is_one_column_per_option(answered):
    frame, meta = read_sav(spss_sav(AnswerFilter(answered), "finsam-inskrivning")[0])
    chosen = set(stored_values("i-1")["forsorjning"])
    assert chosen == {"forsorjningsstod", "a-kassa"}
    assert frame["forsorjning_a_kassa"][0] == 1.0
    assert frame["forsorjning_forsorjningsstod"][0] == 1.0
    assert frame["forsorjning_lon"][0] == 0.0
    assert math.isnan(frame["forsorjning_lon"][1])  # i-2 did not answer the item
    assert meta.column_names_to_labels["forsorjning_a_kassa"].endswith(": A-kassa")
    assert meta.variable_value_labels["forsorjning_a_kassa"] == {1.0: "Vald", 0.0: "Inte vald"}
    assert "forsorjning_a_kassa = forsorjning=a-kassa;" in " ".join(meta.notes)


def test_hyphens_become_underscores_and_the_label_names_the_item(answered):
    frame, meta = read_sav(spss_sav(AnswerFilter(answered), "ors")[0])
    stored = stored_values("o-1")
    for item in ("individuellt", "nara-relationer", "socialt", "allmant"):
        name = item.replace("-", "_")
        assert frame[name][0] == pytest.approx(float(stored[item][0]))
        assert meta.variable_measure[name] == "scale"
    assert meta.column_names_to_labels["nara_relationer"].endswith("[nara-relationer]")
    assert not [name for name in meta.column_names if "-" in name or len(name) > 64]


def test_whole_number_codes_are_numbers_with_vet_ej_missing(answered):
    answers = AnswerFilter(answered, date_from=D(2025, 1, 1), date_to=D(2025, 12, 31))
    data, count = spss_sav(answers, "nns-deltagare-pagaende")
    frame, meta = read_sav(data)
    assert count == 3  # n-old is before the period
    assert frame["q1"].tolist() == [6.0, 0.0, 3.0]
    assert meta.variable_value_labels["q1"][6.0] == "Helt och hållet"
    assert meta.variable_value_labels["q1"][0.0].startswith("Vet ej")
    assert meta.missing_ranges["q1"] == [{"lo": 0.0, "hi": 0.0}]
    assert meta.variable_measure["q1"] == "ordinal"
    assert frame["deltagare"].tolist() == ["", "", ""]  # anonymous


def test_one_insats_only(answered, make_insats, make_response):
    other = make_insats("annan", name="Annan insats")
    make_response("nns-deltagare-pagaende", {"q1": "5"}, timepoint="pagaende",
                  answered_on=D(2025, 6, 1), of_insats=other, external_id="n-annan")
    frame, _ = read_sav(spss_sav(AnswerFilter(answered, insats=other),
                                 "nns-deltagare-pagaende")[0])
    assert frame["response_id"].tolist() == ["n-annan"]
    assert frame["insats"].tolist() == ["annan"]


def test_an_instrument_without_answers_is_refused(answered):
    with pytest.raises(ServiceError, match="inga inskickade svar på ”SRS – Hur var dagens"):
        spss_sav(AnswerFilter(answered), "srs")


def test_the_answered_instruments_are_offered_by_title(answered):
    offered = dict(answered_instruments(answered))
    assert set(offered) == {"finsam-inskrivning", "ors", "nns-deltagare-pagaende"}
    assert offered["finsam-inskrivning"] == "Inskrivning i insats"


def test_the_workbook_holds_the_tidy_rows_and_describes_the_items(answered):
    answers = AnswerFilter(answered, date_from=D(2025, 1, 1))
    text, rows = tidy_csv(answers)
    data, count = tidy_xlsx(answers)
    workbook = load_workbook(io.BytesIO(data))
    sheet = list(workbook["Svar"].iter_rows(values_only=True))
    assert count == rows == len(sheet) - 1
    csv_lines = text.splitlines()
    assert ",".join(sheet[0]) == csv_lines[0]
    first = sheet[1]
    assert first[:5] == ("i-1", "test", "steget", "ALFA1", "finsam-inskrivning")
    assert first[5] == 1 and first[7].date() == D(2025, 2, 3)
    described = {(row[0], row[2]): row for row in workbook["Variabler"].iter_rows(
        min_row=2, values_only=True)}
    assert described[("ors", "nara-relationer")][3] == "vas"
    assert "0 = Vet ej" in described[("nns-deltagare-pagaende", "q1")][5]
    assert "personuppgifter" in " ".join(
        str(cell) for row in workbook["Om filen"].iter_rows(values_only=True) for cell in row)


def test_free_text_that_looks_like_a_formula_stays_text(forbund, make_response):
    make_response("nns-personal", {"synpunkter": "=HYPERLINK(\"http://x\")"},
                  timepoint="arlig", answered_on=D(2025, 10, 1), external_id="p-1")
    workbook = load_workbook(io.BytesIO(tidy_xlsx(AnswerFilter(forbund))[0]))
    values = [row[9] for row in workbook["Svar"].iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x")' in values
    cell = next(row[9] for row in workbook["Svar"].iter_rows(min_row=2)
                if row[9].value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_the_streamed_workbook_holds_every_row_with_the_cells_it_had(insats):
    """Written row by row (write-only), the sheet still has every tidy row with the
    cells the workbook always had: a bold header, the version a number, the date a date
    shown as yyyy-mm-dd, every other cell text (a formula or an error code too)."""
    lines = []
    for number in range(200):
        lines += rows(f"n{number:03d}", "nns-deltagare-pagaende", {"q1": "5", "q2": "0"},
                      timepoint="pagaende", answered_on=f"2025-03-{1 + number % 28:02d}")
    lines += rows("i1", "finsam-inskrivning", {"kon": "man", "forsorjning": ["lon", "a-kassa"]},
                  timepoint="start", participant="ALFA1", answered_on="2025-02-03")
    for number, text in enumerate(("#N/A", "=SUM(A1:A9)")):
        lines += rows(f"p{number}", "nns-personal", {"synpunkter": text}, timepoint="arlig",
                      insats="", answered_on="2025-10-01")
    lines.append('p2,test,,,nns-personal,1,arlig,2025-10-01,synpunkter,"Bra, men\nmer tid"')
    import_responses(csv_bytes(*lines))

    data, count = tidy_xlsx(AnswerFilter(insats.forbund))

    expected = [[*row[:5], int(row[5]), row[6], dt.datetime.fromisoformat(row[7]), *row[8:]]
                for row in tidy_rows(forbund=insats.forbund)]
    expected = [[value if value != "" else None for value in row]  # an empty cell, as ever
                for row in expected]
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Svar"]
    cells = list(sheet.iter_rows(min_row=2))
    assert count == len(expected) == 200 * 2 + 3 + 3
    assert [[cell.value for cell in row] for row in cells] == expected
    assert {"#N/A", "=SUM(A1:A9)", "Bra, men\nmer tid"} <= {row[9].value for row in cells}
    assert {cell.data_type for row in cells for cell in (*row[:5], row[6], *row[8:])
            if cell.value is not None} == {"s"}
    assert {row[7].number_format for row in cells} == {"yyyy-mm-dd"}
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == workbook["Variabler"].freeze_panes == "A2"
    about = workbook["Om filen"]
    assert (about.column_dimensions["A"].width, about.column_dimensions["B"].width) == (22, 100)
    assert workbook.sheetnames == ["Svar", "Variabler", "Om filen"]
