"""Signed-in sessions kept on the server, so that a session can be ended.

The session cookie carries a random secret (256 bits); the database keeps its SHA-256
in a `SignIn` row with the user, when it began, when it was last used and when it
ended. A request is signed in only while its row is open, so ending the row ends every
copy of the cookie, while the user's other sessions (another device) go on. A row ends
at sign-out, at a new password and when the user is deactivated; it lapses after
`PERMANENT_SESSION_LIFETIME` without a request (ENKAT_SESSION_LIFETIME_SECONDS) and
`SESSION_MAX_HOURS` after it began, however busy.
"""

from __future__ import annotations

import datetime as dt
import hmac

from flask import current_app
from sqlalchemy import select, update

from enkat.database import start_writing
from enkat.extensions import db
from enkat.models import SignIn, User, utcnow
from enkat.services.tokens import hash_token, new_token

#: `last_seen_at` is written at most this often, so that a signed-in GET does not write
#: on every request; the idle limit is kept to within this much.
SEEN_PRECISION = dt.timedelta(minutes=1)


def open_sign_in(user: User, *, now: dt.datetime | None = None) -> str:
    """A new session for the user; returns its secret, for the cookie only."""
    now = now or utcnow()
    token = new_token()
    db.session.add(SignIn(user_id=user.id, token_hash=hash_token(token), started_at=now,
                          last_seen_at=now))
    db.session.flush()
    return token


def resume(token: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The user of the session with this secret while it is open, or None: unknown,
    ended, idle past the limit, older than the absolute limit, or the user inactive."""
    sign_in = _find(token)
    now = now or utcnow()
    if sign_in is None or not _is_open(sign_in, now) or not sign_in.user.active:
        return None
    if now - sign_in.last_seen_at >= SEEN_PRECISION:
        start_writing(db.session)
        sign_in.last_seen_at = now
    return sign_in.user


def end(token: str | None, *, now: dt.datetime | None = None) -> None:
    """End the session with this secret (signing out); nothing when there is none."""
    sign_in = _find(token)
    if sign_in is not None and sign_in.ended_at is None:
        start_writing(db.session)
        sign_in.ended_at = now or utcnow()
        db.session.flush()


def end_all(user: User, *, now: dt.datetime | None = None) -> None:
    """End every open session of the user (a new password, deactivation)."""
    start_writing(db.session)
    db.session.execute(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
        .values(ended_at=now or utcnow()),
        execution_options={"synchronize_session": "fetch"})


def _find(token: str | None) -> SignIn | None:
    """Looked up by the secret's hash, so the database compares digests, never the
    secret; compare_digest guards the fetched row as well."""
    if not token:
        return None
    digest = hash_token(token)
    sign_in = db.session.scalar(select(SignIn).where(SignIn.token_hash == digest))
    return sign_in if sign_in is not None and hmac.compare_digest(sign_in.token_hash, digest) \
        else None


def _is_open(sign_in: SignIn, now: dt.datetime) -> bool:
    idle = current_app.permanent_session_lifetime
    longest = dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return (sign_in.ended_at is None and now - sign_in.last_seen_at < idle
            and now - sign_in.started_at < longest)
