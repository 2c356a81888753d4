"""One insats as personal work with it. /insatser/<slug> opens with the main actions
and a summary (deltagare ongoing and ended, due now and overdue); the lists are pages of
their own under it, each searched, filtered, sorted and paged by its address
(`web.common.listing`): what is due (`att-gora`, overdue apart and first), its deltagare
(`deltagare`) and its responses (`svar`). A new deltagare is enrolled from here
(/insatser/<slug>/ny-deltagare) with a code enkat makes up.

Enrolling, ending and following up are the registration forms, entered through the
registrera pages (`entry`); these pages open them with the form, code and timepoint
filled in.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from enkat.instruments.roles import RegistrationForms
from enkat.instruments.timepoints import timepoint_words
from enkat.models import Insats, InsatsKind, ResponseSource
from enkat.reports.numbers import format_number
from enkat.services.answering import entry as entry_service
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare import overview as deltagare_service
from enkat.services.deltagare import worklists
from enkat.services.deltagare.due import OVERDUE_AFTER
from enkat.services.deltagare.participants import generate_code
from enkat.services.instruments.versions import (
    instrument_title,
    registration_forms,
)
from enkat.services.listing import page_of, page_of_query
from enkat.services.organisation.overview import works_in
from enkat.web.common.access import insats_or_404, insats_to_work_in, refuse
from enkat.web.common.listing import ListState, list_state

from .deltagare import SOURCE_NAMES
from .documents import documents_on_insats_page
from .entry import EntryForm, offer_timepoints, open_draft
from .forms import LinkForm, fresh_once

bp = Blueprint("insatser", __name__)

NEW_PREFIX = "ny"
#: The responses list's `kalla` filter: the Swedish word in the address for each source.
SOURCE_WORDS = {"lank": ResponseSource.LINK, "kiosk": ResponseSource.KIOSK,
                "personal": ResponseSource.STAFF, "papper": ResponseSource.PAPER,
                "import": ResponseSource.IMPORT}
STATUS_NAMES = {worklists.DeltagareStatus.ONGOING: "Pågående",
                worklists.DeltagareStatus.ENDED: "Avslutade"}
FLAG_NAMES = {worklists.Flagged.WITH: "Med flaggor", worklists.Flagged.WITHOUT: "Utan flaggor"}
DUE_STATE_NAMES = {worklists.DueState.OVERDUE: "Försenade", worklists.DueState.NOW: "Att göra nu"}
RESPONSE_STATE_NAMES = {worklists.ResponseState.SUBMITTED: "Inskickade",
                        worklists.ResponseState.DRAFT: "Utkast"}


@bp.get("/insatser/<slug>")
@login_required
def show(slug: str):
    return render_insats_page(insats_or_404(slug))


@bp.get("/insatser/<slug>/att-gora")
@login_required
def due(slug: str):
    """What the deltagare are due for: overdue first, grouped by deltagare."""
    insats = _individ_or_404(slug)
    rows = deltagare_service.due_rows(insats, local_today())
    instruments = {row.instrument.id: row.instrument.title.get("sv") for row in rows}
    state = list_state({worklists.DueSort.SINCE: False, worklists.DueSort.CODE: False},
                       filters={"enkat": instruments, "status": list(worklists.DueState)})
    groups = worklists.due_groups(
        rows, search=state.search, instrument_id=state.filters["enkat"],
        state=state.filters["status"], sort=state.sort, descending=state.descending)
    return _render_list(
        "staff/insats_due.html", insats, state, page=page_of(groups, state.page),
        summary=worklists.insats_summary(insats, rows),
        instrument_names=sorted(instruments.items(), key=lambda item: item[1]),
        state_names=DUE_STATE_NAMES, overdue_days=OVERDUE_AFTER.days,
        link_form=link_form(insats, formdata=None), register_url=_register_url(insats),
        once=fresh_once)


@bp.get("/insatser/<slug>/deltagare")
@login_required
def deltagare(slug: str):
    """The deltagare: status, latest ORS, flags and the next registration."""
    insats = _individ_or_404(slug)
    state = list_state({worklists.DeltagareSort.CODE: False,
                        worklists.DeltagareSort.START: True,
                        worklists.DeltagareSort.ORS: False},
                       filters={"status": list(worklists.DeltagareStatus),
                                "flaggor": list(worklists.Flagged)})
    rows = worklists.deltagare_list(
        deltagare_service.deltagare_in(insats), search=state.search,
        status=state.filters["status"], flags=state.filters["flaggor"],
        sort=state.sort, descending=state.descending)
    forms = _forms()
    return _render_list(
        "staff/insats_deltagare.html", insats, state, page=page_of(rows, state.page),
        status_names=STATUS_NAMES, flag_names=FLAG_NAMES, ends=forms.ends,
        follow_up=forms.follow_up, register_url=_register_url(insats))


@bp.get("/insatser/<slug>/svar")
@login_required
def responses(slug: str):
    """The responses given in the insats, the latest first."""
    insats = _individ_or_404(slug)
    choices = worklists.response_choices(insats)
    state = list_state({"datum": True}, filters={
        "enkat": choices.instrument_ids, "matpunkt": choices.timepoints,
        "kalla": SOURCE_WORDS, "status": list(worklists.ResponseState)})
    query = worklists.responses_in(
        insats, instrument_id=state.filters["enkat"], timepoint=state.filters["matpunkt"],
        source=SOURCE_WORDS.get(state.filters["kalla"]), state=state.filters["status"],
        search=state.search, descending=state.descending)
    titles = {instrument_id: instrument_title(instrument_id)
              for instrument_id in choices.instrument_ids}
    return _render_list(
        "staff/insats_responses.html", insats, state, page=page_of_query(query, state.page),
        titles=titles, instrument_names=titles.items(),
        timepoint_options=[(timepoint, timepoint_words(timepoint))
                           for timepoint in choices.timepoints],
        source_options=[(word, SOURCE_NAMES[source].capitalize())
                        for word, source in SOURCE_WORDS.items()],
        source_names=SOURCE_NAMES, state_names=RESPONSE_STATE_NAMES)


def _individ_or_404(slug: str) -> Insats:
    """An individinriktad insats the user sees: a strukturinriktad one has no deltagare."""
    insats = insats_or_404(slug)
    if insats.kind is not InsatsKind.INDIVID:
        refuse(404)
    return insats


def _render_list(template: str, insats: Insats, state: ListState, **context):
    return render_template(template, insats=insats, state=state, number=format_number,
                           may_act=works_in(current_user, insats), **context)


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
    due_rows = deltagare_service.due_rows(insats, local_today()) if individ else []
    page = render_template(
        "staff/insats.html", insats=insats, individ=individ,
        summary=worklists.insats_summary(insats, due_rows) if individ else None,
        new_form=new_form or new_deltagare_form(insats),
        link_form=link_form(insats, formdata=None),
        today=local_today().isoformat(), overdue_days=OVERDUE_AFTER.days,
        may_act=works_in(current_user, insats), **documents_on_insats_page(insats),
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
