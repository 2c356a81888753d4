"""Users and their roles in a förbund: created from the command line or the förbund's user
page, placed in insatser, changed, deactivated and reactivated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import (
    Forbund,
    Insats,
    InsatsStaff,
    Membership,
    Role,
    User,
)
from enkat.services import MAX_NAME_LENGTH, FieldProblem, Refused, ServiceError, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.people import sign_ins
from enkat.services.people.passwords import hash_password, password_problem

ROLE_NAMES = {Role.ADMIN: "Administratör", Role.ANALYST: "Analytiker", Role.STAFF: "Personal"}


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str, display_name: str) -> User:
    """The one place a user is made: by the command line, the demo and `add_user` (which
    checks the förbund's form in Swedish first). The password policy is asked here."""
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError(f'"{email}" är ingen e-postadress')
    if find_user(email) is not None:
        raise ServiceError(f"det finns redan en användare med e-postadressen {email}")
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        raise ServiceError(problem)
    user = User(email=email, password_hash=hash_password(password), display_name=display_name)
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, forbund: Forbund, role: Role) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.forbund_id == forbund.id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, forbund_id=forbund.id, role=role)
        db.session.add(membership)
    membership.role = role
    db.session.flush()
    return membership


@dataclass(frozen=True)
class Member:
    """A user of the förbund as its administrators see them."""

    user: User
    role: Role
    insatser: tuple[Insats, ...]


def role_in(forbund: Forbund, user: User) -> Role | None:
    return db.session.scalar(select(Membership.role).where(
        Membership.forbund_id == forbund.id, Membership.user_id == user.id))


def forbund_members(forbund: Forbund) -> list[Member]:
    """The förbund's users, active ones first, by name, with the insatser they work in."""
    memberships = db.session.scalars(
        select(Membership).join(User).where(Membership.forbund_id == forbund.id)
        .order_by(User.active.desc(), User.display_name, User.email)
    ).all()
    return [Member(m.user, m.role, tuple(insatser_of(m.user, forbund))) for m in memberships]


def find_member(forbund: Forbund, user_id: int) -> Member | None:
    membership = db.session.scalar(
        select(Membership).where(Membership.forbund_id == forbund.id,
                                 Membership.user_id == user_id)
    )
    if membership is None:
        return None
    return Member(membership.user, membership.role,
                  tuple(insatser_of(membership.user, forbund)))


def insatser_of(user: User, forbund: Forbund) -> list[Insats]:
    return list(db.session.scalars(
        select(Insats).join(InsatsStaff, InsatsStaff.insats_id == Insats.id)
        .where(InsatsStaff.user_id == user.id, Insats.forbund_id == forbund.id)
        .order_by(Insats.name)
    ))


@dataclass(frozen=True)
class NewUser:
    email: str
    display_name: str
    role: Role
    password: str
    insatser: tuple[Insats, ...] = ()


def add_user(forbund: Forbund, new: NewUser, *, by: User | None) -> User:
    """A new user of the förbund with a first password, and the insatser they work in."""
    email = new.email.strip().lower()
    problems = _email_problems(email, forbund) + _name_problems(new.display_name)
    problems += _password_problems(new.password, email, new.display_name.strip())
    refuse_if(problems)
    user = create_user(email, new.password, new.display_name.strip())
    grant_role(user, forbund, new.role)
    _place_in(user, forbund, new.insatser)
    record_event(Action.USER_CREATED, user=by, forbund_id=forbund.id, subject=user.email,
                 detail={"user": user.id, "role": new.role.value,
                 "insatser": [insats.slug for insats in new.insatser]})
    return user


def update_member(forbund: Forbund, member: Member, *, display_name: str, role: Role,
                  insatser: Sequence[Insats], by: User) -> Member:
    """Change a user's name, role and insatser. An administrator keeps their own role, so
    a förbund is never left without someone who can put things right."""
    problems = _name_problems(display_name)
    if member.user.id == by.id and member.role is Role.ADMIN and role is not Role.ADMIN:
        problems.append(FieldProblem("role", "Du kan inte ta bort din egen roll som administratör. "
                                             "Be en annan administratör att ändra den."))
    refuse_if(problems)
    user = member.user
    before = {"display_name": user.display_name, "role": member.role.value,
              "insatser": [insats.slug for insats in member.insatser]}
    user.display_name = display_name.strip()
    grant_role(user, forbund, role)
    _place_in(user, forbund, insatser)
    after = {"display_name": user.display_name, "role": role.value,
             "insatser": sorted(insats.slug for insats in insatser)}
    before["insatser"] = sorted(before["insatser"])
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        record_event(Action.USER_CHANGED, user=by, forbund_id=forbund.id, subject=user.email,
                     detail={"user": user.id, "changed": changed})
    return find_member(forbund, user.id)


