"""The answers workbook cell by cell: every sheet, value, type, number format, bold cell,
frozen pane and column width is what the workbook has always held.

`answers_workbook.json` is the workbook openpyxl's write-only mode wrote (the writer
before XlsxWriter), read back with openpyxl; the same rows give the same cells now.
Run this file as a script to write it again after a deliberate change to the workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from enkat.formats.answers_xlsx import answers_workbook
from enkat.formats.selection import Selection
from enkat.instruments import Instrument, bundled_directory, load_file

RECORDED = Path(__file__).with_name("answers_workbook.json")

#: Tidy rows as the service streams them: text as stored, a multiple choice on two rows,
#: free text that a spreadsheet would run or take for an error, a line break, a control
#: character a workbook cannot hold, and empty insats and participant fields.
ROWS = [
    ("i-1", "test", "steget", "ALFA1", "finsam-inskrivning", "1", "start", "2025-02-03",
     "forsorjning", "lon"),
    ("i-1", "test", "steget", "ALFA1", "finsam-inskrivning", "1", "start", "2025-02-03",
     "forsorjning", "a-kassa"),
    ("o-1", "test", "steget", "ALFA1", "ors", "1", "start", "2025-02-03", "nara-relationer",
     "7.5"),
    ("p-1", "test", "", "", "nns-personal", "1", "arlig", "2025-10-01", "synpunkter",
     '=HYPERLINK("http://x")'),
    ("p-2", "test", "", "", "nns-personal", "1", "arlig", "2025-10-01", "synpunkter", "#N/A"),
    ("p-3", "test", "", "", "nns-personal", "1", "arlig", "2025-10-01", "synpunkter",
     "Bra, men\nmer tid\x07"),
    ("p-4", "test", "", "", "nns-personal", "1", "arlig", "2025-12-31", "synpunkter", "-1"),
]
SELECTION = Selection("Testförbundet", "test", "Steget", dt.date(2025, 1, 1), None)


def instruments() -> list[Instrument]:
    return [load_file(bundled_directory() / f"{name}.json")
            for name in ("finsam-inskrivning", "nns-personal", "ors")]


def cells_of(data: bytes) -> dict[str, Any]:
    """What a reader of the workbook sees, sheet by sheet, as JSON."""
    workbook = load_workbook(io.BytesIO(data))
    return {name: _sheet(workbook[name]) for name in workbook.sheetnames}


def _sheet(sheet: Any) -> dict[str, Any]:
    return {
        "freeze_panes": sheet.freeze_panes,
        "widths": {letter: dimension.width for letter, dimension
                   in sorted(sheet.column_dimensions.items()) if dimension.customWidth},
        "rows": [[_cell(cell) for cell in row] for row in sheet.iter_rows()],
    }


def _cell(cell: Any) -> list[Any] | None:
    """Value, type, number format and boldness; None for an empty cell (openpyxl reads the
    empty text a field without a value wrote as an empty cell of type inlineStr)."""
    if cell.value is None and not cell.font.bold:
        return None
    value = cell.value.isoformat() if isinstance(cell.value, dt.datetime) else cell.value
    return [value, cell.data_type, cell.number_format, bool(cell.font.bold)]


def test_the_workbook_holds_the_cells_it_always_held():
    written = answers_workbook(iter(ROWS), instruments(), SELECTION)
    assert cells_of(written) == json.loads(RECORDED.read_text(encoding="utf-8"))


def _recorded_text(cells: dict[str, Any]) -> str:
    """JSON with a row of cells to a line, so a change shows as the rows it changes."""
    sheets = []
    for name, sheet in cells.items():
        rows = ",\n".join("   " + json.dumps(row, ensure_ascii=False) for row in sheet["rows"])
        frame = json.dumps({key: sheet[key] for key in ("freeze_panes", "widths")})[1:-1]
        sheets.append(f' {json.dumps(name, ensure_ascii=False)}: {{{frame},\n  "rows": [\n'
                      f'{rows}\n  ]}}')
    return "{\n" + ",\n".join(sheets) + "\n}\n"


if __name__ == "__main__":
    RECORDED.write_text(_recorded_text(cells_of(answers_workbook(iter(ROWS), instruments(),
                                                                 SELECTION))),
                        encoding="utf-8")
