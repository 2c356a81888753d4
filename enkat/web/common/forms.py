"""The form builder: an instrument's items as steps on screen and as WTForms forms.

Every channel that answers on screen (the link and the kiosk in web.respond, staff and
paper entry in web.staff) shows the same steps, checks them with the same forms and
renders them with the same macros (`templates/respond/_items.html`), so an item looks and
behaves alike wherever it is answered.

The instrument decides what a valid answer is (`Item.normalize`; `save_page` checks the
whole draft with `check_answers`). This module only says the rule in the respondent's
language, next to the field, before anything reaches the services.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from flask_babel import get_locale, gettext, ngettext
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import ValidationError

from enkat.instruments import Instrument
from enkat.instruments.answers import AnswerProblem, is_asked
from enkat.instruments.model import Item, Page
from enkat.reports.numbers import format_decimal

from .form_base import PageForm

Answers = Mapping[str, Sequence[str]]

#: Marks on the no-JavaScript visual analogue line: 0, 1, ..., 10.
VAS_POSITIONS = 11


# --- steps: what one screen shows --------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One screen: at most one question, with the information blocks around it."""

    items: tuple[Item, ...]
    page: Page | None

    @property
    def question(self) -> Item | None:
        return next((item for item in self.items if item.answerable), None)

    @property
    def key(self) -> str:
        """Names the step in addresses: its question's id, which stays the same when an
        answer elsewhere adds or removes steps (a position number would shift)."""
        return (self.question or self.items[0]).id

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items if item.answerable)


def asked_items(instrument: Instrument, answers: Answers, timepoint: str) -> list[Item]:
    """The items put to the respondent, in order, given the answers saved so far."""
    given: dict[str, frozenset[str]] = {}
    asked = []
    for item in instrument.items:
        if is_asked(item, given, timepoint):
            asked.append(item)
            if item.id in answers:
                given[item.id] = frozenset(answers[item.id])
    return asked


def steps_of(instrument: Instrument, answers: Answers, timepoint: str) -> tuple[Step, ...]:
    """One step per asked question. An information block joins the question after it on
    its page; at the end of a page it joins the question before it.

    Worked out once per process for each instrument version, timepoint and answers to the
    items that conditions ask about (`_steps`): every respondent page asks for the steps,
    and the instrument is frozen."""
    asked_about = _condition_items(instrument)
    deciding = tuple((item_id, tuple(answers[item_id])) for item_id in sorted(asked_about)
                     if item_id in answers)
    return _steps(instrument, timepoint, deciding)


@cache
def _condition_items(instrument: Instrument) -> frozenset[str]:
    return frozenset(item.show_if.item for item in instrument.items if item.show_if)


