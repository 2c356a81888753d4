"""What every blueprint shares: the request-level commit, errors, sign-in, locale, headers."""

from __future__ import annotations

import hmac

from flask import Flask, Response, g, render_template, request, session
from flask_babel import refresh
from sqlalchemy.exc import InterfaceError, OperationalError

from enkat.database import read_only
from enkat.extensions import babel, db, login
from enkat.models import User

from .access import workspace_menu
from .hostile import guard_input
from .static import version_static_files

#: How a database that cannot be reached shows itself (psycopg and sqlite3 alike).
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)

#: Blueprints whose pages speak the respondent's language (see `select_locale`).
RESPONDENT_BLUEPRINTS: set[str] = set()

#: Browsers that reached enkat over https keep to https for a year.
HSTS = "max-age=31536000; includeSubDomains"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def init_common(app: Flask) -> None:
    guard_input(app)
    app.before_request(_reads_only_unless_posted)
    app.teardown_request(lambda error: read_only(False))
    login.login_view = "auth.login"
    login.login_message = "Logga in för att fortsätta."
    login.user_loader(_load_user)
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on the application context, which may outlive one
    # request (the tests hold one around many): work it out afresh for each request.
    app.before_request(refresh)
    app.before_request(_forget_cached_user)
    app.after_request(commit_request)
    app.after_request(add_security_headers)
    app.context_processor(workspace_menu)
    version_static_files(app)
    for status in (403, 404, 500, 503):
        app.register_error_handler(status, _error_page)
    for failure in DATABASE_UNREACHABLE:
        app.register_error_handler(failure, _database_unavailable)


def _reads_only_unless_posted() -> None:
    """A GET or HEAD only reads, unless it says otherwise (`database.start_writing`)."""
    read_only(request.method in ("GET", "HEAD"))


def _forget_cached_user() -> None:
    """Flask-Login caches the user on `g`, which lives on the application context; the
    tests hold one context around many requests, so each request looks the user up anew."""
    g.pop("_login_user", None)


def _load_user(session_id: str) -> User | None:
    """The user of a session, unless their password has changed since it began."""
    user_id, _, stamp = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and hmac.compare_digest(user.session_stamp, stamp) else None


def select_locale() -> str:
    """Respondent pages (see `answering.speaks_respondents_languages`) speak the language
    chosen in this session, else the browser's best match, else Swedish; staff and
    förbund pages are in Swedish."""
    if request.blueprint not in RESPONDENT_BLUEPRINTS:
        return "sv"
    languages = _languages()
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "sv"


def _languages() -> list[str]:
    from flask import current_app

    return current_app.config["LANGUAGES"]


def commit_request(response: Response) -> Response:
    """The one commit of a request: its work is kept only when the request succeeded,
    or when the refusal itself must be counted (see `keep_despite_refusal`)."""
    if response.status_code < 400 or g.pop("keep_despite_refusal", False):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def keep_despite_refusal() -> None:
    """Keep what this request wrote although it answers with an error status: a wrong
    PIN or code is refused with 422, and must still be counted."""
    g.keep_despite_refusal = True


def add_security_headers(response: Response) -> Response:
    """Every page and file a view sends may carry someone's data (answers, codes, names,
    the audit log, a download), so no browser or proxy keeps it: a shared computer's
    back button or cache shows nothing after sign-out. Only static files are kept
    (`static.KEEP_FOR_A_YEAR`)."""
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:  # behind a proxy: ENKAT_PROXY_COUNT tells enkat to believe it
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _error_page(error):
    if isinstance(getattr(error, "original_exception", None), DATABASE_UNREACHABLE):
        return _database_unavailable(error)  # the request's commit could not reach it
    status = getattr(error, "code", 500) or 500
    db.session.rollback()
    return render_template("error.html", status=status), status


def _database_unavailable(error):
    """The database cannot be reached. Nothing of this request is kept; what was saved
    before is, and the page says so calmly, in the respondent's language on their pages.
    The pool checks each connection before use (pool_pre_ping), so once the database is
    back the next request works."""
    try:
        db.session.rollback()
    except DATABASE_UNREACHABLE:
        db.session.remove()
    template = "respond/unavailable.html" if request.blueprint in RESPONDENT_BLUEPRINTS \
        else "error.html"
    return render_template(template, status=503), 503, {"Retry-After": "30"}
