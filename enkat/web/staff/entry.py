"""Personal fill in forms about a deltagare and enter answers given on paper:
/insatser/<slug>/registrera, then /svar/<id>/inmatning (start; /svar/<id> leads there while
the draft is unsent, `web.staff.responses`), /svar/<id>/fraga/<key>, /svar/<id>/granska.

The registrera page asks which form, when, about whom and from where, and opens a draft
(`services.entry`); the steps, saving page by page and sending are
`web.common.answering`'s, as for a link or the kiosk. Every page of a draft checks that
it is a staff or paper draft of an insats the user sees: any other id is 404, exactly
like an id that does not exist, so no address reveals another insats' answers.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from enkat.instruments import Instrument
from enkat.instruments.model import EnrolmentRole
from enkat.instruments.timepoints import timepoint_words
from enkat.models import Insats, ResponseSource
from enkat.models import Response as Draft
from enkat.services.answering import entry as entry_service
from enkat.services.answering.drafts import AlreadySubmitted, context_of, instrument_of, local_today
from enkat.services.answering.entry import Entry
from enkat.services.answering.responses import ContextProblem, ResponseContext, ResponseRefused
from enkat.services.deltagare.due import EnrolmentWindow, OutsideEnrolment, offered_timepoints
from enkat.services.deltagare.participants import (
    PERSONNUMMER_PATTERN,
    EnrolmentError,
    InvalidCode,
    check_code,
    find_participant,
    open_enrolment,
)
from enkat.web.common import answering, render_error
from enkat.web.common.access import insats_to_work_in, refuse, require_work_in
from enkat.web.common.answering import Answering, page_language
from enkat.web.common.form_base import PageForm

bp = Blueprint("entry", __name__)

#: The name of the button that only offers the chosen form's timepoints, saving nothing.
SHOW_TIMEPOINTS = "visa-matpunkter"
DATE_FORMAT = "Skriv datumet som år-månad-dag, till exempel 2025-03-14."
SOURCE_NAMES = {ResponseSource.STAFF: "personal", ResponseSource.PAPER: "papper"}


# --- what is said when something is wrong ------------------------------------------------


def anonymous_takes_no_code(instrument: Instrument) -> str:
    return f"{instrument.title.get('sv')} besvaras anonymt. Lämna deltagarens kod tom."


def code_needed(instrument: Instrument) -> str:
    return f"Skriv deltagarens kod. {instrument.title.get('sv')} gäller en deltagare."


def timepoint_problem(instrument: Instrument, timepoint: str, offered: list[str]) -> str:
    """Why `timepoint` cannot be chosen for `instrument`, naming the choices in words."""
    title = instrument.title.get("sv")
    if not offered:
        return f"{title} har ingen mätpunkt kvar att fylla i för deltagaren."
    choices = ", ".join(timepoint_words(choice) for choice in offered)
    if not timepoint:
        return f"Välj mätpunkt för {title}: {choices}."
    return f"Välj en av mätpunkterna för {title} i listan: {choices}."


class InstrumentAndTimepoint(PageForm):
    """A form that chooses an instrument (its `instrument` field) and then one of the
    timepoints offered for it and its `code` field (`offer_timepoints`), said in words.
    A single choice is chosen already; anything else posted is refused at the field."""

    timepoint = SelectField("Mätpunkt", validate_choice=False, choices=[])

    def __init__(self, instruments: list[Instrument], **kwargs):
        super().__init__(**kwargs)
        self.instruments = {instrument.id: instrument for instrument in instruments}
        self.offered: list[str] = []

    @property
    def chosen(self) -> Instrument | None:
        return self.instruments.get(self["instrument"].data)

    def offer(self, timepoints: list[str]) -> None:
        self.offered = timepoints
        if len(timepoints) == 1 and not self.timepoint.data:
            self.timepoint.data = timepoints[0]
        placeholder = [] if len(timepoints) == 1 else [SelectChoice("", "Välj mätpunkt")]
        self.timepoint.choices = placeholder + [
            SelectChoice(timepoint, timepoint_words(timepoint)) for timepoint in timepoints]

    def validate_timepoint(self, field):
        instrument = self.chosen
        if instrument is not None and field.data not in self.offered:
            raise ValidationError(timepoint_problem(instrument, field.data or "", self.offered))

    def add_problem(self, field_name: str, message: str) -> None:
        self[field_name].errors = [*self[field_name].errors, message]


def offer_timepoints(form: InstrumentAndTimepoint, insats: Insats) -> None:
    """Offer the timepoints of the form's instrument that make sense for its code (the
    sessions not yet answered, the next one; see `due.offered_timepoints`)."""
    instrument = form.chosen
    if instrument is None:
        form.offer([])
        return
    code = (form["code"].data or "").strip()
    participant = (find_participant(insats.forbund, code)
                   if code and code_problem(code) is None else None)
    form.offer(offered_timepoints(instrument, insats, participant, local_today()))


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a deltagare code, or None. A personnummer is refused with its
    own message: deltagare are pseudonymous, never identified by their number."""
    try:
        check_code(code)
    except InvalidCode:
        if PERSONNUMMER_PATTERN.match(code):
            return ("Det ser ut som ett personnummer. Deltagare registreras bara med en kod, "
                    "aldrig med personnummer.")
        return "Koden kan bara ha bokstäver, siffror och bindestreck, 2 till 32 tecken."
    return None


