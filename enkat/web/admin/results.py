"""Results for the förbund: the report of the whole förbund, of its insatser side by side
or of one insats, for a period, as a page with tables and charts, and as downloads.

- GET /forbund/resultat: choose and read (administrators and analysts); its charts are
  drawn from the report the page shows, into the page as images (data: addresses), so
  a page view builds the report once
- GET /forbund/resultat/rapport.<xlsx|pdf|docx|json>: the report
- GET /forbund/svar.<csv|xlsx|sav>: the answers behind it, record-level data for
  administrators only

The PDF, the Word file and the SPSS file are built on the worker: the address asks for
one and leads to the page that waits for it (`web.admin.prepared`); the files that are
one pass over rows (JSON, XLSX, CSV) are sent at once (`prepared_downloads.PREPARED`).
A report that says nothing of its period has only its JSON
(`services.results.reports.report_refusal`): the page offers no other file and says
why, and an XLSX address kept from before gets that page.
Every download is audited as "download" (`services.audit.record_download`) when the file
is sent, named by its file name, with the format and the filters in the detail.

Every route takes the same query parameters (`visa`, `period`, `ar`, `halvar`, `kvartal`,
`manad`, `fran`, `till`, and the samhällsnytta's `horisont` and `dodvikt`), so a download
is exactly what the page shows. A `period` left out is a year (`ar`, by default the last
full calendar year), or the dates when the address has `fran` or `till`: addresses from
before the kinds of period were chosen first keep their meaning.

The page asks step by step, without JavaScript (`valj` in the address): the kind of period
(`period`), then only its fields (`falt`), then whom the report is about and the
samhällsnytta's assumptions (`urval`); then it shows the report, its summary first and
each other part on demand. Each step is a GET form that carries the choices made so far,
and a choice that is wrong is said at its field, on the step that asks for it.

`insats=<slug>` is short for `visa=insats:<slug>`: a script that names an insats gets
that insats, and one that names an insats the förbund does not have gets 404, never the
whole förbund's data.
Choosing changes nothing, so the form is a GET form without a CSRF token.
"""

from __future__ import annotations

import datetime as dt
from base64 import b64encode
from dataclasses import dataclass
from functools import lru_cache

from flask import Response, abort, g, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import RadioField, SelectChoice, SelectField, StringField

from enkat.models import Insats, Role
from enkat.reports.charted import has_chart
from enkat.reports.document import Heading, TableBlock
from enkat.reports.exports.texts import period_text, subject_heading, suppression_text
from enkat.reports.layout import report_document
from enkat.reports.model import Report, Table
from enkat.reports.period import Period, default_year
from enkat.reports.summary import PART_ID as SUMMARY_PART
from enkat.scoring.samhallsnytta import DEFAULT_HORIZON, Assumptions
from enkat.services import ServiceError
from enkat.services.answering.drafts import local_today
from enkat.services.organisation.insatser import find_insats
from enkat.services.people.users import membership_with_role
from enkat.services.results import answer_exports, prepared_downloads
from enkat.services.results.answer_exports import AnswerFilter
from enkat.services.results.prepared_downloads import ANSWERS, REPORT
from enkat.services.results.reports import (
    DEFAULT_ASSUMPTIONS,
    AssumptionRefused,
    build_report_for,
    deadweight_of,
    horizon_of,
    report_refusal,
)
from enkat.web.common.access import READERS, roles_required
from enkat.web.common.downloads import send_download
from enkat.web.common.form_base import PageForm
from enkat.web.common.prepared import prepare

from . import bp
from .choices import DATE_EXAMPLE, FIRST_YEAR, LAST_YEAR, read_dates, refuse
from .tables import TableOnPage

REPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json; charset=utf-8",
}
ANSWER_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": REPORT_FORMATS["xlsx"],
    "sav": "application/x-spss-sav",
}
WHOLE, SIDE_BY_SIDE, ONE_INSATS = "forbund", "insatser", "insats:"
SIDE_BY_SIDE_TABLE = "insatser"  # the förbund report's table of its insatser
#: Charts kept drawn per process: a few reports' worth, about 40 kB each.
CHARTS_KEPT = 256

