"""What one response says: its scale scores and, item by item, its indicator answers.

Answers arrive as the application stores them: item id -> canonical string values
(``{"fraga-1": ("5",), "omrade-2": ("4.5",)}``). An item is *unanswered* when its id is
absent or has no value; it is *missing* when the answer is one of the item's missing
codes (NNS ``0`` = "Vet ej / vill inte svara"). Both count against a score's
``max_missing``; they differ only in indicator answers, where a missing code is an answer
that is counted and shown but left out of the denominator.

Scale scores (`Score.method`):

* ``mean``: the mean of the answered items.
* ``sum``: the sum of the items. When the score allows missing items
  (``max_missing > 0``) and some are missing, the sum is *prorated*:
  sum of the answered items × number of items / number answered, i.e. the mean of the
  answered items scaled up to the full item count. A partial sum then stays on the
  scale of a full one (ORS 0–40) instead of looking like a low score. `ScaleScore`
  says when it is prorated, so a report can tell.
* More than ``max_missing`` items missing: no score (``value`` None,
  `Reason.TOO_MANY_MISSING`).

Sums and means are computed in decimal arithmetic from the stored strings, so the ORS
total of 8.1, 7.2, 9.0 and 6.3 is exactly 30.6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from enkat.instruments import Instrument, Item, Score
from enkat.scoring.exact import decimal
from enkat.scoring.results import Reason

Answers = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ScaleScore:
    """One score of one response; ``missing_items`` are unanswered or have a missing code."""

    score_id: str
    value: float | None
    n_items: int
    n_answered: int
    missing_items: tuple[str, ...] = ()
    prorated: bool = False
    reason: Reason | None = None


class IndicatorAnswer(StrEnum):
    POSITIVE = "positive"  # one of the item's positive codes (NNS 5, 6)
    NOT_POSITIVE = "not_positive"  # a real answer outside the positive codes
    MISSING = "missing"  # a missing code: "vet ej", counted but not in the denominator
    UNANSWERED = "unanswered"  # no answer at all


def item_value(item: Item, answers: Answers) -> float | None:
    """The number an item gives a score, or None when it is unanswered or missing.

    An ordinal answer's code is its value; vas and number answers are their value.
    """
    number = _item_decimal(item, answers)
    return None if number is None else float(number)


def scale_score(instrument: Instrument, score: Score, answers: Answers) -> ScaleScore:
    values = {item_id: _item_decimal(instrument.item(item_id), answers) for item_id in score.items}
    answered = [value for value in values.values() if value is not None]
    missing = tuple(item_id for item_id, value in values.items() if value is None)
    result = ScaleScore(score.id, None, len(score.items), len(answered), missing)
    value = score_from_sum(score, sum(answered, Decimal(0)), len(answered))
    if value is None:
        return replace(result, reason=Reason.TOO_MANY_MISSING)
    return replace(result, value=value, prorated=score.method != "mean" and bool(missing))


def score_from_sum(score: Score, total: Decimal, n_answered: int) -> float | None:
    """A score's value from the exact sum of its answered items' values and their number:
    the mean, the sum, or the sum prorated to all items when some are missing; None with
    more than ``max_missing`` missing. The one rule: `scale_score` applies it to one
    response, the report's queries to sums made in SQL."""
    n_items = len(score.items)
    if n_answered < n_items - score.max_missing:  # the loader keeps max_missing < n_items
        return None
    if score.method == "mean":
        return float(total / n_answered)
    if n_answered < n_items:
        return float(total * n_items / n_answered)
    return float(total)


def scale_scores(instrument: Instrument, answers: Answers) -> dict[str, ScaleScore]:
    """Every score the instrument declares, by score id."""
    return {score.id: scale_score(instrument, score, answers) for score in instrument.scores}


def indicator_answer(item: Item, answers: Answers) -> IndicatorAnswer:
    values = answers.get(item.id) or ()
    if not values:
        return IndicatorAnswer.UNANSWERED
    if values[0] in item.missing_codes:
        return IndicatorAnswer.MISSING
    if values[0] in item.positive_codes:
        return IndicatorAnswer.POSITIVE
    return IndicatorAnswer.NOT_POSITIVE


def indicator_answers(instrument: Instrument, answers: Answers) -> dict[str, IndicatorAnswer]:
    """The indicator answer of every item that measures an indicator, by item id."""
    return {
        item.id: indicator_answer(item, answers) for item in instrument.items if item.indicator
    }


def _item_decimal(item: Item, answers: Answers) -> Decimal | None:
    values = answers.get(item.id) or ()
    if not values or values[0] in item.missing_codes:
        return None
    if len(values) > 1:
        raise ValueError(f"item {item.id} has {len(values)} answers; a scored item takes one")
    try:
        return decimal(values[0])
    except ArithmeticError:
        raise ValueError(f'item {item.id}: "{values[0]}" is not a number') from None