def change_role(forbund: Forbund, member: Member, role: Role, *, by: User) -> Member:
    return update_member(forbund, member, display_name=member.user.display_name, role=role,
                         insatser=member.insatser, by=by)


def set_insats_staff(forbund: Forbund, member: Member, insatser: Sequence[Insats], *,
                     by: User) -> Member:
    return update_member(forbund, member, display_name=member.user.display_name,
                         role=member.role, insatser=insatser, by=by)


def _place_in(user: User, forbund: Forbund, insatser: Sequence[Insats]) -> None:
    """Make `insatser` (of this förbund) exactly the ones the user works in there."""
    wanted = {insats.id for insats in insatser if insats.forbund_id == forbund.id}
    current = {insats.id for insats in insatser_of(user, forbund)}
    for insats_id in current - wanted:
        db.session.delete(db.session.get(InsatsStaff, (insats_id, user.id)))
    for insats_id in wanted - current:
        db.session.add(InsatsStaff(insats_id=insats_id, user_id=user.id))
    db.session.flush()
    for insats in forbund.insatser:
        db.session.expire(insats, ["staff"])


def deactivate_user(forbund: Forbund, member: Member, *, by: User) -> User:
    """Stop a user from signing in. Users are never deleted: what they answered, entered
    and sent stays theirs in the records."""
    if member.user.id == by.id:
        raise Refused([FieldProblem("user", "Du kan inte inaktivera dig själv. Be en annan "
                                            "administratör om det.")])
    member.user.active = False
    sign_ins.end_all(member.user)  # signed out on every device, now
    db.session.flush()
    record_event(Action.USER_DEACTIVATED, user=by, forbund_id=forbund.id, subject=member.user.email,
                 detail={"user": member.user.id})
    return member.user


def reactivate_user(forbund: Forbund, member: Member, *, by: User) -> User:
    member.user.active = True
    db.session.flush()
    record_event(Action.USER_CHANGED, user=by, forbund_id=forbund.id, subject=member.user.email,
                 detail={"user": member.user.id, "changed": {"active": [False, True]}})
    return member.user


#: An address another förbund's user has. The administrator is told it cannot be used,
#: never that it belongs to someone, let alone to which förbund.
ADDRESS_NOT_USABLE = ("Den här e-postadressen kan inte användas för en ny användare. Välj en "
                      "annan adress, eller be den som driftar enkat om hjälp.")


def _email_problems(email: str, forbund: Forbund) -> list[FieldProblem]:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [FieldProblem("email", "Skriv en e-postadress, till exempel anna@forbund.se.")]
    if len(email) > 254:
        return [FieldProblem("email", "E-postadressen får vara högst 254 tecken.")]
    existing = find_user(email)
    if existing is None:
        return []
    if role_in(forbund, existing) is None:
        return [FieldProblem("email", ADDRESS_NOT_USABLE)]
    return [FieldProblem("email", f"Det finns redan en användare med e-postadressen {email}.")]


def _name_problems(display_name: str) -> list[FieldProblem]:
    if not display_name.strip():
        return [FieldProblem("display_name", "Skriv användarens namn.")]
    if len(display_name.strip()) > MAX_NAME_LENGTH:
        return [FieldProblem("display_name", f"Namnet får vara högst {MAX_NAME_LENGTH} tecken.")]
    return []


def _password_problems(password: str, email: str, name: str) -> list[FieldProblem]:
    problem = password_problem(password, email=email, name=name)
    return [FieldProblem("password", problem)] if problem else []


def membership_with_role(user: User, roles: Iterable[Role]) -> Membership | None:
    """The user's membership with one of `roles`; of several förbund, the oldest one."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id, Membership.role.in_(list(roles)))
        .order_by(Membership.forbund_id)
    ).first()