#: The kinds of period, and the fields each asks for on the second step.
PERIOD_FIELDS = {"ar": ("ar",), "halvar": ("ar", "halvar"), "kvartal": ("ar", "kvartal"),
                 "manad": ("ar", "manad"), "datum": ("fran", "till")}
#: The steps of the page (`valj`), and the fields each asks for.
STEPS = {"period": ("period",), "falt": ("ar", "halvar", "kvartal", "manad", "fran", "till"),
         "urval": ("visa", "horisont", "dodvikt")}
#: What the steps carry from one to the next: every choice of the report.
CHOICES = ("period", *STEPS["falt"], "visa", "insats", "horisont", "dodvikt")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
QUARTERS = ("Första kvartalet, januari–mars", "Andra kvartalet, april–juni",
            "Tredje kvartalet, juli–september", "Fjärde kvartalet, oktober–december")


class ResultsForm(PageForm):
    """What the report is about and for which period; read from the query string."""

    class Meta:
        csrf = False  # a GET form: choosing changes nothing

    visa = SelectField("Rapporten gäller", validate_choice=False)
    period = RadioField("Vilken sorts period?", default="ar", validate_choice=False, choices=[
        SelectChoice("ar", "Ett år"), SelectChoice("halvar", "Ett halvår"),
        SelectChoice("kvartal", "Ett kvartal"), SelectChoice("manad", "En månad"),
        SelectChoice("datum", "Egna datum, från och till")])
    ar = StringField("År", description="Med fyra siffror, till exempel 2025.")
    halvar = SelectField("Halvår", validate_choice=False, choices=[
        SelectChoice("1", "Första halvåret, januari–juni"),
        SelectChoice("2", "Andra halvåret, juli–december")])
    kvartal = SelectField("Kvartal", validate_choice=False, choices=[
        SelectChoice(str(number), name) for number, name in enumerate(QUARTERS, start=1)])
    manad = SelectField("Månad", validate_choice=False, choices=[
        SelectChoice(str(number), name.capitalize())
        for number, name in enumerate(MONTHS, start=1)])
    fran = StringField("Från och med", description=DATE_EXAMPLE)
    till = StringField("Till och med", description=DATE_EXAMPLE)
    enkat = SelectField("Enkät", validate_choice=False)
    horisont = StringField("Horisont (månader)", default=str(DEFAULT_HORIZON),
                           description="Hur många månader efter avslut besparingen räknas, "
                                       "1–600.")
    dodvikt = StringField("Dödvikt (%)", default="0",
                          description="Den andel av förändringen som antas ha skett ändå, "
                                      "0–100.")


@dataclass(frozen=True)
class Choice:
    """A valid choice: whom the report is about, its period and the assumptions of its
    samhällsnytta."""

    scope: str  # WHOLE, SIDE_BY_SIDE or "insats"
    insats: Insats | None
    period: Period
    period_name: str  # in file names: 2025, 2025-halvar-1, 2025-01-01--2025-03-31
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS

    def file_name(self, what: str, extension: str, *extra: str) -> str:
        subject = {WHOLE: (), SIDE_BY_SIDE: ("insatser",)}.get(
            self.scope, (self.insats.slug,) if self.insats else ())
        parts = (what, g.forbund.slug, *subject, self.period_name, *extra)
        return "-".join(parts) + "." + extension


@dataclass(frozen=True)
class PartOnPage:
    """A part of the report as the page shows it: its title over its tables; the summary
    is shown at once, every other part on demand."""

    title: str
    tables: list[TableOnPage]
    summary: bool = False


# --- routes ---------------------------------------------------------------------------


