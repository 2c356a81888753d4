"""Utskick: an anonymous survey mailed to a list of addresses, /forbund/utskick.

Administrators create, send, remind and close; analysts see the list, the response rates
and the results. An utskick of another förbund is 404. Addresses are shown only to
administrators, only for mails that failed (a list paged, searched by address and
filtered by which mail failed), and only until the utskick is closed; who has answered is
never shown. Results are shown once the förbund's threshold of answers is
reached (`services.results.utskick`).
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from enkat.instruments.timepoints import timepoint_choices, timepoint_words
from enkat.jobs.mailing import send_utskick
from enkat.models import Campaign, Role
from enkat.reports.charted import has_chart
from enkat.reports.numbers import format_count
from enkat.services.listing import page_of_query
from enkat.services.mail import mail_refusal, public_address
from enkat.services.people.users import membership_with_role
from enkat.services.results import utskick as utskick_results
from enkat.services.utskick import campaigns, mailing
from enkat.services.utskick.campaigns import (
    CampaignClosed,
    CampaignRefused,
    CampaignRequest,
    FailedMail,
)
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.form_base import DayField, PageForm
from enkat.web.common.listing import list_state

from . import bp
from .tables import TableOnPage

WHOLE_FORBUND = ""
#: How often the utskick page reloads itself while mails are queued.
REFRESH_SECONDS = 10
#: The address word that stops the page reloading itself.
NO_REFRESH = "uppdatera"
FAILED_MAILS = {FailedMail.FIRST: "Första utskicket", FailedMail.REMINDER: "Påminnelse"}


class CampaignForm(PageForm):
    instrument = SelectField("Enkät", validate_choice=False)
    insats = SelectField("Insats", validate_choice=False, description=(
        "Välj en insats om enkäten gäller den, till exempel för personalen i insatsen."))
    timepoint = SelectField("Mätpunkt", validate_choice=False, description=(
        "En enkät med en enda mätpunkt, som NNS-enkäterna (Årlig), behöver inget val."))
    title = StringField("Rubrik", description=(
        "Står i mejlets ämnesrad, till exempel ”Indikatorenkät 2025 till styrelsen”."))
    closes_on = DayField("Sista svarsdag", [Optional()], description=(
        "Länkarna fungerar till och med den dagen. Då stängs utskicket och adresserna raderas."))
    remind_after_days = StringField("Påminn automatiskt efter antal dagar (frivilligt)",
                                    description=(
        "De som inte har svarat får en påminnelse så många dagar efter att utskicket "
        "skickades. Lämna tomt för ingen automatisk påminnelse."))
    addresses = TextAreaField("Klistra in adresserna", description=(
        "En adress per rad, eller åtskilda med komma eller semikolon."))
    addresses_file = FileField("eller välj en fil", validators=[FileAllowed(
        ["txt", "csv"], "Välj en textfil (.txt) eller en CSV-fil (.csv).")], description=(
        "En .txt- eller .csv-fil i UTF-8 med en adress per rad."))

    def __init__(self, insatser, **kwargs):
        super().__init__(**kwargs)
        instruments = campaigns.campaign_instruments(g.forbund)
        self.instrument.choices = [("", "Välj enkät")] + [
            (instrument.id, instrument.title.get("sv")) for instrument in instruments]
        offered = dict.fromkeys(timepoint for instrument in instruments
                                for timepoint in timepoint_choices(instrument.timepoints, ()))
        self.timepoint.choices = [("", "Enkätens enda mätpunkt")] + [
            (timepoint, timepoint_words(timepoint)) for timepoint in offered]
        self.insats.choices = [(WHOLE_FORBUND, "Hela förbundet, ingen insats")] + [
            (str(insats.id), insats.name) for insats in insatser]
        self.insatser = {str(insats.id): insats for insats in insatser}

    def validate_insats(self, field):
        if field.data != WHOLE_FORBUND and field.data not in self.insatser:
            raise ValidationError("Välj en insats i listan.")

    def validate_remind_after_days(self, field):
        days_in(field)

    def validate_addresses_file(self, field):
        if self.uploaded() and (self.addresses.data or "").strip():
            raise ValidationError("Klistra in adresserna eller välj en fil, inte båda.")
        try:
            self.addresses_text()
        except UnicodeDecodeError:
            raise ValidationError("Filen går inte att läsa som text i UTF-8. Spara den som "
                                  "”CSV UTF-8” eller som vanlig text och försök igen.") from None

    def uploaded(self) -> bool:
        return bool(self.addresses_file.data and self.addresses_file.data.filename)

    def addresses_text(self) -> str:
        """The pasted addresses, or the uploaded file's text (a byte order mark is not
        part of it)."""
        if not self.uploaded():
            return self.addresses.data or ""
        upload = self.addresses_file.data
        upload.stream.seek(0)
        return upload.stream.read().decode("utf-8-sig")

    def campaign(self) -> CampaignRequest:
        """The utskick as typed, for `campaigns.create_campaign`. What a field refused is
        left out (a date it could not read is None), so the service does not say it again."""
        refused = self.errors
        return CampaignRequest(
            forbund=g.forbund, instrument_id=self.instrument.data,
            timepoint=self.timepoint.data or "", title=self.title.data,
            insats=self.insatser.get(self.insats.data),
            addresses_text="" if "addresses_file" in refused else self.addresses_text(),
            closes_on=self.closes_on.data,
            remind_after_days=(None if "remind_after_days" in refused
                               else days_in(self.remind_after_days)),
        )

    def show(self, problems) -> None:
        """The service's problems beside the form's own; a field the form has refused
        keeps its own message."""
        refused = set(self.errors)
        for problem in problems:
            name = problem.field
            if name == "addresses" and self.uploaded():
                name = "addresses_file"
            if name not in refused:
                self[name].errors = [*self[name].errors, problem.message]


class ActionForm(PageForm):
    """The buttons of an utskick have no fields; the form carries the CSRF token."""


class ReminderForm(PageForm):
    remind_after_days = StringField("Påminn automatiskt efter antal dagar", description=(
        "Efter första utskicket. Lämna tomt för ingen automatisk påminnelse."))

    def validate_remind_after_days(self, field):
        days_in(field)


#: More digits than any number of days allowed has: refused without reading them as a number.
MAX_DAYS_DIGITS = 6


def days_in(field) -> int | None:
    """The whole number of days a field holds, None when empty; refused in Swedish, a
    number too large with the range allowed."""
    text = (field.data or "").strip()
    if not text:
        return None
    if not text.isdecimal():
        raise ValidationError("Skriv antalet dagar med siffror, till exempel 7.")
    if len(text.lstrip("0")) > MAX_DAYS_DIGITS:
        raise ValidationError(campaigns.REMIND_AFTER_DAYS_RANGE)
    return int(text)


@bp.get("/utskick")
@roles_required(*READERS)
def utskick_list():
    return render_template("admin/utskick.html", summaries=campaigns.campaign_summaries(g.forbund),
                           may_change=_is_admin(), closes_on=campaigns.closes_on)


@bp.route("/utskick/nytt", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def utskick_new():
    form = CampaignForm(g.forbund.insatser)
    if mail_refusal():  # the page says why there are no utskick here
        page = render_template("admin/utskick_form.html", form=form)
        return page, 409 if form.is_submitted() else 200
    campaign = _created(form) if form.is_submitted() else None
    if campaign is not None:
        flash(f"Utskicket är skapat med {format_count(len(campaign.recipients))} adresser. "
              "Inget har skickats än: kontrollera och välj Skicka.", "info")
        return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
    page = render_template("admin/utskick_form.html", form=form,
                           today=campaigns.local_today().isoformat(),
                           max_recipients=campaigns.MAX_RECIPIENTS)
    return page, 422 if form.errors else 200


def _created(form: CampaignForm) -> Campaign | None:
    """The new utskick; None when refused, with every problem on the form at once: the
    service's beside those of the fields the form could not read."""
    if not form.validate():
        form.show(campaigns.campaign_problems(form.campaign()))
        return None
    try:
        return campaigns.create_campaign(form.campaign(), current_user)
    except CampaignRefused as refused:
        form.show(refused.problems)
        return None


