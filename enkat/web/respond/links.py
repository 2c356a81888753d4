"""Deltagare answer through a personal link: /s/<token>.

Views stay thin: they find the link and its draft (`survey.open_survey`) and leave the
steps, the review and submitting to `web.common.answering`. Once the answers are sent,
every page of the link says so.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from enkat.services.answering.drafts import AlreadySubmitted, LinkClosed
from enkat.services.answering.invitations import LinkStatus
from enkat.web.common import answering
from enkat.web.common.answering import speaks_respondents_languages

from .survey import PRIVATE_HEADERS, closed_link_page, find_link, open_survey, survey_of

bp = Blueprint("respond", __name__, url_prefix="/s")
speaks_respondents_languages(bp)


@bp.after_request
def keep_private(response):
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.get("/<token>")
def start(token: str):
    state = find_link(token)
    survey = survey_of(state, token, saving=False)
    return render_template("respond/start.html", survey=survey, about=state.about,
                           resuming=bool(survey.answers), languages=survey.languages)


@bp.get("/<token>/fraga/<key>")
def step(token: str, key: str):
    return answering.show_step(open_survey(token), key)


@bp.post("/<token>/fraga/<key>")
def save_step(token: str, key: str):
    return answering.save_step(open_survey(token, saving=True), key)


@bp.get("/<token>/granska")
def review(token: str):
    return answering.show_review(open_survey(token))


@bp.post("/<token>/granska")
def send(token: str):
    """Submitting again (a double tap, a reload, the back button) lands on the same
    thank-you page: the draft is submitted once, and a used link sends nothing."""
    thanks_url = url_for(".thanks", token=token)
    state = find_link(token, saving=True)
    if state.status is LinkStatus.USED:
        return redirect(thanks_url, 303)
    return answering.send(survey_of(state, token, saving=True), thanks_url)


@bp.get("/<token>/tack")
def thanks(token: str):
    state = find_link(token)
    if state.status is LinkStatus.VALID:
        return redirect(url_for(".start", token=token))
    if state.status is not LinkStatus.USED:
        return closed_link_page(state)
    return render_template("respond/thanks.html")


@bp.errorhandler(LinkClosed)
@bp.errorhandler(AlreadySubmitted)
def link_closed_meanwhile(error):
    """The link was used or expired between finding it and saving: say what it is now."""
    return closed_link_page(find_link(request.view_args["token"]))


@bp.errorhandler(CSRFError)
def page_too_old(error):
    """A page kept open across a closed browser lost its session; what was saved is kept."""
    token = (request.view_args or {}).get("token")
    restart = url_for(".start", token=token) if token else None
    return render_template("respond/expired_page.html", restart=restart), 400
