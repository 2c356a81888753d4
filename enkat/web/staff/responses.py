"""One submitted response (/svar/<id>): its answers in words and its history; correcting
an answer (/svar/<id>/andra/<item>) and removing a wrongly entered response
(/svar/<id>/ta-bort), each with a reason (`services.answering.corrections`).

A response the user may not see is 404, like one that does not exist; one they see but
may not change (analysts read only) is 403 on the pages that change it. A staff or paper
draft still being entered has its first page at /svar/<id>/inmatning: its address
/svar/<id> leads there.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import TextAreaField

from enkat.instruments.timepoints import timepoint_words
from enkat.models import Insats, Response, ResponseSource
from enkat.services import Refused
from enkat.services.answering import corrections
from enkat.services.answering import entry as entry_service
from enkat.services.answering.drafts import instrument_of
from enkat.services.answering.responses import answers_of
from enkat.services.deltagare.overview import visible_participant
from enkat.web.common.access import refuse
from enkat.web.common.answering import page_language
from enkat.web.common.form_base import PageForm, error_list
from enkat.web.common.forms import AnswerForm, answer_form, field_name

bp = Blueprint("responses", __name__)

PRIVATE = {"Cache-Control": "private, no-store"}
SOURCE_NAMES = {
    ResponseSource.LINK: "Deltagaren, via enkätlänk", ResponseSource.KIOSK: "Deltagaren, i kiosk",
    ResponseSource.STAFF: "Personal fyllde i", ResponseSource.PAPER: "Från papper",
    ResponseSource.IMPORT: "Import från fil",
}


class ReasonForm(PageForm):
    """Why a response is corrected; the service checks it (required, length). The
    page's answer form carries the CSRF token, so a correction checks it once."""

    reason = TextAreaField("Orsak", description=(
        f"Varför ändras svaret? Till exempel: fel inmatat från papper. Högst "
        f"{corrections.MAX_REASON_LENGTH} tecken. Syns i svarets historik och i loggen."))


class RemovalReasonForm(PageForm):
    """Why a response is removed."""

    reason = TextAreaField("Orsak", description=(
        f"Varför tas svaret bort? Till exempel: registrerat på fel deltagare. Högst "
        f"{corrections.MAX_REASON_LENGTH} tecken. Syns på deltagarens sida och i loggen."))


@bp.get("/svar/<int:response_id>")
@login_required
def show(response_id: int):
    response = corrections.visible_response(current_user, response_id)
    if response is None:
        return _draft_or_404(response_id)
    return render_template(
        "staff/response.html", **_frame(response),
        lines=corrections.answer_lines(response),
        history=corrections.history_of(response),
        may_change=corrections.may_change(current_user, response),
    ), PRIVATE


@bp.route("/svar/<int:response_id>/andra/<item_id>", methods=["GET", "POST"])
@login_required
def correct(response_id: int, item_id: str):
    response = _to_change(response_id)
    item = corrections.correctable_item(response, item_id)
    if item is None:
        refuse(404)
    form = answer_form([item], answers_of(response), measured=True)
    why = ReasonForm(meta={"csrf": False})
    if form.is_submitted():
        if _corrected(response, item.id, form, why):
            flash(f"Svaret på ”{item.text.get('sv')}” är ändrat.", "info")
            return redirect(url_for(".show", response_id=response.id) + "#history-heading",
                            303)
    errors = form.error_links() + [(f"#{field_id}", message)
                                   for field_id, message in error_list(why)]
    page = render_template("staff/response_correct.html", **_frame(response), item=item,
                           form=form, why=why, errors=errors)
    return page, (422 if errors else 200), PRIVATE


@bp.route("/svar/<int:response_id>/ta-bort", methods=["GET", "POST"])
@login_required
def remove(response_id: int):
    response = _to_change(response_id)
    why = RemovalReasonForm()
    try:
        effect = corrections.removal_effect(response)
    except Refused as refused:
        return render_template("staff/response_remove.html", **_frame(response), why=None,
                               refusal=refused.problems[0].message), 409, PRIVATE
    if why.validate_on_submit():
        code = response.participant.code if response.participant else None
        insats = response.insats
        try:
            corrections.remove_response(response, why.reason.data, current_user)
        except Refused as refused:
            why.reason.errors = [problem.message for problem in refused.problems]
        else:
            return redirect(_after_removal(code, insats), 303)
    page = render_template("staff/response_remove.html", **_frame(response), why=why,
                           effect=effect, errors=error_list(why), refusal=None)
    return page, (422 if why.errors else 200), PRIVATE


def _corrected(response: Response, item_id: str, form: AnswerForm, why: ReasonForm) -> bool:
    """Correct the answer as posted; False with every problem on its field."""
    checked = form.check(require_answers=True)
    try:
        if checked:
            corrections.correct_answer(response, item_id, form.answers()[item_id],
                                       why.reason.data, current_user)
            return True
        corrections.check_reason(why.reason.data)
    except Refused as refused:
        for problem in refused.problems:
            field = why.reason if problem.field == corrections.REASON_FIELD \
                else form[field_name(form.items[0])]
            field.errors = [*field.errors, problem.message]
    return False


def _to_change(response_id: int) -> Response:
    """The response, if the user sees it (else 404) and may change it (else 403)."""
    response = corrections.visible_response(current_user, response_id)
    if response is None:
        refuse(404)
    if not corrections.may_change(current_user, response):
        refuse(403)
    return response


def _draft_or_404(response_id: int):
    """A staff or paper draft the user sees goes on to its first page; anything else
    is 404."""
    draft = entry_service.entry_draft(response_id, current_user)
    if draft is None or draft.submitted_at is not None:
        refuse(404)
    return redirect(url_for("staff.entry.start", response_id=draft.id), 303)


def _after_removal(code: str | None, insats: Insats | None) -> str:
    """Where a removal ends: the deltagare's page while the user still sees the deltagare
    (removing an inskrivning may take their only enrolment), else the insats' page."""
    if code is not None and visible_participant(current_user, code) is not None:
        flash("Svaret är borttaget. Deltagarens sida och loggen visar vad som togs bort.",
              "info")
        return url_for("staff.deltagare.show", code=code) + "#removed-heading"
    gone = f" {code} har inga fler inskrivningar här." if code else ""
    flash(f"Svaret är borttaget.{gone} Förbundets logg visar vad som togs bort.", "info")
    if insats is not None:
        return url_for("staff.insatser.show", slug=insats.slug)
    return url_for("staff.overview")


def _frame(response: Response) -> dict[str, object]:
    """What every page of a response shows: which form, about whom, when, from where."""
    instrument = instrument_of(response)
    entered_by = response.entered_by_id and corrections.user_name(response.entered_by_id)
    participant = response.participant
    deltagare_url = (url_for("staff.deltagare.show", code=participant.code)
                     if participant is not None
                     and visible_participant(current_user, participant.code) else None)
    return {"response": response, "instrument": instrument,
            "title": instrument.title.get("sv"),
            "timepoint": timepoint_words(response.timepoint),
            "source": SOURCE_NAMES[response.source], "entered_by": entered_by or None,
            "deltagare_url": deltagare_url, **page_language([])}
