"""Insatser as an administrator makes and changes them: every problem said in Swedish at
once, nothing changed on a refusal, every change audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsKind
from enkat.services.organisation.insatser import (
    InsatsDetails,
    add_insats,
    slug_from_name,
    update_insats,
)

from ..refusals import actions, refusal


def details(**fields) -> InsatsDetails:
    return InsatsDetails(**{"name": "Steget vidare", "huvudman": "Kommunen",
                            "kind": InsatsKind.INDIVID, "starts_on": dt.date(2025, 1, 1),
                            "ends_on": None, "trial_period_days": 90, **fields})


def test_slugs_are_made_from_names_and_never_taken_twice(forbund, admin):
    assert slug_from_name("Hälsolotsen – Östra Åre!") == "halsolotsen-ostra-are"
    first = add_insats(forbund, details(), by=admin)
    second = add_insats(forbund, details(), by=admin)
    third = add_insats(forbund, details(name="¿?"), by=admin)
    assert (first.slug, second.slug, third.slug) == ("steget-vidare", "steget-vidare-2",
                                                     "insats")
    assert actions() == ["insats-created"] * 3


def test_every_problem_of_an_insats_is_said_at_once(forbund, admin, insats):
    problems = refusal(add_insats, forbund, details(
        name=" ", slug="steget", ends_on=dt.date(2024, 1, 1), trial_period_days=400), by=admin)
    assert [field for field, _, _ in problems] == ["name", "ends_on", "trial_period_days",
                                                   "slug"]
    assert actions() == []


def test_an_unchanged_insats_writes_no_event_and_a_change_names_what_changed(insats, admin):
    update_insats(insats, details(name=insats.name, huvudman=insats.huvudman,
                                  starts_on=insats.starts_on), by=admin)
    assert actions() == []
    update_insats(insats, details(huvudman="Regionen"), by=admin)
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.user_id) == ("insats-changed", admin.id)
    assert event.detail["changed"] == {"huvudman": ["", "Regionen"]}
