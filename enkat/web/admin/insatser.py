"""The förbund's overview and its insatser, /forbund/: details, measurement schedule, goals.

Administrators create and change; analysts see the same pages without the forms. An
insats of another förbund is 404. The schedule and the goals are edited as lists of rows
without JavaScript: "Lägg till en rad", "Ta bort" and "Använd standardschemat" redraw the
form, and only "Spara" changes anything.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Optional

from enkat.instruments.timepoints import schedule_timepoints, timepoint_words
from enkat.models import Insats, InsatsKind, Role, ScheduleTrigger
from enkat.reports.goals import AT_LEAST
from enkat.services import Refused
from enkat.services.answering.drafts import local_today
from enkat.services.deltagare.due import OVERDUE_AFTER
from enkat.services.deltagare.forbund_overview import forbund_overview
from enkat.services.documents import set_granted_kronor
from enkat.services.instruments.versions import registration_forms
from enkat.services.organisation.goals import (
    COMPARISON_NAMES,
    GoalRow,
    goal_indicators,
    replace_goals,
)
from enkat.services.organisation.insatser import (
    KIND_NAMES,
    InsatsDetails,
    add_insats,
    find_insats,
    update_insats,
)
from enkat.services.organisation.overview import forbund_insats_summaries, works_in_any
from enkat.services.organisation.schedules import (
    TRIGGER_NAMES,
    ScheduleRow,
    replace_schedule,
    schedulable_instruments,
    schedule_said,
    standard_schedule,
)
from enkat.services.utskick.campaigns import closes_on, open_campaign_summaries
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.form_base import DayField, KronorField, PageForm

from . import bp
from .forms_common import error_list, may_change, show_problems

#: The parts of the workspace the overview links to, with the endpoints that may serve
#: them; a part whose pages are not there yet is left out rather than linked to nothing.
PARTS = (
    ("Insatser", ("admin.insatser",), "Namn, period, mätschema och mål."),
    ("Användare", ("admin.users",), "Vem som arbetar i enkat och i vilka insatser."),
    ("Enkäter", ("admin.instruments",), "Förbundets enkäter och egna versioner."),
    ("Utskick", ("admin.utskick_list", "admin.utskick"),
     "Enkäter som mejlas till personal, chefer, styrelse och remittenter."),
    ("Resultat", ("admin.results",), "Rapporter och nedladdningar."),
    ("Rapporter", ("admin.documents",),
     "Kvartals-, del- och slutrapporter från insatserna, och förbundets helårsrapport."),
)
#: Parts for the förbund's administrators only.
ADMIN_PARTS = (
    ("Logg", ("admin.audit_log",),
     "Inloggningar, nedladdningar, visade deltagarsidor och ändringar."),
    ("Inställningar", ("admin.settings",),
     "Gränsen för små antal som tabeller och rapporter inte visar."),
    ("Prislista för samhällsnytta", ("admin.price_lists",),
     "Vad försörjningen kostar det offentliga i månaden, år för år."),
)


# --- fields that speak Swedish when they cannot read what was typed --------------------


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([value.strip() for value in valuelist])
        except ValueError:
            raise ValueError("Skriv ett helt antal dagar med siffror, till exempel 90.") from None


class PercentField(StringField):
    """A share typed as per cent ("40", "40,5 %"), kept as a fraction (0.4, 0.405)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        text = self.raw.removesuffix("%").strip().replace(",", ".")
        try:
            self.data = float(text) / 100
        except ValueError:
            raise ValueError("Skriv målvärdet som ett tal i procent, till exempel 40.") from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data * 100:g}".replace(".", ",")


# --- forms ---------------------------------------------------------------------------