@bp.get("/utskick/<int:campaign_id>")
@roles_required(*READERS)
def utskick_detail(campaign_id: int):
    """How far the utskick has come and its results; administrators also see the mails
    that failed and the buttons."""
    campaign = _campaign_or_404(campaign_id)
    return _detail_page(campaign, ReminderForm(
        remind_after_days=str(campaign.remind_after_days or "")))


def _detail_page(campaign: Campaign, reminder_form: ReminderForm):
    may_change = _is_admin()
    failed_state = list_state({"adress": False}, filters={"mejl": list(FailedMail)})
    failed = page_of_query(campaigns.failed_recipients(
        campaign, search=failed_state.search, mail=failed_state.filters["mejl"]),
        failed_state.page) if may_change else None
    found = utskick_results.campaign_results(campaign)
    counts = campaigns.campaign_counts(campaign)
    reminders = mailing.reminder_outlook(campaign) if may_change else None
    return render_template(
        "admin/utskick_detail.html", campaign=campaign, counts=counts,
        summary=campaigns.CampaignSummary(campaign, counts),
        refresh_url=_refresh_url(counts), stop_refresh_url=_with_args(**{NO_REFRESH: "nej"}),
        failed=failed, failed_state=failed_state, failed_mails=FAILED_MAILS,
        form=ActionForm(), reminder_form=reminder_form, reminders=reminders,
        refresh_seconds=REFRESH_SECONDS,
        closes_on=campaigns.closes_on(campaign),
        survey_title=campaigns.survey_title(campaign), may_change=may_change, results=found,
        tables=[TableOnPage(table) for table in found.tables],
        charted=[table for table in found.tables if has_chart(table)])


