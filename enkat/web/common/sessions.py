"""Signing a browser in and out: the web side of `services.sign_ins`.

The session cookie (signed with the secret key) holds the user's id for Flask-Login and
the secret of the user's `SignIn` row; a request is signed in only while that row is
open on the server. So a copied cookie is useless once its session has ended.
"""

from __future__ import annotations

from flask import session
from flask_login import current_user, login_user, logout_user

from enkat.models import User
from enkat.services.people import sign_ins
from enkat.services.people.accounts import sign_out

#: The session key that holds the secret of the browser's SignIn.
SIGN_IN = "sign_in"


def begin_session(user: User) -> None:
    """Sign the user in with a new session: nothing from before the sign-in is carried
    over, and the cookie changes, so a cookie someone saw before is of no use to them.
    The cookie is permanent: the browser forgets it after PERMANENT_SESSION_LIFETIME
    without a request, as the server does (`sign_ins`)."""
    session.clear()
    session[SIGN_IN] = sign_ins.open_sign_in(user)
    login_user(user)
    session.permanent = True


def end_session() -> None:
    """Sign out: the session ends on the server (audited), and the cookie is emptied."""
    if current_user.is_authenticated:
        sign_out(current_user, session.get(SIGN_IN))
    logout_user()
    session.clear()


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of this browser's session while it is open."""
    user = sign_ins.resume(session.get(SIGN_IN))
    return user if user is not None and str(user.id) == user_id else None
