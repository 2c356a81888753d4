"""The tidy CSV of responses as a file: one row per answer, read and written.

The format is a public interface, documented in docs/formats.md. Reading gives the
file's rows with the physical line each starts on, or the problems that make a line (or
the file) unreadable, each with its line and in Swedish (the column names are the
file's own, as its header writes them); writing gives the same bytes for the same
rows, with no field that starts a formula in a spreadsheet. What the rows mean (which
förbund, instrument and deltagare; whether the answers hold) is the import's business
(`enkat.services.answering.tidy_import`, `enkat.services.results.answer_exports`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TextIO

COLUMNS = (
    "response_id", "forbund", "insats", "participant", "instrument", "instrument_version",
    "timepoint", "answered_on", "item", "value",
)
HEADER = ",".join(COLUMNS)
#: The columns every row of one response repeats; they must agree.
FRAME_COLUMNS = COLUMNS[2:8]
#: The longest response_id a row may have.
MAX_RESPONSE_ID_LENGTH = 64
#: Said of a column that must have a value.
MUST_NOT_BE_EMPTY = "får inte vara tom"

# Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with one
# of the TRIGGERS. A cell starts at the start of a field and, for a program that splits on
# another separator than the comma (Excel in Swedish splits on ";") or ignores quotes, after
# any SPLITTERS. Export puts an apostrophe before every such start that, after any
# apostrophes already there, meets a trigger; import takes exactly that apostrophe away.
# So export -> import -> export gives the same bytes, and a value that really begins
# with "'=" keeps its apostrophe (docs/formats.md, "Formulas").
_TRIGGERS = "=+\\-@\t\r\n"
_SPLITTERS = ",;\t\r\n"
_CELL_START = f"(?:^|(?<=[{_SPLITTERS}]))"
_NEEDS_APOSTROPHE = re.compile(f"{_CELL_START}(?='*[{_TRIGGERS}])")
_ADDED_APOSTROPHE = re.compile(f"{_CELL_START}'(?='*[{_TRIGGERS}])")
#: A number as enkat writes it: a spreadsheet reads it as a number, never as a formula,
#: so a negative number stays a number.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def neutralise_formulas(field: str) -> str:
    """The field as export writes it: nothing in it starts a formula in a spreadsheet."""
    if _PLAIN_NUMBER.fullmatch(field):
        return field
    return _NEEDS_APOSTROPHE.sub("'", field)


def restore_formulas(field: str) -> str:
    """The field as it was before `neutralise_formulas`: import reads every field so."""
    if "'" not in field:  # nearly every field: no pattern to run
        return field
    return _ADDED_APOSTROPHE.sub("", field)


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong in the file; `line` is the physical line (the header is line 1),
    `item` the question a problem with an answer is about ("rad 7, kolumn value, fråga
    q1: …")."""

    line: int
    column: str | None
    message: str
    item: str | None = None

    def __str__(self) -> str:
        place = f"rad {self.line}"
        if self.column:
            place += f", kolumn {self.column}"
        if self.item:
            place += f", fråga {self.item}"
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class TidyRow:
    """One data row of the file: its physical line and its cells by column."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]


def row_answers(rows: Iterable[TidyRow]) -> dict[str, list[str]]:
    """A response's answers, item id -> values in file order, from its rows."""
    collected: dict[str, list[str]] = {}
    for row in rows:
        collected.setdefault(row["item"], []).append(row["value"])
    return collected


# --- reading -----------------------------------------------------------------------------


def read_rows(data: bytes, problems: list[CsvProblem]) -> list[TidyRow]:
    """The file's data rows; on a problem that makes the rest unreadable, what came before.
    Every problem found is appended to `problems`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        problems.append(CsvProblem(
            line, None, f"filen är inte UTF-8-text (byte 0x{byte:02x}); spara den som UTF-8 "
            "(i Excel: CSV UTF-8)"
        ))
        return []
    if not text.strip():
        problems.append(CsvProblem(1, None, f"filen är tom; första raden ska vara {HEADER}"))
        return []
    records = _records(text, problems)
    header = next(records, None)
    if header is None or not _header_ok(header[1], problems):
        return []
    rows = []
    for line, fields in records:
        if len(fields) != len(COLUMNS):
            problems.append(CsvProblem(
                line, None, f"raden ska ha {len(COLUMNS)} fält men har {len(fields)}"
            ))
            continue
        row = TidyRow(line, _cells(fields))
        if _row_ok(row, problems):
            rows.append(row)
    return rows


def _records(text: str, problems: list[CsvProblem]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the physical line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(CsvProblem(line, None, _unreadable(error)))
            return
        if fields:
            yield line, fields


def _cells(fields: list[str]) -> dict[str, str]:
    """A row's cells by column: names and codes lose surrounding spaces; the value (the
    last column) is kept as written."""
    *names, value = [restore_formulas(field) for field in fields]
    cells = dict(zip(COLUMNS[:-1], [name.strip() for name in names], strict=True))
    cells["value"] = value
    return cells


def _header_ok(header: list[str], problems: list[CsvProblem]) -> bool:
    if tuple(header) == COLUMNS:
        return True
    if len(header) == 1 and ";" in header[0]:
        problems.append(CsvProblem(
            1, None, "filen är avgränsad med semikolon; använd kommatecken"
        ))
        return False
    missing = [column for column in COLUMNS if column not in header]
    unexpected = [column for column in header if column not in COLUMNS]
    reasons = []
    if missing:
        reasons.append(f"{_columns(missing)} saknas")
    if unexpected:
        reasons.append(f"{_columns(unexpected)} hör inte till formatet")
    if not reasons:
        reasons.append("kolumnerna står i en annan ordning eller flera gånger")
    problems.append(CsvProblem(
        1, None, f"{'; '.join(reasons)}; rubrikraden ska vara exakt {HEADER}"
    ))
    return False


def _row_ok(row: TidyRow, problems: list[CsvProblem]) -> bool:
    """The row-level checks that do not depend on the rest of the response."""
    found = []
    for column in ("response_id", "item"):
        if not row[column]:
            found.append(CsvProblem(row.line, column, MUST_NOT_BE_EMPTY))
    if len(row["response_id"]) > MAX_RESPONSE_ID_LENGTH:
        found.append(CsvProblem(
            row.line, "response_id", f"får vara högst {MAX_RESPONSE_ID_LENGTH} tecken"
        ))
    problems.extend(found)
    return not found


def _columns(names: list[str]) -> str:
    """Columns named in a message: "kolumnen x", "kolumnerna x, y"."""
    return f"{'kolumnen' if len(names) == 1 else 'kolumnerna'} {', '.join(names)}"


def _unreadable(error: csv.Error) -> str:
    """Why the reader stopped, in Swedish: with the comma dialect that is a field past
    Python's limit (a quote left open swallows the rest of the file into one field)."""
    if str(error).startswith("field larger than field limit"):
        limit = f"{csv.field_size_limit():,}".replace(",", "\u00a0")  # Swedish: 131 072
        return f"ett fält är längre än {limit} tecken; saknar ett citattecken sitt par?"
    return "raden går inte att läsa som CSV"


# --- writing -----------------------------------------------------------------------------


def write_rows(out: TextIO, rows: Iterable[Sequence[str]]) -> int:
    """Write the header and the rows (values as stored, in the order given); return the
    rows written. No field starts a formula in a spreadsheet (`neutralise_formulas`)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    written = 0
    for row in rows:
        writer.writerow([neutralise_formulas(field) for field in row])
        written += 1
    return written
