"""The kiosk: a shared tablet at Arbetsmarknadstorget on which deltagare answer, one
after another (/kiosk).

A staff member signs in on the tablet and starts the kiosk for one insats with a PIN; the
staff sign-in ends there, so from the kiosk no staff page can be reached. The tablet's
session then holds the kiosk's id and the person answering now (`Person`): the
enrolment found by their code and their draft, never an id taken from an address.
Returning to the start screen forgets the person; their saved pages stay a draft that
the same code resumes with the staff member's PIN (a code alone shows no earlier answers).
Leaving the kiosk takes the PIN.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, get_locale, gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Regexp

from enkat.models import Enrolment, InsatsKind, Kiosk
from enkat.services.answering import kiosks
from enkat.services.answering.drafts import AlreadySubmitted
from enkat.services.organisation.overview import visible_insatser, works_in
from enkat.web.common import answering, keep_despite_refusal
from enkat.web.common.answering import Answering, keep_language, speaks_respondents_languages
from enkat.web.common.form_base import PageForm
from enkat.web.common.sessions import end_session

from .survey import PRIVATE_HEADERS

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
speaks_respondents_languages(bp)

KIOSK, PERSON = "kiosk", "kiosk_person"
#: Pages a kiosk tablet may show; any other address on it leads to the start screen.
KIOSK_PAGES = {"static"}


@dataclass
class Person:
    """Who is answering at the kiosk now, as kept in the tablet's session."""

    enrolment: int | None = None
    draft: int | None = None
    seen: float = 0.0
    #: the survey chosen whose saved draft waits for the staff member's PIN
    pending: str | None = None


class StartForm(PageForm):
    insats = SelectField("Insats", coerce=int)
    pin = PasswordField("PIN-kod (4–8 siffror)", validators=[
        DataRequired("Välj en PIN-kod."),
        Regexp(r"^\d{4,8}$", message="PIN-koden ska vara 4 till 8 siffror."),
    ])
    pin_again = PasswordField("Samma PIN-kod igen", validators=[
        EqualTo("pin", message="PIN-koderna är inte lika."),
    ])


class CodeForm(PageForm):
    code = StringField("", validators=[DataRequired()])


class PinForm(PageForm):
    pin = PasswordField("", validators=[DataRequired()])


class ButtonForm(PageForm):
    """A button that changes something: the form carries the CSRF token."""


# --- what a survey button says -----------------------------------------------------------

SESSION = re.compile(r"^session-(\d+)$")
FOLLOW_UP = re.compile(r"^uppfoljning-(\d+)m$")


@bp.app_template_global()
def said_when(timepoint: str) -> str:
    """When a survey is answered, for the person choosing it at the kiosk: the same
    instrument may be due at two timepoints (SKAPA at the start and after 12 months), and
    only this tells the two buttons apart. The mätpunkter of the glossary
    (docs/architecture.md) are said in words; any other is shown as it is written."""
    if timepoint == "start":
        return gettext("Vid start")
    if timepoint == "pagaende":
        return gettext("Under insatsen")
    if timepoint == "avslut":
        return gettext("Vid avslut")
    if found := SESSION.match(timepoint):
        return gettext("Träff %(number)s", number=int(found.group(1)))
    if found := FOLLOW_UP.match(timepoint):
        months = int(found.group(1))
        return ngettext("Uppföljning efter %(num)s månad", "Uppföljning efter %(num)s månader",
                        months)
    return timepoint


# --- starting and leaving: the staff member ---------------------------------------------


@bp.route("/starta", methods=["GET", "POST"])
@login_required
def begin():
    insatser = [insats for insats in visible_insatser(current_user)
                if insats.kind is InsatsKind.INDIVID and works_in(current_user, insats)]
    form = StartForm(insats=request.args.get("insats", type=int))  # ?insats=: preselected
    form.insats.choices = [(insats.id, insats.name) for insats in insatser]
    if form.validate_on_submit():
        insats = next(insats for insats in insatser if insats.id == form.insats.data)
        kiosk = kiosks.start_kiosk(insats, current_user, form.pin.data)
        end_session()  # the staff member's sign-in ends here, on the server too
        session[KIOSK] = kiosk.id
        return redirect(url_for(".home"))
    return render_template("kiosk/begin.html", form=form, lang="sv", text_direction="ltr"), (
        422 if form.errors else 200)


@bp.route("/personal", methods=["GET", "POST"])
def staff():
    """The staff member's way out (and back in after too many wrong codes): the PIN."""
    kiosk = _kiosk()
    form = PinForm()
    problem = None
    if form.validate_on_submit():
        try:
            return _after_pin(kiosk, form.pin.data, leave=request.form.get("action") == "leave")
        except kiosks.PinRefused as refused:
            problem = _pin_problem(refused)
    until = kiosks.code_locked_until(kiosk)
    return render_template("kiosk/staff.html", kiosk=kiosk, form=form, problem=problem,
                           waiting=until is not None,
                           until=until and format_time(until, "HH.mm")), 422 if problem else 200


