"""`enkat forbund threshold`: the förbund's suppression threshold from the command line,
with the checks of the settings page; below 5 only with --confirm and --reason."""

from __future__ import annotations

import getpass

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent
from enkat.services.audit.events import Action


def threshold_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == Action.SUPPRESSION_THRESHOLD_CHANGED)))


def threshold(forbund) -> int:
    db.session.expire_all()
    return forbund.suppression_threshold


def test_a_threshold_of_5_or_more_is_set(enkat, forbund):
    result = enkat("forbund", "threshold", "--forbund", forbund.slug, "--value", "10")

    assert result.exit_code == 0, result.output
    assert result.output == "gränsen för små antal i test: 5 -> 10\n"
    assert threshold(forbund) == 10
    (event,) = threshold_events()
    assert event.detail == {"os_user": getpass.getuser(), "before": 5, "after": 10,
                            "reason": ""}


def test_below_5_without_confirm_and_reason_is_refused_with_the_reason(enkat, forbund):
    result = enkat("forbund", "threshold", "--forbund", forbund.slug, "--value", "3")

    assert result.exit_code == 1
    assert "Fel: Bekräfta att gränsen ska vara 3, lägre än 5." in result.output
    assert "Grupper med färre än 5 personer kan bli möjliga att känna igen" in result.output
    assert "Skriv varför gränsen ska vara lägre än 5." in result.output
    without_reason = enkat("forbund", "threshold", "--forbund", forbund.slug, "--value", "3",
                           "--confirm")
    assert without_reason.exit_code == 1
    assert "Skriv varför gränsen ska vara lägre än 5." in without_reason.output
    assert threshold(forbund) == 5 and threshold_events() == []


def test_below_5_with_confirm_and_reason_is_set_and_the_reason_logged(enkat, forbund):
    result = enkat("forbund", "threshold", "--forbund", forbund.slug, "--value", "3",
                   "--confirm", "--reason", "Små insatser, styrelsebeslut 2026-11-30")

    assert result.exit_code == 0, result.output
    assert threshold(forbund) == 3
    assert threshold_events()[0].detail["reason"] == "Små insatser, styrelsebeslut 2026-11-30"


def test_outside_1_to_50_and_an_unknown_forbund_are_refused(enkat, forbund):
    for value in ("0", "51"):
        result = enkat("forbund", "threshold", "--forbund", forbund.slug, "--value", value,
                       "--confirm", "--reason", "Skäl")
        assert result.exit_code == 1
        assert f"Gränsen {value} går inte. Skriv ett heltal från 1 till 50." in result.output
    unknown = enkat("forbund", "threshold", "--forbund", "finns-inte", "--value", "6")
    assert unknown.exit_code == 1
    assert 'okänt förbund "finns-inte"' in unknown.output
    assert threshold(forbund) == 5
