"""Personal: their insatser (`insatser`), the links they hand to deltagare (`links`), a
deltagare's course (`deltagare`), the forms they enter (`entry`) and a submitted
response, corrected or removed (`responses`)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from enkat.services.organisation import overview as overview_service
from enkat.web.common.access import landing_url

from . import deltagare, documents, entry, insatser, links, responses

bp = Blueprint("staff", __name__)
for part in (entry, insatser, links, deltagare, documents, responses):
    bp.register_blueprint(part.bp)


@bp.route("/")
@login_required
def start():
    """The address everyone starts at: "Mina insatser" for personal; administrators
    and analysts are sent on to the förbund's overview."""
    landing = landing_url()
    if landing != url_for(".start"):
        return redirect(landing)
    return overview()


@bp.route("/mina-insatser")
@login_required
def overview():
    summaries = overview_service.insatser_for(current_user)
    return render_template("staff/overview.html", summaries=summaries)
