"""The förbund administrators' operations (services.administration): each refuses with
every problem in Swedish and changes nothing, and audits what it changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsKind, Role, ScheduleTrigger
from enkat.services import Refused
from enkat.services.organisation.goals import GoalRow, goal_indicators, replace_goals
from enkat.services.organisation.insatser import (
    InsatsDetails,
    add_insats,
    create_insats,
    slug_from_name,
    update_insats,
)
from enkat.services.organisation.schedules import (
    ScheduleRow,
    replace_schedule,
    schedule_said,
    standard_schedule,
)
from enkat.services.people.users import (
    NewUser,
    add_user,
    change_role,
    deactivate_user,
    find_member,
    forbund_members,
    role_in,
    set_insats_staff,
)

T = ScheduleTrigger


def details(**fields) -> InsatsDetails:
    return InsatsDetails(**{"name": "Steget vidare", "huvudman": "Kommunen",
                            "kind": InsatsKind.INDIVID, "starts_on": dt.date(2025, 1, 1),
                            "ends_on": None, "trial_period_days": 90, **fields})


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def refusal(call, *args, **kwargs) -> list[tuple]:
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return [(p.field, p.row, p.message) for p in refused.value.problems]


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


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


def test_the_standard_schedule_is_a_valid_schedule_with_the_nns_timepoints(insats, admin):
    entries = replace_schedule(insats, standard_schedule(),
                               by=admin)
    said = {(e.instrument_id, e.timepoint): schedule_said(e) for e in entries}
    assert said[("ors", "session-{n}")] == "varje träff"
    assert said[("nns-deltagare-pagaende", "pagaende")] == "efter 90 dagar"
    assert said[("skapa", "uppfoljning-{n}m")] == "var 90:e dag"
    assert said[("finsam-uppfoljning", "uppfoljning-18m")] == "540 dagar efter avslut"
    assert said[("finsam-avslut", "avslut")] == "vid avslut"


def test_a_refused_schedule_leaves_the_old_one(insats, admin):
    replace_schedule(insats, [ScheduleRow("ors", "session-{n}",
                                          T.EVERY_SESSION)], by=admin)
    problems = refusal(replace_schedule, insats, [
        ScheduleRow("srs", "session-{n}", T.EVERY_SESSION),
        ScheduleRow("srs", "session-{n}", T.EVERY_SESSION),
        ScheduleRow("finsam-uppfoljning", "uppfoljning-12m", T.AFTER_EXIT_DAYS, 365),
        ScheduleRow("nns-deltagare-avslut", "avslut", T.AT_EXIT, 5),
    ], by=admin)
    assert [(field, row) for field, row, _ in problems] == [
        ("timepoint", 2), ("days", 3), ("timepoint", 1)]
    assert "”uppfoljning-6m”, ”uppfoljning-18m”" in problems[0][2]
    assert [e.instrument_id for e in insats.schedule] == ["ors"]
    assert actions() == ["schedule-changed"]


def test_goals_take_the_report_vocabulary_and_keep_their_order(insats, admin):
    assert set(goal_indicators()) == {
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


def test_users_are_added_changed_and_deactivated_never_deleted(forbund, admin, insats,
                                                                make_forbund):
    other_forbunds = create_insats(make_forbund(), "annan", "Annan")
    user = add_user(forbund, NewUser("Anna@Forbund.se", "Anna", Role.STAFF,
                                     "ett-langt-losenord", (insats,)), by=admin)
    member = find_member(forbund, user.id)
    assert (user.email, member.role, member.insatser) == ("anna@forbund.se", Role.STAFF,
                                                          (insats,))
    member = set_insats_staff(forbund, member, [other_forbunds], by=admin)
    assert member.insatser == () and other_forbunds.staff == []
    member = change_role(forbund, member, Role.ANALYST, by=admin)
    assert member.role is Role.ANALYST
    deactivate_user(forbund, member, by=admin)
    assert user.active is False
    assert [m.user for m in forbund_members(forbund)] == [admin, user]
    assert actions() == ["user-created", "user-changed", "user-changed", "user-deactivated"]


def test_an_administrator_keeps_their_own_role_and_account(forbund, admin):
    me = find_member(forbund, admin.id)
    assert refusal(change_role, forbund, me, Role.STAFF, by=admin) == [(
        "role", None, "Du kan inte ta bort din egen roll som administratör. Be en annan "
        "administratör att ändra den.")]
    assert refusal(deactivate_user, forbund, me, by=admin)[0][0] == "user"
    assert role_in(forbund, admin) is Role.ADMIN and admin.active
    assert actions() == []


def test_a_new_user_is_refused_for_every_problem_at_once(forbund, admin):
    problems = refusal(add_user, forbund, NewUser(
        admin.email.upper(), "", Role.STAFF, "kort"), by=admin)
    assert [field for field, _, _ in problems] == ["email", "display_name", "password"]