def _pin_problem(refused: kiosks.PinRefused) -> str:
    """What the PIN field says; a wrong PIN is counted although the page answers 422."""
    if isinstance(refused, kiosks.WrongPin):
        keep_despite_refusal()
        return gettext("Fel PIN-kod.")
    return gettext("För många fel PIN-koder. Vänta några minuter och försök igen.")


def _after_pin(kiosk: Kiosk, pin: str, *, leave: bool):
    if leave:
        kiosks.end_kiosk(kiosk, pin)
        session.clear()
        flash("Kioskläget är avslutat. Logga in för att fortsätta.", "info")
        return redirect(url_for("auth.login"))
    kiosks.unlock_with_pin(kiosk, pin)
    return redirect(url_for(".home"))


# --- the start screen and what is due ----------------------------------------------------


@bp.get("/")
def home():
    """The calm start screen. It forgets whoever answered before, and their language
    unless one is being chosen here."""
    kiosk = _kiosk()
    _forget_person()
    if "lang" not in request.args:
        session.pop("language", None)
    return _render_home(kiosk, CodeForm(formdata=None), problem=None)


@bp.post("/kod")
def code():
    kiosk = _kiosk()
    form = CodeForm()
    if not form.validate_on_submit():
        return _render_home(kiosk, form, gettext("Skriv din kod.")), 422
    try:
        enrolment = kiosks.find_enrolment(kiosk, form.code.data)
    except kiosks.KioskLocked:
        return redirect(url_for(".staff"))
    if enrolment is None:
        keep_despite_refusal()
        problem = gettext("Vi hittar ingen deltagare med den koden här. Kontrollera koden "
                          "och försök igen, eller fråga personalen.")
        return _render_home(kiosk, form, problem), 422
    _remember(Person(enrolment=enrolment.id))
    return redirect(url_for(".due"))


@bp.get("/att-svara")
def due():
    kiosk, enrolment = _kiosk_and_enrolment()
    return render_template("kiosk/due.html", kiosk=kiosk, form=ButtonForm(),
                           surveys=kiosks.due_at_kiosk(enrolment))


@bp.post("/borja")
def choose():
    """Start (or resume) what the person chose: something due for their code, or, with
    no code, one of the insats' anonymous surveys."""
    kiosk, enrolment = _kiosk_and_person()
    if not ButtonForm().validate_on_submit():
        abort(400)
    chosen = _offered(kiosk, enrolment, request.form.get("survey"))
    if chosen is None:
        return redirect(url_for(".home"), 303)
    if enrolment and chosen.draft is not None:
        _remember(Person(enrolment=enrolment.id, pending=chosen.key))
        return redirect(url_for(".resume"), 303)
    return _begin(kiosk, chosen, enrolment, resume=False)


@bp.route("/fortsatt", methods=["GET", "POST"])
def resume():
    """A saved draft of the person's choice: the staff member's PIN opens it, since a code
    alone does not show that the one at the tablet is the one who began it."""
    kiosk, enrolment, chosen = _pending()
    form, problem = PinForm(), None
    if form.validate_on_submit():
        try:
            kiosks.check_pin(kiosk, form.pin.data)
            return _begin(kiosk, chosen, enrolment, resume=True)
        except kiosks.PinRefused as refused:
            problem = _pin_problem(refused)
    return render_template("kiosk/resume.html", kiosk=kiosk, form=form, problem=problem,
                           survey=chosen, restart_form=ButtonForm()), 422 if problem else 200


@bp.post("/fortsatt/borja-om")
def restart():
    """Without the PIN: the chosen survey from the beginning, in a new draft."""
    kiosk, enrolment, chosen = _pending()
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _begin(kiosk, chosen, enrolment, resume=False)


def _pending() -> tuple[Kiosk, Enrolment, kiosks.Survey]:
    """The kiosk, the person and the survey whose saved draft waits for the PIN."""
    kiosk, enrolment = _kiosk_and_enrolment()
    person = g.get("person")
    chosen = _offered(kiosk, enrolment, person.pending if person else None)
    if chosen is None:
        abort(redirect(url_for(".home")))
    return kiosk, enrolment, chosen


def _offered(kiosk: Kiosk, enrolment: Enrolment | None, key: str | None) -> kiosks.Survey | None:
    """The survey `key` if the kiosk offers it to this person: something due for their
    code, or, with no code, one of the insats' anonymous surveys."""
    offered = (kiosks.due_at_kiosk(enrolment) if enrolment
               else kiosks.anonymous_surveys(kiosk))
    return next((survey for survey in offered if survey.key == key), None)


def _begin(kiosk: Kiosk, chosen: kiosks.Survey, enrolment: Enrolment | None, *, resume: bool):
    draft = kiosks.open_kiosk_draft(kiosk, chosen, enrolment, get_locale().language,
                                    resume=resume)
    _remember(Person(enrolment=enrolment.id if enrolment else None, draft=draft))
    return redirect(url_for(".start"), 303)


