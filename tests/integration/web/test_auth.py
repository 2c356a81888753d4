"""Signing in and the first page personal see."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
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
    page = client.get("/mina-insatser").get_data(as_text=True)
    assert "Hälsolotsen" in page and "Steget vidare" in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
def test_administrators_and_analysts_land_on_the_forbunds_overview(client, make_user, role):
    user = make_user(role)
    assert sign_in(client, user.email).headers["Location"] == "/forbund/"
    assert client.get("/").headers["Location"] == "/forbund/"
    assert client.get("/login").headers["Location"] == "/forbund/"
    page = client.get("/forbund/").get_data(as_text=True)
    assert "<h2>Att rätta</h2>" in page and "Mina insatser</a>." not in page


def test_personal_land_on_their_insatser(client, make_user):
    user = make_user(Role.STAFF)
    assert sign_in(client, user.email).headers["Location"] == "/"
    assert "<h1>Mina insatser</h1>" in client.get("/").get_data(as_text=True)
    assert client.get("/login").headers["Location"] == "/"
    assert client.get("/forbund/").status_code == 403


def test_an_administrator_who_is_also_personal_lands_on_the_overview_with_a_link_to_their_insatser(
        client, make_user, make_insats):
    user = make_user(Role.ADMIN)
    mine = make_insats(name="Hälsolotsen")
    db.session.add(InsatsStaff(insats_id=mine.id, user_id=user.id))
    assert sign_in(client, user.email).headers["Location"] == "/forbund/"
    page = client.get("/forbund/").get_data(as_text=True)
    assert '<a href="/mina-insatser">Mina insatser</a>.' in page
    assert "Hälsolotsen" in client.get("/mina-insatser").get_data(as_text=True)


def test_a_sign_in_with_an_address_to_return_to_still_returns_there(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/login?next=/forbund/resultat",
                           data={"email": user.email, "password": "lösenord-123"})
    assert response.headers["Location"] == "/forbund/resultat"


REPORT = "/forbund/resultat/rapport.json"  # a download only a signed-in user gets


def copy_of_cookie(app, client):
    """Another browser holding a copy of this browser's session cookie, as someone who
    saw it (a shared computer, a proxy log) would hold it."""
    name = app.config["SESSION_COOKIE_NAME"]
    copy = app.test_client()
    copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def test_sign_out_ends_the_session(app, client, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    copied = copy_of_cookie(app, client)
    assert copied.get(REPORT).status_code == 200  # the copy works while the session is open
    assert client.post("/logout").headers["Location"] == "/login"
    refused = copied.get(REPORT)
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302


def test_signing_out_leaves_the_users_other_sessions(app, client, make_user):
    user = make_user()
    laptop, phone = client, app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    laptop.post("/logout")
    assert phone.get("/").status_code == 200
    assert laptop.get("/").status_code == 302


def test_signing_out_is_audited(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    client.post("/logout")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user.id)
                                .order_by(AuditEvent.id)).all()
    assert [(event.action, event.subject) for event in events] == [
        ("sign-in", user.email), ("sign-out", user.email)]


#: Known ways to make a "path" that a browser reads as another site (or that breaks the
#: redirect): sent as the decoded value of ?next=.
NEXT_BYPASSES = [
    "//evil.example/", "///evil.example", "////evil.example", "/\\evil.example",
    "\\/evil.example", "\\\\evil.example", "\\/\\/evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example", "\t//evil.example",
    " //evil.example", "/ /evil.example", "/%09/evil.example", "/\x00/evil.example",
    "https://evil.example", "https:evil.example", "http:/\\/evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "/javascript:alert(1)//x",
    "//user@evil.example", "/@evil.example", "//enkat.example@evil.example",
    "https://enkat.example@evil.example/", "evil.example", "@evil.example",
    "/\uff0fevil.example", "\uff0f\uff0fevil.example", "/\u2215evil.example",
    "/\u29f8evil.example", "/\ufe68evil.example", "/\u3002/evil.example",
    "/\u2028/evil.example", "/\u200b/evil.example", "/\u00a0/evil.example",
    "/.\\evil.example", "\x7f//evil.example",
]
#: The same, as raw query strings: encoded once or twice, as an attacker would send them.
NEXT_BYPASSES_ENCODED = [
    "next=/%09/evil.example", "next=/%0a/x", "next=/%0d/evil.example", "next=%2f%2fevil.example",
    "next=%2F%2Fevil.example", "next=/%5cevil.example", "next=%5c%5cevil.example",
    "next=/%2F/evil.example", "next=%252f%252fevil.example", "next=/%252f/evil.example",
    "next=%EF%BC%8F%EF%BC%8Fevil.example", "next=/%EF%BC%8Fevil.example",
    "next=https%3A%2F%2Fevil.example", "next=javascript%3Aalert(1)", "next=%00//evil.example",
    "next=/%E2%80%A8/evil.example", "next=//%09evil.example", "next=/%5C/evil.example",
]


def where_a_browser_goes(location: str) -> tuple[str, str]:
    """Scheme and host a browser reaches from a Location on https://enkat.example: it
    drops tabs and line breaks and reads a backslash as a slash (the URL standard)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip()
    target = urlsplit(urljoin("https://enkat.example/login", cleaned))
    return target.scheme, target.hostname or ""


@pytest.mark.parametrize("query", [urlencode({"next": value}) for value in NEXT_BYPASSES]
                         + NEXT_BYPASSES_ENCODED)
def test_next_parameter_never_leaves_the_site(app, make_user, query):
    user = make_user()
    browser = app.test_client()  # a browser of its own for each try
    response = browser.post(f"/login?{query}", data={"email": user.email,
                                                     "password": "lösenord-123"},
                            base_url="https://enkat.example")
    if response.status_code == 400:  # a control character: refused before any sign-in
        assert "styrtecken" in response.get_data(as_text=True)
        assert "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert where_a_browser_goes(location) == ("https", "enkat.example"), location
    assert location.isascii() and location.isprintable() and "\\" not in location, location


def test_next_parameter_leads_to_a_page_of_this_site(client, make_user):
    user = make_user()
    response = client.post("/login?next=/forbund/resultat%3Ffran%3D2025-01-01",
                           data={"email": user.email, "password": "lösenord-123"})
    assert response.headers["Location"] == "/forbund/resultat?fran=2025-01-01"


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
