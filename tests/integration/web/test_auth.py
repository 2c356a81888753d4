"""Signing in and the first page personal see."""

from __future__ import annotations

from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, InsatsStaff, Role


def sign_in(client, email, password="lösenord-123"):
    return client.post("/login", data={"email": email, "password": password})


def test_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_page_is_swedish_and_has_security_headers(client):
    response = client.get("/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Logga in" in page and 'lang="sv"' in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_wrong_password_is_refused_and_audited(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, "fel-lösenord")
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id))
    assert list(events) == ["sign-in-failed"]


def test_empty_form_says_what_is_missing(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Fyll i din e-postadress." in page and "Fyll i ditt lösenord." in page


def test_personal_see_only_their_own_insatser(client, make_user, make_insats):
    user = make_user(Role.STAFF)
    mine, _other = make_insats(name="Hälsolotsen"), make_insats(name="Steget vidare")
    db.session.add(InsatsStaff(insats_id=mine.id, user_id=user.id))
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Hälsolotsen" in page and "Steget vidare" not in page


def test_administrator_sees_every_insats_of_the_forbund(client, make_user, make_insats):
    admin = make_user(Role.ADMIN)
    make_insats(name="Hälsolotsen"), make_insats(name="Steget vidare")
    sign_in(client, admin.email)
    page = client.get("/").get_data(as_text=True)
    assert "Hälsolotsen" in page and "Steget vidare" in page


def test_sign_out_ends_the_session(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, make_user):
    user = make_user()
    response = client.post("/login?next=//evil.example/", data={"email": user.email,
                                                               "password": "lösenord-123"})
    assert response.headers["Location"] == "/"


def test_unknown_page_gets_a_swedish_404(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_https_pages_ask_browsers_to_keep_to_https(client):
    secure = client.get("/login", base_url="https://enkat.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_menu_offers_the_forbund_pages_only_to_those_who_may_open_them(client, make_user):
    staff, admin = make_user(Role.STAFF), make_user(Role.ADMIN)
    sign_in(client, staff.email)
    page = client.get("/").get_data(as_text=True)
    assert 'aria-label="Huvudmeny"' in page and "Mina insatser" in page
    assert 'href="/forbund/"' not in page
    client.post("/logout")
    sign_in(client, admin.email)
    page = client.get("/forbund/").get_data(as_text=True)
    assert '<a href="/forbund/" aria-current="page">Förbundet</a>' in page


def test_a_new_password_ends_every_session_signed_in_with_the_old_one(client, app, make_user):
    from enkat.services.organisation import hash_password

    user = make_user()
    sign_in(client, user.email)
    assert client.get("/").status_code == 200
    user.password_hash = hash_password("ett-helt-nytt-losenord")
    db.session.commit()
    assert client.get("/").headers["Location"].startswith("/login")
