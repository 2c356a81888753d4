"""Förbund, the tenants: every insats, user role, deltagare and response belongs to one."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import Forbund
from enkat.services import NotFound, ServiceError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug) or len(slug) > 64:
        raise ServiceError(
            f'"{slug}" är ingen giltig slug (små bokstäver, siffror och bindestreck)')
    return slug


def all_forbund() -> list[Forbund]:
    return list(db.session.scalars(select(Forbund).order_by(Forbund.slug)))


def find_forbund(slug: str) -> Forbund | None:
    return db.session.scalar(select(Forbund).where(Forbund.slug == slug))


def get_forbund(slug: str) -> Forbund:
    forbund = find_forbund(slug)
    if forbund is None:
        raise NotFound(f'okänt förbund "{slug}"')
    return forbund


def create_forbund(slug: str, name: str) -> Forbund:
    """A new förbund, its suppression threshold the installation's default
    (`ENKAT_SUPPRESSION_THRESHOLD`, 5 unless configured); its administrator may change it."""
    if find_forbund(slug) is not None:
        raise ServiceError(f'förbundet "{slug}" finns redan')
    forbund = Forbund(slug=check_slug(slug), name=name,
                      suppression_threshold=int(current_app.config["SUPPRESSION_THRESHOLD"]))
    db.session.add(forbund)
    db.session.flush()
    return forbund
