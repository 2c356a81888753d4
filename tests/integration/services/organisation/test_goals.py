"""An insats' goals: the report's vocabulary, kept in their order."""

from __future__ import annotations

from enkat.services.organisation.goals import GoalRow, goal_indicators, replace_goals

from ..refusals import refusal


def test_goals_take_the_report_vocabulary_and_keep_their_order(insats, admin):
    assert set(goal_indicators(insats.forbund)) == {
        "till-arbete-eller-studier", "narmar-sig-egen-forsorjning", "hantera-sin-situation",
        "planering-efter-avslut", "inflytande", "nytta", "samordning-myndigheter-vard",
        "tillvaratar-erfarenheter"}
    goals = replace_goals(insats, [
        GoalRow("B", "nytta", "more_than_previous_period"),
        GoalRow("A", "till-arbete-eller-studier", "at_least_share", 0.4)], by=admin)
    assert [(g.position, g.description, g.target) for g in goals] == [(0, "B", None),
                                                                      (1, "A", 0.4)]
    problems = refusal(replace_goals, insats, [
        GoalRow("C", "okand", "at_least_share", 1.5)], by=admin)
    assert [field for field, _, _ in problems] == ["indicator", "target"]
    assert [g.description for g in insats.goals] == ["B", "A"]
