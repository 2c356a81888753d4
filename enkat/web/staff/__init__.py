"""Personal: their insatser and deltagare, and the forms they enter (see `entry`)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from enkat.services import overview as overview_service

from .entry import bp as entry_bp

bp = Blueprint("staff", __name__)
bp.register_blueprint(entry_bp)


@bp.route("/")
@login_required
def overview():
    summaries = overview_service.insatser_for(current_user)
    return render_template("staff/overview.html", summaries=summaries)