class InsatsForm(PageForm):
    name = StringField("Namn")
    slug = StringField("Kortnamn", description=(
        "Står i adresser och i exporterade filer och kan inte ändras senare. Små bokstäver "
        "a–z, siffror och bindestreck. Lämna tomt så görs det av namnet."))
    huvudman = StringField("Huvudman", description=(
        "Den som driver insatsen, till exempel ”Kommunen, arbetsmarknadsenheten”."))
    kind = RadioField("Inriktning", default=InsatsKind.INDIVID.value, choices=[
        SelectChoice(InsatsKind.INDIVID.value,
                     "Individinriktad: har deltagare som mäts enligt schemat"),
        SelectChoice(InsatsKind.STRUKTUR.value,
                     "Strukturinriktad: arbetar med samverkan, inga deltagare"),
    ], validate_choice=False)
    # blank dates go on to the service, which says which one an insats needs
    starts_on = DayField("Startdatum", [Optional()],
                         description="Som år-månad-dag, till exempel 2025-01-01.")
    ends_on = DayField("Slutdatum", [Optional()], description=(
        "Lämna tomt om insatsen pågår tills vidare."))
    trial_period_days = WholeNumberField("Prövotid i dagar", default=90, description=(
        "Deltagare som avslutas inom prövotiden räknas inte i målet ”till arbete eller "
        "studier”. 0 till 365 dagar."))
    granted_kronor = KronorField("Beviljat medel i kronor", description=(
        "Det förbundet har beviljat insatsen. Står i insatsens rapporter. Lämna tomt om "
        "det inte är bestämt."))

    def details(self) -> InsatsDetails:
        kind = self.kind.data if self.kind.data in set(InsatsKind) else InsatsKind.INDIVID
        return InsatsDetails(
            name=self.name.data or "", slug=self.slug.data or "",
            huvudman=self.huvudman.data or "", kind=InsatsKind(kind),
            starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            trial_period_days=self.trial_period_days.data)


class ScheduleRowForm(Form):
    instrument_id = SelectField("Enkät", validate_choice=False)
    timepoint = SelectField("Mätpunkt", validate_choice=False)
    trigger = SelectField("När", validate_choice=False, choices=[SelectChoice("", "Välj när")] + [
        SelectChoice(trigger.value, name) for trigger, name in TRIGGER_NAMES.items()])
    days = WholeNumberField("Dagar (N)")

    def row(self) -> ScheduleRow:
        trigger = self.trigger.data
        return ScheduleRow(
            instrument_id=self.instrument_id.data or "",
            timepoint=(self.timepoint.data or "").strip(),
            trigger=ScheduleTrigger(trigger) if trigger in set(ScheduleTrigger) else None,
            days=self.days.data)

    def is_blank(self) -> bool:
        return not (self.instrument_id.data or (self.timepoint.data or "").strip()
                    or self.trigger.data or self.days.raw_data and self.days.raw_data[0].strip())


class ScheduleForm(PageForm):
    rows = FieldList(FormField(ScheduleRowForm))

    def __init__(self, instruments, **kwargs):
        super().__init__(**kwargs)
        choices = [SelectChoice("", "Välj enkät")] + [
            SelectChoice(instrument.id, instrument.title.get("sv")) for instrument in instruments]
        timepoints = schedule_timepoints(instrument.timepoints for instrument in instruments)
        for entry in self.rows:
            entry.form.instrument_id.choices = choices
            entry.form.timepoint.choices = _timepoint_choices(timepoints, entry.form.timepoint.data)

    def filled_rows(self) -> list[ScheduleRow]:
        return [entry.form.row() for entry in self.rows if not entry.form.is_blank()]


def _timepoint_choices(timepoints: list[str], current: str | None) -> list[SelectChoice]:
    """The schedule's mätpunkter in words; a row's own, if no instrument declares it any
    longer, stays among them so that saving does not lose it."""
    kept = [current] if current and current not in timepoints else []
    return [SelectChoice("", "Välj mätpunkt")] + [
        SelectChoice(timepoint, timepoint_words(timepoint)) for timepoint in timepoints + kept]


class GoalRowForm(Form):
    description = StringField("Mål", description=(
        "Som det ska stå i rapporten, till exempel ”Minst 40 % går till arbete eller studier”."))
    indicator = SelectField("Indikator", validate_choice=False)
    comparison = SelectField("Uppnått när", validate_choice=False, choices=[
        SelectChoice("", "Välj jämförelse")] + [
        SelectChoice(value, name) for value, name in COMPARISON_NAMES.items()])
    target = PercentField("Målvärde i procent", description=(
        "Bara när målet är att andelen ska vara minst ett värde."))

    def row(self) -> GoalRow:
        return GoalRow(description=self.description.data or "",
                       indicator=self.indicator.data or "",
                       comparison=self.comparison.data or "", target=self.target.data)

    def is_blank(self) -> bool:
        return not ((self.description.data or "").strip() or self.indicator.data
                    or self.comparison.data or self.target.raw)


