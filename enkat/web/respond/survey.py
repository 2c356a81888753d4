"""One personal link as the pages see it: its draft, answered through `Answering`."""

from __future__ import annotations

import datetime as dt
import math

from flask import Response, abort, current_app, make_response, render_template, request, session
from flask_babel import get_locale, refresh

from enkat.models import utcnow
from enkat.services.answering.drafts import find_draft, open_draft
from enkat.services.answering.invitations import InvitationState, LinkStatus, find_invitation
from enkat.services.answering.link_guard import record_unknown_link
from enkat.services.utskick.campaigns import ended_link
from enkat.web.common import keep_despite_refusal
from enkat.web.common.answering import Answering, keep_language

#: What a link that opens nothing answers with. "Used", "expired" and "revoked" are 410
#: Gone: the link existed and will not work again; only a token that never existed is 404.
CLOSED_LINK_STATUS = {LinkStatus.UNKNOWN: 404, LinkStatus.EXPIRED: 410, LinkStatus.USED: 410,
                      LinkStatus.REVOKED: 410}

#: Headers of every respondent page: an address with a token must not leak through the
#: Referer header or a search engine (no page is cached: `add_security_headers`).
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def open_survey(token: str, *, saving: bool = False) -> Answering:
    """The draft behind a valid link, stored when `saving` (see `drafts.find_draft`); any
    other link ends the request with the page that says why. The token is kept only to
    build this link's own addresses; it is never written to a log."""
    return survey_of(find_link(token, saving=saving), token, saving=saving)


def survey_of(state: InvitationState, token: str, *, saving: bool) -> Answering:
    """`open_survey` for a link already found (`find_link`, with the same `saving`)."""
    if state.status is not LinkStatus.VALID:
        abort(closed_link_page(state))
    draft = (open_draft if saving else find_draft)(state.invitation, get_locale().language)
    _remember_language(draft.language)
    keep_language(draft)
    return Answering(draft, {"token": token}, locked=saving, read_answers=state.answers)


def find_link(token: str, *, saving: bool = False) -> InvitationState:
    """What the token opens, locked to the end of the request when `saving`.

    A client that has opened too many unknown links gets 429 on every link address
    (link_guard), asked in the same statement; an unknown link counts against the
    client, and the count is kept although the page answers 404."""
    client = request.remote_addr or ""
    state = find_invitation(token, client=client, lock=saving)
    if state.blocked_until is not None:
        abort(_too_many_page(state.blocked_until))
    if state.status is LinkStatus.UNKNOWN:
        record_unknown_link(client)
        keep_despite_refusal()
    return state


def _too_many_page(until: dt.datetime) -> Response:
    wait = max(1, math.ceil((until - utcnow()).total_seconds()))
    page = render_template("respond/too_many.html", minutes=math.ceil(wait / 60))
    return make_response(page, 429, {"Retry-After": str(wait)})


def closed_link_page(state: InvitationState) -> Response:
    """Says plainly that the link is unknown, expired, revoked or used, and nothing else;
    an utskick's expired link says whether it was closed or its last day passed, and
    names the förbund that sent it (`campaigns.ended_link`)."""
    status = state.status
    ended = (ended_link(state.invitation)
             if status is LinkStatus.EXPIRED and state.invitation is not None else None)
    page = render_template("respond/closed.html", status=status.value, ended=ended)
    return make_response(page, CLOSED_LINK_STATUS[status])


def _remember_language(language: str) -> None:
    """A link opened again in a new browser continues in the language it was begun in."""
    if "language" not in session and language in current_app.config["LANGUAGES"]:
        session["language"] = language
        refresh()
