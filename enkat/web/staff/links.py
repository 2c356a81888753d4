"""Making a personal link for a deltagare and handing it over: copy, QR code, a printed
letter, or e-mail (/insatser/<slug>/lankar/ny, then …/lankar, …/lankar/brev,
…/lankar/epost); the links an insats has issued, listed with their state
(/insatser/<slug>/lankar) and revoked after a confirmation (…/lankar/<id>/aterkalla).

The token is shown once, so the page that shows it is the answer to the POST that made
it: no later GET address carries it, where a proxy, a log or the browser's history
could keep it. Everything made from the token comes with that page or goes back in the
body of a POST:

- the QR code is inline SVG, and its downloads (SVG, PNG) are data: addresses in the
  page itself, so a download is no request at all;
- the letter and the e-mail are POST forms that hand the token back in their body; the
  server checks it is a working link of this insats before it uses it.

Every one of these pages is sent with `Cache-Control: no-store` (the browser keeps no
copy to show again) and `Referrer-Policy: no-referrer`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from enkat.formats.qr import qr_png_data_uri, qr_svg, qr_svg_data_uri
from enkat.models import Insats
from enkat.services.answering import handover, issued_links
from enkat.services.answering.handover import MadeLink
from enkat.services.answering.invitations import InvitationRefused
from enkat.services.answering.issued_links import LinkState
from enkat.services.listing import page_of_query
from enkat.services.mail import mail_refusal
from enkat.web.common.access import insats_to_work_in, refuse
from enkat.web.common.form_base import ConfirmForm
from enkat.web.common.listing import list_state

from .entry import code_needed, offer_timepoints, showing_timepoints, timepoint_problem
from .forms import LinkForm, MailForm, TokenForm
from .insatser import link_form

bp = Blueprint("links", __name__)

PRIVATE = {"Referrer-Policy": "no-referrer"}  # no-store: every page (add_security_headers)


@bp.get("/insatser/<slug>/lankar")
@login_required
def index(slug: str):
    """The links the insats has issued, newest first, with their state: filtered by a
    code and a state, sorted and paged in the address (the shared listing)."""
    insats = insats_to_work_in(slug)
    state = list_state(issued_links.SORTS, filters={"status": set(LinkState)})
    statement = issued_links.links_query(insats, code=state.search, state=state.filters["status"],
                                         sort=state.sort, descending=state.descending)
    page = page_of_query(statement, state.page, scalars=False)
    return render_template("staff/links.html", insats=insats, state=state, page=page,
                           links=issued_links.issued(page.rows),
                           state_words=issued_links.STATE_WORDS)


@bp.get("/insatser/<slug>/lankar/ny")
@login_required
def new(slug: str):
    """The link form on a page of its own; ?code=, ?instrument=, ?timepoint= fill it in
    (the deltagare page and the due list link here)."""
    insats = insats_to_work_in(slug)
    asked = {name: request.args[name] for name in ("code", "instrument", "timepoint")
             if name in request.args}
    form = link_form(insats, formdata=None, data=asked)
    offer_timepoints(form, insats)
    return _new_page(insats, form)


@bp.post("/insatser/<slug>/lankar")
@login_required
def create(slug: str):
    """Make the link; with "Visa mätpunkter", only offer the chosen enkät's timepoints
    for the code, making nothing."""
    insats = insats_to_work_in(slug)
    form = link_form(insats)
    offer_timepoints(form, insats)
    if showing_timepoints():
        return _new_page(insats, form)
    if form.is_submitted() and _made_before(form.once.data):
        return _new_page(insats, link_form(insats, formdata=None), status=409, made=True)
    made = _make_link(form, insats) if form.validate_on_submit() else None
    if made is None:
        return _new_page(insats, form, status=422)
    _remember_made(form.once.data)
    link, token = made
    return _link_page(insats, link, token, MailForm(formdata=None))


#: The link forms this browser has made a link from. The page that shows a link is the
#: answer to its POST, so reloading it posts the form again: a form seen before makes no
#: second link, and the page says where the first one is.
MADE = "links-made"
REMEMBERED = 20


def _made_before(once: str | None) -> bool:
    return bool(once) and once in session.get(MADE, [])


def _remember_made(once: str | None) -> None:
    if once:
        session[MADE] = [*session.get(MADE, [])[-(REMEMBERED - 1):], once]


def _make_link(form: LinkForm, insats: Insats) -> tuple[MadeLink, str] | None:
    """The link the form asks for, or None with the problems put on the form."""
    instrument, code = form.chosen, form.code.data
    participant = None
    if code:
        try:
            participant = handover.enrolled_participant(insats, code)
        except handover.NotInInsats:
            form.add_problem("code", f"Det finns ingen deltagare med koden {code.upper()} "
                                     f"i {insats.name}.")
            return None
    timepoint = (form.timepoint.data or "").strip()  # None when the field was not posted
    try:
        return handover.make_link(insats, instrument.id, timepoint, participant=participant,
                                  expires_in_days=form.days, user=current_user,
                                  base_url=_base_url())
    except InvitationRefused as refused:
        for problem in refused.problems:
            if problem.field == "timepoint":
                form.add_problem("timepoint",
                                 timepoint_problem(instrument, timepoint, form.offered))
            elif problem.field == "participant" and participant is None:
                form.add_problem("code", code_needed(instrument))
            else:  # refused for a reason the form checks first; say it on the form
                form.add_problem("instrument", "Länken kan inte skapas för den här enkäten.")
    return None


def _new_page(insats: Insats, form: LinkForm, status: int = 200, made: bool = False):
    return render_template("staff/link_new.html", insats=insats, form=form,
                           made=made), status, PRIVATE


@bp.route("/insatser/<slug>/lankar/<int:invitation_id>/aterkalla", methods=["GET", "POST"])
@login_required
def revoke(slug: str, invitation_id: int):
    """Ask, then revoke: the GET says what revoking does, only its POST does it."""
    insats = insats_to_work_in(slug)
    link = issued_links.issued_link(insats, invitation_id)
    if link is None:
        refuse(404)
    form = ConfirmForm()
    page = render_template("staff/link_revoke.html", insats=insats, link=link, form=form,
                           state_words=issued_links.STATE_WORDS)
    if link.state is LinkState.REVOKED and request.method == "POST":
        return redirect(url_for(".index", slug=insats.slug), 303)  # confirmed twice
    if not link.revocable:
        return page, 409 if request.method == "POST" else 200
    if request.method == "GET":
        return page
    if not form.validate_on_submit():
        abort(400)
    issued_links.revoke_link(link, current_user)
    flash(f"Länken till {link.instrument.title.get('sv')} för {link.code or 'anonym'} "
          "är återkallad. Den går inte längre att öppna.", "info")
    return redirect(url_for(".index", slug=insats.slug), 303)


@bp.post("/insatser/<slug>/lankar/brev")
@login_required
def letter(slug: str):
    """A letter to print, with the link, its QR code and when it stops working."""
    insats = insats_to_work_in(slug)
    link, token = _handed_back(insats, TokenForm())
    return render_template("staff/letter.html", insats=insats, link=link,
                           qr=qr_svg(link.url),
                           privacy=handover.privacy_text(link.instrument)), PRIVATE


@bp.post("/insatser/<slug>/lankar/epost")
@login_required
def mail(slug: str):
    """Mail the link. Refused: the link page again, with the address in its field to
    try again; the address is in that page only, never stored."""
    insats = insats_to_work_in(slug)
    form = MailForm()
    link, token = _handed_back(insats, form)
    if mail_refusal():  # the page did not offer it: say why again
        return _link_page(insats, link, token, form, status=409)
    if not form.validate():
        return _link_page(insats, link, token, form, status=422)
    try:
        handover.send_link(link, form.address.data, user=current_user)
    except handover.LinkNotSent as refused:
        form.address.errors = [f"Mejlet kunde inte skickas. {refused.reason} "
                               "Försök igen, eller lämna länken på något annat sätt."]
        return _link_page(insats, link, token, form, status=502)
    flash(f"Länken till {link.instrument.title.get('sv')} är skickad med e-post.", "info")
    return redirect(url_for("staff.insatser.show", slug=insats.slug), 303)


def _handed_back(insats: Insats, form: TokenForm) -> tuple[MadeLink, str]:
    """The link whose token the page handed back; 404 unless it is a working link of
    this insats (used, expired, unknown and another insats' look alike)."""
    token = (form.token.data or "").strip()
    link = handover.reopen_link(insats, token, _base_url()) if token else None
    if link is None:
        abort(404)
    return link, token


def _link_page(insats: Insats, link: MadeLink, token: str, mail_form: MailForm,
               status: int = 200):
    mail_form.token.data = token
    page = render_template(
        "staff/link.html", insats=insats, link=link, token=token, mail_form=mail_form,
        qr=qr_svg(link.url), qr_svg_uri=qr_svg_data_uri(link.url),
        qr_png_uri=qr_png_data_uri(link.url), file_name=_file_name(link),
    )
    return page, status, PRIVATE


def _file_name(link: MadeLink) -> str:
    """A download's name says whose link it is: qr-ABC123-ors-session-2."""
    invitation = link.invitation
    who = invitation.participant.code if invitation.participant else "anonym"
    return f"qr-{who}-{link.instrument.id}-{invitation.timepoint}"


def _base_url() -> str:
    """ENKAT_BASE_URL when set, so a forged Host header cannot put another site in a
    link; else, for the page, the letter and the QR code only, the address this
    request came to. A link is mailed only when ENKAT_BASE_URL is set
    (`mail_refusal`), so a mailed link is always on it."""
    return current_app.config.get("BASE_URL") or request.host_url
