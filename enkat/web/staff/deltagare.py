"""One deltagare's page (/deltagare/<code>): enrolments with what staff do next in each
(make a link, register a form, enter paper answers, end the enrolment), the ORS/SRS
samtalsunderlag (…/diagram.svg), SKAPA first and latest per area, flags, every response
by instrument (each with its page, `responses`) and the responses removed, with why.

Found only through an insats the user sees (`services.deltagare.visible_participant`);
any other code is 404, like one that does not exist. Each view of the page is written
to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required

from enkat.models import Enrolment, Participant, ResponseSource
from enkat.reports.flags import session_flag_words
from enkat.reports.numbers import format_change, format_number
from enkat.services.answering.corrections import removed_responses
from enkat.services.deltagare import overview as deltagare_service
from enkat.services.deltagare.overview import ResponseRow
from enkat.services.instruments.versions import registration_forms
from enkat.services.organisation.overview import works_in
from enkat.web.common.access import refuse

bp = Blueprint("deltagare", __name__)

SOURCE_NAMES = {
    ResponseSource.LINK: "länk", ResponseSource.KIOSK: "kiosk",
    ResponseSource.STAFF: "personal", ResponseSource.PAPER: "papper",
    ResponseSource.IMPORT: "import",
}
STEP_NAMES = {"forward": "Steg framåt", "no_step": "Inget steg", "backward": "Steg bakåt",
              "one_rating_only": "En skattning"}
PRIVATE = {"Cache-Control": "private, no-store"}


@bp.get("/deltagare/<code>")
@login_required
def show(code: str):
    participant = _participant(code)
    page = deltagare_service.deltagare_page(participant, current_user)
    chart = deltagare_service.course_chart(page)
    deltagare_service.record_view(participant, current_user)
    return render_template(
        "staff/deltagare.html", page=page, participant=participant,
        actions={row.enrolment.id: _actions(row.enrolment) for row in page.enrolments},
        groups=_by_instrument(page.responses),
        removed=removed_responses(participant,
                                  [row.enrolment.insats_id for row in page.enrolments]),
        chart_description=chart.description if chart else None,
        chart_url=url_for(".chart", code=participant.code) if chart else None,
        source_names=SOURCE_NAMES, step_names=STEP_NAMES, number=format_number,
        change=format_change, flag_words=session_flag_words,
    ), PRIVATE


@bp.get("/deltagare/<code>/diagram.svg")
@login_required
def chart(code: str):
    participant = _participant(code)
    found = deltagare_service.course_chart(
        deltagare_service.deltagare_page(participant, current_user))
    if found is None:
        abort(404)
    return Response(found.svg, mimetype="image/svg+xml", headers=PRIVATE)


@dataclass(frozen=True)
class Action:
    label: str
    url: str


def _actions(enrolment: Enrolment) -> list[Action]:
    """What the user does next for the deltagare in this insats, if they work in it:
    analysts only read. The avslut only while the enrolment is open."""
    insats, code = enrolment.insats, enrolment.participant.code
    if not works_in(current_user, insats):
        return []

    def register(**asked: str) -> str:
        return url_for("staff.entry.register", slug=insats.slug, code=code, **asked)

    actions = [Action("Skapa enkätlänk", url_for("staff.links.new", slug=insats.slug, code=code)),
               Action("Länkar som har skapats",
                      url_for("staff.links.index", slug=insats.slug, sok=code)),
               Action("Registrera formulär", register(source="staff")),
               Action("För in svar från papper", register(source="paper"))]
    forms = registration_forms()
    if enrolment.ended_on is None and forms is not None:
        actions.append(Action("Avsluta inskrivningen (avslutsformulär)", register(
            source="staff", instrument=forms.ends.id, timepoint=forms.ends.timepoints[0])))
    return actions


def _by_instrument(rows: Sequence[ResponseRow]) -> list[tuple[str, list[ResponseRow]]]:
    """The responses grouped by instrument, the one answered latest first; in a group
    the latest first, each with its mätpunkt."""
    groups: dict[str, list[ResponseRow]] = {}
    for row in rows:
        groups.setdefault(row.title, []).append(row)
    return list(groups.items())


def _participant(code: str) -> Participant:
    participant = deltagare_service.visible_participant(current_user, code)
    if participant is None:
        refuse(404)
    return participant
