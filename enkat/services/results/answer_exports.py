"""Answers as files for the förbund's administrators: the tidy CSV, the same rows as an
Excel workbook, and one instrument wide as an SPSS `.sav` with its labels.

These are record-level data, not tables: they leave the system unsuppressed and only
administrators may download them (docs/formats.md, "Answers for analysis"). The tidy
rows are exactly those of `export_responses`, so the CSV here is byte for byte
what `enkat export responses` writes with the same filters. Here are the queries; the
files are written by `enkat.formats` (`answers_xlsx`, `answers_sav`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import joinedload, selectinload

from enkat.database import one_moment
from enkat.extensions import db
from enkat.formats.answers_sav import WideResponse, answers_sav
from enkat.formats.answers_xlsx import EXCEL_ROWS, answers_workbook
from enkat.formats.selection import Selection
from enkat.formats.tidy_csv import write_rows
from enkat.instruments import Instrument
from enkat.models import Answer, Forbund, Insats, InstrumentVersion, Participant, Response
from enkat.services import ServiceError
from enkat.services.bulk import read_rows
from enkat.services.instruments.versions import instrument_title, stored_instrument


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
    and "Om filen" (the columns and what the file is). Returns the bytes and row count.

    The rows are counted first and then streamed from the database into the workbook,
    so no more than a day of them is held at once; both at one moment (`one_moment`), so
    the count is of the rows written though answers come in meanwhile."""
    with one_moment(db.session):
        return _tidy_xlsx(answers)


def _tidy_xlsx(answers: AnswerFilter) -> tuple[bytes, int]:
    conditions = _conditions(answers.forbund, answers.insats, answers.date_from,
                             answers.date_to)
    count = db.session.scalar(
        select(func.count()).select_from(Answer).join(Response).where(*conditions))
    if count > EXCEL_ROWS:
        raise TooManyRows(f"{count} svarsrader får inte plats i ett Excel-blad "
                          f"(högst {EXCEL_ROWS}). Hämta CSV eller välj en kortare period.")
    workbook = answers_workbook(_tidy_rows(conditions), _instruments_answered(conditions),
                                _selection(answers))
    return workbook, count


def _selection(answers: AnswerFilter) -> Selection:
    return Selection(answers.forbund.name, answers.forbund.slug,
                     answers.insats.name if answers.insats else None,
                     answers.date_from, answers.date_to)


def _instruments_answered(conditions: list[ColumnElement[bool]]) -> list[Instrument]:
    """The instrument versions the tidy rows name, by id and version."""
    answered = select(Response.instrument_version_id).join(Answer).where(*conditions)
    stored = db.session.scalars(select(InstrumentVersion)
                                .where(InstrumentVersion.id.in_(answered))
                                .order_by(InstrumentVersion.instrument_id,
                                          InstrumentVersion.version))
    return [stored_instrument(row) for row in stored]


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


def spss_sav(answers: AnswerFilter, instrument_id: str) -> tuple[bytes, int]:
    """One instrument's responses wide, one row per response and one column per item (a
    column per option of a multiple-choice item), as an SPSS .sav file with variable
    labels, value labels, measures and the "vet ej" codes as user-missing values. Returns
    the bytes and the number of responses."""
    responses = _responses(answers, instrument_id)
    instruments = _versions_newest_first(responses)
    if not instruments:
        raise ServiceError(_no_answers(instrument_id))
    wide = [_wide(response) for response in responses]
    return answers_sav(wide, instruments, _selection(answers)), len(responses)


def spss_refusal(answers: AnswerFilter, instrument_id: str) -> str | None:
    """Why there is no SPSS file of the instrument in the selection (no response to it
    submitted there), said before a job is queued to build one; None when there is."""
    submitted = db.session.scalar(
        select(func.count()).select_from(Response).join(Response.instrument_version)
        .where(InstrumentVersion.instrument_id == instrument_id,
               *_conditions(answers.forbund, answers.insats, answers.date_from,
                            answers.date_to)))
    return None if submitted else _no_answers(instrument_id)


def _no_answers(instrument_id: str) -> str:
    """Said of an SPSS file with nothing in it, naming the survey by its title."""
    return (f"Det finns inga inskickade svar på ”{instrument_title(instrument_id)}” för den "
            "period och det urval som rapporten gäller. Välj en annan period eller enkät.")


def _responses(answers: AnswerFilter, instrument_id: str) -> list[Response]:
    query = (
        select(Response)
        .join(Response.instrument_version)
        .where(InstrumentVersion.instrument_id == instrument_id,
               *_conditions(answers.forbund, answers.insats, answers.date_from,
                            answers.date_to))
        .options(joinedload(Response.insats), joinedload(Response.participant),
                 joinedload(Response.instrument_version), selectinload(Response.answers))
    )
    # ordered in Python, as the tidy CSV is, so the order does not hang on a collation
    return sorted(db.session.scalars(query),
                  key=lambda response: (response.answered_on, response.external_id))


