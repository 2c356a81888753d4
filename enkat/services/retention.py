"""What enkat keeps, for how long, and a deltagare's rights to see and erase their data.

`purge` deletes what has served its purpose (docs/privacy.md says why each period):
- drafts nobody has touched for `DRAFT_RETENTION_DAYS` (a link or kiosk session given up);
- links used or expired more than `LINK_RETENTION_DAYS` ago: until then a used link still
  says "the answers have arrived"; afterwards it is simply unknown;
- ended kiosks, used or expired password-reset links and sessions unused (so ended)
  for `SHORT_RETENTION_DAYS`;
- utskick past their closing day are closed, which deletes their addresses.
Submitted responses are the förbund's records and are never purged here.

`participant_data` is the answer to a request to see one's data (GDPR art. 15);
`erase_participant` removes a deltagare and everything about them (art. 17). Both are
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, or_, select

from enkat.extensions import db
from enkat.models import (
    Forbund,
    Invitation,
    Kiosk,
    Participant,
    PasswordReset,
    Response,
    SignIn,
    User,
    utcnow,
)

from .accounts import record_event
from .campaigns import close_due_campaigns
from .organisation import NotFound
from .participants import find_participant
from .responses import answers_of


@dataclass(frozen=True)
class Purged:
    drafts: int
    links: int
    kiosks: int
    password_resets: int
    sign_ins: int
    utskick_closed: int


def purge(*, now: dt.datetime | None = None) -> Purged:
    now = now or utcnow()
    config = current_app.config
    draft_cutoff = now - dt.timedelta(days=config["DRAFT_RETENTION_DAYS"])
    link_cutoff = now - dt.timedelta(days=config["LINK_RETENTION_DAYS"])
    short_cutoff = now - dt.timedelta(days=config["SHORT_RETENTION_DAYS"])
    purged = Purged(
        utskick_closed=close_due_campaigns(now),
        drafts=_delete_drafts(draft_cutoff),
        links=_delete(Invitation, or_(Invitation.used_at < link_cutoff,
                                      Invitation.expires_at < link_cutoff)),
        kiosks=_delete(Kiosk, Kiosk.ended_at < short_cutoff),
        password_resets=_delete(PasswordReset, or_(PasswordReset.used_at < short_cutoff,
                                                   PasswordReset.expires_at < short_cutoff)),
        sign_ins=_delete(SignIn, SignIn.last_seen_at < short_cutoff),
    )
    record_event("purge", detail=purged.__dict__)
    return purged


def _delete_drafts(cutoff: dt.datetime) -> int:
    """Through the ORM, so that each draft's answers go with it on every database."""
    drafts = db.session.scalars(
        select(Response).where(Response.submitted_at.is_(None), Response.started_at < cutoff)
    ).all()
    for draft in drafts:
        db.session.delete(draft)
    db.session.flush()
    return len(drafts)


def _delete(model, condition) -> int:
    return db.session.execute(
        delete(model).where(condition).execution_options(synchronize_session=False)
    ).rowcount


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
    record_event("participant-exported", user=user, forbund_id=forbund.id, subject=participant.code)
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
    _delete(Participant, Participant.id == participant.id)
    db.session.expunge(participant)
    record_event("participant-erased", user=user, forbund_id=forbund.id, subject=participant.code,
                 detail={"responses": erased})
    return erased


def _participant(forbund: Forbund, code: str) -> Participant:
    participant = find_participant(forbund, code.strip())
    if participant is None:
        raise NotFound(f'unknown deltagare "{code}" in {forbund.slug}')
    return participant
