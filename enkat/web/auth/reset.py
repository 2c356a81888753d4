"""Forgotten passwords: a single-use link by e-mail, then a new password.

The request page answers the same, after the same time, whether or not the address has
an account. The link's token is in its path, so its pages send no Referer and are not
cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, ValidationError

from enkat.models import User
from enkat.services import mail
from enkat.services.people.accounts import (
    ClientThrottled,
    ResetLinkInvalid,
    complete_password_reset,
    find_reset,
    request_password_reset,
)
from enkat.services.people.passwords import MIN_LENGTH, password_problem
from enkat.web.common.access import landing_url
from enkat.web.common.form_base import PageForm
from enkat.web.common.sessions import begin_session

from . import bp
from .signin import strip_spaces, too_many_attempts

SENT = ("Om adressen finns hos oss har vi skickat en länk för att välja ett nytt lösenord. "
        "Länken gäller i {minutes} minuter och kan användas en gång. Kommer inget mejl inom "
        "några minuter: titta bland skräpposten, kontrollera adressen och försök igen, eller "
        "be förbundets administratör om hjälp.")


class ForgotPasswordForm(PageForm):
    email = EmailField("E-postadress", filters=[strip_spaces],
                       validators=[DataRequired("Fyll i din e-postadress."),
                                   Email("Det ser inte ut som en e-postadress.")])


class NewPasswordForm(PageForm):
    password = PasswordField("Nytt lösenord",
                             validators=[DataRequired("Fyll i ett nytt lösenord.")])
    confirm = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired("Fyll i det nya lösenordet en gång till."),
        EqualTo("password", "Lösenorden är inte likadana. Skriv samma lösenord två gånger."),
    ])

    def __init__(self, user: User, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", email=self.user.email,
                                   name=self.user.display_name)
        if problem:
            raise ValidationError(problem)


def private_page(view: Callable) -> Callable:
    """No Referer leaves these pages: their address holds a token. (No cache keeps them,
    as no cache keeps any page: `add_security_headers`.)"""
    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


@bp.route("/glomt-losenord", methods=["GET", "POST"])
@private_page
def forgot_password():
    form = ForgotPasswordForm()
    if mail.mail_refusal():  # the page says why it offers no link
        return render_template("auth/forgot.html", form=form), 409 if form.is_submitted() else 200
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form), 422 if form.errors else 200
    answer_at = time.monotonic() + current_app.config["PASSWORD_RESET_ANSWER_MS"] / 1000
    try:
        request_password_reset(form.email.data, link_for=_reset_link,
                               client=request.remote_addr)
    except ClientThrottled as refused:
        return too_many_attempts(refused.until)
    time.sleep(max(0.0, answer_at - time.monotonic()))
    flash(SENT.format(minutes=current_app.config["PASSWORD_RESET_MINUTES"]), "info")
    return redirect(url_for("auth.login"), 303)


def _reset_link(token: str) -> str:
    """The link in the mail, on the configured public address only (`mail.public_address`)."""
    return mail.public_address() + url_for("auth.new_password", token=token)


@bp.route("/nytt-losenord/<token>", methods=["GET", "POST"])
@private_page
def new_password(token: str):
    link = find_reset(token)
    if link.state != "valid":
        return _link_not_usable(link.state)
    user = link.reset.user
    form = NewPasswordForm(user)
    if not form.validate_on_submit():
        page = render_template("auth/new_password.html", form=form, email=user.email,
                               min_length=MIN_LENGTH)
        return page, 422 if form.errors else 200
    try:
        user = complete_password_reset(link.reset, form.password.data)
    except ResetLinkInvalid:
        return _link_not_usable("used")
    begin_session(user)
    flash("Ditt nya lösenord är sparat och du är inloggad.", "info")
    return redirect(landing_url(), 303)


def _link_not_usable(state: str):
    """404 for a link that never existed, 410 for one used or expired, said plainly."""
    status = 404 if state == "unknown" else 410
    return render_template("auth/link_not_usable.html", state=state), status