def _versions_newest_first(responses: Iterable[Response]) -> list[Instrument]:
    rows = {response.instrument_version.id: response.instrument_version
            for response in responses}
    return [stored_instrument(row)
            for row in sorted(rows.values(), key=lambda row: row.version, reverse=True)]


def _wide(response: Response) -> WideResponse:
    given: dict[str, list[str]] = {}
    for answer in response.answers:
        given.setdefault(answer.item_id, []).append(answer.value)
    version = response.instrument_version
    return WideResponse(
        response.external_id, response.insats.slug if response.insats else "",
        response.participant.code if response.participant else "", version.instrument_id,
        version.version, response.timepoint, response.answered_on, response.source.value,
        given,
    )


# --- the tidy rows ---------------------------------------------------------------------


def export_responses(
    out: TextIO,
    *,
    forbund: Forbund | None = None,
    insats: Insats | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> int:
    """Write submitted responses as tidy CSV (dates inclusive); return the rows written.

    The order is stable: answered_on, response_id, then the items in the order of the
    instrument, so exporting the same data twice gives the same bytes. No field starts
    a formula in a spreadsheet (`neutralise_formulas`).
    """
    return write_rows(out, tidy_rows(forbund=forbund, insats=insats, date_from=date_from,
                                     date_to=date_to))


def tidy_rows(
    *,
    forbund: Forbund | None = None,
    insats: Insats | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Iterator[tuple[str, ...]]:
    """The rows `export_responses` writes, in its order, with the values as stored."""
    return _tidy_rows(_conditions(forbund, insats, date_from, date_to))


def _conditions(
    forbund: Forbund | None, insats: Insats | None, date_from: dt.date | None,
    date_to: dt.date | None,
) -> list[ColumnElement[bool]]:
    """Which responses an export holds: submitted ones, filtered (dates inclusive)."""
    conditions = [Response.submitted_at.is_not(None)]
    if forbund is not None:
        conditions.append(Response.forbund_id == forbund.id)
    if insats is not None:
        conditions.append(Response.insats_id == insats.id)
    if date_from is not None:
        conditions.append(Response.answered_on >= date_from)
    if date_to is not None:
        conditions.append(Response.answered_on <= date_to)
    return conditions


def _tidy_rows(conditions: list[ColumnElement[bool]]) -> Iterator[tuple[str, ...]]:
    """The tidy rows, read as plain rows (an answer with its response's frame) in date
    order and streamed; within a day the responses are ordered in Python (by response_id,
    then förbund), so the order does not depend on the database's collation."""
    query = (
        select(Response.id, Response.external_id, Forbund.slug.label("forbund"),
               Insats.slug.label("insats"), Participant.code.label("participant"),
               Response.instrument_version_id, InstrumentVersion.instrument_id,
               InstrumentVersion.version, Response.timepoint, Response.answered_on,
               Answer.item_id, Answer.position, Answer.value)
        .join(Forbund, Response.forbund_id == Forbund.id)
        .join(InstrumentVersion, Response.instrument_version_id == InstrumentVersion.id)
        .outerjoin(Insats, Response.insats_id == Insats.id)
        .outerjoin(Participant, Response.participant_id == Participant.id)
        .join(Answer, Answer.response_id == Response.id)
        .where(*conditions)
        .order_by(Response.answered_on, Response.id)
    )
    item_order = _ItemOrder()
    # by position: a Row's attribute costs ten times its index, on every answer
    column = {selected.key: index for index, selected in enumerate(query.selected_columns)}
    day, response = itemgetter(column["answered_on"]), itemgetter(column["id"])
    answer = itemgetter(column["item_id"], column["position"], column["value"])
    answers = read_rows(query, yield_per=5000)
    for _, same_day in groupby(answers, key=day):
        responses = [list(rows) for _, rows in groupby(same_day, key=response)]
        responses.sort(key=lambda rows: (rows[0].external_id, rows[0].forbund))
        for rows in responses:
            yield from _rows_of(rows[0], map(answer, rows),
                                item_order(rows[0].instrument_version_id))


class _ItemOrder:
    """The position of each item in its instrument version, read once per version."""

    def __init__(self) -> None:
        self._orders: dict[int, dict[str, int]] = {}

    def __call__(self, version_id: int) -> dict[str, int]:
        if version_id not in self._orders:
            version = db.session.get_one(InstrumentVersion, version_id)
            self._orders[version_id] = {
                item.id: index for index, item in enumerate(stored_instrument(version).items)}
        return self._orders[version_id]


def _rows_of(first: Row[Any], answers: Iterable[tuple[str, int, str]],
             order: dict[str, int]) -> list[tuple[str, ...]]:
    """A response's tidy rows from its first row's frame and its answers (item, position,
    value): its items in the instrument's order, the codes of a multiple choice in the
    order given."""
    frame = (first.external_id, first.forbund, first.insats or "", first.participant or "",
             first.instrument_id, str(first.version), first.timepoint,
             first.answered_on.isoformat())
    unknown = len(order)
    ordered = sorted(answers, key=lambda answer: (order.get(answer[0], unknown), *answer[:2]))
    return [(*frame, item, value) for item, _, value in ordered]
