"""The database goes away in the middle of a survey (a real PostgreSQL server, stopped
and started again): the deltagare gets a calm 503 page in their language, nothing of the
refused request is written, what was saved before is kept, and answering goes on when
the database is back."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from enkat import create_app
from enkat.extensions import db
from enkat.models import Response
from enkat.services.answering.invitations import create_invitation
from enkat.services.answering.responses import answers_of
from enkat.services.organisation.forbund import create_forbund
from enkat.services.organisation.insatser import create_insats
from tests.conftest import in_ci
from tests.postgresql import PostgresServer, PostgresUnavailable


@pytest.fixture
def own_server():
    """A PostgreSQL server of this test's own, so stopping it troubles no other test."""
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as problem:
        if in_ci():
            pytest.fail(f"PostgreSQL must run in CI: {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    yield server
    server.stop()


@pytest.fixture
def outage_app(own_server, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": own_server.create_database("outage"),
                      "SECRET_KEY": "outage", "WTF_CSRF_ENABLED": False})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        forbund = create_forbund("avbrott", "Samordningsförbundet Avbrott")
        insats = create_insats(forbund, "torget", "Torget")
        _, token = create_invitation(insats, "nns-deltagare-avslut", "avslut")
        db.session.commit()
    yield app, f"/s/{token}"
    with app.app_context():
        db.engine.dispose()


def stored_answers(app) -> dict:
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        answers = answers_of(response)
        db.session.remove()
        return answers


def test_answering_survives_the_database_going_away_and_coming_back(outage_app, own_server):
    app, link = outage_app
    client = app.test_client()
    assert client.get(f"{link}?lang=ar").status_code == 200
    assert client.post(f"{link}/fraga/q1", data={"answer-q1": "4", "go_to": "next"}
                       ).status_code == 303

    own_server.pause()
    try:
        for refused in (client.get(f"{link}/fraga/q2"),
                        client.post(f"{link}/fraga/q2", data={"answer-q2": "5",
                                                              "go_to": "next"})):
            page = refused.get_data(as_text=True)
            assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
            assert 'dir="rtl"' in page and "Traceback" not in page
            assert "إجاباتك المحفوظة ما زالت موجودة" in page
        client.get(f"{link}?lang=sv")
        calm = client.get(f"{link}/fraga/q2").get_data(as_text=True)
        assert "Dina svar som redan är sparade finns kvar" in calm
    finally:
        own_server.resume()

    assert stored_answers(app) == {"q1": ("4",)}  # the refused page wrote nothing
    assert client.post(f"{link}/fraga/q2", data={"answer-q2": "5", "go_to": "next"}
                       ).status_code == 303
    assert stored_answers(app) == {"q1": ("4",), "q2": ("5",)}


def test_a_staff_page_says_the_same_in_swedish(outage_app, own_server):
    app, _ = outage_app
    client = app.test_client()
    own_server.pause()
    try:
        page = client.get("/login", data=None)
        refused = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
    finally:
        own_server.resume()
    assert page.status_code == 200  # the sign-in page itself needs no database
    assert refused.status_code == 503
    assert "Tjänsten är tillfälligt otillgänglig" in refused.get_data(as_text=True)
