"""What a signed-in user sees first: the insatser they work with, in figures.
(The förbund's overview adds what is due and the data to fix:
`services.deltagare.forbund_overview`.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import (
    Enrolment,
    Forbund,
    Insats,
    InsatsStaff,
    Membership,
    Response,
    Role,
    User,
)


@dataclass(frozen=True)
class InsatsSummary:
    insats: Insats
    ongoing: int
    ended: int
    responses: int


def visible_insatser(user: User) -> list[Insats]:
    """Administrators and analysts see their förbund's insatser; personal their own."""
    all_of_forbund = select(Membership.forbund_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.ADMIN, Role.ANALYST])
    )
    own = select(InsatsStaff.insats_id).where(InsatsStaff.user_id == user.id)
    query = (
        select(Insats)
        .where(Insats.forbund_id.in_(all_of_forbund) | Insats.id.in_(own))
        .order_by(Insats.name)
    )
    return list(db.session.scalars(query))


def insatser_for(user: User) -> list[InsatsSummary]:
    insatser = visible_insatser(user)
    ids = [insats.id for insats in insatser]
    ongoing = _count_by_insats(Enrolment.insats_id, Enrolment.ended_on.is_(None), ids)
    ended = _count_by_insats(Enrolment.insats_id, Enrolment.ended_on.is_not(None), ids)
    answered = _count_by_insats(Response.insats_id, Response.submitted_at.is_not(None), ids)
    return [
        InsatsSummary(insats, ongoing.get(insats.id, 0), ended.get(insats.id, 0),
                      answered.get(insats.id, 0))
        for insats in insatser
    ]


def _count_by_insats(column, condition, ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(column, func.count()).where(condition, column.in_(ids)).group_by(column)
    )
    return dict(rows.tuples().all())


def works_in_any(user: User) -> bool:
    """Whether the user is personal in some insats (and so has insatser of their own)."""
    return bool(db.session.scalar(
        select(select(InsatsStaff).where(InsatsStaff.user_id == user.id).exists())))


def works_in(user: User, insats: Insats) -> bool:
    """Whether the user may act in the insats (enrol, make links, enter forms): its
    personal, and the administrators of its förbund. Analysts only read."""
    staff = select(InsatsStaff).where(InsatsStaff.user_id == user.id,
                                      InsatsStaff.insats_id == insats.id)
    admin = select(Membership).where(Membership.user_id == user.id,
                                     Membership.forbund_id == insats.forbund_id,
                                     Membership.role == Role.ADMIN)
    return bool(db.session.scalar(select(staff.exists())) or
                db.session.scalar(select(admin.exists())))


def forbund_insats_summaries(forbund: Forbund, user: User) -> list[InsatsSummary]:
    """The förbund's insatser with their figures (deltagare, responses), by name."""
    return [summary for summary in insatser_for(user) if summary.insats.forbund_id == forbund.id]
