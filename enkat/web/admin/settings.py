"""The förbund's settings, /forbund/installningar, for its administrators: the
suppression threshold, the count below which every table hides a figure.

A threshold of 5 or more is saved at once. A lower one lets small groups be recognised,
so the first "Spara" saves nothing: the page says what the lower threshold will do and
asks for a confirmation and a reason, and only a second "Spara" with both changes it.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField, TextAreaField

from enkat.models import Role
from enkat.services import FieldProblem, Refused
from enkat.services.organisation.suppression import (
    HIGHEST_THRESHOLD,
    LOWEST_THRESHOLD,
    MAX_REASON_LENGTH,
    SAFE_THRESHOLD,
    lower_threshold_said,
    set_suppression_threshold,
)
from enkat.web.common.access import roles_required
from enkat.web.common.form_base import PageForm, WholeNumberField

from . import bp
from .forms_common import error_list, show_problems

#: What the first "Spara" of a low threshold is asked for: the page asks, not refuses.
_ASKED_FOR = frozenset({"confirm", "reason"})


class SettingsForm(PageForm):
    threshold = WholeNumberField("Gräns för små antal", refusal=(
        f"”{{text}}” är inget heltal. Skriv gränsen med siffror, ett heltal från "
        f"{LOWEST_THRESHOLD} till {HIGHEST_THRESHOLD}, till exempel 5."), description=(
        f"Uppgifter som bygger på färre deltagare, svar eller källor än så här visas inte i "
        f"tabeller, diagram och nedladdningar. Ett heltal från {LOWEST_THRESHOLD} till "
        f"{HIGHEST_THRESHOLD}; {SAFE_THRESHOLD} om inget annat valts."))
    confirm = BooleanField("Jag har läst vad en lägre gräns betyder och vill ändra den")
    reason = TextAreaField("Skäl till ändringen", description=(
        f"Sparas i loggen. Krävs när gränsen blir lägre än {SAFE_THRESHOLD}."))
    #: Whether the page asked for the confirmation: then a missing one is an error.
    asked = HiddenField()

    def is_low(self) -> bool:
        value = self.threshold.data
        return value is not None and LOWEST_THRESHOLD <= value < SAFE_THRESHOLD


@bp.route("/installningar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    if request.method == "GET":
        return _page(SettingsForm(formdata=None,
                                  data={"threshold": g.forbund.suppression_threshold}))
    form = SettingsForm()
    if not form.validate_on_submit():
        return _page(form)
    old = g.forbund.suppression_threshold
    try:
        changed = set_suppression_threshold(g.forbund, form.threshold.data, current_user,
                                            form.reason.data or "", form.confirm.data)
    except Refused as refused:
        return _refused(form, refused.problems)
    flash(_saved_said(old, form.threshold.data, changed), "info")
    return redirect(url_for(".settings"), 303)


def _refused(form: SettingsForm, problems: tuple[FieldProblem, ...]):
    """A low threshold asked for the first time: ask for the confirmation and the reason
    (nothing is wrong yet). Anything else: say each problem at its field."""
    if form.asked.data != "1" and {problem.field for problem in problems} <= _ASKED_FOR:
        form.asked.data = "1"
        return _page(form)
    show_problems(form, problems)
    return _page(form)


def _saved_said(old: int, new: int, changed: bool) -> str:
    if not changed:
        return f"Gränsen är redan {new}. Inget har ändrats."
    return (f"Gränsen för små antal är ändrad från {old} till {new}. Uppgifter som bygger "
            f"på färre än {new} deltagare, svar eller källor visas inte.")


def _lowering(form: SettingsForm) -> bool:
    """Whether the form asks for a low threshold the förbund does not have yet: once it
    is saved, the page shows the plain form again."""
    return form.is_low() and form.threshold.data != g.forbund.suppression_threshold


def _page(form: SettingsForm):
    errors = error_list(form)
    page = render_template(
        "admin/settings.html", form=form, errors=errors, current=g.forbund.suppression_threshold,
        safe=SAFE_THRESHOLD, max_reason=MAX_REASON_LENGTH,
        low_said=lower_threshold_said(form.threshold.data) if _lowering(form) else None)
    return page, 422 if errors else 200