@bp.get("/resultat")
@roles_required(*READERS)
def results():
    """A step of the choice (`valj`, or the first when nothing is chosen yet), or the
    report; a wrong choice sends back to the step that asks for it, with a 422."""
    form = _form()
    step = request.args.get("valj")
    if step is None and not any(key in request.args for key in CHOICES):
        step = "period"
    if step in STEPS:
        return _step(form, step)
    choice = _choice(form)
    if choice is None:
        return _refused(form)
    return _page(form, choice, _report(choice))


@bp.get("/resultat/rapport.<fmt>")
@roles_required(*READERS)
def report_download(fmt: str):
    if fmt not in REPORT_FORMATS:
        abort(404)
    form = _form()
    choice = _choice(form)
    if choice is None:
        return _refused(form)
    if prepared_downloads.is_prepared(REPORT, fmt):
        spec = prepared_downloads.report_spec(
            choice.insats, choice.period, choice.assumptions,
            {SIDE_BY_SIDE_TABLE} if choice.scope == SIDE_BY_SIDE else None)
        return prepare(g.forbund, REPORT, fmt, choice.file_name("rapport", fmt), spec,
                       _results_url(), format=fmt, **_filters(choice))
    from enkat.reports.rendering import render  # loads the drawing libraries: on first use

    report = _report(choice)
    if report_refusal(report, fmt):  # an address kept from before: the page says why
        return _page(form, choice, report, status=422)
    data = render(report, fmt)
    return _download(data, REPORT_FORMATS[fmt], choice.file_name("rapport", fmt),
                     format=fmt, **_filters(choice))


@bp.get("/svar.<fmt>")
@roles_required(Role.ADMIN)
def answers_download(fmt: str):
    if fmt not in ANSWER_FORMATS:
        abort(404)
    form = _form()
    choice = _choice(form)
    if fmt == "sav":
        _check_instrument(form)
    if choice is None or form.enkat.errors:
        return _refused(form, choice)
    instrument = form.enkat.data if fmt == "sav" else None
    extra = (instrument,) if instrument else ()
    answers = AnswerFilter(g.forbund, choice.insats, choice.period.start, choice.period.end)
    if prepared_downloads.is_prepared(ANSWERS, fmt):
        refusal = answer_exports.spss_refusal(answers, instrument or "")
        if refusal:  # said now, not by a job queued for nothing
            refuse(form.enkat, refusal)
            return _refused(form, choice)
        spec = prepared_downloads.answers_spec(choice.insats, choice.period, instrument or "")
        return prepare(g.forbund, ANSWERS, fmt, choice.file_name("svar", fmt, *extra),
                       spec, _results_url(), format=fmt, instrument=instrument,
                       **_filters(choice))
    try:
        data, rows = _answers(answers, fmt)
    except ServiceError as refused:
        refuse(form.period, str(refused))
        return _refused(form, choice)
    return _download(data, ANSWER_FORMATS[fmt], choice.file_name("svar", fmt, *extra),
                     format=fmt, instrument=instrument, rows=rows, **_filters(choice))


# --- reading the choice ----------------------------------------------------------------


def _form() -> ResultsForm:
    form = ResultsForm(formdata=_with_kind(request.args))
    form.visa.choices = [SelectChoice(WHOLE, "Hela förbundet"),
                         SelectChoice(SIDE_BY_SIDE, "Insatserna sida vid sida"),
                         *(SelectChoice(ONE_INSATS + insats.slug, insats.name)
                           for insats in g.forbund.insatser)]
    form.enkat.choices = [SelectChoice("", "Välj enkät"), *(
        SelectChoice(instrument_id, f"{title} ({instrument_id})")
        for instrument_id, title in answer_exports.answered_instruments(g.forbund))]
    if "ar" not in request.args:
        form.ar.data = str(default_year(local_today()))
    if not form.visa.data and "insats" in request.args:
        form.visa.data = ONE_INSATS + request.args["insats"]  # shown chosen on its step
    return form


