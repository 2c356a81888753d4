"""What every blueprint shares: the request-level commit, errors, sign-in, locale, headers."""

from __future__ import annotations

from babel.support import NullTranslations, Translations
from flask import Flask, Response, current_app, g, render_template, request, session
from flask_babel import _get_current_context as _babel_context
from flask_babel import get_translations
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from enkat.database import read_only
from enkat.extensions import babel, db, login
from enkat.instruments.timepoints import timepoint_words
from enkat.reports.numbers import counted
from enkat.services.mail import mail_refusal

from .access import workspace_menu
from .forms import written_decimal
from .hostile import guard_input
from .sessions import load_user
from .static import PUBLIC_ENDPOINTS, version_static_files

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
    login.user_loader(load_user)
    babel.init_app(app, locale_selector=select_locale)
    _translate_templates_quickly(app)
    app.after_request(commit_request)
    app.after_request(add_security_headers)
    app.context_processor(workspace_menu)
    app.context_processor(_mail_setup)
    app.add_template_filter(written_decimal, "decimal")
    app.add_template_filter(timepoint_words, "timepoint")
    app.add_template_filter(counted, "counted")
    version_static_files(app)
    # every error a visitor can meet, Werkzeug's and Flask-WTF's included, is our own page
    app.register_error_handler(HTTPException, _error_page)
    for failure in DATABASE_UNREACHABLE:
        app.register_error_handler(failure, _database_unavailable)


def _translate_templates_quickly(app: Flask) -> None:
    """Templates' `_()` with the request's translations kept on Flask-Babel's own request
    context, as `babel_translations`, which `flask_babel.refresh` and `force_locale`
    reset: Flask-Babel's own `_()` finds the locale, domain and translations anew on
    every call, some 20 µs each, and a respondent page says a dozen static words."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _request_translations() -> Translations | NullTranslations:
    held = _babel_context()
    if held is None:
        return get_translations()
    if getattr(held, "babel_translations", None) is None:
        held.babel_translations = get_translations()
    return held.babel_translations


def _mail_setup() -> dict[str, object]:
    """Whether pages may offer e-mail, and the words they say where they may not."""
    return {"mail_refusal": mail_refusal()}


def _reads_only_unless_posted() -> None:
    """A GET or HEAD only reads, unless it says otherwise (`database.start_writing`)."""
    read_only(request.method in ("GET", "HEAD"))




def select_locale() -> str:
    """Respondent pages (see `answering.speaks_respondents_languages`) speak the language
    chosen in this session, else the browser's best match, else Swedish; staff and
    förbund pages are in Swedish."""
    if not on_respondent_pages():
        return "sv"
    languages = _languages()
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "sv"


def _languages() -> list[str]:
    return current_app.config["LANGUAGES"]


def on_respondent_pages() -> bool:
    """Whether this request is on the respondents' pages: by its blueprint, or, when no
    route matched (a 404 or 405), by the address's prefix."""
    if request.blueprint is not None:
        return request.blueprint in RESPONDENT_BLUEPRINTS
    return any(request.path.startswith(f"{current_app.blueprints[name].url_prefix}/")
               for name in RESPONDENT_BLUEPRINTS)


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


def keep_only_the_refusal() -> None:
    """Roll back what this request did so far, and keep what it writes from here on (the
    record of its refusal) although it answers with an error status."""
    db.session.rollback()
    keep_despite_refusal()


def add_security_headers(response: Response) -> Response:
    """Every page and file a view sends may carry someone's data (answers, codes, names,
    the audit log, a download), so no browser or proxy keeps it: a shared computer's
    back button or cache shows nothing after sign-out. Only static files and the icon
    are kept (`static.PUBLIC_ENDPOINTS`)."""
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:  # behind a proxy: ENKAT_PROXY_COUNT tells enkat to believe it
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _error_page(error: HTTPException):
    """Our own page for an HTTP error, in the visitor's language: Swedish on staff pages,
    the respondent's language on theirs. Werkzeug's headers that matter (Allow on a 405,
    Retry-After) are kept."""
    if isinstance(getattr(error, "original_exception", None), DATABASE_UNREACHABLE):
        return _database_unavailable(error)  # the request's commit could not reach it
    status = error.code or 500
    if status >= 500 or not g.get("keep_despite_refusal"):  # a refusal counted is kept
        _forget_the_requests_work()
    headers = [(name, value) for name, value in error.get_headers()
               if name.lower() != "content-type"]
    page = render_error(status, reason="csrf" if isinstance(error, CSRFError) else status,
                         message=getattr(error, "said", None))
    return page, status, headers


def render_error(status: int, reason: object, message: str | None = None) -> str:
    """`message`, where given, says more precisely than the status what was wrong."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")  # None: no 413 to explain
    context = {"status": status, "reason": reason, "message": message,
               "limit_mb": limit // (1024 * 1024) if limit else None}
    if not on_respondent_pages():
        return render_template("error.html", **context)
    from .answering import page_language  # answering imports this module

    return render_template("error.html", layout="respond/layout.html",
                           **page_language(_languages()), **context)


def _forget_the_requests_work() -> None:
    """Roll back what the request did; a session that cannot roll back is dropped
    instead, so that the error page is still ours: the database is gone, or a commit
    failed after committing (in an `after_commit` hook), which leaves the session
    refusing both."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()


def _database_unavailable(error):
    """The database cannot be reached. Nothing of this request is kept; what was saved
    before is, and the page says so calmly, in the respondent's language on their pages.
    The pool checks each connection before use (pool_pre_ping), so once the database is
    back the next request works."""
    _forget_the_requests_work()
    template = "respond/unavailable.html" if on_respondent_pages() else "error.html"
    return render_template(template, status=503), 503, {"Retry-After": "30"}
