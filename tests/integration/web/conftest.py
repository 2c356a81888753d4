"""Fixtures of the staff pages' tests: a personal user of the insats, signed in, and an
enrolled deltagare."""

from __future__ import annotations

import pytest

from enkat.models import Role

from .test_auth import sign_in
from .test_staff_entry import add_staff, enrol


@pytest.fixture
def personal(make_user, insats):
    user = make_user(Role.STAFF)
    add_staff(user, insats)
    return user


@pytest.fixture
def signed_in(client, personal):
    sign_in(client, personal.email)
    return client


@pytest.fixture
def deltagare(make_participant, make_response):
    """ABC123, enrolled in the insats by an inskrivning."""
    participant = make_participant("ABC123")
    enrol(make_response, participant)
    return participant
