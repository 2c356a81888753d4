"""The pages of a report document that personal and the förbund's administrators share:
creating one, the writing page (text sections, the data sections live, the goal comments,
the ekonomisk rapport, the key figures to insert), saving it with and without
JavaScript, sending it, reading it once sent, and its downloads.

Personal write an insats' kvartals-, del- and slutrapport (web.staff.documents), the
förbund's administrators write its helårsrapport and review them all
(web.admin.documents); both blueprints render the same templates
(templates/documents/) from the context built here, each with its own addresses.

A text section is saved by the autosave of static/documents.js (`autosave`, one section,
with the revision it was written on) or by "Spara" without JavaScript (`save_all`, every
section); either way a text someone else saved in between is never overwritten silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Response, flash, jsonify, redirect, render_template, request
from flask_login import current_user
from markupsafe import Markup
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from enkat.config import local_zone
from enkat.models import DocumentStatus, Insats
from enkat.reports.document import Heading, TableBlock, Text
from enkat.reports.exports.html_export import table_html
from enkat.reports.period import Period
from enkat.services import Refused, ServiceError
from enkat.services.answering.drafts import local_today
from enkat.services.documents import (
    KINDS,
    STATUS_NAMES,
    DocumentError,
    DocumentLocked,
    SectionSpec,
    StaleText,
    create_document,
    document_spec,
    document_view,
    history,
    kind_name,
    may_write,
    new_version,
    newer_version,
    period_of,
    save_figures,
    save_goal_comment,
    save_text,
    send,
    template_of,
    view_with_key_figures,
)
from enkat.services.documents.content import GOAL_KEY
from enkat.services.results import prepared_downloads

from .form_base import DayField, KronorField, PageForm, error_list, kronor
from .prepared import prepare

#: The kinds written per insats, and the one the förbund writes itself.
INSATS_KINDS = ("kvartalsrapport", "delrapport", "slutrapport")
FORBUND_KINDS = ("helarsrapport",)
#: The formats a document downloads in, built on the worker, and their buttons.
DOWNLOADS = {"docx": "Ladda ner Word", "pdf": "Ladda ner PDF"}

# --- creating a document -------------------------------------------------------------


class NewDocumentForm(PageForm):
    kind = SelectField("Typ av rapport", validate_choice=False)
    starts_on = DayField("Perioden börjar", description="Som år-månad-dag.")
    ends_on = DayField("Perioden slutar", description="Som år-månad-dag.")

    def __init__(self, kinds: tuple[str, ...], insats: Insats | None = None, **kwargs):
        today = local_today()
        kind = kinds[0]
        start, end = default_period(kind, insats, today)
        super().__init__(**{"kind": kind, "starts_on": start, "ends_on": end, **kwargs})
        self.kind.choices = [SelectChoice(value, kind_name(value)) for value in kinds]

    def validate_kind(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Välj en typ av rapport i listan.")

    def period(self) -> Period | None:
        """The chosen period; None, with the refusal at the end date, when it ends first."""
        try:
            return period_of(self.starts_on.data, self.ends_on.data)
        except DocumentError as refused:
            self.ends_on.errors = [*self.ends_on.errors, str(refused)]
            return None


def default_period(kind: str, insats: Insats | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """What a new report of this kind is usually about: the current quarter for a
    kvartalsrapport, the current half-year for a delrapport, the whole insats for a
    slutrapport and the last calendar year for a helårsrapport."""
    if kind == "kvartalsrapport":
        first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return first, _month_end(first, 3)
    if kind == "delrapport":
        first = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
        return first, _month_end(first, 6)
    if kind == "slutrapport" and insats is not None:
        return insats.starts_on or dt.date(today.year, 1, 1), insats.ends_on or today
    return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)


def _month_end(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


# --- the writing page ------------------------------------------------------------------


class SectionTextForm(Form):
    key = HiddenField()
    revision = HiddenField()
    text = TextAreaField()


class GoalCommentForm(Form):
    position = HiddenField()
    revision = HiddenField()
    comment = TextAreaField()


class FigureRowForm(Form):
    section = HiddenField()
    row = HiddenField()
    budget = KronorField("Budget")
    utfall = KronorField("Utfall")
    remark = StringField("Kommentar")


class WritingForm(PageForm):
    """Every field of the writing page. Each entry carries the key of what it writes,
    so a post means the sections it names."""

    texts = FieldList(FormField(SectionTextForm))
    goals = FieldList(FormField(GoalCommentForm))
    figures = FieldList(FormField(FigureRowForm))


@dataclass(frozen=True)
class SectionOnPage:
    """A section of the template as the writing page shows it: the blocks of the
    composed document under its heading (a data section's tables, live), its text entry
    (text), its goals with their comment entries (goals), its rows (figures)."""

    section: SectionSpec
    heading: str
    blocks: tuple = ()
    text: object = None
    goals: tuple = ()
    rows: tuple = ()


def writing_form(document, formdata=None) -> WritingForm:
    """The form with what is stored, or what was posted (`formdata`)."""
    if formdata is not None:
        return WritingForm(formdata=formdata)
    texts = {text.section_key: text for text in document.texts}
    sections = _sections(document)
    return WritingForm(formdata=None, data={
        "texts": [{"key": section.key, "text": getattr(texts.get(section.key), "text", ""),
                   "revision": getattr(texts.get(section.key), "revision", 0)}
                  for section in sections if section.kind == "text"],
        "goals": [{"position": index, "comment": comment,
                   "revision": getattr(texts.get(GOAL_KEY.format(index)), "revision", 0)}
                  for index, (_, comment) in enumerate(goal_comments(document))],
        "figures": [{"section": section.key, "row": row.key, "budget": budget,
                     "utfall": utfall, "remark": remark}
                    for section in sections if section.kind == "figures"
                    for row, (budget, utfall, remark) in figure_rows(document, section)],
    })


def name_figure_errors(document, form: WritingForm) -> None:
    """Put the row and column before each refused amount of the form ("Aktiviteter,
    budget: skriv beloppet …"): the summary at the top names which one it means."""
    labels = {(section.key, row.key): row.label for section in _sections(document)
              for row in section.rows}
    for entry in form.figures:
        row = entry.form
        label = labels.get((row.section.data, row.row.data), row.row.data)
        for cell in (row.budget, row.utfall):
            cell.errors = [f"{label}, {cell.label.text.lower()}: {error}"
                           for error in cell.errors]


def writing_page(document, form: WritingForm, view) -> list[SectionOnPage]:
    """The template's sections in order, each with its part of the form and of the
    composed document (`view`)."""
    sections = _sections(document)
    grouped = blocks_of_sections(view, sections)
    texts = {entry.form.key.data: entry for entry in form.texts}
    goals = list(form.goals)
    rows = {(entry.form.section.data, entry.form.row.data): entry for entry in form.figures}
    page = []
    for section, (heading, blocks) in zip(sections, grouped, strict=True):
        page.append(SectionOnPage(
            section=section, heading=heading, blocks=blocks, text=texts.get(section.key),
            goals=tuple(zip(_goals_of(document), goals, strict=False))
            if section.kind == "goals" else (),
            rows=tuple((row, rows.get((section.key, row.key))) for row in section.rows)
            if section.kind == "figures" else ()))
    return page


def blocks_of_sections(view, sections) -> list[tuple[str, tuple]]:
    """For each section, the heading the composed document gives it (numbered, in a
    numbered template) and the blocks under it up to the next section's heading."""
    found: list[tuple[str, list]] = [(section.heading, []) for section in sections]
    current: list | None = None
    upcoming = 0
    for block in view.blocks:
        if isinstance(block, Heading) and upcoming < len(sections) \
                and _names(block.text, sections[upcoming].heading):
            found[upcoming] = (block.text, [])
            current = found[upcoming][1]
            upcoming += 1
        elif current is not None:
            current.append(block)
    return [(heading, tuple(blocks)) for heading, blocks in found]


def _names(shown: str, heading: str) -> bool:
    """Whether a heading of the composed document is this section's ("2.1 Aktiviteter")."""
    return shown == heading or shown.endswith(f" {heading}")


def summa(document, section, column: str) -> str:
    """The sum of the stored budget or utfall of a figures section, as shown below its
    form: what is saved, never figures a refused save brought."""
    index = 0 if column == "budget" else 1
    amounts = [figures[index] for _, figures in figure_rows(document, section)]
    return kronor(sum(amount for amount in amounts if amount is not None))


@dataclass
class Saved:
    """What "Spara" did: `conflicts` are the sections someone else saved in between
    (heading, the stored text); `problems` counts the refusals, said at their field or,
    about no field, in `messages`."""

    conflicts: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    problems: int = 0

    def refused(self, message: str | None = None) -> None:
        self.problems += 1
        if message:
            self.messages.append(message)


def save_all(document, form: WritingForm, by) -> Saved:
    """Every section of a "Spara" without JavaScript. A text section or goal comment
    someone else saved since the page was opened is not written: the page shows both
    texts, and the next "Spara" (with the stored revision) keeps the writer's. The view
    answers with an error status whenever something is refused, so nothing of the post
    is kept."""
    saved = Saved()
    stored = {text.section_key: text for text in document.texts}
    headings = {section.key: section.heading for section in _sections(document)}
    for entry in form.texts:
        key, text = entry.form.key.data, entry.form.text.data or ""
        if text == getattr(stored.get(key), "text", ""):
            continue
        try:
            save_text(document, key, text, by, _revision(entry.form.revision.data))
        except StaleText as stale:
            saved.conflicts.append((headings.get(key, key), stale.text))
            entry.form.revision.data = stale.revision
        except ServiceError as refused:  # DocumentLocked goes to the view: nothing to save
            if isinstance(refused, DocumentLocked):
                raise
            saved.refused(f"{headings.get(key, key)}: {refused}")
    stored_goals = [comment for _, comment in goal_comments(document)]
    for entry in form.goals:
        index, text = _revision(entry.form.position.data), entry.form.comment.data or ""
        if index < len(stored_goals) and text != stored_goals[index]:
            try:
                save_goal_comment(document, index, text, by,
                                  _revision(entry.form.revision.data))
            except StaleText as stale:
                saved.conflicts.append((f"Kommentar till mål {index + 1}", stale.text))
                entry.form.revision.data = stale.revision
            except ServiceError as refused:
                if isinstance(refused, DocumentLocked):
                    raise
                saved.refused(str(refused))
    _save_figures(document, form, by, saved)
    return saved


def _save_figures(document, form: WritingForm, by, saved: Saved) -> None:
    by_section: dict[str, dict] = {}
    entries: dict[tuple[str, str], object] = {}
    for entry in form.figures:
        row = entry.form
        by_section.setdefault(row.section.data, {})[row.row.data] = (
            row.budget.data, row.utfall.data, row.remark.data or "")
        entries[row.section.data, row.row.data] = row
    for section_key, rows in by_section.items():
        try:
            save_figures(document, section_key, rows, by)
        except Refused as refused:
            for problem in refused.problems:
                row_key, _, column = problem.field.rpartition("-")
                row = entries.get((section_key, row_key))
                cell = getattr(row, column, None) if row is not None else None
                if cell is None:
                    saved.refused(problem.message)
                else:
                    cell.errors = [*cell.errors, problem.message]
                    saved.refused()


def _revision(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def autosave(document, by) -> tuple[Response, int]:
    """One text section or goal comment (its `GOAL_KEY`) from the writing page's script:
    JSON {section, text, revision}. 200 with the new revision and the time; 409 with the
    stored text when someone saved in between; 423 when the document cannot be changed
    now; 400 for a post that is not this page's."""
    posted = request.get_json(silent=True) or {}
    section, text = posted.get("section"), posted.get("text")
    keys = {section.key for section in _sections(document) if section.kind == "text"}
    goals = {GOAL_KEY.format(index): index for index in range(len(_goals_of(document)))}
    if section not in keys | goals.keys() or not isinstance(text, str):
        return jsonify(message="Texten kunde inte sparas: den hör inte till rapporten."), 400
    revision = _revision(posted.get("revision"))
    try:
        if section in goals:
            result = save_goal_comment(document, goals[section], text, by, revision)
        else:
            result = save_text(document, section, text, by, revision)
    except StaleText as stale:
        return jsonify(stale=True, text=stale.text, revision=stale.revision,
                       message=str(stale)), 409
    except DocumentLocked as locked:
        return jsonify(message=str(locked)), 423
    except DocumentError as refused:
        return jsonify(message=str(refused)), 422
    return jsonify(revision=result.revision, saved_at=clock(result.saved_at)), 200


def clock(moment: dt.datetime) -> str:
    """A moment as the time of day where the förbund is ("14:03")."""
    zone = local_zone()
    return moment.astimezone(zone).strftime("%H:%M")


def when(moment: dt.datetime | None) -> str:
    """A moment as date and time where the förbund is ("2026-12-05 14:03")."""
    if moment is None:
        return ""
    zone = local_zone()
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# --- reading and downloading -------------------------------------------------------------


def block_html(block) -> Markup:
    """A block of the composed document as the page shows it: a report table with the
    markup of the report pages; headings and text are written by the template."""
    if isinstance(block, TableBlock):
        return Markup(table_html(block.table))
    return Markup("")


def is_text(block) -> bool:
    return isinstance(block, Text)


def is_heading(block) -> bool:
    return isinstance(block, Heading)


def file_name(document, fmt: str) -> str:
    """kvartalsrapport-steget-2026-07-01-2026-09-30-v2.docx: slugs and dates only."""
    subject = document.insats.slug if document.insats is not None else document.forbund.slug
    return (f"{document.kind}-{subject}-{document.period_start.isoformat()}-"
            f"{document.period_end.isoformat()}-v{document.version}.{fmt}")


def document_download(document, fmt: str, back_to: str) -> Response:
    """The document as Word or PDF, built on the worker (`web.common.prepared`): the
    request asks for it and leads to the page that waits for it, which leads `back_to`
    the document's page; audited as a download when the file is fetched."""
    return prepare(document.forbund, prepared_downloads.DOCUMENT, fmt,
                   file_name(document, fmt), document_spec(document), back_to, format=fmt,
                   document=document.id, version=document.version)


def template_helpers() -> dict[str, object]:
    """What the document templates call."""
    return {"status_names": STATUS_NAMES, "downloads": DOWNLOADS,
            "kinds": {kind: kind_name(kind) for kind in KINDS},
            "block_html": block_html, "is_text": is_text,
            "is_heading": is_heading, "when": when, "summa": summa, "goal_key": GOAL_KEY.format}


# --- what the template and the document hold -----------------------------------------------


def _sections(document) -> tuple[SectionSpec, ...]:
    """The document's sections in order, from the template it was made with."""
    return template_of(document).sections


def _goals_of(document) -> list:
    return list(document.insats.goals) if document.insats is not None else []


def goal_comments(document) -> list[tuple[object, str]]:
    """Each goal of the insats with the comment the document has on it."""
    comments = {text.section_key: text.text for text in document.texts}
    return [(goal, comments.get(GOAL_KEY.format(index), ""))
            for index, goal in enumerate(_goals_of(document))]


def figure_rows(document, section) -> list[tuple[object, tuple]]:
    """Each row of a figures section with what the document holds: budget, utfall,
    remark."""
    stored = {(figure.section_key, figure.row_key): figure for figure in document.figures}
    rows = []
    for row in section.rows:
        figure = stored.get((section.key, row.key))
        rows.append((row, (figure.budget, figure.utfall, figure.remark) if figure
                     else (None, None, "")))
    return rows


# --- the pages, for the blueprints of personal and of the förbund -------------------------


def title_of(document, *, within: bool = False) -> str:
    """"Kvartalsrapport för Steget vidare", "Helårsrapport för Samordningsförbundet …";
    `within` a sentence ("Skicka kvartalsrapport för Steget vidare") the kind is in
    lower case, the name as written."""
    subject = document.insats.name if document.insats is not None else document.forbund.name
    kind = kind_name(document.kind)
    return f"{kind.lower() if within else kind} för {subject}"


@dataclass(frozen=True)
class HistoryLine:
    """Steps of the history in a row that say the same (the autosave saves often): the
    first one's time, the last one's, and how many."""

    occurred_at: dt.datetime
    label: str
    user: str
    times: int = 1
    last_at: dt.datetime | None = None


def history_lines(document) -> list[HistoryLine]:
    lines: list[HistoryLine] = []
    for entry in history(document):
        if lines and (lines[-1].label, lines[-1].user) == (entry.label, entry.user):
            lines[-1] = HistoryLine(lines[-1].occurred_at, entry.label, entry.user,
                                    lines[-1].times + 1, entry.occurred_at)
        else:
            lines.append(HistoryLine(entry.occurred_at, entry.label, entry.user))
    return lines


def render_writing(document, links: dict, form: WritingForm | None = None,
                   conflicts=(), status: int = 200):
    form = form or writing_form(document)
    errors = _each_once(error_list(form))
    view, figures = view_with_key_figures(document)
    page = render_template(
        "documents/writing.html", document=document, links=links, form=form,
        page=writing_page(document, form, view), figures=figures,
        history=history_lines(document), title=title_of(document), errors=errors,
        conflicts=conflicts, returned_comment=_last_return(document), **template_helpers())
    return page, status


def _each_once(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The summary's messages, each once, linked to the first field that has it."""
    first: dict[str, str] = {}
    for field_id, message in errors:
        first.setdefault(message, field_id)
    return [(field_id, message) for message, field_id in first.items()]


def render_reading(document, links: dict, template: str = "documents/reading.html",
                   status: int = 200, **context):
    page = render_template(
        template, document=document, links=links, view=document_view(document),
        history=history_lines(document), title=title_of(document), **template_helpers(),
        **{"errors": [], **context})
    return page, status


def new_page(form: NewDocumentForm, forbund, insats: Insats | None, by,
             links_of: Callable[[object], dict], back: str):
    """The page that creates a document of the kinds `form` offers, for an insats or (with
    none) the förbund; it goes on to the writing page."""
    if form.validate_on_submit() and (period := form.period()) is not None:
        try:
            document = create_document(forbund, insats, form.kind.data, period, by)
        except DocumentError as refused:
            form.kind.errors = [*form.kind.errors, str(refused)]
        else:
            return redirect(links_of(document)["write"], 303)
    errors = error_list(form)
    page = render_template("documents/new.html", form=form, errors=errors,
                           subject=insats.name if insats else forbund.name,
                           links={"back": back})
    return page, 422 if errors else 200


def save_page(document, links: dict):
    """"Spara" without JavaScript: every section, or (refused, or someone saved in
    between) nothing, with the page again and what was typed still in it."""
    form = writing_form(document, request.form)
    if not form.validate():
        name_figure_errors(document, form)
        return render_writing(document, links, form, status=422)
    try:
        saved = save_all(document, form, current_user._get_current_object())
    except DocumentLocked as locked:
        flash(str(locked), "error")
        return render_reading(document, links, status=409)
    if saved.conflicts:
        return render_writing(document, links, form, conflicts=saved.conflicts, status=409)
    if saved.problems:
        for message in saved.messages:
            flash(message, "error")
        return render_writing(document, links, form, status=422)
    flash("Rapporten är sparad.", "info")
    return redirect(links["write"], 303)


def send_page(document, links: dict):
    """GET: what sending means, and the sections still empty. POST: send."""
    if request.method == "POST":
        try:
            send(document, current_user._get_current_object())
        except DocumentError as refused:
            return refused_page(document, links, refused)
        flash("Rapporten är skickad till förbundet. Siffrorna är låsta som de såg ut när "
              "den skickades.", "info")
        return redirect(links["write"], 303)
    texts = {text.section_key: text.text for text in document.texts}
    empty = [section.heading for section in _sections(document)
             if section.kind == "text" and not texts.get(section.key, "").strip()]
    return render_template("documents/send.html", document=document, links=links,
                           title=title_of(document, within=True), empty=empty,
                           now=when(dt.datetime.now(dt.UTC)))


def may_make_new_version(document) -> bool:
    """Whether "Gör en ny version" is offered: a sent or approved document with no newer
    version, to someone who writes it."""
    return (document.status in (DocumentStatus.SENT, DocumentStatus.APPROVED)
            and newer_version(document) is None and may_write(current_user, document))


def new_version_page(document, links_of: Callable[[object], dict]):
    try:
        made = new_version(document, current_user._get_current_object())
    except DocumentError as refused:
        return refused_page(document, links_of(document), refused)
    flash(f"Version {made.version} är skapad. Den visar siffrorna som de är nu.", "info")
    return redirect(links_of(made)["write"], 303)


def refused_page(document, links: dict, refused: DocumentError):
    """A step the document's status does not allow: said in words, nothing changed."""
    flash(str(refused), "error")
    return render_reading(document, links, status=409)


def _last_return(document) -> str:
    """The förbund's words when it last returned the document."""
    returned = [comment for comment in document.comments
                if comment.status_change == DocumentStatus.RETURNED]
    return returned[-1].text if returned else ""