# --- answering: the same steps as a link -------------------------------------------------


@bp.get("/enkat")
def start():
    survey = _answering()
    return render_template("respond/start.html", survey=survey, resuming=bool(survey.answers),
                           languages=survey.languages, kiosk=True,
                           layout="kiosk/layout.html")


@bp.get("/fraga/<key>")
def step(key: str):
    return answering.show_step(_answering(), key)


@bp.post("/fraga/<key>")
def save_step(key: str):
    return answering.save_step(_answering(saving=True), key)


@bp.get("/granska")
def review():
    return answering.show_review(_answering())


@bp.post("/granska")
def send():
    return answering.send(_answering(saving=True), url_for(".thanks"))


@bp.get("/tack")
def thanks():
    """Sent: the person is forgotten, and the page returns to the start screen by itself."""
    _kiosk()
    _forget_person()
    return render_template("kiosk/thanks.html")


@bp.post("/avbryt")
def leave_person():
    """"Avbryt", or no answer to "Är du kvar?": back to the start screen. What was saved
    is kept as a draft the same code resumes."""
    _kiosk()
    _forget_person()
    session.pop("language", None)
    return redirect(url_for(".home"), 303)


# --- the kiosk's session -----------------------------------------------------------------


@bp.before_app_request
def stay_in_the_kiosk():
    """On a kiosk tablet every address outside the kiosk leads to its start screen, and
    a person who has not touched it for longer than the timeout is forgotten."""
    if KIOSK not in session:
        return None
    if request.blueprint != bp.name and request.endpoint not in KIOSK_PAGES:
        return redirect(url_for("kiosk.home"))
    g.person = _current_person()
    return None


@bp.after_request
def keep_private(response):
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.context_processor
def kiosk_timer():
    config = current_app.config
    return {"kiosk_timeout": config["KIOSK_TIMEOUT_SECONDS"],
            "kiosk_warning": config["KIOSK_WARNING_SECONDS"],
            "leave_form": ButtonForm()}


@bp.errorhandler(AlreadySubmitted)
def sent_meanwhile(error):
    """The draft was sent meanwhile (a double tap on "Skicka"): nothing more to save."""
    return redirect(url_for(".thanks"), 303)


@bp.errorhandler(CSRFError)
def page_too_old(error):
    return render_template("respond/expired_page.html", restart=url_for(".home"),
                           layout="kiosk/layout.html"), 400


def _kiosk() -> Kiosk:
    """The kiosk this tablet runs; without one, the staff member must start it."""
    return _kiosk_and_person()[0]


def _kiosk_and_person() -> tuple[Kiosk, Enrolment | None]:
    """`_kiosk`, with the enrolment of the person answering now when they gave a code,
    read in the same statement."""
    person = g.get("person")
    kiosk, enrolment = kiosks.active_kiosk(session.get(KIOSK),
                                           person.enrolment if person else None)
    if kiosk is None:
        session.pop(KIOSK, None)
        abort(redirect(url_for(".begin")))
    return kiosk, enrolment


def _kiosk_and_enrolment() -> tuple[Kiosk, Enrolment]:
    """`_kiosk_and_person` where a person with a code must be answering; without one,
    to the start screen."""
    kiosk, enrolment = _kiosk_and_person()
    if enrolment is None:
        abort(redirect(url_for(".home")))
    return kiosk, enrolment


def _current_person() -> Person | None:
    stored = session.get(PERSON)
    if not stored:
        return None
    person = Person(**stored)
    idle = time.time() - person.seen
    config = current_app.config
    if idle > config["KIOSK_TIMEOUT_SECONDS"] + config["KIOSK_WARNING_SECONDS"]:
        _forget_person()
        return None
    _remember(person)
    return person


def _remember(person: Person) -> None:
    person.seen = time.time()
    session[PERSON] = asdict(person)
    g.person = person


def _forget_person() -> None:
    session.pop(PERSON, None)
    g.person = None


def _answering(*, saving: bool = False) -> Answering:
    """The draft of the person answering now, locked when `saving` (see
    `kiosks.kiosk_draft`); without a kiosk to the staff member's start, with nobody
    answering (or the draft just sent) to the start screen."""
    person = g.get("person")
    draft = kiosks.kiosk_draft(session.get(KIOSK), person.draft if person else None,
                               lock=saving)
    if draft is None:
        _kiosk()
        abort(redirect(url_for(".home")))
    keep_language(draft)
    return Answering(draft, layout="kiosk/layout.html", locked=saving)


def _render_home(kiosk: Kiosk, form: CodeForm, problem: str | None) -> str:
    return render_template("kiosk/home.html", kiosk=kiosk, form=form, problem=problem,
                           anonymous=kiosks.anonymous_surveys(kiosk), choose_form=ButtonForm())

