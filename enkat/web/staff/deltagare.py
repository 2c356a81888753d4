"""One deltagare's page (/deltagare/<code>): enrolments, the ORS/SRS samtalsunderlag
(…/diagram.svg), SKAPA first and latest per area, flags and every response.

Found only through an insats the user sees (`services.deltagare.visible_participant`);
any other code is 404, like one that does not exist. Each view of the page is written
to the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required

from enkat.models import Participant, ResponseSource
from enkat.reports.flags import session_flag_words
from enkat.reports.numbers import format_change, format_number
from enkat.services.deltagare import overview as deltagare_service
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


def _participant(code: str) -> Participant:
    participant = deltagare_service.visible_participant(current_user, code)
    if participant is None:
        refuse(404)
    return participant
