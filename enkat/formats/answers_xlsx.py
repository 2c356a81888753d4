"""The answers workbook: the tidy rows as an Excel file, with the items they answer.

Record-level data, not tables: it leaves the system unsuppressed (docs/formats.md,
"Answers for analysis"). The rows are those of the tidy CSV with the values as stored:
the cells are text, never formulas, so they need no apostrophes against formula
injection.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from enkat.formats.selection import Selection, bound_text
from enkat.formats.tidy_csv import COLUMNS
from enkat.instruments import Instrument
from enkat.reports.exports.xlsx_export import append_row

#: Excel's last row, less the header.
EXCEL_ROWS = 1_048_575

TIDY_DESCRIPTIONS = {
    "response_id": "Svarets id; samma på alla rader i ett svar.",
    "forbund": "Förbundets kortnamn.",
    "insats": "Insatsens kortnamn; tom för svar som inte gäller en insats.",
    "participant": "Deltagarens kod; tom för anonyma svar.",
    "instrument": "Enkätens eller formulärets id.",
    "instrument_version": "Den version av enkäten som svaret gavs i.",
    "timepoint": "Mätpunkten, t.ex. start, pagaende, avslut, session-3.",
    "answered_on": "Svarsdatum.",
    "item": "Frågans id i enkäten (se bladet Variabler).",
    "value": "Svaret: en kod, ett tal, ett datum eller fritext. En fråga med flera val "
             "har en rad per valt svar.",
}


def answers_workbook(rows: Sequence[Sequence[str]], instruments: Sequence[Instrument],
                     selection: Selection) -> bytes:
    """A workbook of three sheets: "Svar" (the tidy rows, as the CSV has them),
    "Variabler" (every item of the instruments: text, type, codes and labels) and
    "Om filen" (the columns and what the file is). At most `EXCEL_ROWS` rows: the caller
    says what to do with more."""
    workbook = Workbook()
    _write_answers(workbook.active, rows)
    _write_variables(workbook.create_sheet("Variabler"), instruments)
    _write_about(workbook.create_sheet("Om filen"), selection)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def instruments_named(rows: Iterable[Sequence[str]]) -> list[tuple[str, int]]:
    """The (instrument id, version) pairs the tidy rows name, in that order."""
    index_id, index_version = COLUMNS.index("instrument"), COLUMNS.index("instrument_version")
    return sorted({(row[index_id], int(row[index_version])) for row in rows})


def _write_answers(sheet: Worksheet, rows: Sequence[Sequence[str]]) -> None:
    sheet.title = "Svar"
    _append(sheet, COLUMNS, bold=True)
    version, day = COLUMNS.index("instrument_version"), COLUMNS.index("answered_on")
    for row in rows:
        values: list[object] = list(row)
        values[version] = int(row[version])
        values[day] = dt.date.fromisoformat(row[day])
        _append(sheet, values)[day].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def _write_variables(sheet: Worksheet, instruments: Sequence[Instrument]) -> None:
    _append(sheet, ("instrument", "instrument_version", "item", "typ", "fråga", "svarskoder"),
            bold=True)
    for instrument in instruments:
        for item in instrument.items:
            if item.answerable:
                codes = "; ".join(f"{option.code} = {option.label.get('sv')}"
                                  for option in item.options)
                _append(sheet, (instrument.id, instrument.version, item.id, item.type,
                                item.text.get("sv"), codes))
    sheet.freeze_panes = "A2"


def _write_about(sheet: Worksheet, selection: Selection) -> None:
    _append(sheet, ("Svar från " + selection.forbund_name,), bold=True)
    for term, meaning in (
        ("Insats", selection.insats_name if selection.insats_name is not None
                   else "Alla insatser"),
        ("Från", bound_text(selection.date_from)), ("Till", bound_text(selection.date_to)),
        ("Innehåll", "Inskickade svar, en rad per svar på en fråga (tidy CSV-formatet). "
                     "Uppgifterna är på individnivå och inte skyddade med maskering av små "
                     "tal: hantera filen som personuppgifter. Fritextsvar står som de skrevs."),
        *TIDY_DESCRIPTIONS.items(),
    ):
        _append(sheet, (term, meaning))
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100


def _append(sheet: Worksheet, values: Sequence[object], *, bold: bool = False) -> list[Cell]:
    cells = append_row(sheet, values)
    if bold:
        for cell in cells:
            cell.font = Font(bold=True)
    return cells
