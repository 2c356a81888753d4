"""The answers workbook: the tidy rows as an Excel file, with the items they answer.

Record-level data, not tables: it leaves the system unsuppressed (docs/formats.md,
"Answers for analysis"). The rows are those of the tidy CSV with the values as stored:
the cells are text, never formulas, so they need no apostrophes against formula
injection.

The workbook is streamed (openpyxl's write-only mode): each row is written out as it
comes, so a förbund's many years of answers take little memory, and the rows may be an
iterator straight from the database.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from enkat.formats.selection import Selection, bound_text
from enkat.formats.tidy_csv import COLUMNS
from enkat.instruments import Instrument
from enkat.reports.exports.xlsx_export import CellValue, streamed_row

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
_BOLD = Font(bold=True)


def answers_workbook(rows: Iterable[Sequence[str]], instruments: Sequence[Instrument],
                     selection: Selection) -> bytes:
    """A workbook of three sheets: "Svar" (the tidy rows, as the CSV has them),
    "Variabler" (every item of the instruments: text, type, codes and labels) and
    "Om filen" (the columns and what the file is). At most `EXCEL_ROWS` rows: the caller
    says what to do with more."""
    workbook = Workbook(write_only=True)
    _write_answers(workbook.create_sheet("Svar"), rows)
    _write_variables(workbook.create_sheet("Variabler"), instruments)
    _write_about(workbook.create_sheet("Om filen"), selection)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def _write_answers(sheet: WriteOnlyWorksheet, rows: Iterable[Sequence[str]]) -> None:
    sheet.freeze_panes = "A2"
    _append(sheet, COLUMNS, bold=True)
    version, day = COLUMNS.index("instrument_version"), COLUMNS.index("answered_on")
    for row in rows:
        values: list[CellValue] = list(row)
        values[version] = int(row[version])
        values[day] = dt.date.fromisoformat(row[day])  # shown as yyyy-mm-dd
        _append(sheet, values)


def _write_variables(sheet: WriteOnlyWorksheet, instruments: Sequence[Instrument]) -> None:
    sheet.freeze_panes = "A2"
    _append(sheet, ("instrument", "instrument_version", "item", "typ", "fråga", "svarskoder"),
            bold=True)
    for instrument in instruments:
        for item in instrument.items:
            if item.answerable:
                codes = "; ".join(f"{option.code} = {option.label.get('sv')}"
                                  for option in item.options)
                _append(sheet, (instrument.id, instrument.version, item.id, item.type,
                                item.text.get("sv"), codes))


def _write_about(sheet: WriteOnlyWorksheet, selection: Selection) -> None:
    sheet.column_dimensions["A"].width = 22  # before the first row: streamed, then fixed
    sheet.column_dimensions["B"].width = 100
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


def _append(sheet: WriteOnlyWorksheet, values: Sequence[CellValue], *,
            bold: bool = False) -> None:
    row = streamed_row(sheet, values)
    if bold:
        row = [_bold(sheet, value) for value in row]
    sheet.append(row)


def _bold(sheet: WriteOnlyWorksheet, value: CellValue | Cell) -> Cell:
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
    cell.font = _BOLD
    return cell