def enrolment_problem(context: ResponseContext) -> tuple[str, str]:
    """The field and the reason why the form cannot start or end the deltagare's
    enrolment (`participants.start_enrolment`, `end_enrolment` refused it)."""
    code, insats = context.participant.code, context.insats
    current = open_enrolment(context.participant, insats)
    if current is None:
        return "code", (f"{code} har ingen pågående inskrivning i {insats.name}. "
                        "Registrera inskrivningen först.")
    if context.instrument.results.enrolment is EnrolmentRole.STARTS:
        return "code", (f"{code} är redan inskriven i {insats.name} sedan "
                        f"{current.started_on.isoformat()}. Registrera avslutet först.")
    return "answered_on", (f"Avslutet kan inte vara före inskrivningen, "
                           f"{current.started_on.isoformat()}.")


def date_problem(code: str, insats: Insats, window: EnrolmentWindow | None) -> str:
    """Why a date outside the deltagare's enrolment (`schedule.OutsideEnrolment`) is
    refused, naming the enrolment's days."""
    if window is None:
        return (f"{code} har ingen inskrivning i {insats.name}. Registrera inskrivningen "
                "först.")
    start = window.started_on.isoformat()
    if window.ended_on is None:
        return f"Datumet måste ligga inom inskrivningen, som började {start}."
    within = f"Datumet måste ligga inom inskrivningen {start} – {window.ended_on.isoformat()}"
    if window.last_day != window.ended_on:
        return f"{within} (eller uppföljningen till {window.last_day.isoformat()})."
    return f"{within}."


def context_problem(problem: ContextProblem, wanted: Entry,
                    offered: list[str]) -> tuple[str, str]:
    """A refused frame (`responses.context_problems`) said on the field to change."""
    instrument = wanted.instrument
    if problem.field == "timepoint":
        return "timepoint", timepoint_problem(instrument, wanted.timepoint, offered)
    if problem.field == "participant" and instrument.anonymous:
        return "code", anonymous_takes_no_code(instrument)
    if problem.field == "participant" and not wanted.code:
        return "code", code_needed(instrument)
    return "code", "Deltagaren hör till ett annat samordningsförbund."


# --- the registrera page -----------------------------------------------------------------


def _stripped(value: str | None) -> str:
    """A text field as typed, without spaces around it; a field not sent at all is ""."""
    return (value or "").strip()