class GoalsForm(PageForm):
    rows = FieldList(FormField(GoalRowForm))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        choices = [SelectChoice("", "Välj indikator")] + [
            SelectChoice(value, name) for value, name in goal_indicators(g.forbund).items()]
        for entry in self.rows:
            entry.form.indicator.choices = choices

    def filled_rows(self) -> list[GoalRow]:
        return [entry.form.row() for entry in self.rows if not entry.form.is_blank()]


# --- helpers ---------------------------------------------------------------------------


def _part_links() -> list[tuple[str, str, str]]:
    links = []
    for title, endpoints, hint in PARTS + (ADMIN_PARTS if may_change() else ()):
        endpoint = next((e for e in endpoints if e in current_app.view_functions), None)
        if endpoint is not None:
            links.append((title, url_for(endpoint), hint))
    return links


def insats_or_404(slug: str) -> Insats:
    insats = find_insats(g.forbund, slug)
    if insats is None:
        refuse(404)
    return insats


def _page(template: str, form, **context):
    errors = error_list(form) if form is not None else []
    page = render_template(template, form=form, errors=errors, **context)
    return page, 422 if errors else 200


# --- the overview and the list ---------------------------------------------------------


@bp.get("/")
@roles_required(*READERS)
def home():
    """The förbund's overview, where its administrators and analysts start."""
    return render_template(
        "admin/home.html", overview=forbund_overview(g.forbund, current_user, local_today()),
        utskick=open_campaign_summaries(g.forbund), closes_on=closes_on,
        overdue_days=OVERDUE_AFTER.days, inskrivning=_inskrivning(),
        parts=_part_links(), may_change=may_change(), own_insatser=works_in_any(current_user))


def _inskrivning() -> tuple[str, str] | None:
    """The form that enrols a deltagare and its timepoint, which the overview fills in
    for a deltagare who answered without an inskrivning."""
    forms = registration_forms()
    return (forms.starts.id, forms.starts.timepoints[0]) if forms else None


@bp.get("/insatser")
@roles_required(*READERS)
def insatser():
    summaries = forbund_insats_summaries(g.forbund, current_user)
    return render_template("admin/insatser.html", summaries=summaries,
                           may_change=may_change(), kind_names=KIND_NAMES)


# --- creating and changing an insats -------------------------------------------------


