"""The förbund's users, /forbund/anvandare: who they are, their role, their insatser.

Administrators add users with a first password, change names, roles and insatser, and
deactivate users who leave. Users are never deleted: what they entered and sent stays
theirs in the records. An administrator keeps their own role and cannot deactivate
themself, so the förbund always has someone who can put things right. Analysts see the
list. A user of another förbund is 404.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import PasswordField, RadioField, SelectChoice, SelectMultipleField, StringField

from enkat.models import Role
from enkat.services import Refused
from enkat.services.people.passwords import MIN_LENGTH
from enkat.services.people.users import (
    ROLE_NAMES,
    Member,
    NewUser,
    add_user,
    deactivate_user,
    find_member,
    forbund_members,
    reactivate_user,
    update_member,
)
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.form_base import PageForm

from . import bp
from .forms_common import error_list, may_change, show_problems

ROLE_CHOICES = [
    SelectChoice(Role.STAFF.value,
                 "Personal: arbetar i de insatser som kryssas i nedan och ser bara dem"),
    SelectChoice(Role.ANALYST.value, "Analytiker: läser förbundets alla insatser och resultat"),
    SelectChoice(Role.ADMIN.value,
                 "Administratör: ändrar insatser, användare, enkäter och utskick"),
]


class MemberForm(PageForm):
    display_name = StringField("Namn")
    role = RadioField("Roll", choices=ROLE_CHOICES, default=Role.STAFF.value,
                      validate_choice=False)
    insatser = SelectMultipleField("Insatser", coerce=int, validate_choice=False)

    def chosen_role(self) -> Role:
        return Role(self.role.data) if self.role.data in set(Role) else Role.STAFF

    def chosen_insatser(self):
        chosen = set(self.insatser.data or ())
        return [insats for insats in g.forbund.insatser if insats.id in chosen]


class NewUserForm(MemberForm):
    email = StringField("E-postadress", description="Användaren loggar in med den.")
    password = PasswordField("Första lösenord", description=(
        f"Minst {MIN_LENGTH} tecken, inte ett vanligt eller lättgissat lösenord. Lämna det "
        "till användaren på ett säkert sätt; hen kan välja ett nytt med ”Glömt "
        "lösenordet?” på inloggningssidan."))

    def new_user(self) -> NewUser:
        return NewUser(email=self.email.data or "", display_name=self.display_name.data or "",
                       role=self.chosen_role(), password=self.password.data or "",
                       insatser=tuple(self.chosen_insatser()))


class ActionForm(PageForm):
    """Deactivating and activating have no fields; the form carries the CSRF token."""


@bp.get("/anvandare")
@roles_required(*READERS)
def users():
    return render_template("admin/users.html", members=forbund_members(g.forbund),
                           role_names=ROLE_NAMES, may_change=may_change())


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = add_user(g.forbund, form.new_user(), by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"{user.display_name} ({user.email}) kan nu logga in.", "info")
            return redirect(url_for(".users"), 303)
    return _form_page(form, member=None)


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    member = _member_or_404(user_id)
    form = MemberForm() if request.method == "POST" else _filled(member)
    if form.validate_on_submit():
        try:
            update_member(
                g.forbund, member, display_name=form.display_name.data or "",
                role=form.chosen_role(), insatser=form.chosen_insatser(), by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"Ändringarna för {member.user.display_name} är sparade.", "info")
            return redirect(url_for(".users"), 303)
    return _form_page(form, member=member)


@bp.post("/anvandare/<int:user_id>/inaktivera")
@roles_required(Role.ADMIN)
def user_deactivate(user_id: int):
    member = _member_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        deactivate_user(g.forbund, member, by=current_user)
    except Refused as refused:
        return _form_page(_filled(member), member=member, refusal=refused.problems[0].message)
    flash(f"{member.user.display_name} är inaktiverad och kan inte logga in. Det hen har "
          "registrerat finns kvar.", "info")
    return redirect(url_for(".users"), 303)


@bp.post("/anvandare/<int:user_id>/aktivera")
@roles_required(Role.ADMIN)
def user_reactivate(user_id: int):
    member = _member_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    reactivate_user(g.forbund, member, by=current_user)
    flash(f"{member.user.display_name} kan logga in igen.", "info")
    return redirect(url_for(".users"), 303)


def _filled(member: Member) -> MemberForm:
    return MemberForm(formdata=None, data={
        "display_name": member.user.display_name, "role": member.role.value,
        "insatser": [insats.id for insats in member.insatser]})


def _form_page(form: MemberForm, *, member: Member | None, refusal: str | None = None):
    errors = error_list(form)
    page = render_template(
        "admin/user_form.html", form=form, member=member, errors=errors, refusal=refusal,
        insats_options=[(insats.id, insats.name) for insats in g.forbund.insatser],
        chosen=set(form.insatser.data or ()),
        action_form=ActionForm(), is_self=member is not None and member.user == current_user)
    return page, 422 if errors or refusal else 200


def _member_or_404(user_id: int) -> Member:
    member = find_member(g.forbund, user_id)
    if member is None:
        refuse(404)
    return member
