"""One insats as personal work with it: /insatser/<slug> lists its deltagare (status,
latest ORS, flags) and who is due for what now, with the way to act on each line: make a
link, register a form, open the kiosk. A new deltagare is enrolled from here
(/insatser/<slug>/ny-deltagare) with a code enkat makes up.

Enrolling, ending and following up are the registration forms, entered through the
registrera pages (`entry`); this page opens them with the form, code and timepoint
filled in.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from enkat.instruments.roles import RegistrationForms
from enkat.models import Insats, InsatsKind
from enkat.reports.numbers import format_number
from enkat.services.answering import entry as entry_service
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare import overview as deltagare_service
from enkat.services.deltagare.participants import generate_code
from enkat.services.instruments.versions import registration_forms
from enkat.web.common.access import insats_or_404, insats_to_work_in

from .documents import documents_on_insats_page
from .entry import EntryForm, offer_timepoints, open_draft
from .forms import LinkForm

bp = Blueprint("insatser", __name__)

NEW_PREFIX = "ny"


@bp.get("/insatser/<slug>")
@login_required
def show(slug: str):
    return render_insats_page(insats_or_404(slug))


@bp.post("/insatser/<slug>/ny-deltagare")
@login_required
def new_deltagare(slug: str):
    """Open an inskrivning for a new code, made up here and reserved by the draft: the
    code is random, never derived from the person (`participants.generate_code`). The
    draft's first page shows the code before the form begins."""
    insats = insats_to_work_in(slug)
    form = new_deltagare_form(insats)
    starts = _forms().starts
    form.instrument.data, form.timepoint.data = starts.id, starts.timepoints[0]
    form.code.data = generate_code(insats.forbund)
    offer_timepoints(form, insats)
    if form.validate_on_submit():
        draft = open_draft(form, insats)
        if draft is not None:
            return redirect(url_for("staff.entry.start", response_id=draft.id), 303)
    return render_insats_page(insats, new_form=form)


def new_deltagare_form(insats: Insats) -> EntryForm:
    """The registrera form, of which the insats page shows the source and the date."""
    return EntryForm(entry_service.entry_instruments(insats), prefix=NEW_PREFIX)


def link_form(insats: Insats, **kwargs) -> LinkForm:
    return LinkForm(entry_service.entry_instruments(insats), **kwargs)


def render_insats_page(insats: Insats, *, new_form: EntryForm | None = None):
    """The insats page; with a refused form it says why, with status 422."""
    individ = insats.kind is InsatsKind.INDIVID
    forms = _forms()
    page = render_template(
        "staff/insats.html", insats=insats, individ=individ,
        rows=deltagare_service.deltagare_in(insats) if individ else [],
        due=deltagare_service.due_rows(insats, local_today()) if individ else [],
        new_form=new_form or new_deltagare_form(insats),
        link_form=link_form(insats, formdata=None),
        today=local_today().isoformat(), ends=forms.ends, follow_up=forms.follow_up,
        register_url=_register_url(insats), number=format_number,
        **documents_on_insats_page(insats),
    )
    return page, 422 if new_form and new_form.errors else 200


def _forms() -> RegistrationForms:
    """The registration forms; an installation always has them (the bundled ones)."""
    forms = registration_forms()
    assert forms is not None, "the registration forms are bundled with enkat"
    return forms


def _register_url(insats: Insats):
    """The registrera page with a form filled in: register(instrument, code, timepoint)."""

    def url(instrument: str, code: str = "", timepoint: str = "", source: str = "") -> str:
        asked = {"instrument": instrument, "code": code, "timepoint": timepoint,
                 "source": source}
        return url_for("staff.entry.register", slug=insats.slug,
                       **{name: value for name, value in asked.items() if value})

    return url
