"""Answering on screen, the same for every channel: the personal link and the kiosk
(web.respond), staff and paper entry (web.staff).

A channel finds its draft (from a token, from the kiosk's session, from an id the signed-in
staff member may open) and hands it here as an `Answering`. The steps, saving page by page,
the review and submitting are this module's, so an answer is checked and kept the same way
wherever it is given. Each channel's blueprint names its pages `.start`, `.step` and
`.review`; `url_args` are what its addresses need besides the step (the link's token).

Every POST answers with a redirect (Post/Redirect/Get) or, when something must be
corrected, the same page with 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from urllib.parse import quote, urlencode

from babel import Locale
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext, refresh
from markupsafe import Markup, escape

from enkat.instruments import Instrument
from enkat.instruments.model import Text
from enkat.models import Response as Draft
from enkat.models import User
from enkat.services.answering.drafts import change_language, instrument_of, keep_page, submit
from enkat.services.answering.responses import ResponseRefused, saved_answers

from . import RESPONDENT_BLUEPRINTS
from .form_base import PageForm
from .forms import AnswerForm, Step, answer_form, first_unanswered, progress_of, steps_of

#: The buttons of a step: `go_to` says where to go once the page is saved. "save" is
#: what the page's script sends while the person answers: saved, nowhere to go.
NEXT, BACK, SAVE = "next", "back", "save"

#: Stands for a step's key while its address is built (`Answering.step_url`); quoted
#: as werkzeug quotes a path segment.
_KEY_MARK, _PATH_SAFE = "STEG-KEY-MARK", "!$&'()*+,/:;=@"


class SendForm(PageForm):
    """"Skicka" has no fields; the form carries the CSRF token."""


@dataclass(frozen=True)
class Answering:
    """One draft being answered during one request, and how its pages are reached."""

    draft: Draft
    url_args: Mapping[str, object] = field(default_factory=dict)
    #: The frame around the steps and the review: the respondent's or the staff's.
    layout: str = "respond/layout.html"
    #: Labels of the step buttons where the channel says them differently.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Visual analogue lines as number fields, for what was measured on paper.
    measured: bool = False
    #: The staff member entering a staff or paper form, stored and audited at sending.
    entered_by: User | None = None
    #: This request holds the lock of the draft's link (see `drafts._locked`).
    locked: bool = False
    #: The draft's answers, when the channel read them with the draft (see
    #: `invitations.find_invitation`); None: read when first asked for.
    read_answers: Mapping[str, tuple[str, ...]] | None = None
    #: The steps worked out for the answers as they were (see `steps`).
    _steps_by_answers: dict = field(default_factory=dict, init=False, repr=False,
                                    compare=False)
    #: The draft's answers, read once per request and replaced by what a save kept; the
    #: steps' address (`step_url`).
    _known: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.read_answers is not None:
            self._known["answers"] = dict(self.read_answers)

    @property
    def instrument(self) -> Instrument:
        return instrument_of(self.draft)

    @property
    def answers(self) -> dict[str, tuple[str, ...]]:
        if "answers" not in self._known:
            self._known["answers"] = saved_answers(self.draft)
        return self._known["answers"]

    def answers_under_lock(self) -> dict[str, tuple[str, ...]] | None:
        """The answers, for saving and sending, when they were read after this request
        locked the draft's link; None when the service must lock the draft itself."""
        return self.answers if self.locked else None

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps for the answers as they are now: a saved answer may add or remove
        later steps. Worked out once per set of answers, as a page asks several times."""
        answers = self.answers
        known = tuple(sorted(answers.items()))
        if known not in self._steps_by_answers:
            self._steps_by_answers[known] = steps_of(self.instrument, answers,
                                                     self.draft.timepoint)
        return self._steps_by_answers[known]

    @property
    def languages(self) -> list[str]:
        """The instrument's languages the interface also speaks."""
        offered = current_app.config["LANGUAGES"]
        return [language for language in self.instrument.languages if language in offered]

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    def step_beside(self, step: Step, offset: int) -> Step | None:
        """The step `offset` places after `step` (before it when negative), None past the
        ends; found by key, as the steps are worked out again from the saved answers."""
        steps = self.steps
        position = [candidate.key for candidate in steps].index(step.key) + offset
        return steps[position] if 0 <= position < len(steps) else None

    def question_steps(self) -> list[Step]:
        return [step for step in self.steps if step.question]

    def continue_url(self) -> str:
        """Where "Börja" or "Fortsätt" leads: the first asked question without an answer
        (where the person left off), or the review when every question has one."""
        answers = self.answers
        resume = first_unanswered(self.steps, answers) if answers else next(iter(self.steps), None)
        return self.step_url(resume) if resume else self.review_url()

    def start_url(self) -> str:
        return url_for(".start", **self.url_args)

    def step_url(self, step: Step, **query: object) -> str:
        """The address of `step`: built once per request with a mark in the key's place,
        and each step's key put in it, since the review page links every step and
        `url_for` costs some 30 µs a call."""
        if "step_address" not in self._known:
            self._known["step_address"] = url_for(
                ".step", key=_KEY_MARK, **self.url_args).partition(_KEY_MARK)
        before, _, after = self._known["step_address"]
        address = before + quote(step.key, safe=_PATH_SAFE) + after
        if not query:
            return address
        return address + ("&" if "?" in after else "?") + urlencode(query)

    def review_url(self) -> str:
        return url_for(".review", **self.url_args)


# --- the pages -------------------------------------------------------------------------


def show_step(answering: Answering, key: str) -> ResponseReturnValue:
    current = answering.step(key)
    if current is None:
        return redirect(answering.start_url())
    return _render_step(answering, current, answer_form(current.items, answering.answers,
                                                            measured=answering.measured))


