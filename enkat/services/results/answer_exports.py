"""Answers as files for the förbund's administrators: the tidy CSV, the same rows as an
Excel workbook, and one instrument wide as an SPSS `.sav` with its labels.

These are record-level data, not tables: they leave the system unsuppressed and only
administrators may download them (docs/formats.md, "Answers for analysis"). The tidy
rows are exactly those of `tidy_csv.export_responses`, so the CSV here is byte for byte
what `enkat export responses` writes with the same filters. The workbook holds the same
rows with the values as stored: its cells are text, never formulas, so it needs no
apostrophes against formula injection.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas
import pyreadstat
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from enkat.extensions import db
from enkat.instruments import Instrument
from enkat.instruments.model import Item
from enkat.models import Forbund, Insats, InstrumentVersion, Response, ResponseSource
from enkat.reports.exports.xlsx_export import append_row
from enkat.services import ServiceError
from enkat.services.answering.tidy_csv import COLUMNS, export_responses, tidy_rows
from enkat.services.instruments.versions import stored_instrument

#: Excel's last row, less the header.
EXCEL_ROWS = 1_048_575
#: SPSS: names of at most 64 bytes, starting with a letter; these words are reserved.
SPSS_NAME_LIMIT = 64
SPSS_RESERVED = frozenset(
    {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
)
#: SPSS shows at most this much of a variable label, and of a value label.
SPSS_LABEL_LIMIT = 256
SPSS_VALUE_LABEL_LIMIT = 120
SPSS_FILE_LABEL_LIMIT = 64
SPSS_NOTE_LINE_LIMIT = 80

SOURCE_NAMES = {
    ResponseSource.LINK: "Enkätlänk",
    ResponseSource.KIOSK: "Surfplatta (kiosk)",
    ResponseSource.STAFF: "Personal fyllde i",
    ResponseSource.PAPER: "Från papper",
    ResponseSource.IMPORT: "Import (tidy CSV)",
}
SELECTED, NOT_SELECTED = 1, 0

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


class TooManyRows(ServiceError):
    """The answers do not fit in one Excel sheet."""


@dataclass(frozen=True)
class AnswerFilter:
    """Which submitted responses: the förbund's, perhaps one insats', answered in a period
    (both ends inclusive)."""

    forbund: Forbund
    insats: Insats | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# --- tidy CSV and XLSX -------------------------------------------------------------------


def tidy_csv(answers: AnswerFilter) -> tuple[str, int]:
    """The tidy CSV text and its number of answer rows."""
    out = io.StringIO()
    rows = export_responses(out, forbund=answers.forbund, insats=answers.insats,
                            date_from=answers.date_from, date_to=answers.date_to)
    return out.getvalue(), rows


def tidy_xlsx(answers: AnswerFilter) -> tuple[bytes, int]:
    """A workbook of three sheets: "Svar" (the tidy rows, as the CSV has them),
    "Variabler" (every item of the instruments answered: text, type, codes and labels)
    and "Om filen" (the columns and what the file is). Returns the bytes and row count."""
    rows = list(tidy_rows(forbund=answers.forbund, insats=answers.insats,
                          date_from=answers.date_from, date_to=answers.date_to))
    count = len(rows)
    if count > EXCEL_ROWS:
        raise TooManyRows(f"{count} svarsrader får inte plats i ett Excel-blad "
                          f"(högst {EXCEL_ROWS}). Hämta CSV eller välj en kortare period.")
    workbook = Workbook()
    _write_answers(workbook.active, rows)
    _write_variables(workbook.create_sheet("Variabler"), _instruments_in(rows))
    _write_about(workbook.create_sheet("Om filen"), answers)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue(), count


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


def _write_about(sheet: Worksheet, answers: AnswerFilter) -> None:
    _append(sheet, ("Svar från " + answers.forbund.name,), bold=True)
    for term, meaning in (
        ("Insats", answers.insats.name if answers.insats else "Alla insatser"),
        ("Från", _iso(answers.date_from)), ("Till", _iso(answers.date_to)),
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


def _instruments_in(rows: Iterable[Sequence[str]]) -> list[Instrument]:
    """The instrument versions the tidy rows name, by id and version."""
    index_id, index_version = COLUMNS.index("instrument"), COLUMNS.index("instrument_version")
    pairs = sorted({(row[index_id], int(row[index_version])) for row in rows})
    if not pairs:
        return []
    stored = db.session.scalars(select(InstrumentVersion).where(
        InstrumentVersion.instrument_id.in_({instrument_id for instrument_id, _ in pairs})))
    by_pair = {(row.instrument_id, row.version): row for row in stored}
    return [stored_instrument(by_pair[pair]) for pair in pairs if pair in by_pair]


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "(ingen gräns)"


# --- which instruments were answered -----------------------------------------------------


def answered_instruments(forbund: Forbund) -> list[tuple[str, str]]:
    """(id, Swedish title of the newest version) of every instrument the förbund has
    submitted responses to, by title."""
    rows = db.session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.id.in_(
            select(Response.instrument_version_id).where(
                Response.forbund_id == forbund.id, Response.submitted_at.is_not(None))))
    )
    newest: dict[str, InstrumentVersion] = {}
    for row in rows:
        if row.instrument_id not in newest or row.version > newest[row.instrument_id].version:
            newest[row.instrument_id] = row
    titled = [(instrument_id, stored_instrument(row).title.get("sv"))
              for instrument_id, row in newest.items()]
    return sorted(titled, key=lambda pair: (pair[1].casefold(), pair[0]))


# --- SPSS ----------------------------------------------------------------------------------


@dataclass
class _Variable:
    """One column of the .sav: its SPSS name, label, measure, format and value labels."""

    name: str
    label: str
    measure: str  # nominal, ordinal or scale
    kind: str  # "number", "text" or "date": what the column holds
    item: Item | None = None
    code: str | None = None  # the option of a multiple-choice item this column is
    value_labels: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    format: str | None = None


@dataclass
class _Layout:
    variables: list[_Variable]
    renamed: list[str]  # notes: which SPSS names stand for which item ids and codes


_METADATA = (
    ("response_id", "Svarets id (response_id i tidy CSV)", "nominal", "text"),
    ("insats", "Insats (kortnamn)", "nominal", "text"),
    ("deltagare", "Deltagarens kod (tom för anonyma svar)", "nominal", "text"),
    ("instrument", "Enkät (id)", "nominal", "text"),
    ("version", "Enkätens version", "nominal", "number"),
    ("timepoint", "Mätpunkt", "nominal", "text"),
    ("answered_on", "Svarsdatum", "scale", "date"),
    ("source", "Hur svaret kom in", "nominal", "text"),
)


def spss_sav(answers: AnswerFilter, instrument_id: str) -> tuple[bytes, int]:
    """One instrument's responses wide, one row per response and one column per item (a
    column per option of a multiple-choice item), as an SPSS .sav file with variable
    labels, value labels, measures and the "vet ej" codes as user-missing values. Returns
    the bytes and the number of responses."""
    responses = _responses(answers, instrument_id)
    instruments = _versions_newest_first(responses)
    if not instruments:
        raise ServiceError(f"Det finns inga inskickade svar på {instrument_id} i urvalet.")
    layout = _spss_layout(instruments)
    frame = pandas.DataFrame(
        [_wide_row(response, layout.variables) for response in responses],
        columns=[variable.name for variable in layout.variables],
    )
    for variable in layout.variables:
        if variable.kind == "number":
            frame[variable.name] = frame[variable.name].astype("float64")
    newest = instruments[0]
    return _written(frame, layout, _file_label(newest, answers)), len(responses)


def _responses(answers: AnswerFilter, instrument_id: str) -> list[Response]:
    query = (
        select(Response)
        .join(Response.instrument_version)
        .where(Response.forbund_id == answers.forbund.id,
               Response.submitted_at.is_not(None),
               InstrumentVersion.instrument_id == instrument_id)
        .options(joinedload(Response.insats), joinedload(Response.participant),
                 joinedload(Response.instrument_version), selectinload(Response.answers))
    )
    if answers.insats is not None:
        query = query.where(Response.insats_id == answers.insats.id)
    if answers.date_from is not None:
        query = query.where(Response.answered_on >= answers.date_from)
    if answers.date_to is not None:
        query = query.where(Response.answered_on <= answers.date_to)
    # ordered in Python, as the tidy CSV is, so the order does not hang on a collation
    return sorted(db.session.scalars(query),
                  key=lambda response: (response.answered_on, response.external_id))


def _versions_newest_first(responses: Iterable[Response]) -> list[Instrument]:
    rows = {response.instrument_version.id: response.instrument_version
            for response in responses}
    return [stored_instrument(row)
            for row in sorted(rows.values(), key=lambda row: row.version, reverse=True)]


def _spss_layout(instruments: Sequence[Instrument]) -> _Layout:
    """The variables: the metadata first, then the items of the newest version in its
    order, then items only older versions have. Labels come from the newest version
    that has the item; codes are those of every version."""
    taken: set[str] = set()
    variables = [_Variable(_unique(name, taken), label, measure, kind)
                 for name, label, measure, kind in _METADATA]
    variables[-1].value_labels = {source.value: name for source, name in SOURCE_NAMES.items()}
    renamed: list[str] = []
    for item, codes in _items_of(instruments):
        for variable in _item_variables(item, codes, taken):
            variables.append(variable)
            wanted = f"{item.id}={variable.code}" if variable.code else item.id
            if variable.name != item.id:
                renamed.append(f"{variable.name} = {wanted}")
    return _Layout(variables, renamed)


def _items_of(instruments: Sequence[Instrument]) -> list[tuple[Item, tuple[str, ...]]]:
    """Every answerable item once, with its newest definition and the codes of all."""
    found: dict[str, Item] = {}
    codes: dict[str, dict[str, None]] = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.answerable:
                found.setdefault(item.id, item)
                codes.setdefault(item.id, {}).update(dict.fromkeys(item.codes))
    return [(item, tuple(codes[item.id])) for item in found.values()]


def _item_variables(item: Item, codes: tuple[str, ...], taken: set[str]) -> list[_Variable]:
    text = item.text.get("sv")
    if item.is_multiple:
        return [_Variable(
            _unique(f"{item.id}_{code}", taken),
            _label(f"{text}: {_code_label(item, code)}"), "nominal", "number",
            item=item, code=code,
            value_labels={SELECTED: "Vald", NOT_SELECTED: "Inte vald"}, format="F1.0",
        ) for code in codes]
    name = _unique(item.id, taken)
    label = _label(text if name == item.id else f"{text} [{item.id}]")
    variable = _Variable(name, label, "nominal", "text", item=item)
    if item.is_coded:
        _coded(variable, item, codes)
    elif item.type in ("vas", "number"):
        variable.kind, variable.measure = "number", "scale"
        variable.format = f"F8.{1 if item.type == 'vas' else item.decimals}"
    elif item.type == "date":
        variable.kind, variable.measure = "date", "scale"
    return [variable]


def _coded(variable: _Variable, item: Item, codes: tuple[str, ...]) -> None:
    """Whole-number codes become a numeric variable (its "vet ej" codes user-missing);
    codes in words stay text, each with its label."""
    variable.measure = "ordinal" if item.type == "ordinal" else "nominal"
    labels = {code: _value_label(_code_label(item, code)) for code in codes}
    if all(_is_whole_number(code) for code in codes):
        variable.kind, variable.format = "number", "F8.0"
        variable.value_labels = {int(code): label for code, label in labels.items()}
        variable.missing = [int(code) for code in item.missing_codes][:3]  # SPSS: 3 values
    else:
        variable.value_labels = labels


def _code_label(item: Item, code: str) -> str:
    try:
        return item.code_label(code, "sv")
    except KeyError:  # a code only an older version of the item has
        return code


_SPSS_NAME = re.compile(r"[^A-Za-z0-9_]")


def _unique(wanted: str, taken: set[str]) -> str:
    """An SPSS variable name for `wanted`: hyphens become underscores, at most 64
    characters, not a reserved word, unique ignoring case (a number added if needed)."""
    base = _SPSS_NAME.sub("_", wanted)[:SPSS_NAME_LIMIT].rstrip("_") or "v"
    if not base[0].isalpha():
        base = ("v_" + base)[:SPSS_NAME_LIMIT]
    name, number = base, 2
    while name.casefold() in taken or name.casefold() in SPSS_RESERVED:
        suffix = f"_{number}"
        name, number = base[: SPSS_NAME_LIMIT - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def _wide_row(response: Response, variables: Sequence[_Variable]) -> list[object]:
    given: dict[str, list[str]] = {}
    for answer in response.answers:
        given.setdefault(answer.item_id, []).append(answer.value)
    version = response.instrument_version
    metadata = (
        response.external_id, response.insats.slug if response.insats else "",
        response.participant.code if response.participant else "", version.instrument_id,
        float(version.version), response.timepoint, response.answered_on,
        response.source.value,
    )
    return [*metadata, *(_cell(variable, given) for variable in variables[len(metadata):])]


def _cell(variable: _Variable, given: dict[str, list[str]]) -> object:
    assert variable.item is not None  # every variable after the metadata is an item's
    values = given.get(variable.item.id)
    if variable.code is not None:  # one option of a multiple-choice item
        if values is None:
            return math.nan
        return float(SELECTED if variable.code in values else NOT_SELECTED)
    if not values:
        return math.nan if variable.kind == "number" else None
    value = values[0]
    if variable.kind == "number":
        return float(value)
    if variable.kind == "date":
        return dt.date.fromisoformat(value)
    return value


def _written(frame: pandas.DataFrame, layout: _Layout, file_label: str) -> bytes:
    variables = layout.variables
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svar.sav"
        pyreadstat.write_sav(
            frame, str(path), file_label=file_label,
            column_labels={v.name: v.label for v in variables},
            variable_value_labels={v.name: v.value_labels for v in variables if v.value_labels},
            missing_ranges={v.name: v.missing for v in variables if v.missing},
            variable_measure={v.name: v.measure for v in variables},
            variable_format={v.name: v.format for v in variables if v.format},
            note=_notes(layout.renamed),
        )
        return path.read_bytes()


def _notes(renamed: Sequence[str]) -> list[str]:
    """The file's documents, lines of at most 80 bytes as SPSS keeps them: where the
    variable names come from."""
    if not renamed:
        return ["Variabelnamnen är frågornas id i enkäten."]
    return list(_lines([
        *"SPSS tillåter inte bindestreck i variabelnamn. Dessa variabler står för frågan "
         "(fråga=svarskod för ett alternativ i en fråga med flera val):".split(),
        *(word for entry in renamed for word in f"{entry};".split()),
    ]))


def _lines(words: Sequence[str], limit: int = SPSS_NOTE_LINE_LIMIT) -> Iterator[str]:
    line = ""
    for word in (_truncated(word, limit) for word in words):
        longer = f"{line} {word}" if line else word
        if line and len(longer.encode("utf-8")) > limit:
            yield line
            longer = word
        line = longer
    if line:
        yield line


def _file_label(instrument: Instrument, answers: AnswerFilter) -> str:
    period = f"{_iso(answers.date_from)}–{_iso(answers.date_to)}"
    return _truncated(f"{instrument.id}, {answers.forbund.slug}, {period}",
                      SPSS_FILE_LABEL_LIMIT)


def _label(text: str) -> str:
    return _truncated(" ".join(text.split()), SPSS_LABEL_LIMIT)


def _value_label(text: str) -> str:
    return _truncated(" ".join(text.split()), SPSS_VALUE_LABEL_LIMIT)


def _truncated(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut at a character and marked with "…"."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", "ignore")
    return cut + "…"


def _is_whole_number(code: str) -> bool:
    return code.isascii() and code.isdigit()