def _with_kind(args: MultiDict) -> MultiDict:
    """The query with its kind of period: an address with dates and no kind (from
    before the kinds were asked for first) means those dates."""
    if "period" in args or not ("fran" in args or "till" in args):
        return args
    return CombinedMultiDict([args, MultiDict({"period": "datum"})])


def _choice(form: ResultsForm) -> Choice | None:
    """The choice the form holds, or None with the problems on the form's fields. An
    insats of another förbund, or none, is 404, as everywhere."""
    scope, insats = _subject(form)
    found = _period(form)
    assumptions = _assumptions(form)
    if scope is None or found is None or assumptions is None:
        return None
    return Choice(scope, insats, *found, assumptions)


def _subject(form: ResultsForm) -> tuple[str | None, Insats | None]:
    chosen = form.visa.data or WHOLE
    named = request.args.get("insats")
    if named is not None:  # ?insats=<slug>, as a script (or `enkat export`) names one
        if form.visa.data and form.visa.data != ONE_INSATS + named:
            refuse(form.visa, f"Adressen väljer både ”{form.visa.data}” och insatsen "
                              f"”{named}”. Välj det ena.")
            return None, None
        chosen = ONE_INSATS + named
    if chosen in (WHOLE, SIDE_BY_SIDE):
        return chosen, None
    if chosen.startswith(ONE_INSATS):
        insats = find_insats(g.forbund, chosen.removeprefix(ONE_INSATS))
        if insats is None:
            abort(404)
        return "insats", insats
    refuse(form.visa, "Välj hela förbundet, insatserna sida vid sida eller en insats.")
    return None, None


def _kind(form: ResultsForm) -> str | None:
    """The kind of period chosen, or None with the problem on its field."""
    if form.period.data in PERIOD_FIELDS:
        return form.period.data
    refuse(form.period, "Välj ett år, ett halvår, ett kvartal, en månad eller egna datum.")
    return None


def _period(form: ResultsForm) -> tuple[Period, str] | None:
    kind = _kind(form)
    if kind == "datum":
        return _dates(form)
    if kind is None:
        return None
    year = _year(form.ar)
    if year is None:
        return None
    if kind == "ar":
        return _months(year, 1, 12), str(year)
    if kind == "halvar":
        half = _number(form.halvar, 2, "Välj första eller andra halvåret.")
        return (_months(year, 6 * half - 5, 6 * half), f"{year}-halvar-{half}") if half else None
    if kind == "kvartal":
        quarter = _number(form.kvartal, 4, "Välj ett av årets fyra kvartal.")
        return ((_months(year, 3 * quarter - 2, 3 * quarter), f"{year}-kvartal-{quarter}")
                if quarter else None)
    month = _number(form.manad, 12, "Välj en av årets tolv månader.")
    return (_months(year, month, month), f"{year}-{month:02d}") if month else None


def _number(field: SelectField, last: int, message: str) -> int | None:
    """The number 1 to `last` chosen in `field`, or None with `message` at it."""
    text = field.data or ""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= last:
        return int(text)
    refuse(field, message)
    return None


def _months(year: int, first: int, last: int) -> Period:
    """From the first day of month `first` to the last day of month `last` of `year`."""
    after = dt.date(year + 1, 1, 1) if last == 12 else dt.date(year, last + 1, 1)
    return Period(dt.date(year, first, 1), after - dt.timedelta(days=1))


def _year(field: StringField) -> int | None:
    text = (field.data or "").strip()
    if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    refuse(field, f"”{text}” är inget år. Skriv året med fyra siffror, till exempel 2025."
           if text else "Skriv året, till exempel 2025.")
    return None


def _dates(form: ResultsForm) -> tuple[Period, str] | None:
    dates = read_dates(form.fran, form.till, required=True)
    if dates is None:
        return None
    start, end = dates
    return Period(start, end), f"{start.isoformat()}--{end.isoformat()}"


