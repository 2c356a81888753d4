"""Small helpers to write tidy CSV files in tests and to look at what an import did."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    Answer,
    Enrolment,
    Forbund,
    Insats,
    InstrumentVersion,
    Participant,
    Response,
)
from enkat.services.answering.responses import answers_of
from tests.unit.formats.tidy_files import HEADER, csv_bytes, rows  # noqa: F401


def with_forbund(data: str, slug: str) -> bytes:
    """The same tidy CSV with every row moved to another förbund."""
    table = list(csv.reader(io.StringIO(data, newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table[0])
    writer.writerows([row[0], slug, *row[2:]] for row in table[1:])
    return out.getvalue().encode("utf-8")


def table_counts() -> dict[str, int]:
    """Rows in every table an import writes to."""
    models = (Forbund, Insats, Participant, Enrolment, Response, Answer, InstrumentVersion)
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in models
    }


def canonical(forbund: Forbund) -> dict:
    """A förbund's data without database ids or timestamps, to compare two förbund."""
    responses = db.session.scalars(select(Response).where(Response.forbund_id == forbund.id))
    participants = db.session.scalars(
        select(Participant).where(Participant.forbund_id == forbund.id)
    ).all()
    return {
        "participants": sorted(participant.code for participant in participants),
        "responses": {
            response.external_id: (
                response.instrument_version.instrument_id,
                response.instrument_version.version,
                response.insats.slug if response.insats else None,
                response.participant.code if response.participant else None,
                response.timepoint,
                response.answered_on,
                answers_of(response),
            )
            for response in responses
        },
        "enrolments": sorted(
            (participant.code, enrolment.insats.slug, enrolment.started_on, enrolment.ended_on)
            for participant in participants
            for enrolment in participant.enrolments
        ),
    }
