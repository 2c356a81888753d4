"""The report as an Excel workbook: an explanation sheet first, then one sheet per table.

Figures are stored as numbers with number formats, so they can be computed with;
suppression marks are text. The bytes are deterministic: the workbook's dates and the
zip entries' times come from the report period, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from enkat.reports.exports.texts import (
    column_explanation,
    glossary,
    period_text,
    subject_heading,
    suppression_text,
)
from enkat.reports.model import Column, Kind, Report, Row, Table
from enkat.reports.numbers import change_decimals, format_figure, right_aligned

ABOUT_SHEET = "Om rapporten"
SHEET_NAME_LIMIT = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

_NUMBER_FORMATS = {Kind.COUNT: "0", Kind.SHARE: "0.0%", Kind.NUMBER: "0.0",
                   Kind.P_VALUE: '[<0.001]"< 0,001";0.000', Kind.KRONOR: '#,##0" kr"'}
_CHANGE_FORMATS = {0: "+0;-0;0", 1: "+0.0;-0.0;0.0"}  # by change_decimals()

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_UNDERLINED = Border(bottom=Side(style="thin"))
_RIGHT = Alignment(horizontal="right")
_WRAPPED = Alignment(wrap_text=True, vertical="top")
_TABLE_TOP = 2  # the header row; the title is in row 1
_WIDTH_LIMITS = (8, 60)
_BLANK_ROW = (None,)
CellValue = str | float | dt.date | None  # what a cell holds (float admits int and bool)


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet_names = _sheet_names(report.tables)
    about = workbook.active
    assert isinstance(about, Worksheet)  # a new workbook's one sheet
    _write_about(about, report, sheet_names)
    for table, name in zip(report.tables, sheet_names, strict=True):
        _write_table(workbook.create_sheet(name), table)
    moment = dt.datetime.combine(report.period_to, dt.time())
    workbook.properties.creator = "enkat"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    return _saved(workbook, moment)


def _sheet_names(tables: Sequence[Table]) -> list[str]:
    """Names from table ids, within Excel's rules: 31 characters, none of []:*?/\\, and
    unique ignoring case."""
    taken = {ABOUT_SHEET.casefold()}
    names = []
    for table in tables:
        base = _NOT_IN_SHEET_NAMES.sub("-", table.id).strip("'") or "tabell"
        name = _unique(base, taken)
        taken.add(name.casefold())
        names.append(name)
    return names


def _unique(base: str, taken: set[str]) -> str:
    name, number = base[:SHEET_NAME_LIMIT], 2
    while name.casefold() in taken:
        suffix = f"-{number}"
        name, number = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    return name


def _write_about(sheet: Worksheet, report: Report, sheet_names: Sequence[str]) -> None:
    """Subject, period and threshold, then what every table and column holds, then a
    glossary: the sheet a reader needs to use the figures correctly."""
    sheet.title = ABOUT_SHEET
    append_row(sheet, [ABOUT_SHEET])
    sheet["A1"].font = _TITLE
    _append_entries(sheet, [
        ("Gäller", subject_heading(report.subject)),
        ("Period", period_text(report)),
        ("Sekretess", suppression_text(report.suppression)),
    ])
    for table, name in zip(report.tables, sheet_names, strict=True):
        _append_heading(sheet, f"{table.title} (bladet {name})")
        _append_entries(sheet, [("Vad som räknas", note) for note in table.notes])
        _append_entries(sheet, [
            (column.label, column_explanation(table, index))
            for index, column in enumerate(table.columns)
        ])
    _append_heading(sheet, "Ordlista")
    _append_entries(sheet, glossary(report.suppression))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 100


def append_row(sheet: Worksheet, values: Sequence[CellValue]) -> list[Cell]:
    """Append a row and return its cells. Text stays text: openpyxl would otherwise take
    a name, label or answer starting with "=" for a formula that Excel runs; control
    characters a workbook cannot hold are dropped.

    The cells are made here, not looked up after appending: openpyxl finds a row by
    scanning every cell written so far, which made the answers workbook of one förbund
    year (5,000 rows) take 23–54 s (bench/soak.py).
    """
    # row and column: append() sets them
    cells = [Cell(sheet, row=1, column=1, value=_storable(value)) for value in values]
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    sheet.append(cells)
    return cells


def _storable(value: CellValue) -> CellValue:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append_heading(sheet: Worksheet, text: str) -> None:
    append_row(sheet, _BLANK_ROW)
    append_row(sheet, [text])[0].font = _BOLD


def _append_entries(sheet: Worksheet, entries: Iterable[tuple[str, str]]) -> None:
    for term, meaning in entries:
        for cell in append_row(sheet, [term, meaning]):
            cell.alignment = _WRAPPED


def _write_table(sheet: Worksheet, table: Table) -> None:
    append_row(sheet, [table.title])
    sheet["A1"].font = _TITLE
    _write_header(sheet, table.columns)
    for row in table.rows:
        _write_row(sheet, row, table.columns)
    if table.notes:
        append_row(sheet, _BLANK_ROW)
        for note in table.notes:
            append_row(sheet, [note])
    sheet.freeze_panes = sheet.cell(_TABLE_TOP + 1, 2).coordinate
    _fit_widths(sheet, table)


def _write_header(sheet: Worksheet, columns: Sequence[Column]) -> None:
    for cell in append_row(sheet, [None, *(column.label for column in columns)]):
        cell.font = _BOLD
        cell.border = _UNDERLINED
    for index, column in enumerate(columns, start=2):
        if right_aligned(column.kind):
            sheet.cell(_TABLE_TOP, index).alignment = _RIGHT


def _write_row(sheet: Worksheet, row: Row, columns: Sequence[Column]) -> None:
    cells = append_row(sheet, [row.label, *(figure.shown for figure in row.figures)])
    for cell, figure, column in zip(cells[1:], row.figures, columns, strict=True):
        if right_aligned(column.kind):
            cell.alignment = _RIGHT
        if isinstance(figure.shown, int | float):
            cell.number_format = _number_format(figure.kind_in(column), figure.shown)
    if row.is_total:
        for cell in cells:
            cell.font = _BOLD


def _number_format(kind: Kind, value: int | float) -> str:
    if kind is Kind.CHANGE:
        return _CHANGE_FORMATS[change_decimals(value)]
    return _NUMBER_FORMATS.get(kind, "General")


def _fit_widths(sheet: Worksheet, table: Table) -> None:
    """Fit each column to its header and figures as a reader sees them; the title and
    notes are left to run over the empty cells beside them."""
    columns: list[list[str]] = [
        [row.label for row in table.rows],
        *(
            [column.label, *(format_figure(row.figures[index], column) for row in table.rows)]
            for index, column in enumerate(table.columns)
        ),
    ]
    low, high = _WIDTH_LIMITS
    for number, texts in enumerate(columns, start=1):
        width = max((len(text) for text in texts), default=0) + 2
        sheet.column_dimensions[get_column_letter(number)].width = min(max(width, low), high)


def _saved(workbook: Workbook, moment: dt.datetime) -> bytes:
    """Write through openpyxl's ExcelWriter rather than Workbook.save(), which stamps the
    modified time with the clock, then give every zip entry the same time and mode."""
    written = io.BytesIO()
    with ZipFile(written, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return _with_fixed_times(written.getvalue(), (moment.year, moment.month, moment.day,
                                                  moment.hour, moment.minute, moment.second))


def _with_fixed_times(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The same zip, its entries in the same order, each stamped with `date_time`
    (openpyxl writes some entries with the time of writing, others from temporary files)."""
    fixed = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(fixed, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = ZipInfo(info.filename, date_time=date_time)
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info), ZIP_DEFLATED)
    return fixed.getvalue()
