"""The förbund's suppression threshold: 1-50, below 5 only confirmed and with a reason,
every change audited with the old and new value and the reason."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent
from enkat.services.audit.events import Action
from enkat.services.organisation.suppression import set_suppression_threshold

from ..refusals import actions, refusal


def threshold_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == Action.SUPPRESSION_THRESHOLD_CHANGED).order_by(AuditEvent.id)))


def test_a_threshold_of_5_or_more_is_saved_at_once_and_audited(forbund, admin):
    assert forbund.suppression_threshold == 5

    assert set_suppression_threshold(forbund, 10, admin) is True

    assert forbund.suppression_threshold == 10
    (event,) = threshold_events()
    assert (event.user_id, event.forbund_id, event.subject) == (admin.id, forbund.id, "test")
    assert event.detail == {"before": 5, "after": 10, "reason": ""}


def test_a_lower_threshold_with_confirmation_and_reason_is_saved(forbund, admin):
    assert set_suppression_threshold(forbund, 3, admin, "  Små insatser, styrelsebeslut  ",
                                     confirmed=True)

    assert forbund.suppression_threshold == 3
    assert threshold_events()[0].detail == {"before": 5, "after": 3,
                                            "reason": "Små insatser, styrelsebeslut"}


def test_a_lower_threshold_needs_both_confirmation_and_reason(forbund, admin):
    problems = refusal(set_suppression_threshold, forbund, 3, admin)
    assert [field for field, _, _ in problems] == ["confirm", "reason"]
    confirm, reason = (message for _, _, message in problems)
    assert confirm.startswith("Bekräfta att gränsen ska vara 3, lägre än 5.")
    assert "Tabellerna visar då antal från 3 och uppåt." in confirm
    assert "Grupper med färre än 5 personer kan bli möjliga att känna igen" in confirm
    assert reason == "Skriv varför gränsen ska vara lägre än 5. Skälet sparas i loggen."

    assert [f for f, _, _ in refusal(set_suppression_threshold, forbund, 3, admin, "Skäl")] \
        == ["confirm"]
    assert [f for f, _, _ in refusal(set_suppression_threshold, forbund, 3, admin, "   ",
                                     confirmed=True)] == ["reason"]
    assert forbund.suppression_threshold == 5
    assert threshold_events() == []


@pytest.mark.parametrize(("value", "said"), [
    (1, "Tabellerna visar då alla antal, också en enda person."),
    (2, "Markeringen ”<2” betyder då exakt en person."),
])
def test_the_lowest_thresholds_say_what_they_give_away(forbund, admin, value, said):
    (_, _, confirm), _ = refusal(set_suppression_threshold, forbund, value, admin)
    assert said in confirm


@pytest.mark.parametrize(("value", "message"), [
    (None, "Skriv gränsen som ett heltal från 1 till 50."),
    (0, "Gränsen 0 går inte. Skriv ett heltal från 1 till 50."),
    (-5, "Gränsen -5 går inte. Skriv ett heltal från 1 till 50."),
    (51, "Gränsen 51 går inte. Skriv ett heltal från 1 till 50."),
])
def test_a_threshold_outside_1_to_50_is_refused_whatever_is_confirmed(forbund, admin, value,
                                                                      message):
    problems = refusal(set_suppression_threshold, forbund, value, admin, "Skäl", confirmed=True)
    assert problems == [("threshold", None, message)]
    assert forbund.suppression_threshold == 5
    assert threshold_events() == []


def test_a_reason_longer_than_500_characters_is_refused(forbund, admin):
    problems = refusal(set_suppression_threshold, forbund, 8, admin, "x" * 501)
    assert problems == [("reason", None, "Skälet får vara högst 500 tecken.")]
    assert forbund.suppression_threshold == 5


def test_the_same_threshold_again_changes_nothing_and_logs_nothing(forbund, admin):
    before = actions()
    assert set_suppression_threshold(forbund, 5, admin) is False
    assert actions() == before


def test_from_the_command_line_the_event_names_the_operating_system_user(forbund):
    set_suppression_threshold(forbund, 7, None)

    (event,) = threshold_events()
    assert event.user_id is None
    assert event.detail == {"os_user": getpass.getuser(), "before": 5, "after": 7, "reason": ""}