def save_step(answering: Answering, key: str) -> ResponseReturnValue:
    current = answering.step(key)
    if current is None:  # an earlier answer, changed in another tab, hid this question
        return redirect(answering.start_url(), 303)
    form = answer_form(current.items, measured=answering.measured)
    go_to = request.form.get("go_to")
    go_to = go_to if go_to in (BACK, SAVE) else NEXT
    saved = form.check(require_answers=go_to == NEXT) and _save(answering, current, form)
    if go_to == SAVE:
        return "", 204 if saved else 422
    if not saved:
        return _render_step(answering, current, form), 422
    return redirect(_after(answering, current, go_to), 303)


def show_review(answering: Answering, problem_ids: frozenset[str] = frozenset()) -> str:
    steps = answering.question_steps()
    answers = answering.answers
    return render_template(
        "respond/review.html", survey=answering, steps=steps, answers=answers,
        problems=problem_ids, form=SendForm(), **page_language(answering.languages),
        error_links=[_refusal_link(answering, step, answers) for step in steps
                     if step.question.id in problem_ids],
        back=answering.step_url(steps[-1]) if steps else answering.start_url(),
        layout=answering.layout,
    )


def send(answering: Answering, done_url: str) -> ResponseReturnValue:
    """Submit the draft and go to `done_url`; a refused draft shows the review again with
    the questions to answer first. Submitting twice submits once (see `drafts.submit`)."""
    try:
        submit(answering.draft, entered_by=answering.entered_by,
               locked_with=answering.answers_under_lock())
    except ResponseRefused as refused:
        problems = frozenset(problem.item_id for problem in refused.problems)
        return show_review(answering, problems), 422
    return redirect(done_url, 303)


def _save(answering: Answering, current: Step, form: AnswerForm) -> bool:
    kept = keep_page(answering.draft, form.answers(), current.question_ids,
                     locked_with=answering.answers_under_lock())
    answering._known["answers"] = kept.answers
    form.show_problems(kept.problems)
    return not kept.problems


def _after(answering: Answering, current: Step, go_to: str) -> str:
    if go_to == BACK:
        previous = answering.step_beside(current, -1)
        return answering.step_url(previous) if previous else answering.start_url()
    following = answering.step_beside(current, 1)
    if request.form.get("from_review") or following is None:
        return answering.review_url()
    return answering.step_url(following)


def _render_step(answering: Answering, current: Step, form: AnswerForm) -> str:
    return render_template(
        "respond/step.html", survey=answering, step=current, form=form,
        progress=progress_of(answering.steps, current),
        action=answering.step_url(current),
        from_review=bool(request.args.get("granska") or request.form.get("from_review")),
        layout=answering.layout, **answering.labels, **page_language(answering.languages),
    )


def _refusal_link(answering: Answering, step: Step, answers) -> tuple[str, str]:
    """Why "Skicka" was refused for one question, linking to it (an unanswered required
    question, in practice: every value was checked when its page was saved)."""
    if step.question.id in answers:
        reason = gettext("Ändra det här svaret innan du skickar:")
    else:
        reason = gettext("Svara på den här frågan innan du skickar:")
    href = answering.step_url(step, granska=1)
    return href, f"{reason} {step.question.text.get(get_locale().language)}"


# --- the respondent's language ---------------------------------------------------------


def keep_language(draft: Draft) -> None:
    """The response records the language it is answered in: one chosen mid-way
    (?lang=ar on a question) replaces the one the draft was begun in."""
    language = get_locale().language
    if draft.submitted_at is None and draft.language != language:
        change_language(draft, language)


def speaks_respondents_languages(blueprint: Blueprint) -> None:
    """Pages of `blueprint` speak the respondent's language: ?lang=ar on any of them
    switches it and keeps it for the session. Every other page is in Swedish."""
    RESPONDENT_BLUEPRINTS.add(blueprint.name)
    blueprint.before_request(_choose_language)
    blueprint.context_processor(lambda: page_language(current_app.config["LANGUAGES"]))


def _choose_language() -> None:
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        session["language"] = chosen
        refresh()


def page_language(languages: list[str]) -> dict[str, object]:
    """What a respondent page's frame needs: its language and direction, and the
    languages to offer with the address of this page in each."""
    locale = get_locale()
    return {"lang": locale.language, "text_direction": locale.text_direction,
            "languages": languages, "locale_of": locale_of,
            "in_language": in_language, "said": partial(said_in, lang=locale.language)}


@dataclass(frozen=True)
class LanguageName:
    """What a page shows of a language: its own name and its writing direction."""

    display_name: str
    text_direction: str


@cache
def locale_of(code: str) -> LanguageName:
    """Worked out once per process: every respondent page names its languages, and asking
    Babel each time cost a twentieth of a page's CPU."""
    locale = Locale.parse(code)
    return LanguageName(locale.display_name, locale.text_direction)


@lru_cache(maxsize=4096)
def said_in(text: Text, lang: str) -> Markup:
    """An instrument text in the page's language, as pages show it (`said` in their
    context); a text the instrument lacks in that language falls back to Swedish and says
    so with its own lang and dir. Worked out once per text and language: a question page
    says a dozen texts (its options), and a template macro for each cost a tenth of
    the page's CPU."""
    language = text.language_for(lang)
    words = escape(text.get(lang))
    if language == lang:
        return words
    return Markup('<span lang="{}" dir="{}">{}</span>').format(
        language, locale_of(language).text_direction, words)


def in_language(code: str) -> str:
    """This page in another language: the query it was opened with, `lang` changed. A
    question opened from the review (?granska=1) keeps its way back to the review."""
    query = {name: values for name, values in request.args.lists() if name != "lang"}
    return "?" + urlencode({**query, "lang": code}, doseq=True)
