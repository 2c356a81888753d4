"""One instrument's answers wide, as an SPSS `.sav` file with its labels.

One row per response and one column per item (a column per option of a multiple-choice
item), with variable labels, value labels, measures and the "vet ej" codes as
user-missing values. Record-level data, not tables: it leaves the system unsuppressed
(docs/formats.md, "Answers for analysis").

pandas and pyreadstat (some 70 MB) are imported by the functions that write, on first
use, so the process that serves pages and never writes a .sav does not load them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from enkat.formats.selection import Selection, bound_text
from enkat.instruments import Instrument
from enkat.instruments.model import Item

if TYPE_CHECKING:
    import pandas

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

#: How a response came in, by its source (`models.ResponseSource`'s values).
SOURCE_NAMES = {
    "link": "Enkätlänk",
    "kiosk": "Surfplatta (kiosk)",
    "staff": "Personal fyllde i",
    "paper": "Från papper",
    "import": "Import (tidy CSV)",
}
SELECTED, NOT_SELECTED = 1, 0


@dataclass(frozen=True)
class WideResponse:
    """One submitted response as a row of the file: its frame and its answers
    (item id -> values as stored, in the order stored)."""

    response_id: str
    insats: str  # the insats' slug, "" for none
    participant: str  # the deltagare's code, "" for an anonymous response
    instrument_id: str
    version: int
    timepoint: str
    answered_on: dt.date
    source: str  # a `SOURCE_NAMES` key
    answers: Mapping[str, Sequence[str]]


def answers_sav(responses: Sequence[WideResponse], instruments: Sequence[Instrument],
                selection: Selection) -> bytes:
    """The .sav of the responses, in the order given. `instruments` are the versions of
    the one instrument the responses answer, the newest first (at least one): the
    variables are those of the newest, then items only older versions have."""
    import pandas

    layout = _spss_layout(instruments)
    frame = pandas.DataFrame(
        [_wide_row(response, layout.variables) for response in responses],
        columns=[variable.name for variable in layout.variables],
    )
    for variable in layout.variables:
        if variable.kind == "number":
            frame[variable.name] = frame[variable.name].astype("float64")
    newest = instruments[0]
    return _written(frame, layout, _file_label(newest, selection))


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


def _spss_layout(instruments: Sequence[Instrument]) -> _Layout:
    """The variables: the metadata first, then the items of the newest version in its
    order, then items only older versions have. Labels come from the newest version
    that has the item; codes are those of every version."""
    taken: set[str] = set()
    variables = [_Variable(_unique(name, taken), label, measure, kind)
                 for name, label, measure, kind in _METADATA]
    variables[-1].value_labels = dict(SOURCE_NAMES)
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
        variable.format = f"F8.{item.decimal_places}"
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


def _wide_row(response: WideResponse, variables: Sequence[_Variable]) -> list[object]:
    metadata = (
        response.response_id, response.insats, response.participant, response.instrument_id,
        float(response.version), response.timepoint, response.answered_on, response.source,
    )
    return [*metadata, *(_cell(variable, response.answers)
                         for variable in variables[len(metadata):])]


def _cell(variable: _Variable, given: Mapping[str, Sequence[str]]) -> object:
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
    import pyreadstat

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


def _file_label(instrument: Instrument, selection: Selection) -> str:
    period = f"{bound_text(selection.date_from)}–{bound_text(selection.date_to)}"
    return _truncated(f"{instrument.id}, {selection.forbund_slug}, {period}",
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
