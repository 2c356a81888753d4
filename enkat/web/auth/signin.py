"""Signing in and out. A sign-in starts a new session; refused attempts are counted
even though they are answered with an error status (see `keep_despite_refusal`)."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from enkat.config import local_zone
from enkat.models import utcnow
from enkat.services.people.accounts import AccountLocked, ClientThrottled, sign_in
from enkat.web.common import keep_despite_refusal
from enkat.web.common.access import landing_url
from enkat.web.common.form_base import PageForm
from enkat.web.common.sessions import begin_session, end_session

from . import bp


def strip_spaces(value: str | None) -> str | None:
    """A pasted address often brings a space along; it is no part of the address."""
    return value.strip() if value else value


class LoginForm(PageForm):
    email = EmailField("E-postadress", filters=[strip_spaces],
                       validators=[DataRequired("Fyll i din e-postadress."),
                                   Email("Det ser inte ut som en e-postadress.")])
    password = PasswordField("Lösenord", validators=[DataRequired("Fyll i ditt lösenord.")])


class LogoutForm(PageForm):
    pass


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url())
    form = LoginForm()
    if not form.validate_on_submit():
        return login_page(form), 422 if form.errors else 200
    try:
        user = sign_in(form.email.data, form.password.data, client=request.remote_addr)
    except ClientThrottled as refused:
        return too_many_attempts(refused.until)
    except AccountLocked as refused:
        keep_despite_refusal()
        problem = ("Inloggningen är tillfälligt spärrad efter flera misslyckade försök. "
                   f"Försök igen efter kl. {local_time(refused.until)}, eller välj ett nytt "
                   "lösenord med länken nedan.")
        page = login_page(form, problem)
        return page, 429, {"Retry-After": retry_after(refused.until)}
    if user is None:
        problem = "Fel e-postadress eller lösenord."
        return login_page(form, problem)
    begin_session(user)
    return redirect(_safe_next() or landing_url())


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        end_session()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


def login_page(form: LoginForm, problem: str | None = None) -> str:
    """The sign-in page; it offers a new password by mail only where one can be mailed
    (the template reads `mail_refusal`)."""
    return render_template("auth/login.html", form=form, problem=problem)


def too_many_attempts(until: dt.datetime):
    """429 for a client address with too many refused attempts; the refusal is counted."""
    keep_despite_refusal()
    page = render_template("auth/too_many.html", until=local_time(until))
    return page, 429, {"Retry-After": retry_after(until)}


def local_time(moment: dt.datetime) -> str:
    """A time of day as Swedish text, in the configured time zone: "14.35"."""
    zone = local_zone()
    return f"{moment.astimezone(zone):%H.%M}"


def retry_after(until: dt.datetime) -> str:
    return str(max(1, math.ceil((until - utcnow()).total_seconds())))


def _safe_next() -> str | None:
    """The `next` address when it is a path of this site, else None (never an open
    redirect). Browsers drop tabs and line breaks from an address, read a backslash as a
    slash, and "//host" as another host; NFKC folds look-alikes such as the fullwidth
    solidus into "/". So a path is followed only when it starts with one "/", has no
    control, space or format characters, no backslash, no look-alike, and names no
    scheme or host."""
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or unicodedata.normalize("NFKC", target) != target:
        return None
    if any(unicodedata.category(character)[0] in "CZ" for character in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