class EntryForm(InstrumentAndTimepoint):
    """What is entered: the form, when, about whom, and from where."""

    source = RadioField("Källa", default=ResponseSource.STAFF.value, validate_choice=False,
                        choices=[SelectChoice(ResponseSource.STAFF.value,
                                              "Personal fyller i formuläret"),
                                 SelectChoice(ResponseSource.PAPER.value, "Svar från papper")])
    instrument = SelectField("Formulär eller enkät", validate_choice=False)
    code = StringField("Deltagarens kod", filters=[_stripped], description=(
        "Lämna tomt för anonyma enkäter. Inskrivningen kan ge en ny kod."))
    answered_on = StringField("Datum", default=lambda: local_today().isoformat(),
                              filters=[_stripped], description=(
        "Dagen då formuläret fylldes i. För svar från papper: datumet på pappret."))

    def __init__(self, instruments: list[Instrument], **kwargs):
        super().__init__(instruments, **kwargs)
        self.instrument.choices = _grouped_choices(instruments)

    @property
    def chosen_source(self) -> ResponseSource | None:
        return next((source for source in entry_service.ENTRY_SOURCES
                     if source.value == self.source.data), None)

    def validate_source(self, field):
        if self.chosen_source is None:
            raise ValidationError("Välj källa: personal eller papper.")

    def validate_instrument(self, field):
        instrument, source = self.chosen, self.chosen_source
        if instrument is None:
            raise ValidationError("Välj ett formulär eller en enkät i listan.")
        if source and not entry_service.is_offered(instrument, source):
            raise ValidationError(f"Deltagaren fyller i {instrument.title.get('sv')} själv. "
                                  "Välj källan papper för att föra in svar från papper.")

    def validate_code(self, field):
        code = field.data
        if code and self.chosen and self.chosen.anonymous:
            raise ValidationError(anonymous_takes_no_code(self.chosen))
        problem = code_problem(code) if code else None
        if problem:
            field.data = ""  # a personnummer is not shown back, nor kept in the page
            raise ValidationError(problem)

    def validate_answered_on(self, field):
        try:
            day = _parse_date(field.data)
        except ValueError:
            raise ValidationError(DATE_FORMAT) from None
        if day > local_today():
            raise ValidationError("Datumet kan inte vara senare än i dag.")

    def entry(self, insats: Insats) -> Entry:
        instrument = self.chosen
        return Entry(
            insats=insats, instrument=instrument, source=self.chosen_source,
            timepoint=self.timepoint.data or "",
            code=self.code.data, answered_on=_parse_date(self.answered_on.data),
        )


@bp.route("/insatser/<slug>/registrera", methods=["GET", "POST"])
@login_required
def register(slug: str):
    insats = insats_to_work_in(slug)
    instruments = entry_service.entry_instruments(insats)
    form = EntryForm(instruments, data=_asked_for())
    offer_timepoints(form, insats)
    if not showing_timepoints() and form.validate_on_submit():
        draft = open_draft(form, insats)
        if draft is not None:
            return redirect(_answering(draft).continue_url(), 303)
    page = render_template(
        "staff/entry_register.html", insats=insats, form=form, instruments=instruments,
        drafts=_unfinished(insats), today=local_today().isoformat(),
    )
    return page, 422 if form.errors else 200


def showing_timepoints() -> bool:
    """Whether the form was posted by "Visa mätpunkter": only to offer the timepoints
    of the enkät and code chosen, without JavaScript."""
    return SHOW_TIMEPOINTS in request.form


def _asked_for() -> dict[str, str] | None:
    """What a link from the insats page fills in (?instrument=…&code=…&timepoint=…,
    and source): the form to avsluta or follow up a deltagare, chosen and dated by the
    user. Only on GET; a POST takes what was posted."""
    if request.method != "GET":
        return None
    return {name: request.args[name] for name in ("source", "instrument", "timepoint", "code")
            if name in request.args}


def open_draft(form: EntryForm, insats: Insats) -> Draft | None:
    """The draft the form asks for, or None with the problems put on the form."""
    wanted = form.entry(insats)
    try:
        context = entry_service.entry_context(wanted)
    except entry_service.UnknownCode:
        form.add_problem("code", f"Det finns ingen deltagare med koden {wanted.code.upper()} "
                                 "i förbundet. En ny kod skrivs in med inskrivningen.")
        return None
    try:
        return entry_service.open_entry(context, wanted.source)
    except ResponseRefused as refused:
        for problem in refused.problems:
            form.add_problem(*context_problem(problem, wanted, form.offered))
    except EnrolmentError:
        form.add_problem(*enrolment_problem(context))
    except OutsideEnrolment as outside:
        form.add_problem("answered_on",
                         date_problem(context.participant.code, insats, outside.window))
    return None


