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
from operator import attrgetter
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from enkat.extensions import db
from enkat.formats.answers_sav import WideResponse, answers_sav
from enkat.formats.answers_xlsx import EXCEL_ROWS, answers_workbook, instruments_named
from enkat.formats.selection import Selection
from enkat.formats.tidy_csv import write_rows
from enkat.instruments import Instrument
from enkat.models import Forbund, Insats, InstrumentVersion, Response
from enkat.services import ServiceError
from enkat.services.instruments.versions import stored_instrument


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
    return answers_workbook(rows, _instruments_in(rows), _selection(answers)), count


def _selection(answers: AnswerFilter) -> Selection:
    return Selection(answers.forbund.name, answers.forbund.slug,
                     answers.insats.name if answers.insats else None,
                     answers.date_from, answers.date_to)


def _instruments_in(rows: Iterable[tuple[str, ...]]) -> list[Instrument]:
    """The instrument versions the tidy rows name, by id and version."""
    pairs = instruments_named(rows)
    if not pairs:
        return []
    stored = db.session.scalars(select(InstrumentVersion).where(
        InstrumentVersion.instrument_id.in_({instrument_id for instrument_id, _ in pairs})))
    by_pair = {(row.instrument_id, row.version): row for row in stored}
    return [stored_instrument(by_pair[pair]) for pair in pairs if pair in by_pair]


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
        raise ServiceError(f"Det finns inga inskickade svar på {instrument_id} i urvalet.")
    wide = [_wide(response) for response in responses]
    return answers_sav(wide, instruments, _selection(answers)), len(responses)


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
    for response in _exported(forbund, insats, date_from, date_to):
        yield from _rows_of(response)


def _exported(
    forbund: Forbund | None, insats: Insats | None, date_from: dt.date | None,
    date_to: dt.date | None,
) -> Iterator[Response]:
    """Responses to export, streamed a day at a time and ordered in Python within a day,
    so the order does not depend on the database's collation."""
    query = (
        select(Response)
        .join(Response.forbund)
        .where(Response.submitted_at.is_not(None))
        .options(
            contains_eager(Response.forbund),
            joinedload(Response.insats),
            joinedload(Response.participant),
            joinedload(Response.instrument_version),
            selectinload(Response.answers),
        )
        .order_by(Response.answered_on)
        .execution_options(yield_per=500)
    )
    if forbund is not None:
        query = query.where(Response.forbund_id == forbund.id)
    if insats is not None:
        query = query.where(Response.insats_id == insats.id)
    if date_from is not None:
        query = query.where(Response.answered_on >= date_from)
    if date_to is not None:
        query = query.where(Response.answered_on <= date_to)
    for _, same_day in groupby(db.session.scalars(query), key=attrgetter("answered_on")):
        yield from sorted(same_day, key=lambda response: (response.external_id,
                                                          response.forbund.slug))


def _rows_of(response: Response) -> list[tuple[str, ...]]:
    version = response.instrument_version
    order = {item.id: index for index, item in enumerate(stored_instrument(version).items)}
    frame = (
        response.external_id,
        response.forbund.slug,
        response.insats.slug if response.insats else "",
        response.participant.code if response.participant else "",
        version.instrument_id,
        str(version.version),
        response.timepoint,
        response.answered_on.isoformat(),
    )
    answers = sorted(
        response.answers,
        key=lambda answer: (order.get(answer.item_id, len(order)), answer.item_id, answer.position),
    )
    return [(*frame, answer.item_id, answer.value) for answer in answers]
