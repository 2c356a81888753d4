"""The answers workbook: the tidy rows as an Excel file, with the items they answer.

Record-level data, not tables: it leaves the system unsuppressed (docs/formats.md,
"Answers for analysis"). The rows are those of the tidy CSV with the values as stored:
the cells are text, never formulas, so they need no apostrophes against formula
injection.

The workbook is streamed by XlsxWriter in its constant_memory mode: each row goes to a
temporary file as the next one begins, so a förbund's many years of answers take little
memory, and the rows may be an iterator straight from the database. XlsxWriter writes
them about twice as fast as openpyxl's write-only mode (docs/architecture.md,
"Choices"); openpyxl still writes the report's small workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from enkat.formats.selection import Selection, bound_text
from enkat.formats.tidy_csv import COLUMNS
from enkat.instruments import Instrument

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
#: Control characters a workbook cannot hold (tab and line breaks it can): dropped.
_NOT_IN_WORKBOOKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Text stays text: no formulas, no links made of it, whatever a value starts with.
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}
_FROZEN_HEADER = (1, 0)  # the first row stays in view
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system, in effect


def answers_workbook(rows: Iterable[Sequence[str]], instruments: Sequence[Instrument],
                     selection: Selection) -> bytes:
    """A workbook of three sheets: "Svar" (the tidy rows, as the CSV has them),
    "Variabler" (every item of the instruments: text, type, codes and labels) and
    "Om filen" (the columns and what the file is). At most `EXCEL_ROWS` rows: the caller
    says what to do with more."""
    written = io.BytesIO()
    workbook = Workbook(written, _OPTIONS)
    bold = workbook.add_format({"bold": True})
    _write_answers(workbook.add_worksheet("Svar"), rows, bold,
                   workbook.add_format({"num_format": "yyyy-mm-dd"}))
    _write_variables(workbook.add_worksheet("Variabler"), instruments, bold)
    _write_about(workbook.add_worksheet("Om filen"), selection, bold)
    workbook.close()
    return written.getvalue()


def _write_answers(sheet: Worksheet, rows: Iterable[Sequence[str]], bold: Format,
                   day_format: Format) -> None:
    """The tidy rows, the version as a number and the day as a date, the rest as text.
    The loop is the workbook's cost (a förbund's year is some 50,000 rows), so it writes
    each cell as what it is known to be rather than asking each value its type."""
    sheet.freeze_panes(*_FROZEN_HEADER)
    _write_row(sheet, 0, COLUMNS, bold)
    version, day = COLUMNS.index("instrument_version"), COLUMNS.index("answered_on")
    texts = [column for column in range(len(COLUMNS)) if column not in (version, day)]
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, row in enumerate(rows, start=1):
        row = _storable(row)
        for column in texts:
            if row[column]:
                write_string(number, column, row[column])
        write_number(number, version, int(row[version]))
        write_number(number, day, _excel_day(row[day]), day_format)


def _write_variables(sheet: Worksheet, instruments: Sequence[Instrument], bold: Format) -> None:
    sheet.freeze_panes(*_FROZEN_HEADER)
    _write_row(sheet, 0, ("instrument", "instrument_version", "item", "typ", "fråga",
                          "svarskoder"), bold)
    described = ((instrument, item) for instrument in instruments for item in instrument.items
                 if item.answerable)
    for number, (instrument, item) in enumerate(described, start=1):
        codes = "; ".join(f"{option.code} = {option.label.get('sv')}"
                          for option in item.options)
        _write_row(sheet, number, (instrument.id, instrument.version, item.id, item.type,
                                   item.text.get("sv"), codes))


def _write_about(sheet: Worksheet, selection: Selection, bold: Format) -> None:
    sheet.set_column(0, 0, _width(22))
    sheet.set_column(1, 1, _width(100))
    _write_row(sheet, 0, ("Svar från " + selection.forbund_name,), bold)
    for number, entry in enumerate((
        ("Insats", selection.insats_name if selection.insats_name is not None
                   else "Alla insatser"),
        ("Från", bound_text(selection.date_from)), ("Till", bound_text(selection.date_to)),
        ("Innehåll", "Inskickade svar, en rad per svar på en fråga (tidy CSV-formatet). "
                     "Uppgifterna är på individnivå och inte skyddade med maskering av små "
                     "tal: hantera filen som personuppgifter. Fritextsvar står som de skrevs."),
        *TIDY_DESCRIPTIONS.items(),
    ), start=1):
        _write_row(sheet, number, entry)


def _write_row(sheet: Worksheet, row: int, values: Sequence[str | int],
               cell_format: Format | None = None) -> None:
    """A row of text and number cells: text always as text (never a formula); an empty
    text leaves its cell empty."""
    for column, value in enumerate(values):
        if isinstance(value, str):
            if value:
                sheet.write_string(row, column, *_storable((value,)), cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)


def _storable(texts: Sequence[str]) -> Sequence[str]:
    """The texts less the control characters a workbook cannot hold; looked for in the
    row at once, as rows almost never have any."""
    if _NOT_IN_WORKBOOKS.search("".join(texts)) is None:
        return texts
    return [_NOT_IN_WORKBOOKS.sub("", text) for text in texts]


def _excel_day(iso_date: str) -> int:
    """The day as Excel counts days (its serial number; the sheet's date format shows it
    as yyyy-mm-dd), for any day since March 1900."""
    return (dt.date.fromisoformat(iso_date) - _EXCEL_EPOCH).days


def _width(characters: float) -> float:
    """The width to ask XlsxWriter for so that the file stores `characters`, as openpyxl
    stored it: XlsxWriter adds the cell's margins (5 pixels of a 7-pixel digit)."""
    return characters - 5 / 7