# --- answering: the same steps as a link --------------------------------------------------


@bp.get("/svar/<int:response_id>/inmatning")
@login_required
def start(response_id: int):
    survey = _answering(_draft(response_id))
    return render_template("staff/entry_start.html", survey=survey, draft=survey.draft,
                           source_name=SOURCE_NAMES[survey.draft.source],
                           **page_language(survey.languages))


@bp.get("/svar/<int:response_id>/fraga/<key>")
@login_required
def step(response_id: int, key: str):
    return answering.show_step(_answering(_draft(response_id)), key)


@bp.post("/svar/<int:response_id>/fraga/<key>")
@login_required
def save_step(response_id: int, key: str):
    return answering.save_step(_answering(_draft(response_id)), key)


@bp.get("/svar/<int:response_id>/granska")
@login_required
def review(response_id: int):
    return answering.show_review(_answering(_draft(response_id)))


@bp.post("/svar/<int:response_id>/granska")
@login_required
def send(response_id: int):
    """Send, then on to the deltagare's page after an inskrivning (with their code), else
    back to the registrera page for the next form. Sending twice (a double click) sends
    once and lands there too; a refused enrolment says why on the review."""
    draft = _draft(response_id, submitted=True)
    enrols = _enrols(draft)
    done_url = (url_for("staff.deltagare.show", code=draft.participant.code) if enrols
                else url_for(".register", slug=draft.insats.slug))
    if draft.submitted_at is not None:
        return redirect(done_url, 303)
    survey = _answering(draft)
    try:
        sent = answering.send(survey, done_url)
    except EnrolmentError:
        flash(enrolment_problem(context_of(draft))[1], "error")
        return answering.show_review(survey), 422
    if draft.submitted_at is not None:
        flash(f"Deltagaren är inskriven i {draft.insats.name} med koden "
              f"{draft.participant.code}. Skriv upp koden: deltagaren hittas bara med den."
              if enrols else "Svaren är sparade.", "info")
    return sent


def _enrols(draft: Draft) -> bool:
    """Whether the draft is an inskrivning of a deltagare (their page comes next)."""
    return (draft.participant is not None
            and instrument_of(draft).results.enrolment is EnrolmentRole.STARTS)


@bp.errorhandler(AlreadySubmitted)
def sent_meanwhile(error):
    """Sent in another tab while this page was open: nothing more can be saved, and the
    draft's pages are gone, as for any sent draft."""
    return render_error(404, reason=404), 404


def _draft(response_id: int, *, submitted: bool = False) -> Draft:
    """The staff or paper draft, unsubmitted unless `submitted`, of an insats the user
    sees; 404 for anything else."""
    draft = entry_service.entry_draft(response_id, current_user)
    if draft is None or (draft.submitted_at is not None and not submitted):
        refuse(404)
    require_work_in(draft.insats)
    return draft


def _answering(draft: Draft) -> Answering:
    return Answering(draft, {"response_id": draft.id}, layout="staff/entry_layout.html",
                     measured=True, entered_by=current_user._get_current_object())


def _unfinished(insats: Insats) -> list[dict[str, object]]:
    return [{"draft": draft, "title": instrument_of(draft).title.get("sv"),
             "source": SOURCE_NAMES[draft.source],
             "resume": url_for(".start", response_id=draft.id)}
            for draft in entry_service.unfinished_entries(insats)]


def _grouped_choices(instruments: list[Instrument]) -> list[SelectChoice]:
    return [SelectChoice("", "Välj formulär eller enkät")] + [
        SelectChoice(instrument.id, instrument.title.get("sv"), optgroup=_group(instrument))
        for instrument in instruments]


def _group(instrument: Instrument) -> str:
    if instrument.results.enrolment is not None:
        return "Registreringsformulär"
    if instrument.rated_by == "staff":
        return "Personalens skattningar"
    return "Deltagarens enkäter (bara från papper)"


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat((text or "").strip())
