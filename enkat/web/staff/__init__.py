"""Personal: their insatser and deltagare."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from enkat.services import overview as overview_service

bp = Blueprint("staff", __name__)


@bp.route("/")
@login_required
def overview():
    summaries = overview_service.insatser_for(current_user)
    return render_template("staff/overview.html", summaries=summaries)
