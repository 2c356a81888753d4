"""Enkätlänkar: personal, single-use links to answer one instrument.

A link carries a random token; only its SHA-256 is stored, so a copy of the database
opens no survey. The token itself is shown once, when the invitation is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Insats, Invitation, Participant, User, utcnow

from . import ServiceError
from .instruments import register_version, resolve_instrument
from .responses import ContextProblem, ResponseContext, context_problems

#: Random bytes in a token: 256 bits, written as 43 URL-safe characters.
TOKEN_BYTES = 32
MAX_EXPIRY_DAYS = 365


class InvitationRefused(ServiceError):
    """The link cannot be made; `problems` says why, all at once."""

    def __init__(self, problems: list[ContextProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


class LinkStatus(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class InvitationState:
    """What a token opens; `invitation` is None when the token is unknown."""

    status: LinkStatus
    invitation: Invitation | None = None


def create_invitation(
    insats: Insats,
    instrument_id: str,
    timepoint: str,
    *,
    participant: Participant | None = None,
    expires_in_days: int = 30,
    created_by: User | None = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """A new link to the current version of an instrument, and its token (shown once)."""
    now = now or utcnow()
    instrument = resolve_instrument(instrument_id)
    context = ResponseContext(
        forbund=insats.forbund, instrument=instrument, insats=insats, participant=participant,
        timepoint=timepoint, answered_on=now.date(),
    )
    problems = invitation_problems(context, expires_in_days)
    if problems:
        raise InvitationRefused(problems)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        token_hash=hash_token(token),
        instrument_version_id=register_version(instrument).id,
        forbund_id=insats.forbund_id,
        insats_id=insats.id,
        participant_id=participant.id if participant else None,
        timepoint=timepoint,
        created_at=now,
        created_by_id=created_by.id if created_by else None,
        expires_at=now + dt.timedelta(days=expires_in_days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def invitation_problems(context: ResponseContext, expires_in_days: int) -> list[ContextProblem]:
    """The rules of a response (timepoint, code) plus those of a link."""
    problems = context_problems(context)
    if context.instrument.rated_by == "staff":
        problems.append(ContextProblem(
            "instrument",
            f"{context.instrument.id} is filled in by personal, not answered through a link",
        ))
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        problems.append(ContextProblem(
            "expires_in_days",
            f"a link must expire in 1 to {MAX_EXPIRY_DAYS} days, not {expires_in_days}",
        ))
    return problems


def hash_token(token: str) -> str:
    """SHA-256 is enough: the token is 256 random bits, so there is nothing to guess."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_invitation(token: str, *, now: dt.datetime | None = None) -> InvitationState:
    """What the token opens, told apart only as valid, unknown, expired or used.

    The lookup is by hash: the database compares digests, never the secret, so its
    timing tells nothing about a token; compare_digest guards the fetched row as well.
    """
    digest = hash_token(token)
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return InvitationState(LinkStatus.UNKNOWN)
    return InvitationState(link_status(invitation, now or utcnow()), invitation)


def link_status(invitation: Invitation, now: dt.datetime) -> LinkStatus:
    """Used wins over expired: the holder learns the answers did arrive."""
    if invitation.used_at is not None:
        return LinkStatus.USED
    if invitation.expires_at <= now:
        return LinkStatus.EXPIRED
    return LinkStatus.VALID


def invitation_link(token: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"