def _refresh_url(counts) -> str | None:
    """Where the page reloads itself while mails wait: this very page, with its list's
    search and filters; None for a refused form (POST) and when asked to stop."""
    if not counts.queued or request.method != "GET" or request.args.get(NO_REFRESH):
        return None
    return _with_args()


def _with_args(**changed: str) -> str:
    return url_for(request.endpoint, **(request.view_args or {}),
                   **{**request.args.to_dict(), **changed})


@bp.get("/utskick/<int:campaign_id>/diagram/<table_id>.svg")
@roles_required(*READERS)
def utskick_chart(campaign_id: int, table_id: str):
    """A chart of the utskick's results; 404 while they are not shown."""
    from enkat.reports.rendering import chart  # loads the drawing libraries: on first use

    table = utskick_results.campaign_results(_campaign_or_404(campaign_id)).table(table_id)
    if table is None or not has_chart(table):
        abort(404)
    return Response(chart(table, "svg"), mimetype="image/svg+xml")


@bp.route("/utskick/<int:campaign_id>/skicka", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def utskick_send(campaign_id: int):
    """The first "Skicka", and "Skicka igen till misslyckade": both mail every address
    that has not yet received its link. The GET asks first, saying how many mails."""
    return _mailing(campaign_id, mailing.queue_send, "{queued} mejl skickas nu.",
                    count=mailing.mails_to_send, asking="send")


@bp.route("/utskick/<int:campaign_id>/paminn", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def utskick_remind(campaign_id: int):
    return _mailing(campaign_id, mailing.queue_reminders, "{queued} påminnelse{r} skickas nu.",
                    count=mailing.reminders_to_send, asking="remind")


@bp.post("/utskick/<int:campaign_id>/automatisk-paminnelse")
@roles_required(Role.ADMIN)
def utskick_automatic_reminder(campaign_id: int):
    """"Påminn automatiskt efter N dagar", set or changed until the reminder has gone."""
    campaign = _campaign_or_404(campaign_id)
    refusal = campaigns.reminder_refusal(campaign)  # on a page shown before that
    if refusal:
        flash(refusal, "error")
        return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            campaigns.set_automatic_reminder(campaign, days_in(form.remind_after_days))
        except CampaignRefused as refused:
            form.remind_after_days.errors = [problem.message for problem in refused.problems]
        else:
            flash("Den automatiska påminnelsen är ändrad.", "info")
            return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
    return _detail_page(campaign, form), 422


@bp.route("/utskick/<int:campaign_id>/stang", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def utskick_close(campaign_id: int):
    """Closing deletes the addresses: a page asks first, and only its POST closes."""
    campaign = _campaign_or_404(campaign_id)
    form = ActionForm()
    if campaign.closed_at is not None:
        flash("Utskicket är redan stängt.", "info")
        return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
    if not form.validate_on_submit():
        return render_template("admin/utskick_close.html", campaign=campaign, form=form,
                               counts=campaigns.campaign_counts(campaign))
    campaigns.close_campaign(campaign, current_user)
    flash("Utskicket är stängt. Adresserna är raderade, och länkar som inte har använts "
          "fungerar inte längre.", "info")
    return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)


def _mailing(campaign_id: int, mail, done: str, *, count, asking: str):
    """Ask on the GET, saying how many mails will go; mail on the POST that confirms."""
    campaign = _campaign_or_404(campaign_id)
    form = ActionForm()
    if request.method == "GET":
        if campaigns.has_ended(campaign):  # an old tab, the Back button, the last day
            flash("Utskicket är stängt, så inga fler mejl skickas.", "info")
            return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
        return render_template("admin/utskick_mail.html", campaign=campaign, form=form,
                               mails=count(campaign), asking=asking,
                               in_doubt=mailing.in_doubt_to_send(campaign)
                               if asking == "send" else 0)
    if not form.validate_on_submit():
        abort(400)
    refusal = mail_refusal()  # a page shown before the setting changed
    if refusal:
        flash(f"{refusal} Inget skickades.", "error")
        return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)
    try:
        queued = mail(campaign, current_user)
    except CampaignClosed:
        flash("Utskicket är stängt. Inget skickades.", "error")
    else:
        if queued.queued:
            send_utskick.enqueue_on_commit(campaign.id, public_address())
        _say(queued, done)
    return redirect(url_for(".utskick_detail", campaign_id=campaign.id), 303)


def _say(queued: mailing.Queued, done: str) -> None:
    if queued.skipped:
        flash(f"{format_count(queued.skipped)} har fått ett mejl för mindre än en timme sedan "
              "och får ingen ny påminnelse nu.", "info")
    if queued.queued:
        flash(done.format(queued=format_count(queued.queued), r="" if queued.queued == 1 else "r")
              + " Sidan visar hur det går.", "info")
    elif not queued.skipped:
        flash("Det fanns ingen att skicka till.", "info")


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = campaigns.find_campaign(g.forbund, campaign_id)
    if campaign is None:
        refuse(404)
    return campaign


def _is_admin() -> bool:
    return membership_with_role(current_user, (Role.ADMIN,)) is not None
