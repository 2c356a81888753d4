"""Personal: their insatser (`insatser`), the links they hand to deltagare (`links`), a
deltagare's course (`deltagare`), the forms they enter (`entry`) and a submitted
response, corrected or removed (`responses`)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from enkat.services.organisation import overview as overview_service

from . import deltagare, documents, entry, insatser, links, responses

bp = Blueprint("staff", __name__)
for part in (entry, insatser, links, deltagare, documents, responses):
    bp.register_blueprint(part.bp)


@bp.route("/")
@login_required
def overview():
    summaries = overview_service.insatser_for(current_user)
    return render_template("staff/overview.html", summaries=summaries)
