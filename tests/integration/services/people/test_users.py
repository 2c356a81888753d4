"""Users of a förbund as its administrator adds, changes and deactivates them: refused
with every problem at once, never deleted, and audited."""

from __future__ import annotations

from enkat.models import Role
from enkat.services.organisation.insatser import (
    create_insats,
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

from ..refusals import actions, refusal


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
