"""Signing in, with every attempt written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, Membership, Role, User, utcnow

from .organisation import find_user, password_matches


def sign_in(email: str, password: str, *, client: str | None = None) -> User | None:
    """The user whose e-mail and password these are, or None; both outcomes are audited."""
    user = find_user(email)
    if user is None or not user.active or not password_matches(user, password):
        record_event("sign-in-failed", user=user, subject=email.strip().lower()[:200],
                     detail={"client": client})
        return None
    user.last_login_at = utcnow()
    record_event("sign-in", user=user, subject=user.email, detail={"client": client})
    return user


def record_event(action: str, *, user: User | None = None, forbund_id: int | None = None,
                 subject: str = "", detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(action=action, user_id=user.id if user else None,
                       forbund_id=forbund_id, subject=subject, detail=detail)
    db.session.add(event)
    db.session.flush()
    return event


def membership_with_role(user: User, roles: Iterable[Role]) -> Membership | None:
    """The user's membership with one of `roles`; of several förbund, the oldest one."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id, Membership.role.in_(list(roles)))
        .order_by(Membership.forbund_id)
    ).first()
