"""Enkätlänkar: personal, single-use links to answer one instrument.

A link carries a random token; only its SHA-256 is stored, so a copy of the database
opens no survey. The token itself is shown once, when the invitation is created.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from enkat.extensions import db
from enkat.models import (
    Answer,
    CampaignRecipient,
    Forbund,
    Insats,
    Invitation,
    Participant,
    Response,
    User,
    utcnow,
)
from enkat.services import ServiceError
from enkat.services.answering.link_guard import (
    BLOCKING_EVENT,
    blocked_until,
    guard_parameters,
    guessing_blocked_until,
)
from enkat.services.answering.responses import (
    ContextProblem,
    ResponseContext,
    context_problems,
)
from enkat.services.instruments.versions import register_version, resolve_instrument
from enkat.services.tokens import hash_token, new_token

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
    REVOKED = "revoked"


@dataclass(frozen=True)
class InvitationState:
    """What a token opens; `invitation` is None when the token is unknown.
    `blocked_until` is set when the client asking may open no link until then
    (`link_guard`)."""

    status: LinkStatus
    invitation: Invitation | None = None
    blocked_until: dt.datetime | None = None
    #: The draft's answers when the lookup read them too (see `find_invitation`); None
    #: when they are to be read on their own.
    answers: dict[str, tuple[str, ...]] | None = None
    #: What the link is about, as its start page names it: its insats, or for a link
    #: without one (an utskick's to the styrelse) its förbund. Read with the link, as
    #: plain text, so that the förbund, insats and deltagare are never read as objects.
    about: str | None = None


def create_invitation(
    insats: Insats | None,
    instrument_id: str,
    timepoint: str,
    *,
    forbund: Forbund | None = None,
    participant: Participant | None = None,
    expires_in_days: int = 30,
    expires_at: dt.datetime | None = None,
    version: int | None = None,
    created_by: User | None = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """A new link to one version of an instrument, and its token (shown once).

    Without an insats the link is about the förbund as a whole (an utskick to the
    styrelse), and `forbund` says which. `expires_at`, when given, is the moment the link
    expires (an utskick's closing time) instead of `expires_in_days` from now. `version`
    pins the instrument version (an utskick's); None is the current one.
    """
    now = now or utcnow()
    if insats is None and forbund is None:
        raise ValueError("a link without an insats needs its förbund")
    instrument = resolve_instrument(instrument_id, version)
    context = ResponseContext(
        forbund=forbund or insats.forbund, instrument=instrument, insats=insats,
        participant=participant, timepoint=timepoint, answered_on=now.date(),
    )
    if expires_at is not None:
        expires_in_days = math.ceil((expires_at - now) / dt.timedelta(days=1))
    problems = invitation_problems(context, expires_in_days)
    if problems:
        raise InvitationRefused(problems)
    token = new_token()
    invitation = Invitation(
        token_hash=hash_token(token),
        instrument_version_id=register_version(instrument).id,
        forbund_id=context.forbund.id,
        insats_id=insats.id if insats else None,
        participant_id=participant.id if participant else None,
        timepoint=timepoint,
        created_at=now,
        created_by_id=created_by.id if created_by else None,
        expires_at=expires_at or now + dt.timedelta(days=expires_in_days),
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
            f"{context.instrument.id} fylls i av personal och besvaras inte genom en länk",
        ))
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        problems.append(ContextProblem(
            "expires_in_days",
            f"en länk ska gälla i 1 till {MAX_EXPIRY_DAYS} dagar, inte {expires_in_days}",
        ))
    if context.insats is None and context.instrument.audience == "deltagare":
        problems.append(ContextProblem(
            "insats", f"{context.instrument.id} besvaras i en insats och behöver en",
        ))
    return problems


def replace_token(invitation: Invitation, token: str) -> None:
    """Give the same link a new token, for a mail that must carry it again (a reminder,
    a retry): only the hash is kept, so the old token cannot be sent twice. The old
    address stops working; the draft stays with the invitation, so no answer is lost."""
    invitation.token_hash = hash_token(token)
    db.session.flush()


def use_invitation(invitation: Invitation, now: dt.datetime) -> None:
    """Mark the link used, and forget whom it was mailed to.

    A link of an utskick is tied to an address only until it is used: from then on its
    recipient keeps `answered` and nothing else, so no row connects the answer to the
    address. Doing it here, where every channel uses a link, means no channel can forget.
    Written with statements built once on the tables, not a flush nor the ORM's bulk
    UPDATE: every link's "Skicka" comes here. On PostgreSQL an utskick's link is marked
    used and its recipient forgotten in one statement (an UPDATE in a WITH); SQLite, which
    has no such statement, takes two.
    """
    parameters = {"invitation": invitation.id, "now": now}
    if invitation.campaign_id is None:  # only an utskick's links have recipients
        db.session.execute(_USE, parameters)
    else:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(_USE_AND_FORGET_RECIPIENT, parameters)
        else:
            db.session.execute(_USE, parameters)
            db.session.execute(_FORGET_RECIPIENT, parameters)
    set_committed_value(invitation, "used_at", now)


_INVITATIONS, _RECIPIENTS = Invitation.__table__, CampaignRecipient.__table__
_USE = (update(_INVITATIONS).where(_INVITATIONS.c.id == bindparam("invitation"))
        .values(used_at=bindparam("now")))
_FORGET_RECIPIENT = (
    update(_RECIPIENTS).where(_RECIPIENTS.c.invitation_id == bindparam("invitation"))
    .values(answered=True, invitation_id=None))
_USE_AND_FORGET_RECIPIENT = _FORGET_RECIPIENT.add_cte(
    _USE.returning(_INVITATIONS.c.id).cte("used"))


def find_invitation(token: str, *, now: dt.datetime | None = None,
                    client: str | None = None, lock: bool = False) -> InvitationState:
    """What the token opens, told apart only as valid, unknown, expired or used.

    One statement reads the link with all a respondent page needs but the answers
    (`responses.saved_answers`): its draft, its instrument version and the name of what
    it is about (`InvitationState.about`). The förbund, insats and deltagare are left to
    their ids (`drafts.find_draft`): reading them as objects cost some 0.15 ms of CPU.
    With a `client` (its address; "" when unknown) the same statement asks the link
    guard whether that client is blocked. With `lock` the link's row is locked to the end of the
    transaction (SELECT ... FOR UPDATE on PostgreSQL): every write through a link locks
    it first, so writes through one link run one after the other, and a link used by the
    request that held the lock is seen used. Its draft's answers are then read after the
    lock, by a statement of their own: the lookup's rows of other tables are those of the
    moment it began, before it waited. On SQLite a transaction that may write holds the
    database's write lock from its BEGIN (`database._configure_sqlite`), so nothing can
    change while it reads, and the lookup reads the answers too (`InvitationState.answers`).

    The lookup is by hash: the database compares digests, never the secret, so its
    timing tells nothing about a token; compare_digest guards the fetched row as well.
    """
    now = now or utcnow()
    digest = hash_token(token)
    parameters = {"digest": digest}
    if client is not None:
        parameters.update(guard_parameters(client, now))
    with_answers = lock and db.session.get_bind().dialect.name == "sqlite"
    found = db.session.execute(_lookup(lock, client is not None, with_answers),
                               parameters).unique().first()
    if found is None or not hmac.compare_digest(found[0].token_hash, digest):
        blocked = guessing_blocked_until(client, now=now) if client is not None else None
        return InvitationState(LinkStatus.UNKNOWN, blocked_until=blocked)
    invitation = found[0]
    blocked = blocked_until(found.blocking) if client is not None else None
    answers = _answers_from_json(found.answers) if with_answers else None
    return InvitationState(link_status(invitation, now), invitation, blocked, answers,
                           found.about)


@cache
def _lookup(lock: bool, guarded: bool, with_answers: bool) -> Select:
    """The statement of `find_invitation`, built once for each way it is asked: building
    it cost more than running it (bench/respond_load.py)."""
    query = (select(Invitation, _ABOUT.label("about"))
             .where(Invitation.token_hash == bindparam("digest"))
             .options(joinedload(Invitation.instrument_version), joinedload(Invitation.response)))
    if guarded:
        query = query.add_columns(BLOCKING_EVENT.label("blocking"))
    if with_answers:
        query = query.add_columns(_ANSWERS_AS_JSON.label("answers"))
    return query.with_for_update(of=Invitation) if lock else query


#: `InvitationState.about`: the insats's name, or the förbund's for a link without one.
_ABOUT = func.coalesce(
    select(Insats.name).where(Insats.id == Invitation.insats_id).scalar_subquery(),
    select(Forbund.name).where(Forbund.id == Invitation.forbund_id).scalar_subquery(),
)


#: SQLite only (see `find_invitation`): the answers of the link's draft, as one JSON
#: array of [item id, position, value]; plain text, so no answer becomes an object.
_ANSWERS_AS_JSON = (
    select(func.json_group_array(func.json_array(Answer.item_id, Answer.position, Answer.value)))
    .join(Response, Response.id == Answer.response_id)
    .where(Response.invitation_id == Invitation.id)
    .scalar_subquery()
)


def _answers_from_json(text: str) -> dict[str, tuple[str, ...]]:
    """`_ANSWERS_AS_JSON` as `responses.saved_answers` gives answers."""
    collected: dict[str, list[str]] = {}
    for item_id, _, value in sorted(json.loads(text)):
        collected.setdefault(item_id, []).append(value)
    return {item_id: tuple(values) for item_id, values in collected.items()}


def link_status(invitation: Invitation, now: dt.datetime) -> LinkStatus:
    """Used wins over revoked and expired: the holder learns the answers did arrive
    (a used link cannot be revoked). Revoked wins over expired: staff withdrew it."""
    if invitation.used_at is not None:
        return LinkStatus.USED
    if invitation.revoked_at is not None:
        return LinkStatus.REVOKED
    if invitation.expires_at <= now:
        return LinkStatus.EXPIRED
    return LinkStatus.VALID


def invitation_link(token: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"
