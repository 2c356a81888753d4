"""The förbund's audit log, /forbund/logg, for its administrators only: who signed in,
downloaded, viewed a deltagare's page, uploaded, changed or erased what, newest first.

The choice of kind of event and of dates is a GET form without a CSRF token, as on the
results page: reading changes nothing. A choice that cannot be read is said next to its
field, with status 422 and no events.
"""

from __future__ import annotations

from flask import g, render_template, request
from wtforms import SelectChoice, SelectField, StringField

from enkat.models import Role
from enkat.services.audit import log as audit
from enkat.services.audit.log import AuditQuery
from enkat.services.listing import Page
from enkat.web.common.access import roles_required
from enkat.web.common.form_base import PageForm
from enkat.web.common.listing import ListState, list_state

from . import bp
from .choices import DATE_EXAMPLE, read_dates, refuse
from .forms_common import error_list


class AuditForm(PageForm):
    class Meta:
        csrf = False  # a GET form: choosing changes nothing

    handelse = SelectField("Händelse", validate_choice=False, choices=[
        SelectChoice("", "Alla händelser"),
        *(SelectChoice(action, name) for action, name in audit.FORBUND_KINDS.items())])
    fran = StringField("Från och med", description=DATE_EXAMPLE)
    till = StringField("Till och med", description=DATE_EXAMPLE)


@bp.get("/logg")
@roles_required(Role.ADMIN)
def audit_log():
    form = AuditForm(formdata=request.args)
    query = _query(form)
    if query is None:
        return _page(form, status=422)
    page = audit.forbund_events(g.forbund, query, _state().page)
    return _page(form, page)


def _query(form: AuditForm) -> AuditQuery | None:
    """What the form asks for, or None with each problem on its field."""
    action = form.handelse.data or None
    if action is not None and action not in audit.FORBUND_KINDS:
        refuse(form.handelse, f"Händelsen ”{action}” finns inte i loggen. "
                              "Välj en händelse i listan.")
    dates = read_dates(form.fran, form.till, required=False)
    if error_list(form):
        return None
    start, end = dates
    return AuditQuery(action=action, start=start, end=end)


def _state() -> ListState:
    """The log's place in its pages; the form reads and checks the choices."""
    return list_state({"tid": True}, filters=dict.fromkeys(("handelse", "fran", "till")))


def _page(form: AuditForm, page: Page[audit.AuditRow] | None = None, status: int = 200):
    return render_template("admin/audit.html", form=form, page=page, state=_state(),
                           errors=error_list(form)), status
