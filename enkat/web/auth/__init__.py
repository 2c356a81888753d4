"""Sign-in and sign-out for personal and förbund."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from enkat.services import accounts

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("E-postadress", validators=[DataRequired("Fyll i din e-postadress."),
                                                   Email("Det ser inte ut som en e-postadress.")])
    password = PasswordField("Lösenord", validators=[DataRequired("Fyll i ditt lösenord.")])


class LogoutForm(FlaskForm):
    pass


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.sign_in(form.email.data, form.password.data, client=request.remote_addr)
        if user is not None:
            login_user(user)
            return redirect(_safe_next() or url_for("staff.overview"))
        flash("Fel e-postadress eller lösenord.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


def _safe_next() -> str | None:
    """Only a path on this site: never an open redirect to another host."""
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None
