"""Guessing enkätlänkar is bounded per client: unknown links are counted per client
address, whatever the path, and past the limit every link address answers 429."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent

from .test_respond import html, make_link

GUESSER = {"REMOTE_ADDR": "203.0.113.7"}
NEIGHBOUR = {"REMOTE_ADDR": "203.0.113.8"}


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LINK_GUESS_LIMIT", 5)
    monkeypatch.setitem(app.config, "LINK_GUESS_WINDOW_MINUTES", 15)


def guess(client, number: int, path: str = ""):
    return client.get(f"/s/gissning-{number:04d}-abcdefghijklmnop{path}", environ_base=GUESSER)


def test_past_the_limit_every_link_address_answers_429(client, insats, small_limit):
    link, _ = make_link(insats)
    for number, path in enumerate(["", "/fraga/q1", "/tack", "/granska", "/fraga/x"]):
        assert guess(client, number, path).status_code == 404
    for address in (link, f"{link}/fraga/q1", "/s/annan-gissning-abcdefghijk"):
        refused = client.get(address, environ_base=GUESSER)
        assert refused.status_code == 429
        assert "För många försök" in html(refused)
        assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    posted = client.post(f"{link}/granska", environ_base=GUESSER)
    assert posted.status_code == 429


def test_another_client_is_not_held_back(client, insats, small_limit):
    link, _ = make_link(insats)
    for number in range(5):
        guess(client, number)
    assert client.get(link, environ_base=NEIGHBOUR).status_code == 200


def test_the_limit_lifts_when_the_window_has_passed(client, insats, small_limit, clock):
    link, _ = make_link(insats)
    for number in range(5):
        guess(client, number)
    assert client.get(link, environ_base=GUESSER).status_code == 429
    clock.advance(14)
    assert client.get(link, environ_base=GUESSER).status_code == 429
    clock.advance(2)
    assert client.get(link, environ_base=GUESSER).status_code == 200


def test_the_count_keeps_the_client_never_the_token(client, small_limit):
    guess(client, 1)
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "link-unknown" and event.subject == "203.0.113.7"
    assert "gissning" not in str(event.detail) and "gissning" not in event.subject


def test_known_links_never_count(client, insats, small_limit):
    link, _ = make_link(insats)
    for _ in range(8):
        assert client.get(link, environ_base=GUESSER).status_code == 200
    assert db.session.scalars(select(AuditEvent)).all() == []
