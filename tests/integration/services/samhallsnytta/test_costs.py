"""An insats' cost per period: set (created, or replaced for exactly its period), listed,
removed; a period overlapping another is refused; every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsCost
from enkat.services import NotFound
from enkat.services.audit.events import Action
from enkat.services.samhallsnytta import insats_costs, remove_insats_cost, set_insats_cost

from ..refusals import actions, refusal

JAN_1, DEC_31 = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def cost_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        [Action.INSATS_COST_SET, Action.INSATS_COST_REMOVED])).order_by(AuditEvent.id)))


def test_a_cost_is_set_then_replaced_for_the_same_period(insats, admin):
    cost = set_insats_cost(insats, JAN_1, DEC_31, 1_200_000, by=admin)
    assert (cost.granted_kronor, cost.spent_kronor, cost.updated_by_id) == \
        (1_200_000, None, admin.id)

    again = set_insats_cost(insats, JAN_1, DEC_31, 1_200_000, 1_150_000, by=admin)

    assert again.id == cost.id
    assert [(c.starts_on, c.spent_kronor) for c in insats_costs(insats)] == [(JAN_1, 1_150_000)]
    created, replaced = cost_events()
    assert (created.subject, created.user_id) == ("steget", admin.id)
    assert created.detail == {"insats": insats.id, "from": "2025-01-01", "to": "2025-12-31",
                              "changed": {"from": [None, "2025-01-01"],
                                          "to": [None, "2025-12-31"],
                                          "granted_kronor": [None, 1_200_000]}}
    assert replaced.detail["changed"] == {"spent_kronor": [None, 1_150_000]}


def test_setting_the_same_cost_again_writes_no_event(insats, admin):
    set_insats_cost(insats, JAN_1, DEC_31, 100, by=admin)
    set_insats_cost(insats, JAN_1, DEC_31, 100, by=admin)
    assert len(cost_events()) == 1


def test_costs_are_listed_by_period(insats, admin):
    set_insats_cost(insats, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 2, by=admin)
    set_insats_cost(insats, JAN_1, DEC_31, 1, by=admin)
    assert [cost.granted_kronor for cost in insats_costs(insats)] == [1, 2]


@pytest.mark.parametrize(("starts_on", "ends_on", "granted", "spent", "said"), [
    (None, DEC_31, 1, None, [("starts_on", None, "Skriv periodens första dag (ÅÅÅÅ-MM-DD).")]),
    (JAN_1, None, 1, None, [("ends_on", None, "Skriv periodens sista dag (ÅÅÅÅ-MM-DD).")]),
    (DEC_31, JAN_1, 1, None, [("ends_on", None, "Perioden slutar 2025-01-01, före sin första "
                                                "dag 2025-12-31.")]),
    (JAN_1, DEC_31, None, None, [("granted_kronor", None, "Skriv beviljat medel i hela "
                                                          "kronor, från 0 till 1 000 000 000 "
                                                          "000.")]),
    (JAN_1, DEC_31, -1, None, [("granted_kronor", None, "Skriv beviljat medel i hela kronor, "
                                                        "från 0 till 1 000 000 000 000.")]),
    (JAN_1, DEC_31, 1, -1, [("spent_kronor", None, "Skriv utfallet i hela kronor, från 0 till "
                                                   "1 000 000 000 000, eller lämna det tomt.")]),
])
def test_each_bad_value_is_refused_and_nothing_written(insats, admin, starts_on, ends_on,
                                                       granted, spent, said):
    assert refusal(set_insats_cost, insats, starts_on, ends_on, granted, spent,
                   by=admin) == said
    assert insats_costs(insats) == []
    assert actions() == []


def test_a_figure_past_a_trillion_kronor_is_refused(insats, admin):
    assert refusal(set_insats_cost, insats, JAN_1, DEC_31, 10**12 + 1, 2**70, by=admin) == [
        ("granted_kronor", None, "Skriv beviljat medel i hela kronor, från 0 till "
                                 "1 000 000 000 000."),
        ("spent_kronor", None, "Skriv utfallet i hela kronor, från 0 till 1 000 000 000 000, "
                               "eller lämna det tomt.")]


def test_an_overlapping_period_is_refused(insats, make_insats, admin):
    set_insats_cost(insats, JAN_1, DEC_31, 1, by=admin)
    set_insats_cost(make_insats("annan"), dt.date(2025, 6, 1), dt.date(2025, 6, 30), 1,
                    by=admin)

    assert refusal(set_insats_cost, insats, dt.date(2025, 12, 31), dt.date(2026, 6, 30), 5,
                   by=admin) == [
        ("starts_on", None, "Perioden 2025-12-31–2026-06-30 överlappar kostnaden för "
                            "2025-01-01–2025-12-31. En dag får bara räknas en gång: ändra den "
                            "perioden eller ta bort den först.")]
    set_insats_cost(insats, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 5, by=admin)
    assert len(insats_costs(insats)) == 2


def test_a_cost_is_removed_and_the_removal_audited(insats, make_insats, admin):
    cost = set_insats_cost(insats, JAN_1, DEC_31, 1_000, 900, by=admin)
    other = make_insats("annan")
    with pytest.raises(NotFound):
        remove_insats_cost(other, cost.id, by=admin)

    remove_insats_cost(insats, cost.id, by=admin)

    assert db.session.scalars(select(InsatsCost)).all() == []
    removed = cost_events()[-1]
    assert removed.action == Action.INSATS_COST_REMOVED
    assert removed.detail == {"insats": insats.id, "from": "2025-01-01", "to": "2025-12-31",
                              "granted_kronor": 1_000, "spent_kronor": 900}