def _assumptions(form: ResultsForm) -> Assumptions | None:
    """The samhällsnytta's horizon and deadweight, or None with each problem on its
    field (persistence stays at 100 %, with 50 % and 25 % shown beside it)."""
    horizon = deadweight = None
    try:
        horizon = horizon_of(form.horisont.data)
    except AssumptionRefused as refused:
        refuse(form.horisont, str(refused))
    try:
        deadweight = deadweight_of(form.dodvikt.data)
    except AssumptionRefused as refused:
        refuse(form.dodvikt, str(refused))
    if horizon is None or deadweight is None:
        return None
    return Assumptions(horizon, deadweight)


def _check_instrument(form: ResultsForm) -> None:
    chosen = form.enkat.data or ""
    offered = {choice.value for choice in form.enkat.choices if choice.value}
    if not chosen:
        refuse(form.enkat, "Välj vilken enkät SPSS-filen ska innehålla. "
                           "En SPSS-fil rymmer en enkät.")
    elif chosen not in offered:
        refuse(form.enkat, f"Förbundet har inga svar på ”{chosen}”. "
                           "Välj en av enkäterna i listan.")


# --- building and sending --------------------------------------------------------------


def _report(choice: Choice) -> Report:
    report = build_report_for(g.forbund, choice.insats, period=choice.period,
                              assumptions=choice.assumptions)
    if choice.scope != SIDE_BY_SIDE:
        return report
    return report.narrowed_to({SIDE_BY_SIDE_TABLE})


def _answers(answers: AnswerFilter, fmt: str) -> tuple[bytes, int]:
    """The answers in a format sent at once: the tidy CSV or its workbook."""
    if fmt == "csv":
        text, rows = answer_exports.tidy_csv(answers)
        return text.encode("utf-8"), rows
    return answer_exports.tidy_xlsx(answers)


def _filters(choice: Choice) -> dict:
    return {"subject": choice.scope, "insats": choice.insats.slug if choice.insats else None,
            "from": choice.period.start.isoformat(), "to": choice.period.end.isoformat()}


def _download(data: bytes, content_type: str, file_name: str, **detail: object) -> Response:
    return send_download(g.forbund, data, content_type, file_name, **detail)


def _user():
    return current_user._get_current_object()


# --- the steps --------------------------------------------------------------------------


def _step(form: ResultsForm, step: str):
    """A step, once the steps before it are chosen right; else the first one that is not."""
    if step == "falt":
        _kind(form)
    elif step == "urval":
        _period(form)
    if form.errors:
        return _refused(form)
    return _step_page(form, step)


def _step_with_errors(form: ResultsForm) -> str | None:
    return next((step for step, names in STEPS.items()
                 if any(form[name].errors for name in names)), None)


def _refused(form: ResultsForm, choice: Choice | None = None):
    """422: the step that asks for what is wrong; the SPSS file's instrument, the one
    thing the steps do not ask for, is said on the report beside its form."""
    step = _step_with_errors(form)
    if step is not None or choice is None:
        return _step_page(form, step or "period", status=422)
    return _page(form, choice, _report(choice), status=422)


def _step_page(form: ResultsForm, step: str, status: int = 200):
    """The page at one step: the choices made before it, each with a link to change it,
    and the form of the step, carrying every other choice in hidden fields."""
    asked = STEPS[step] if step != "falt" else PERIOD_FIELDS.get(form.period.data, ())
    shown = set(asked) | ({"insats"} if step == "urval" else set())
    carried = {key: value for key, value in _choices().items() if key not in shown}
    return render_template(
        "admin/results.html", form=form, step=step, asked=[form[name] for name in asked],
        carried=carried, made=_made(form, step), report=None, query=_choices(),
    ), status


def _results_url() -> str:
    """The results page of the choices in the address: where a prepared file leads back."""
    return url_for(".results", **_choices())


def _choices() -> dict[str, str]:
    """The choices in the address, as the steps and the downloads carry them."""
    return {key: value for key, value in request.args.items() if key in CHOICES}


