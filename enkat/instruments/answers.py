"""Checking a set of answers against an instrument: values, conditions, requirements.

One function serves every way answers arrive (forms, kiosk, paper entry, CSV import),
so the same answer is accepted or refused for the same reason everywhere. Its messages
are Swedish, for the person who entered the answers: an import says them at the line
and item of the file; the web says its own words on the field, in the respondent's
language (`enkat.web.common.forms.problem_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import Instrument, Item, takes_no_answer
from .problems import either


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with the answer to one item, in Swedish; `value` is the raw value at
    fault. The message is said of the item ("måste besvaras…") without naming it, except
    for an id that is not a question: whoever shows it names the item first."""

    item_id: str
    message: str
    value: str | None = None


Answers = Mapping[str, Sequence[str]]


def is_blank(value: str) -> bool:
    """A value empty or of spaces only: the question is not answered. Spaces around a
    value are ignored wherever answers arrive, so spaces alone are no answer either."""
    return not value.strip()


def is_asked(item: Item, answers: Mapping[str, frozenset[str]], timepoint: str | None) -> bool:
    """Whether the item is put to the respondent, given earlier answers and the timepoint.

    `answers` must hold only answers to items that were themselves asked, so that an item
    depending on a hidden item stays hidden too.
    """
    if timepoint is not None and not item.asked_at(timepoint):
        return False
    return item.show_if is None or item.show_if.is_met(answers)


def answers_asked(
    instrument: Instrument, answers: Answers, timepoint: str
) -> dict[str, tuple[str, ...]]:
    """The answers to the items that are put to the respondent, given the other answers.

    An answer saved before a changed answer hid its item is left out.
    """
    given: dict[str, frozenset[str]] = {}
    for item in instrument.items:
        if item.id in answers and is_asked(item, given, timepoint):
            given[item.id] = frozenset(answers[item.id])
    return {item_id: tuple(answers[item_id]) for item_id in given}


def check_answers(
    instrument: Instrument, answers: Answers, *, timepoint: str | None = None, complete: bool = True
) -> tuple[dict[str, tuple[str, ...]], tuple[AnswerProblem, ...]]:
    """Normalise every answer and list every problem (not only the first).

    `complete` asks for a submitted response: required items that are asked must then
    be answered. Drafts are checked with complete=False.
    """
    problems: list[AnswerProblem] = []
    normalized: dict[str, tuple[str, ...]] = {}
    for item_id, values in answers.items():
        values = [value for value in values if not is_blank(value)]
        if not values:
            continue
        item = _answerable_item(instrument, item_id, problems)
        if item is not None:
            normalized[item_id] = _normalize_values(item, values, problems)
    given: dict[str, frozenset[str]] = {}
    for item in instrument.items:
        asked = is_asked(item, given, timepoint)
        if asked and item.id in normalized:
            given[item.id] = frozenset(normalized[item.id])
        if item.id in normalized and not asked:
            problems.append(AnswerProblem(item.id, _not_asked_reason(item, timepoint)))
        elif complete and asked and item.required and item.id not in normalized:
            problems.append(AnswerProblem(item.id, "måste besvaras men har inget svar"))
    return normalized, tuple(problems)


def _answerable_item(
    instrument: Instrument, item_id: str, problems: list[AnswerProblem]
) -> Item | None:
    try:
        item = instrument.item(item_id)
    except KeyError:
        problems.append(AnswerProblem(item_id, f'{instrument.id} har ingen fråga "{item_id}"'))
        return None
    if not item.answerable:
        problems.append(AnswerProblem(item_id, takes_no_answer(item_id)))
        return None
    return item


def _normalize_values(
    item: Item, values: Sequence[str], problems: list[AnswerProblem]
) -> tuple[str, ...]:
    clean: list[str] = []
    for value in values:
        try:
            normalized = item.normalize(value)
        except ValueError as problem:
            problems.append(AnswerProblem(item.id, str(problem), value))
            continue
        if normalized in clean:
            problems.append(AnswerProblem(item.id, "har samma kod två gånger", value))
        clean.append(normalized)
    if not item.is_multiple and len(values) > 1:
        problems.append(AnswerProblem(item.id, f"tar ett svar men har {len(values)}", values[1]))
    if item.is_multiple:
        problems.extend(_selection_count_problems(item, len(clean)))
    return tuple(clean)


def _selection_count_problems(item: Item, count: int) -> list[AnswerProblem]:
    if item.min_selected is not None and count < item.min_selected:
        return [AnswerProblem(item.id, f"ska ha minst {item.min_selected} svar")]
    if item.max_selected is not None and count > item.max_selected:
        return [AnswerProblem(item.id, f"ska ha högst {item.max_selected} svar")]
    return []


def _not_asked_reason(item: Item, timepoint: str | None) -> str:
    if timepoint is not None and not item.asked_at(timepoint):
        return f'ställs inte vid mätpunkten "{timepoint}"'
    condition = item.show_if
    assert condition is not None  # asked at this timepoint: its condition left it out
    if condition.operator == "answered":
        rule = f"{condition.item} är besvarad"
    else:
        rule = f"svaret på {condition.item} är {either(condition.codes)}"
    return f"är besvarad fast den bara ställs när {rule}"
