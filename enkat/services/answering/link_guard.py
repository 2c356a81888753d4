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
    now = now or utcnow()
    config = current_app.config
    limit = config["LINK_GUESS_LIMIT"]
    window = dt.timedelta(minutes=config["LINK_GUESS_WINDOW_MINUTES"])
    recent = db.session.scalars(_RECENT_UNKNOWN_LINKS, {
        "since": now - window, "client": (client or "")[:200], "limit": limit}).all()
    return recent[-1] + window if len(recent) >= limit else None


#: Built once: every link request asks it, and building the statement cost three times
#: what running it does (bench/respond_load.py).
_RECENT_UNKNOWN_LINKS = (
    select(AuditEvent.occurred_at)
    .where(AuditEvent.action == Action.LINK_UNKNOWN, AuditEvent.occurred_at > bindparam("since"),
           AuditEvent.subject == bindparam("client"))
    .order_by(AuditEvent.occurred_at.desc())
    .limit(bindparam("limit"))
)
