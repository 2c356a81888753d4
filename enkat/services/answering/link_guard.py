"""Guessing enkätlänkar is bounded per client.

A token has 256 random bits, so guessing one is hopeless; the limit keeps anyone from
trying at scale, and makes trying visible. Every unknown token opened is an audit event
`link-unknown` with the client's address as its subject (never the token). A client with
`LINK_GUESS_LIMIT` of them within the window gets 429 on every link address until the
window has passed. The count is per client, not per path, so varying the path gains
nothing; it lives in the database, so it holds across several app servers.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import bindparam, select

from enkat.extensions import db
from enkat.models import AuditEvent, utcnow
from enkat.services.audit.events import Action, record_event


def record_unknown_link(client: str | None, *, now: dt.datetime | None = None) -> None:
    record_event(Action.LINK_UNKNOWN, subject=(client or "")[:200], at=now or utcnow())


def guessing_blocked_until(client: str | None, *,
                           now: dt.datetime | None = None) -> dt.datetime | None:
    """When this client may open links again, or None when it may now."""
    blocking = db.session.scalar(_BLOCKING_EVENT_ALONE, guard_parameters(client, now or utcnow()))
    return blocked_until(blocking)


#: The moment of the client's unknown link that blocks it, NULL when none does: the
#: `LINK_GUESS_LIMIT`th most recent within the window (`guard_parameters`). A subquery,
#: so that the lookup of a link asks it in the same statement
#: (`invitations.find_invitation`). Built once: every link request asks it, and building
#: a statement costs more than running it (bench/respond_load.py).
BLOCKING_EVENT = (
    select(AuditEvent.occurred_at)
    .where(AuditEvent.action == Action.LINK_UNKNOWN,
           AuditEvent.occurred_at > bindparam("guard_since"),
           AuditEvent.subject == bindparam("guard_client"))
    .order_by(AuditEvent.occurred_at.desc())
    .limit(1).offset(bindparam("guard_offset"))
    .scalar_subquery()
)
_BLOCKING_EVENT_ALONE = select(BLOCKING_EVENT)


def guard_parameters(client: str | None, now: dt.datetime) -> dict[str, object]:
    """The values `BLOCKING_EVENT` asks about this client at this moment."""
    return {"guard_since": now - _window(), "guard_client": (client or "")[:200],
            "guard_offset": current_app.config["LINK_GUESS_LIMIT"] - 1}


def blocked_until(blocking: dt.datetime | None) -> dt.datetime | None:
    """When the block `BLOCKING_EVENT` found lifts; None when there is none."""
    return None if blocking is None else blocking + _window()


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LINK_GUESS_WINDOW_MINUTES"])
