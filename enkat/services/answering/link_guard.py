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
from sqlalchemy import ScalarSelect, select

from enkat.extensions import db
from enkat.models import AuditEvent, utcnow
from enkat.services.audit.events import Action, record_event


def record_unknown_link(client: str | None, *, now: dt.datetime | None = None) -> None:
    record_event(Action.LINK_UNKNOWN, subject=(client or "")[:200], at=now or utcnow())


def guessing_blocked_until(client: str | None, *,
                           now: dt.datetime | None = None) -> dt.datetime | None:
    """When this client may open links again, or None when it may now."""
    now = now or utcnow()
    return blocked_until(db.session.scalar(select(blocking_event(client, now))))


def blocking_event(client: str | None, now: dt.datetime) -> ScalarSelect[dt.datetime]:
    """The moment of the client's unknown link that blocks it, NULL when none does: the
    `LINK_GUESS_LIMIT`th most recent within the window. A subquery, so that the lookup of
    a link asks it in the same statement (`invitations.find_invitation`)."""
    limit = current_app.config["LINK_GUESS_LIMIT"]
    return (
        select(AuditEvent.occurred_at)
        .where(AuditEvent.action == Action.LINK_UNKNOWN,
               AuditEvent.occurred_at > now - _window(),
               AuditEvent.subject == (client or "")[:200])
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1).offset(limit - 1)
        .scalar_subquery()
    )


def blocked_until(blocking: dt.datetime | None) -> dt.datetime | None:
    """When the block `blocking_event` found lifts; None when there is none."""
    return None if blocking is None else blocking + _window()


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LINK_GUESS_WINDOW_MINUTES"])
