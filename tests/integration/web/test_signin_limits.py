"""Sign-in protections: a lock after repeated failures, a limit per client address, a new
session at every sign-in, and cookies the browser keeps to itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import request
from sqlalchemy import select

from enkat import create_app
from enkat.extensions import db
from enkat.models import AuditEvent, Role

from .test_auth import sign_in
from .test_staff_entry import another_browser

LOCKED = "Inloggningen är tillfälligt spärrad efter flera misslyckade försök."
WRONG = "Fel e-postadress eller lösenord."


@pytest.fixture
def user(make_user, db_session):
    created = make_user(Role.STAFF, email="kim@forbund.example")
    db_session.commit()  # kept when a refused request rolls back
    return created


def fail(client, email="kim@forbund.example", times=1):
    return [sign_in(client, email, "fel-lösenord") for _ in range(times)][-1]


def events(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --- lock-out --------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, user):
    for _ in range(4):
        assert WRONG in fail(client).get_data(as_text=True)
    fifth = fail(client)
    assert fifth.status_code == 429
    assert LOCKED in fifth.get_data(as_text=True)
    assert 850 <= int(fifth.headers["Retry-After"]) <= 900

    right = sign_in(client, user.email)
    assert right.status_code == 429 and LOCKED in right.get_data(as_text=True)
    assert not is_signed_in(client)
    assert len(events("sign-in-failed")) == 5
    [locked] = events("sign-in-locked")
    assert (locked.subject, locked.detail) == ("kim@forbund.example", {"client": "127.0.0.1"})
    assert events("sign-in") == []


def test_the_lock_ends_after_fifteen_minutes(client, user, clock):
    fail(client, times=5)
    clock.advance(14)
    assert sign_in(client, user.email).status_code == 429
    clock.advance(1)
    assert sign_in(client, user.email).status_code == 302
    assert is_signed_in(client)


def test_failures_spread_over_more_than_the_window_do_not_lock(client, user, clock):
    fail(client, times=4)
    clock.advance(16)
    assert fail(client).status_code == 200
    assert sign_in(client, user.email).status_code == 302


def test_an_unknown_address_is_locked_with_the_same_message(client, user):
    for email in ("kim@forbund.example", "ingen@forbund.example"):
        fifth = fail(client, email, times=5)
        assert fifth.status_code == 429
        assert LOCKED in fifth.get_data(as_text=True)
    known, unknown = (fail(client, email).get_data(as_text=True).replace(email, "ADDRESS")
                      for email in ("kim@forbund.example", "ingen@forbund.example"))
    assert re.sub(r"kl\. \d\d\.\d\d", "", known) == re.sub(r"kl\. \d\d\.\d\d", "", unknown)


def test_a_successful_sign_in_starts_the_count_afresh(app, client, user):
    fail(client, times=4)
    assert sign_in(client, user.email).status_code == 302
    other = another_browser(app)
    assert fail(other, times=4).status_code == 200
    assert sign_in(other, user.email).status_code == 302


def test_the_lock_holds_for_any_spelling_of_the_address(client, user):
    fail(client, times=5)
    assert sign_in(client, "  KIM@Forbund.Example ").status_code == 429


# --- per client address ----------------------------------------------------------------


@pytest.fixture
def client_limit(app, monkeypatch):
    """Fewer attempts per client than the default 20, so that each check is quick."""
    monkeypatch.setitem(app.config, "SIGNIN_CLIENT_ATTEMPTS", 6)
    return 6


def test_twenty_refused_attempts_per_client_by_default(app):
    assert app.config["SIGNIN_CLIENT_ATTEMPTS"] == 20


def test_a_client_with_too_many_refused_attempts_gets_429(app, client, user, client_limit,
                                                            mailbox):
    for number in range(client_limit):
        fail(client, f"gissning{number}@forbund.example")
    response = sign_in(client, user.email)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>För många försök</h1>" in page and 'lang="sv"' in page
    assert int(response.headers["Retry-After"]) > 0
    assert [event.detail for event in events("sign-in-throttled")] == [{"client": "127.0.0.1"}]
    assert client.post("/glomt-losenord", data={"email": user.email}).status_code == 429

    elsewhere = another_browser(app)
    answer = elsewhere.post("/login", data={"email": user.email, "password": "lösenord-123"},
                            environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.status_code == 302


def test_the_client_limit_lifts_when_the_window_has_passed(client, user, client_limit, clock):
    for number in range(client_limit):
        fail(client, f"gissning{number}@forbund.example")
    assert sign_in(client, user.email).status_code == 429
    clock.advance(15)
    assert sign_in(client, user.email).status_code == 302


def test_the_client_address_comes_from_the_proxy_when_one_is_configured(tmp_path):
    proxied = create_app({"PROXY_COUNT": 1, "SECRET_KEY": "x",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    seen = []
    proxied.before_request(lambda: seen.append((request.remote_addr, request.scheme)))
    proxied.test_client().get("/login", headers={"X-Forwarded-For": "198.51.100.4",
                                                 "X-Forwarded-Proto": "https"})
    assert seen == [("198.51.100.4", "https")]


# --- sessions and cookies --------------------------------------------------------------


def session_cookie(client):
    return client.get_cookie("enkat_session")


def replay(app, cookie: str):
    """Another browser, holding a copy of a session cookie."""
    browser = another_browser(app)
    browser.set_cookie("enkat_session", cookie)
    return browser


def test_signing_in_starts_a_new_session(app, client, user):
    assert sign_in(client, user.email).status_code == 302
    captured = session_cookie(client).value
    assert is_signed_in(replay(app, captured))  # the stale cookie had been signed in
    client.post("/logout")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"

    assert sign_in(client, user.email).status_code == 302
    assert session_cookie(client).value != captured
    with client.session_transaction() as after:
        assert "planted" not in after and after["_user_id"] == str(user.id)
        assert after.permanent
    assert is_signed_in(client)
    assert not is_signed_in(replay(app, captured))


def test_a_session_ends_after_an_hour_without_a_request(app, client, user, clock):
    sign_in(client, user.email)
    for _ in range(3):
        clock.advance(59)
        assert is_signed_in(client)
    clock.advance(61)
    assert not is_signed_in(client)
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_session_ends_twelve_hours_after_it_began_however_busy(app, client, user, clock):
    sign_in(client, user.email)
    for _ in range(14):  # a request every 50 minutes: 11 hours 40 minutes
        clock.advance(50)
        assert is_signed_in(client)
    clock.advance(50)
    assert not is_signed_in(client)
    assert sign_in(client, user.email).status_code == 302  # a new sign-in starts anew
    assert is_signed_in(client)


def test_the_session_limits_are_settings(app, client, user, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", dt.timedelta(minutes=5))
    sign_in(client, user.email)
    clock.advance(6)
    assert not is_signed_in(client)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    sign_in(client, user.email)
    clock.advance(4)
    assert is_signed_in(client)
    clock.advance(57)
    assert not is_signed_in(client)


def test_the_session_cookie_is_httponly_samesite_and_expires(client, user):
    response = sign_in(client, user.email)
    [cookie] = [value for value in response.headers.getlist("Set-Cookie")
                if value.startswith("enkat_session=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "expires"} <= attributes
    assert "SameSite=Lax" in cookie


def test_the_session_cookie_is_secure_with_the_host_prefix_by_default(tmp_path):
    """The defaults, as a deployment gets them: only the loopback development serve
    turns Secure off (tests/integration/test_serve_cookies.py)."""
    default = create_app({"SECRET_KEY": "x",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite'}"})
    assert default.config["SESSION_COOKIE_SECURE"] is True
    response = default.test_client().get("/login", base_url="https://enkat.example")
    [cookie] = response.headers.getlist("Set-Cookie")  # the CSRF token's session
    assert cookie.startswith("__Host-enkat_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
    assert "; Path=/;" in cookie and "SameSite=Lax" in cookie


def test_the_host_prefix_is_left_out_where_browsers_would_refuse_it(tmp_path):
    database = f"sqlite:///{tmp_path / 'd.sqlite'}"
    for settings in ({"SESSION_COOKIE_SECURE": False}, {"SESSION_COOKIE_DOMAIN": "forbund.se"},
                     {"SESSION_COOKIE_PATH": "/enkat"}):
        app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database, **settings})
        assert app.config["SESSION_COOKIE_NAME"] == "enkat_session", settings


def test_signing_out_clears_the_session(client, user):
    sign_in(client, user.email)
    with client.session_transaction() as before:
        before["language"] = "ar"
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as after:
        assert set(after) <= {"_flashes"}
    assert not is_signed_in(client)
