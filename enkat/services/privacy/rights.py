"""A deltagare's rights to see their data and to have it erased.

`participant_data` is the answer to a request to see one's data (GDPR art. 15);
`erase_participant` removes a deltagare and everything about them (art. 17). Both are
written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from enkat.extensions import db
from enkat.models import (
    Forbund,
    Invitation,
    Participant,
    Response,
    User,
)
from enkat.services import NotFound
from enkat.services.answering.responses import answers_of
from enkat.services.audit.events import Action, record_event
from enkat.services.deltagare.participants import find_participant


def participant_data(forbund: Forbund, code: str, user: User | None = None) -> dict:
    """Everything enkat holds about one deltagare, as plain data (art. 15)."""
    participant = _participant(forbund, code)
    responses = db.session.scalars(
        select(Response).where(Response.participant_id == participant.id)
        .order_by(Response.answered_on, Response.id)
    ).all()
    links = db.session.scalars(
        select(Invitation).where(Invitation.participant_id == participant.id)
        .order_by(Invitation.created_at)
    ).all()
    record_event(Action.PARTICIPANT_EXPORTED, user=user, forbund_id=forbund.id,
                 subject=participant.code)
    return {
        "forbund": forbund.name,
        "code": participant.code,
        "registered": participant.created_at.isoformat(),
        "enrolments": [
            {"insats": enrolment.insats.name, "started_on": enrolment.started_on.isoformat(),
             "ended_on": enrolment.ended_on.isoformat() if enrolment.ended_on else None}
            for enrolment in participant.enrolments
        ],
        "responses": [_response_data(response) for response in responses],
        "links": [
            {"instrument": link.instrument_version.instrument_id, "timepoint": link.timepoint,
             "created_at": link.created_at.isoformat(), "expires_at": link.expires_at.isoformat(),
             "used_at": link.used_at.isoformat() if link.used_at else None}
            for link in links
        ],
    }


def _response_data(response: Response) -> dict:
    return {
        "instrument": response.instrument_version.instrument_id,
        "version": response.instrument_version.version,
        "insats": response.insats.name if response.insats else None,
        "timepoint": response.timepoint,
        "answered_on": response.answered_on.isoformat(),
        "source": response.source.value,
        "submitted": response.submitted_at is not None,
        "answers": {item_id: list(values) for item_id, values in answers_of(response).items()},
    }


def erase_participant(forbund: Forbund, code: str, user: User | None = None) -> int:
    """Delete the deltagare, their enrolments, links and responses (art. 17); returns the
    number of responses erased. Reports made afterwards no longer count them."""
    participant = _participant(forbund, code)
    erased = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.participant_id == participant.id))
    # The database's ON DELETE CASCADE takes the enrolments, links, responses and answers.
    db.session.execute(delete(Participant).where(Participant.id == participant.id)
                       .execution_options(synchronize_session=False))
    db.session.expunge(participant)
    record_event(Action.PARTICIPANT_ERASED, user=user, forbund_id=forbund.id,
                 subject=participant.code,
                 detail={"responses": erased})
    return erased


def _participant(forbund: Forbund, code: str) -> Participant:
    participant = find_participant(forbund, code.strip())
    if participant is None:
        raise NotFound(f'okänd deltagare "{code}" i {forbund.slug}')
    return participant
