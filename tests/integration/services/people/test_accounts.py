"""Sign-in limits and password-reset links, at the service level with time injected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, PasswordReset, Role
from enkat.services.people.accounts import (
    AccountLocked,
    ClientThrottled,
    ResetLinkInvalid,
    UnacceptablePassword,
    complete_password_reset,
    find_reset,
    hash_token,
    lock_end,
    sign_in,
)
from enkat.services.people.passwords import password_matches

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
#: The lock rule as `lock_end` takes it: five failures within 15 minutes.
RULE = {"needed": 5, "window": dt.timedelta(minutes=15)}


def minutes(count: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=count)


@pytest.fixture
def kim(make_user):
    return make_user(Role.STAFF, email="kim@forbund.example")


# --- the lock, as a pure rule over failure times ---------------------------------------


def test_five_failures_within_the_window_lock_for_a_window_from_the_fifth():
    failures = [minutes(m) for m in (0, 1, 2, 3, 10)]
    assert lock_end(failures, now=minutes(10), **RULE) == minutes(25)
    assert lock_end(failures, now=minutes(24.9), **RULE) == minutes(25)
    assert lock_end(failures, now=minutes(25), **RULE) is None


def test_four_failures_or_five_spread_wider_than_the_window_do_not_lock():
    assert lock_end([minutes(m) for m in (0, 1, 2, 3)], now=minutes(4),
                    **RULE) is None
    assert lock_end([minutes(m) for m in (0, 4, 8, 12, 16)], now=minutes(16),
                    **RULE) is None


def test_the_latest_of_several_locks_counts():
    failures = [minutes(m) for m in (0, 1, 2, 3, 4, 30, 31, 32, 33, 34)]
    assert lock_end(failures, now=minutes(40), **RULE) == minutes(49)


# --- signing in, with time injected ----------------------------------------------------


def test_sign_in_locks_after_five_failures_and_opens_after_the_lock(app, kim):
    for minute in range(4):
        assert sign_in(kim.email, "fel", client="192.0.2.1", now=minutes(minute)) is None
    with pytest.raises(AccountLocked) as locked:
        sign_in(kim.email, "fel", client="192.0.2.1", now=minutes(4))
    assert locked.value.until == minutes(19)
    with pytest.raises(AccountLocked):
        sign_in(kim.email, "lösenord-123", client="192.0.2.1", now=minutes(18))
    assert sign_in(kim.email, "lösenord-123", client="192.0.2.1",
                   now=minutes(19)) == kim
    assert kim.last_login_at == minutes(19)


def test_attempts_during_a_lock_are_recorded_but_do_not_stretch_it(app, kim):
    for minute in range(5):
        try:
            sign_in(kim.email, "fel", now=minutes(minute))
        except AccountLocked:
            pass
    for minute in (5, 10, 15):
        with pytest.raises(AccountLocked):
            sign_in(kim.email, "fel", now=minutes(minute))
    recorded = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert recorded == ["sign-in-failed"] * 5 + ["sign-in-locked"] * 3
    assert sign_in(kim.email, "lösenord-123", now=minutes(19)) == kim


def test_a_client_is_throttled_after_twenty_refusals_in_the_window(app, kim):
    for number in range(20):
        sign_in(f"gissning{number}@x.example", "fel", client="192.0.2.9",
                now=minutes(number * 0.5))
    with pytest.raises(ClientThrottled) as throttled:
        sign_in(kim.email, "lösenord-123", client="192.0.2.9", now=minutes(10))
    assert throttled.value.until == minutes(15)  # when the oldest of the twenty leaves
    assert sign_in(kim.email, "lösenord-123", client="192.0.2.10",
                   now=minutes(10)) == kim
    # The throttled attempt itself counts, so the client waits for two to leave.
    with pytest.raises(ClientThrottled):
        sign_in(kim.email, "lösenord-123", client="192.0.2.9", now=minutes(15.1))
    assert sign_in(kim.email, "lösenord-123", client="192.0.2.9",
                   now=minutes(25.2)) == kim


def test_an_inactive_user_cannot_sign_in(app, kim):
    kim.active = False
    assert sign_in(kim.email, "lösenord-123") is None


# --- password-reset links --------------------------------------------------------------


def new_link(user, now=T0):
    """A valid link made directly, as `request_password_reset` makes it before mailing."""
    token = f"token-{now.timestamp()}-{user.id}"
    db.session.add(PasswordReset(user_id=user.id, token_hash=hash_token(token),
                                 created_at=now, expires_at=now + dt.timedelta(hours=1)))
    db.session.flush()
    return token


def test_a_link_is_valid_unknown_expired_or_used(app, kim):
    token = new_link(kim)
    assert find_reset(token, now=minutes(59)).state == "valid"
    assert find_reset(token, now=minutes(60)).state == "expired"
    assert find_reset("no-such-token", now=minutes(1)).state == "unknown"
    complete_password_reset(find_reset(token, now=T0).reset,
                            "ett nytt lösenord", now=minutes(1))
    assert find_reset(token, now=minutes(2)).state == "used"


def test_a_new_password_ends_every_other_link_of_the_user(app, kim, make_user):
    other_user = make_user(email="alex@forbund.example")
    first, second = new_link(kim, T0), new_link(kim, minutes(1))
    theirs = new_link(other_user, T0)
    user = complete_password_reset(find_reset(second, now=minutes(2)).reset,
                                   "ett nytt lösenord", now=minutes(2))
    assert user == kim and password_matches(kim, "ett nytt lösenord")
    assert find_reset(first, now=minutes(3)).state == "expired"
    assert find_reset(theirs, now=minutes(3)).state == "valid"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password-reset"))
    assert (event.user_id, event.subject) == (kim.id, "kim@forbund.example")


def test_a_link_works_once_even_for_two_requests_at_the_same_time(app, kim):
    token = new_link(kim)
    reset = find_reset(token, now=minutes(1)).reset
    complete_password_reset(reset, "ett nytt lösenord", now=minutes(1))
    with pytest.raises(ResetLinkInvalid):
        complete_password_reset(reset, "ett annat lösenord", now=minutes(1))
    assert password_matches(kim, "ett nytt lösenord")


@pytest.mark.parametrize("password", ["kort", "KIM@forbund.example ", ""])
def test_a_password_too_short_or_equal_to_the_address_is_refused(app, kim, password):
    token = new_link(kim)
    with pytest.raises(UnacceptablePassword):
        complete_password_reset(find_reset(token, now=T0).reset, password,
                                now=minutes(1))
    assert password_matches(kim, "lösenord-123")
    assert find_reset(token, now=minutes(1)).state == "valid"