def _made(form: ResultsForm, before: str | None) -> list[tuple[str, str, str]]:
    """The choices made on the steps before `before` (None: every step) as (what, chosen,
    the address of its step)."""
    made = []
    steps = list(STEPS)
    reached = steps if before is None else steps[:steps.index(before)]
    kind = next((choice.label for choice in form.period.choices
                 if choice.value == form.period.data), "")
    for step in reached:
        if step == "period":
            made.append(("Sorts period", kind, _step_url("period")))
        elif step == "falt":
            found = _period(form)
            made.append(("Period", _period_said(found[0]) if found else "",
                         _step_url("falt")))
        else:
            made.append(("Rapporten gäller", _subject_said(form), _step_url("urval")))
    return made


def _step_url(step: str) -> str:
    return url_for(".results", **{**_choices(), "valj": step})


def _period_said(period: Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def _subject_said(form: ResultsForm) -> str:
    chosen = form.visa.data or WHOLE
    return next((choice.label for choice in form.visa.choices if choice.value == chosen), chosen)


# --- the report page ----------------------------------------------------------------------


def _page(form: ResultsForm, choice: Choice, report: Report, status: int = 200):
    """The report: the choices that made it, the downloads, its summary and its parts."""
    query = _choices()
    return render_template(
        "admin/results.html", form=form, report=report, query=query, step=None,
        made=_made(form, None), heading=subject_heading(report.subject),
        period=period_text(report), suppression=suppression_text(report.suppression),
        side_by_side=choice.scope == SIDE_BY_SIDE, parts=_parts(report),
        may_download_answers=_is_admin(), charts=_charts(report),
        **_report_downloads(report),
    ), status


def _report_downloads(report: Report) -> dict:
    """The report's downloads the page offers (`offered`, in REPORT_FORMATS' order), and
    why it offers no file to read, when it does not (`no_file`)."""
    refusals = {fmt: report_refusal(report, fmt) for fmt in REPORT_FORMATS}
    return {"offered": [fmt for fmt, refusal in refusals.items() if refusal is None],
            "no_file": next((refusal for refusal in refusals.values() if refusal), None)}


def _charts(report: Report) -> dict[str, str]:
    """Each chart of the report as a data: address of its SVG, by table id: drawn from
    the report the page shows, so that no image asks for the report to be built again.
    An image, not SVG in the page: the Content-Security-Policy refuses the inline styles
    matplotlib's SVG carries, and allows images from data: (web/common)."""
    return {table.id: _chart_source(table) for table in report.tables if has_chart(table)}


@lru_cache(maxsize=CHARTS_KEPT)
def _chart_source(table: Table) -> str:
    """A table's chart as a data: address. The same table always draws the same bytes
    (`reports.rendering`), so each process draws a chart once for the figures it shows
    and again only when they change; a table is its own key (frozen, hashed by value)."""
    from enkat.reports.rendering import chart  # loads the drawing libraries: on first use

    return "data:image/svg+xml;base64," + b64encode(chart(table, "svg")).decode()


def _parts(report: Report) -> list[PartOnPage]:
    """The report's tables under the headings of its parts, as every format lays them
    out (`reports.layout`): a table that is a part by itself stands on its own, titled
    by its caption. The first part is the summary (or the one part there is)."""
    parts: list[PartOnPage] = []
    for block in report_document(report).blocks:
        if isinstance(block, Heading):
            parts.append(PartOnPage(block.text, []))
        elif isinstance(block, TableBlock):
            if not parts or block.level is not None:
                parts.append(PartOnPage(block.table.title, []))
            parts[-1].tables.append(TableOnPage(block.table))
    if parts and (len(parts) == 1 or report.parts[0].id == SUMMARY_PART):
        parts[0] = PartOnPage(parts[0].title, parts[0].tables, summary=True)
    return parts


def _is_admin() -> bool:
    """Whether the user administers the förbund shown (analysts only read)."""
    membership = membership_with_role(_user(), (Role.ADMIN,))
    return membership is not None and membership.forbund_id == g.forbund.id
