"""Förbund, their insatser, users and roles."""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Forbund, Insats, InsatsKind, Membership, Role, User

from . import ServiceError
from .passwords import password_problem

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_hasher = PasswordHasher()


class NotFound(ServiceError):
    pass


class AmbiguousInsats(ServiceError):
    pass


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug) or len(slug) > 64:
        raise ServiceError(f'"{slug}" is not a valid slug (lower-case letters, digits, hyphens)')
    return slug


def all_forbund() -> list[Forbund]:
    return list(db.session.scalars(select(Forbund).order_by(Forbund.slug)))


def find_forbund(slug: str) -> Forbund | None:
    return db.session.scalar(select(Forbund).where(Forbund.slug == slug))


def get_forbund(slug: str) -> Forbund:
    forbund = find_forbund(slug)
    if forbund is None:
        raise NotFound(f'unknown förbund "{slug}"')
    return forbund


def create_forbund(slug: str, name: str) -> Forbund:
    forbund = Forbund(slug=check_slug(slug), name=name)
    db.session.add(forbund)
    db.session.flush()
    return forbund


def find_insats(forbund: Forbund, slug: str) -> Insats | None:
    return db.session.scalar(
        select(Insats).where(Insats.forbund_id == forbund.id, Insats.slug == slug)
    )


def get_insats(forbund: Forbund, slug: str) -> Insats:
    insats = find_insats(forbund, slug)
    if insats is None:
        raise NotFound(f'unknown insats "{slug}" in {forbund.slug}')
    return insats


def find_insats_anywhere(slug: str) -> Insats:
    """The insats with this slug when exactly one förbund has one (for the command line)."""
    found = db.session.scalars(select(Insats).where(Insats.slug == slug)).all()
    if not found:
        raise NotFound(f'unknown insats "{slug}"')
    if len(found) > 1:
        owners = ", ".join(sorted(insats.forbund.slug for insats in found))
        raise AmbiguousInsats(f'insats "{slug}" exists in several förbund ({owners})')
    return found[0]


def create_insats(
    forbund: Forbund,
    slug: str,
    name: str,
    *,
    huvudman: str = "",
    kind: InsatsKind = InsatsKind.INDIVID,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    trial_period_days: int = 90,
) -> Insats:
    if find_insats(forbund, slug) is not None:
        raise ServiceError(f'insats "{slug}" already exists in {forbund.slug}')
    insats = Insats(
        forbund_id=forbund.id,
        slug=check_slug(slug),
        name=name,
        huvudman=huvudman,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        trial_period_days=trial_period_days,
    )
    db.session.add(insats)
    db.session.flush()
    return insats


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    return hash_matches(user.password_hash, password)


def hash_matches(stored_hash: str, secret: str) -> bool:
    """Whether `secret` is the one `hash_password` turned into `stored_hash`."""
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, password: str, display_name: str) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ServiceError(f'"{email}" is not an e-mail address')
    if find_user(email) is not None:
        raise ServiceError(f"a user with e-mail {email} already exists")
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
