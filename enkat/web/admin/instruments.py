"""Instruments, /forbund/instrument: the bundled instruments and the förbund's own, with
their versions, and the way a förbund's own instrument comes into use.

An administrator uploads a JSON file; a file that is not a valid instrument is refused
(422) with every problem and its line and column. A valid one is kept as a preview that
nothing can use yet: the administrator looks through it step by step, exactly as a
deltagare would see it (the shared renderer, in each of its languages, saving nothing),
and then publishes it as a new version. Analysts may look at everything; only
administrators upload and publish. Another förbund's instrument is 404.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from babel import Locale
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms.validators import ValidationError

from enkat.instruments import Instrument
from enkat.instruments.model import Condition, Item
from enkat.models import Role
from enkat.services.instruments.uploads import (
    MAX_UPLOAD_BYTES,
    InstrumentSummary,
    PublishRefused,
    UploadProblem,
    UploadRefused,
    VersionSummary,
    instrument_for,
    instruments_for,
    publish_instrument,
    upload_instrument,
)
from enkat.services.people.users import membership_with_role
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.answering import BACK, page_language
from enkat.web.common.form_base import PageForm
from enkat.web.common.forms import AnswerForm, Step, answer_form, progress_of, steps_of_items

from . import bp

AUDIENCES = {"deltagare": "deltagare", "personal": "personal", "chef": "chefer",
             "styrelse": "styrelsen", "remittent": "remittenter", "annan": "andra"}
RATED_BY = {"self": "den som svarar, om sig själv", "staff": "personal, om en deltagare"}
#: The upload limit in words: "1 MB".
SIZE_SAID = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


class UploadForm(PageForm):
    file = FileField("Instrumentfil (JSON)", validators=[
        FileRequired("Välj en instrumentfil att ladda upp.")])

    content: bytes = b""

    def validate_file(self, field) -> None:
        content = field.data.read(MAX_UPLOAD_BYTES + 1)
        if not content.strip():
            raise ValidationError("Filen är tom. Välj en instrumentfil i JSON.")
        if len(content) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"Filen är för stor. En instrumentfil får vara högst {SIZE_SAID}.")
        self.content = content


class PublishForm(PageForm):
    """"Publicera" has no fields; the form carries the CSRF token."""


# --- the list and the upload ----------------------------------------------------------


@bp.get("/instrument")
@roles_required(*READERS)
def instruments() -> ResponseReturnValue:
    return _list_page(UploadForm())


@bp.post("/instrument")
@roles_required(Role.ADMIN)
def upload_instrument_file() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return _list_page(form), 422
    try:
        row = upload_instrument(g.forbund, current_user, form.content)
    except UploadRefused as refused:
        return _list_page(form, refused.problems), 422
    flash(f"{row.instrument_id} version {row.version} är uppladdad som förhandsversion. "
          "Titta igenom den och publicera den när den är klar.", "info")
    return redirect(url_for(".instrument", instrument_id=row.instrument_id,
                            version=row.version), 303)


def _list_page(form: UploadForm, problems: tuple[UploadProblem, ...] = ()) -> str:
    summaries = instruments_for(g.forbund)
    return render_template(
        "admin/instruments.html", form=form, problems=problems, may_change=_is_admin(),
        bundled=[summary for summary in summaries if summary.bundled],
        own=[summary for summary in summaries if not summary.bundled],
        size_said=SIZE_SAID,
    )


# --- one version, and publishing it ---------------------------------------------------


@bp.get("/instrument/<instrument_id>/<int:version>")
@roles_required(*READERS)
def instrument(instrument_id: str, version: int) -> ResponseReturnValue:
    return _version_page(*_version_or_404(instrument_id, version))


@bp.route("/instrument/<instrument_id>/<int:version>/publicera", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def publish(instrument_id: str, version: int) -> ResponseReturnValue:
    """Publishing cannot be undone: the GET says so and asks, only its POST publishes."""
    summary, shown = _version_or_404(instrument_id, version)
    if shown.bundled:
        abort(404)
    form = PublishForm()
    if request.method == "GET":
        return render_template("admin/instrument_publish.html", summary=summary, shown=shown,
                               form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        publish_instrument(shown.row, current_user)
    except PublishRefused as refused:
        return _version_page(summary, shown, refusal=str(refused)), 422
    flash(f"{instrument_id} version {version} är publicerad. Nya svar får den här versionen "
          "från och med nu.", "info")
    return redirect(url_for(".instrument", instrument_id=instrument_id, version=version), 303)


def _version_page(summary: InstrumentSummary, shown: VersionSummary,
                  refusal: str | None = None) -> str:
    steps = preview_steps(shown.instrument)
    return render_template(
        "admin/instrument.html", summary=summary, shown=shown, steps=steps,
        step_url=_step_url,
        may_change=_is_admin(), refusal=refusal, audiences=AUDIENCES, rated_by=RATED_BY,
        languages=_languages(shown.instrument), when_asked=when_asked,
        language_names={code: Locale.parse(code).get_display_name("sv")
                        for code in shown.instrument.languages},
    )


def _version_or_404(instrument_id: str, version: int) -> tuple[InstrumentSummary,
                                                                 VersionSummary]:
    summary = instrument_for(g.forbund, instrument_id)
    shown = summary.version(version) if summary else None
    if shown is None:
        refuse(404)
    return summary, shown


def _is_admin() -> bool:
    membership = membership_with_role(current_user, (Role.ADMIN,))
    return membership is not None and membership.forbund_id == g.forbund.id


# --- the preview ----------------------------------------------------------------------


def preview_steps(instrument: Instrument) -> tuple[Step, ...]:
    """Every step of the instrument, whatever the answers and the timepoint: a preview
    shows each question once, and says beside it when it is asked only sometimes."""
    every_item = tuple(dataclasses.replace(item, show_if=None, timepoints=())
                       for item in instrument.items)
    return steps_of_items(instrument, every_item)


@dataclass(frozen=True)
class Preview:
    """One step of a version as a deltagare sees it. `respond/step.html` reads
    `survey.instrument`; the layout reads the rest."""

    shown: VersionSummary
    steps: tuple[Step, ...]
    step: Step
    language: str

    @property
    def instrument(self) -> Instrument:
        return self.shown.instrument

    @property
    def position(self) -> int:
        return self.steps.index(self.step)

    def beside(self, offset: int) -> Step | None:
        position = self.position + offset
        return self.steps[position] if 0 <= position < len(self.steps) else None

    def url(self, step: Step) -> str:
        """A step in the language being previewed."""
        return _step_url(self.shown, step, self.language)

    def url_in(self, language: str) -> str:
        """This step in another language."""
        return _step_url(self.shown, self.step, language)

    def notes(self) -> list[str]:
        """When the items of this step are asked, if not always."""
        return [note for item in self.step.items
                for note in when_asked(self.instrument, self.instrument.item(item.id))]


@bp.get("/instrument/<instrument_id>/<int:version>/forhandsvisning/<key>")
@roles_required(*READERS)
def preview_step(instrument_id: str, version: int, key: str) -> ResponseReturnValue:
    preview = _preview_or_404(instrument_id, version, key)
    return _render_preview(preview, answer_form(preview.step.items))


@bp.post("/instrument/<instrument_id>/<int:version>/forhandsvisning/<key>")
@roles_required(*READERS)
def preview_move(instrument_id: str, version: int, key: str) -> ResponseReturnValue:
    """The step's own buttons: the answers are checked as a deltagare's would be, and
    then forgotten; "Nästa" and "Tillbaka" move to the step beside."""
    preview = _preview_or_404(instrument_id, version, key)
    form = answer_form(preview.step.items)
    backwards = request.form.get("go_to") == BACK
    if not form.check(require_answers=not backwards):
        return _render_preview(preview, form), 422
    target = preview.beside(-1 if backwards else 1)
    if target is None:
        flash("Förhandsvisningen är slut. Inget av det du svarade sparades.", "info")
        return redirect(url_for(".instrument", instrument_id=instrument_id, version=version), 303)
    return redirect(preview.url(target), 303)


def _preview_or_404(instrument_id: str, version: int, key: str) -> Preview:
    _, shown = _version_or_404(instrument_id, version)
    steps = preview_steps(shown.instrument)
    step = next((step for step in steps if step.key == key), None)
    if step is None:
        abort(404)
    languages = _languages(shown.instrument)
    chosen = request.args.get("lang")
    return Preview(shown, steps, step, chosen if chosen in languages else "sv")


def _render_preview(preview: Preview, form: AnswerForm) -> str:
    """The respondent's step page, in the chosen language, in the preview's frame."""
    with force_locale(preview.language):
        return render_template(
            "respond/step.html", survey=preview, step=preview.step, form=form,
            progress=progress_of(preview.steps, preview.step), action=preview.url(preview.step),
            from_review=False, layout="admin/preview_layout.html", preview=preview,
            **page_language(_languages(preview.instrument)),
        )


def _step_url(shown: VersionSummary, step: Step, language: str = "sv") -> str:
    return url_for(".preview_step", instrument_id=shown.instrument.id, version=shown.version,
                   key=step.key, lang=None if language == "sv" else language)


def _languages(instrument: Instrument) -> list[str]:
    """The instrument's languages that the respondent pages also speak, as for a deltagare."""
    offered = current_app.config["LANGUAGES"]
    return [language for language in instrument.languages if language in offered]


def when_asked(instrument: Instrument, item: Item) -> list[str]:
    """In words, when an item is asked only sometimes: its condition and its timepoints."""
    notes = []
    if item.show_if is not None:
        notes.append(_condition_said(instrument, item.show_if))
    if item.timepoints:
        notes.append(f"Ställs bara vid mätpunkt {_either(list(item.timepoints))}.")
    return notes


def _condition_said(instrument: Instrument, condition: Condition) -> str:
    earlier = instrument.item(condition.item)
    question = f"”{earlier.text.get('sv')}”"
    if condition.operator == "answered":
        return f"Visas bara när {question} är besvarad."
    labels = [earlier.code_label(code) for code in condition.codes]
    return f"Visas bara när svaret på {question} är {_either(labels)}."


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} eller {words[-1]}"
