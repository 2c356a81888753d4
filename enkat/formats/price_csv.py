"""The price list of samhällsnytta as a CSV file (`enkat prices import`): columns
`source,kronor,payer`, a header first, one row per försörjning source (docs/formats.md).

Reading gives the rows with the physical line each is on, or the problems that make a
line (or the file) unreadable, in Swedish and each with its line. Whether a row's
source, kronor and payer hold is the import's business
(`enkat.services.samhallsnytta.prices`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from enkat.formats.tidy_csv import restore_formulas

COLUMNS = ("source", "kronor", "payer")
HEADER = ",".join(COLUMNS)


@dataclass(frozen=True)
class LineProblem:
    """One thing wrong in the file; `line` is the physical line (the header is line 1),
    None for the file as a whole (a source it lacks)."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        place = f"rad {self.line}" + (f", kolumn {self.column}" if self.column else "")
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class PriceRow:
    """One data row as written: its line and its three fields, stripped."""

    line: int
    source: str
    kronor: str
    payer: str


def read_price_rows(data: str | bytes, problems: list[LineProblem]) -> list[PriceRow]:
    """The file's data rows (blank lines skipped); every problem is appended to `problems`."""
    text = _text(data, problems)
    if text is None:
        return []
    if not text.strip():
        problems.append(LineProblem(1, None, f"Filen är tom. Första raden ska vara {HEADER}."))
        return []
    rows: list[PriceRow] = []
    records = _records(text, problems)
    header = next(records, None)
    if header is None or not _header_ok(*header, problems):
        return rows
    for line, cells in records:
        if len(cells) != len(COLUMNS):
            problems.append(LineProblem(line, None, (
                f"Raden ska ha {len(COLUMNS)} fält ({HEADER}) men har {len(cells)}.")))
            continue
        rows.append(PriceRow(line, *cells))
    return rows


def _records(text: str, problems: list[LineProblem]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records, stripped, with the physical line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error:
            problems.append(LineProblem(line, None, (
                "Raden går inte att läsa som CSV: ett citattecken saknar sitt par.")))
            return
        if any(field.strip() for field in fields):
            yield line, [restore_formulas(field.strip()) for field in fields]


def _header_ok(line: int, cells: list[str], problems: list[LineProblem]) -> bool:
    if [cell.lower() for cell in cells] == list(COLUMNS):
        return True
    problems.append(LineProblem(line, None, (
        f"Första raden ska vara rubrikerna {HEADER}, inte {','.join(cells)}.")))
    return False


def _text(data: str | bytes, problems: list[LineProblem]) -> str | None:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(LineProblem(line, None, (
            "Filen är inte UTF-8-text. Spara den som UTF-8 (i Excel: CSV UTF-8).")))
        return None