@lru_cache(maxsize=4096)
def _steps(instrument: Instrument, timepoint: str,
           deciding: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[Step, ...]:
    return steps_of_items(instrument, asked_items(instrument, dict(deciding), timepoint))


def steps_of_items(instrument: Instrument, items: Sequence[Item]) -> tuple[Step, ...]:
    """These items of the instrument as steps (see `steps_of`), whatever their conditions:
    the admin's preview asks for every item. Not cached: an instrument changed to show
    every item is equal to the original (same id, version and document), so a cache would
    hand its steps to respondents."""
    steps: list[Step] = []
    for page_id, run in itertools.groupby(items, key=lambda item: item.page):
        page = instrument.page(page_id) if page_id else None
        steps.extend(Step(tuple(items), page) for items in _split_at_questions(list(run)))
    return tuple(steps)


def _split_at_questions(items: list[Item]) -> list[list[Item]]:
    groups: list[list[Item]] = []
    pending: list[Item] = []
    for item in items:
        pending.append(item)
        if item.answerable:
            groups.append(pending)
            pending = []
    if pending and groups:
        groups[-1].extend(pending)
    elif pending:
        groups.append(pending)
    return groups


def first_unanswered(steps: Sequence[Step], answers: Answers) -> Step | None:
    return next(
        (step for step in steps if step.question and step.question.id not in answers), None
    )


@dataclass(frozen=True)
class Progress:
    """"Fråga 3 av 10": `number` is 0 on a step with information only."""

    number: int
    total: int
    done: int


def progress_of(steps: Sequence[Step], step: Step) -> Progress:
    done = sum(1 for candidate in steps[: steps.index(step)] if candidate.question)
    total = sum(1 for candidate in steps if candidate.question)
    return Progress(done + 1 if step.question else 0, total, done)


# --- rules, said plainly ------------------------------------------------------------------


def hint_of(item: Item, *, measured: bool = False) -> str | None:
    """What to do, shown under the question; for numbers, dates and choices it is the rule
    an answer must follow, and it is repeated as the error when a value breaks it.
    `measured`: a visual analogue line typed in as measured on paper."""
    if item.type == "vas" and measured:
        return gettext("Mät från linjens vänstra ände, i centimeter från 0 till 10, "
                       "med högst en decimal, till exempel 6,4.")
    if item.type == "number":
        return f"{_number_range(item)} {_number_decimals(item)}"
    if item.type == "date":
        return " ".join(filter(None, [
            gettext("Skriv datumet som år-månad-dag, till exempel 2025-03-14."),
            _date_range(item),
        ]))
    if item.is_multiple:
        return _choice_count(item)
    if item.is_free_text:
        return ngettext("Högst %(num)s tecken.", "Högst %(num)s tecken.", item.max_length)
    if item.type == "vas":
        return gettext("Tryck på linjen där det stämmer för dig.")
    return None


def problem_text(item: Item, *, measured: bool = False) -> str:
    """What is wrong with a refused value of this item, and how to put it right."""
    if item.is_coded:
        return gettext("Välj ett av svaren.")
    if item.type == "vas" and not measured:
        return gettext("Markera en punkt på linjen, eller ta bort markeringen.")
    if item.is_free_text:
        return ngettext(
            "Svaret är för långt. Skriv högst %(num)s tecken.",
            "Svaret är för långt. Skriv högst %(num)s tecken.",
            item.max_length,
        )
    return hint_of(item, measured=measured) or gettext(
        "Svaret kunde inte sparas. Ändra det och försök igen.")


def written_decimal(value: float, decimals: int | None = None) -> str:
    """A number in the reader's language by enkat's one rule (`format_decimal`); also
    the `decimal` template filter."""
    return format_decimal(value, decimals, locale=get_locale())


def _number_range(item: Item) -> str:
    low = None if item.min is None else written_decimal(item.min)
    high = None if item.max is None else written_decimal(item.max)
    if low is not None and high is not None:
        return gettext("Skriv ett tal från %(min)s till %(max)s.", min=low, max=high)
    if low is not None:
        return gettext("Skriv ett tal som är %(min)s eller mer.", min=low)
    if high is not None:
        return gettext("Skriv ett tal som är %(max)s eller mindre.", max=high)
    return gettext("Skriv ett tal.")


def _number_decimals(item: Item) -> str:
    if item.decimals == 0:
        return gettext("Skriv talet utan decimaler.")
    return ngettext(
        "Du kan skriva högst %(num)s decimal.", "Du kan skriva högst %(num)s decimaler.",
        item.decimals,
    )


def _date_range(item: Item) -> str | None:
    low = item.min.isoformat() if item.min is not None else None
    high = item.max.isoformat() if item.max is not None else None
    if low and high:
        return gettext("Datumet ska vara från %(min)s till %(max)s.", min=low, max=high)
    if low:
        return gettext("Datumet ska vara %(min)s eller senare.", min=low)
    if high:
        return gettext("Datumet ska vara %(max)s eller tidigare.", max=high)
    return None


def _choice_count(item: Item) -> str:
    low, high = item.min_selected, item.max_selected
    if low and high:
        return gettext("Välj från %(min)s till %(max)s svar.", min=low, max=high)
    if low:
        return ngettext("Välj minst %(num)s svar.", "Välj minst %(num)s svar.", low)
    if high:
        return ngettext("Välj högst %(num)s svar.", "Välj högst %(num)s svar.", high)
    return gettext("Välj ett eller flera svar.")


# --- the form -----------------------------------------------------------------------------


def field_name(item: Item) -> str:
    """The form field of an item, prefixed so that no item id ("data", "errors",
    "validate") can shadow an attribute of the form: form attributes have no hyphen."""
    return f"answer-{item.id}"


def answered_values(values: Sequence[str] | None) -> list[str]:
    """The values that are answers: an empty or blank value means no answer."""
    return [value for value in values or () if value.strip()]


class _Accepted:
    """Refuse what the item refuses (`Item.normalize`), saying so in the page's language."""

    def __init__(self, item: Item, measured: bool):
        self.item = item
        self.measured = measured

    def __call__(self, form: PageForm, field: Field) -> None:
        values = answered_values(field.raw_data)
        for value in values:
            try:
                self.item.normalize(value)
            except ValueError:
                raise ValidationError(problem_text(self.item, measured=self.measured)) from None
        if self.item.is_multiple and not _count_allowed(self.item, len(values)):
            raise ValidationError(_choice_count(self.item))


def _count_allowed(item: Item, count: int) -> bool:
    if count == 0:
        return True
    return (item.min_selected or 0) <= count <= (item.max_selected or count)


def _answered(form: PageForm, field: Field) -> None:
    if not answered_values(field.raw_data):
        raise ValidationError(gettext("Svara på frågan för att gå vidare."))


def _field(item: Item, measured: bool) -> Field:
    validators = [_Accepted(item, measured)]
    if item.is_multiple:
        return SelectMultipleField(choices=item.codes, validate_choice=False, validators=validators)
    if item.is_coded:
        return RadioField(choices=item.codes, validate_choice=False, validators=validators)
    if item.type == "longtext":
        return TextAreaField(validators=validators)
    return StringField(validators=validators)


@dataclass(frozen=True)
class ItemView:
    """What the renderer needs to show one item: its field name, the values to show
    (saved, or as just posted), and the texts tied to it with aria-describedby."""

    item: Item
    name: str
    values: tuple[str, ...]
    errors: tuple[str, ...]
    hint: str | None
    #: A visual analogue line shown as a number field, to type in what was measured on
    #: paper (staff and paper entry) rather than as the line itself.
    measured: bool = False

    @property
    def id(self) -> str:
        """The element's id, and the stem of the ids of its help, hint and error."""
        return self.name

    @property
    def focus_id(self) -> str:
        """Where a link in the error summary takes the focus: the field, or its first choice."""
        if self.item.is_coded:
            return f"{self.id}-{self.item.codes[0]}"
        return f"{self.id}-0" if self.item.type == "vas" else self.id

    @property
    def described_by(self) -> str:
        parts = [(self.item.help, "help"), (self.hint, "hint"), (self.item.unit, "unit"),
                 (self.errors, "error")]
        return " ".join(f"{self.id}-{suffix}" for present, suffix in parts if present)

    def vas_positions(self) -> list[tuple[str, bool]]:
        """The marks of the no-JavaScript line as (value, checked). A saved value between
        marks (7.3 from the slider) rides on its nearest mark, so posting the page again
        keeps it exactly instead of rounding it."""
        mark = self._vas_mark()
        nearest = int(Decimal(mark).quantize(Decimal(1), ROUND_HALF_UP)) if mark else None
        return [
            (mark if position == nearest else f"{position}.0", position == nearest)
            for position in range(VAS_POSITIONS)
        ]

    def _vas_mark(self) -> str | None:
        """The mark to show; a refused posted value shows as no mark."""
        for value in answered_values(self.values):
            try:
                return self.item.normalize(value)
            except ValueError:
                return None
        return None


class AnswerForm(PageForm):
    """The answers to the items of one step. Build it with `answer_form`."""

    items: tuple[Item, ...] = ()
    saved: Answers = {}
    measured: bool = False

    def answers(self) -> dict[str, list[str]]:
        """As posted, for `save_page`: an item left empty is cleared."""
        return {item.id: list(self[field_name(item)].raw_data or ()) for item in self._questions()}

    def check(self, *, require_answers: bool) -> bool:
        """Check every value; `require_answers` also asks for the required items."""
        extra = {field_name(item): [_answered] for item in self._questions() if item.required}
        return self.validate(extra_validators=extra if require_answers else None)

    def show_problems(self, problems: Sequence[AnswerProblem]) -> None:
        """Problems the services found after the form's own checks passed."""
        for problem in problems:
            item = next(item for item in self._questions() if item.id == problem.item_id)
            self[field_name(item)].errors.append(problem_text(item, measured=self.measured))

    def views(self) -> list[ItemView]:
        return [self._view(item) for item in self.items]

    def error_links(self) -> list[tuple[str, str]]:
        """The error summary: each message with a link to its field."""
        return [(f"#{view.focus_id}", " ".join(view.errors)) for view in self.views()
                if view.errors]

    def _view(self, item: Item) -> ItemView:
        if not item.answerable:
            return ItemView(item, f"info-{item.id}", (), (), None)
        field = self[field_name(item)]
        values = field.raw_data if self.is_submitted() else self.saved.get(item.id, ())
        required = gettext("Du måste svara på den här frågan.") if item.required else None
        hint = " ".join(filter(None, [required, hint_of(item, measured=self.measured)])) or None
        return ItemView(item, field_name(item), tuple(values or ()), tuple(field.errors), hint,
                        measured=self.measured)

    def _questions(self) -> list[Item]:
        return [item for item in self.items if item.answerable]


def answer_form(items: Sequence[Item], saved: Answers | None = None, *,
                measured: bool = False) -> AnswerForm:
    """A form for these items; `saved` answers are shown until the page is posted.
    `measured`: visual analogue lines are typed in as measured on paper."""
    form = _form_class(tuple(items), measured)()
    form.saved = saved or {}
    return form


@lru_cache(maxsize=1024)
def _form_class(items: tuple[Item, ...], measured: bool) -> type[AnswerForm]:
    """Built once per process for each step: items are frozen, and the fields hold no
    language (their labels and messages are rendered per request)."""
    fields = {field_name(item): _field(item, measured) for item in items if item.answerable}
    return type("StepForm", (AnswerForm,), {"items": items, "measured": measured, **fields})