@bp.route("/insatser/ny", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def insats_new():
    form = InsatsForm()
    if form.validate_on_submit():
        try:
            insats = add_insats(g.forbund, form.details(), by=current_user)
            set_granted_kronor(insats, form.granted_kronor.data, by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"Insatsen {insats.name} är skapad med kortnamnet {insats.slug}. Lägg till "
                  "ett mätschema så att enkat vet vilka enkäter som ska besvaras när.", "info")
            return redirect(url_for(".schedule", slug=insats.slug), 303)
    return _page("admin/insats_form.html", form, insats=None)


@bp.route("/insatser/<slug>/andra", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def insats_edit(slug: str):
    insats = insats_or_404(slug)
    form = InsatsForm(obj=insats, kind=insats.kind.value) if request.method == "GET" \
        else InsatsForm()
    if form.validate_on_submit():
        try:
            update_insats(insats, form.details(), by=current_user)
            set_granted_kronor(insats, form.granted_kronor.data, by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"Ändringarna i {insats.name} är sparade.", "info")
            return redirect(url_for(".insatser"), 303)
    return _page("admin/insats_form.html", form, insats=insats)


# --- the measurement schedule ----------------------------------------------------------


@bp.get("/insatser/<slug>/schema")
@roles_required(*READERS)
def schedule(slug: str):
    insats = insats_or_404(slug)
    form = None
    if may_change():
        rows = [_schedule_data(entry) for entry in insats.schedule]
        form = _schedule_form(data={"rows": rows or [{}]})
    return _schedule_page(insats, form)


@bp.post("/insatser/<slug>/schema")
@roles_required(Role.ADMIN)
def schedule_save(slug: str):
    insats = insats_or_404(slug)
    form = _schedule_form()
    redrawn = _redraw(form, lambda data: _schedule_form(formdata=None, data=data),
                      standard=[_schedule_data(row) for row in standard_schedule()])
    if redrawn is not None:
        return _schedule_page(insats, redrawn, unsaved=True)
    if form.validate():
        submitted = [entry for entry in form.rows if not entry.form.is_blank()]
        try:
            replace_schedule(insats, form.filled_rows(), by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems, submitted)
        else:
            flash(f"Mätschemat för {insats.name} är sparat.", "info")
            return redirect(url_for(".schedule", slug=insats.slug), 303)
    return _schedule_page(insats, form, unsaved=True)


def _schedule_form(**kwargs) -> ScheduleForm:
    return ScheduleForm(schedulable_instruments(g.forbund), **kwargs)


def _schedule_data(entry) -> dict:
    return {"instrument_id": entry.instrument_id, "timepoint": entry.timepoint,
            "trigger": entry.trigger.value, "days": entry.days}


def _schedule_page(insats: Insats, form: ScheduleForm | None, unsaved: bool = False):
    instruments = schedulable_instruments(g.forbund)
    titles = {instrument.id: instrument.title.get("sv") for instrument in instruments}
    return _page("admin/schedule.html", form, insats=insats, instruments=instruments,
                 titles=titles, said=schedule_said, unsaved=unsaved)


def _redraw(form, rebuild: Callable[[dict], PageForm], standard: list[dict] | None = None):
    """The form redrawn for "Lägg till en rad", "Ta bort" or "Använd standardschemat",
    or None when the button was "Spara". Nothing is saved by a redraw."""
    rows = [entry.form.data for entry in form.rows]
    if "add" in request.form:
        return rebuild({"rows": [*rows, {}]})
    if "remove" in request.form:
        index = request.form.get("remove", type=int)
        kept = [row for position, row in enumerate(rows) if position != index]
        return rebuild({"rows": kept or [{}]})
    if "standard" in request.form and standard is not None:
        flash("Standardschemat är ifyllt nedan men inte sparat. Kontrollera raderna och välj "
              "Spara schemat.", "info")
        return rebuild({"rows": standard})
    return None


# --- goals ---------------------------------------------------------------------------


@bp.get("/insatser/<slug>/mal")
@roles_required(*READERS)
def goals(slug: str):
    insats = insats_or_404(slug)
    form = None
    if may_change():
        rows = [_goal_data(goal) for goal in insats.goals]
        form = GoalsForm(data={"rows": rows or [{}]})
    return _goals_page(insats, form)


@bp.post("/insatser/<slug>/mal")
@roles_required(Role.ADMIN)
def goals_save(slug: str):
    insats = insats_or_404(slug)
    form = GoalsForm()
    redrawn = _redraw(form, lambda data: GoalsForm(formdata=None, data=data))
    if redrawn is not None:
        return _goals_page(insats, redrawn, unsaved=True)
    if form.validate():
        submitted = [entry for entry in form.rows if not entry.form.is_blank()]
        try:
            replace_goals(insats, form.filled_rows(), by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems, submitted)
        else:
            flash(f"Målen för {insats.name} är sparade.", "info")
            return redirect(url_for(".goals", slug=insats.slug), 303)
    return _goals_page(insats, form, unsaved=True)


def _goal_data(goal) -> dict:
    return {"description": goal.description, "indicator": goal.indicator,
            "comparison": goal.comparison, "target": goal.target}


def _goals_page(insats: Insats, form: GoalsForm | None, unsaved: bool = False):
    return _page("admin/goals.html", form, insats=insats, unsaved=unsaved,
                 indicators=goal_indicators(g.forbund), comparisons=COMPARISON_NAMES,
                 at_least=AT_LEAST)
