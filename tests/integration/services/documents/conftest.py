"""Fixtures for the documents tests: an insats with its personal, and the förbund's
administrator."""

from __future__ import annotations

import datetime as dt

import pytest

from enkat.extensions import db
from enkat.models import Role
from enkat.reports.period import Period

HALF_YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))


@pytest.fixture
def writer(make_user, insats):
    """Personal who work in the insats."""
    user = make_user(Role.STAFF)
    user.display_name = "Anna Skribent"
    insats.staff.append(user)
    db.session.flush()
    return user


@pytest.fixture
def outsider(make_user):
    """Personal of the förbund who do not work in the insats."""
    return make_user(Role.STAFF)
