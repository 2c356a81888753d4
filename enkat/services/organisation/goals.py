"""An insats' goals, set by the förbund's administrator and judged by the report's goal table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from enkat.extensions import db
from enkat.models import (
    Forbund,
    Goal,
    Insats,
    User,
)
from enkat.reports import goals as goal_rules
from enkat.services import FieldProblem, refuse_if
from enkat.services.audit.events import Action
from enkat.services.instruments.uploads import usable_instruments
from enkat.services.organisation.insatser import record_list_change

MAX_GOAL_LENGTH = 500
COMPARISON_NAMES = {
    goal_rules.AT_LEAST: "andelen är minst målvärdet",
    "more_than_previous_period": "andelen är högre än föregående period",
    "more_than_previous_year": "andelen är högre än föregående år",
}


@dataclass(frozen=True)
class GoalRow:
    description: str
    indicator: str
    comparison: str
    target: float | None = None  # a share 0..1, for `at_least_share`


def goal_indicators(forbund: Forbund) -> dict[str, str]:
    """The indicators a goal of the förbund can name (see `reports.goals`), with their
    Swedish names: to work or studies, then those of the instruments deltagare answer."""
    named = {goal_rules.TO_WORK_OR_STUDIES: "Till arbete eller studier efter avslut"}
    for instrument in goal_rules.goal_instruments(usable_instruments(forbund)):
        for indicator in instrument.indicators:
            named.setdefault(indicator.id, indicator.label.get("sv") or indicator.id)
    return named


def replace_goals(insats: Insats, rows: Sequence[GoalRow], *, by: User | None) -> list[Goal]:
    """Make `rows` the insats' goals, in order, or refuse and change nothing."""
    indicators = goal_indicators(insats.forbund)
    problems = [problem for index, row in enumerate(rows)
                for problem in _goal_problems(index, row, indicators)]
    refuse_if(problems)
    before = [_goal_facts(goal) for goal in insats.goals]
    insats.goals = [Goal(position=position, description=row.description.strip(),
                         indicator=row.indicator, comparison=row.comparison,
                         target=row.target if row.comparison == goal_rules.AT_LEAST else None)
                    for position, row in enumerate(rows)]
    db.session.flush()
    record_list_change(Action.GOALS_CHANGED, insats, by, before,
                       [_goal_facts(goal) for goal in insats.goals])
    return insats.goals


def _goal_problems(index: int, row: GoalRow, indicators: Mapping[str, str]) -> list[FieldProblem]:
    here = f"Mål {index + 1}"
    problems = []
    if not row.description.strip():
        problems.append(FieldProblem("description", f"{here}: beskriv målet.", index))
    elif len(row.description.strip()) > MAX_GOAL_LENGTH:
        problems.append(FieldProblem("description", f"{here}: beskrivningen får vara högst "
                                                    f"{MAX_GOAL_LENGTH} tecken.", index))
    if row.indicator not in indicators:
        problems.append(FieldProblem("indicator", f"{here}: ”{row.indicator}” är ingen indikator "
                                     "som enkat mäter. Välj en i listan.", index))
    if row.comparison not in COMPARISON_NAMES:
        problems.append(FieldProblem("comparison", f"{here}: välj hur målet jämförs.", index))
    elif row.comparison == goal_rules.AT_LEAST:
        if row.target is None:
            problems.append(FieldProblem("target", f"{here}: skriv målvärdet i procent.", index))
        elif not 0 <= row.target <= 1:
            problems.append(FieldProblem("target", f"{here}: målvärdet ska vara mellan 0 och "
                                                   "100 procent.", index))
    elif row.target is not None:
        problems.append(FieldProblem("target", f"{here}: lämna målvärdet tomt när målet jämförs "
                                               "med en tidigare period.", index))
    return problems


def _goal_facts(goal: Goal) -> dict:
    return {"description": goal.description, "indicator": goal.indicator,
            "comparison": goal.comparison, "target": goal.target}
