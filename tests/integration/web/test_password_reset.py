"""A forgotten password: a single-use link by e-mail through a real SMTP server, then a
new password and a fresh session."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent, PasswordReset, Role, utcnow
from enkat.services.people.passwords import password_matches

from .test_auth import sign_in
from .test_staff_entry import another_browser

#: Mail is configured here (the loopback SMTP server); test_no_mail.py covers a setup without.
pytestmark = pytest.mark.usefixtures("mailbox")

SENT = "Om adressen finns hos oss har vi skickat en länk"
LINK = re.compile(r"(https?://\S+)/nytt-losenord/(\S+)")
NEW_PASSWORD = "ett nytt lösenord"


@pytest.fixture(autouse=True)
def quick_answers(app, monkeypatch):
    """The forgotten-password page answers after a fixed time; short here, measured in
    `test_known_and_unknown_addresses_take_the_same_time`."""
    monkeypatch.setitem(app.config, "PASSWORD_RESET_ANSWER_MS", 0)


@pytest.fixture
def user(make_user, db_session):
    created = make_user(Role.STAFF, email="kim@forbund.example")
    db_session.commit()  # kept when a refused request rolls back
    return created


def request_link(client, email="kim@forbund.example"):
    return client.post("/glomt-losenord", data={"email": email})


def link_in(mailbox, address="kim@forbund.example", index=-1) -> str:
    """The path of the link in the mail to `address` (the latest one by default)."""
    message = mailbox.to(address)[index]
    found = LINK.search(mailbox.text(message))
    assert found, mailbox.text(message)
    return f"/nytt-losenord/{found.group(2)}"


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password,
                                   "confirm": password if confirm is None else confirm})


def actions(*names):
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(names)).order_by(AuditEvent.id)))


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/glomt-losenord"' in page and "Glömt lösenordet?" in page
    form = client.get("/glomt-losenord")
    assert form.status_code == 200
    assert '<label for="email">E-postadress</label>' in form.get_data(as_text=True)


def test_the_whole_reset_by_mail(client, user, mailbox):
    response = request_link(client)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert SENT in client.get("/login").get_data(as_text=True)

    [message] = mailbox.to("kim@forbund.example")
    assert message["Subject"] == "Välj ett nytt lösenord till enkat"
    assert "gäller i 60 minuter och kan användas en gång" in mailbox.text(message)
    assert LINK.search(mailbox.text(message)).group(1) == "http://localhost"
    path = link_in(mailbox)

    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert form.headers["Cache-Control"] == "no-store"
    assert "Välj ett nytt lösenord" in form.get_data(as_text=True)

    done = choose(client, path)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "Ditt nya lösenord är sparat och du är inloggad." in client.get("/").get_data(
        as_text=True)
    db.session.refresh(user)
    assert password_matches(user, NEW_PASSWORD) and not password_matches(user, "lösenord-123")
    assert actions("password-reset-requested", "password-reset") == [
        "password-reset-requested", "password-reset"]

    again = client.get(path)
    assert again.status_code == 410
    assert "Länken har redan använts" in again.get_data(as_text=True)
    assert choose(client, path, "ännu ett lösenord").status_code == 410
    db.session.refresh(user)
    assert password_matches(user, NEW_PASSWORD)


def test_the_new_password_signs_in_and_the_old_does_not(app, user, mailbox, client):
    request_link(client)
    choose(client, link_in(mailbox))
    other = another_browser(app)
    assert "Fel e-postadress eller lösenord." in sign_in(other, user.email).get_data(
        as_text=True)
    assert sign_in(other, user.email, NEW_PASSWORD).headers["Location"] == "/"


def test_the_token_is_long_random_and_kept_only_as_its_hash(client, user, mailbox):
    request_link(client)
    token = link_in(mailbox).rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    [reset] = db.session.scalars(select(PasswordReset)).all()
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert reset.expires_at - reset.created_at == dt.timedelta(minutes=60)
    request_link(client)
    assert link_in(mailbox).rsplit("/", 1)[1] != token


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, user, mailbox):
    known = request_link(client)
    known_page = client.get("/login").get_data(as_text=True)
    unknown = request_link(client, "ingen@forbund.example")
    unknown_page = client.get("/login").get_data(as_text=True)
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code, known.headers["Location"])
    assert SENT in unknown_page and unknown_page == known_page
    assert mailbox.to("ingen@forbund.example") == []
    assert len(mailbox.messages) == 1


def test_known_and_unknown_addresses_take_the_same_time(app, client, user, mailbox,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_ANSWER_MS", 600)
    durations = {}
    for email in ("kim@forbund.example", "ingen@forbund.example"):
        started = time.monotonic()
        request_link(client, email)
        durations[email] = time.monotonic() - started
    assert all(0.6 <= seconds < 1.2 for seconds in durations.values()), durations
    assert abs(durations["kim@forbund.example"] - durations["ingen@forbund.example"]) < 0.25


def test_an_expired_link_says_so_with_410(client, user, mailbox):
    request_link(client)
    path = link_in(mailbox)
    reset = db.session.scalars(select(PasswordReset)).one()
    reset.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "Länken gäller inte längre" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert choose(client, path).status_code == 410
    db.session.refresh(user)
    assert password_matches(user, "lösenord-123")


def test_an_unknown_link_says_so_with_404(client):
    response = client.get("/nytt-losenord/finns-inte-alls")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Länken finns inte" in page and 'href="/glomt-losenord"' in page
    assert choose(client, "/nytt-losenord/finns-inte-alls").status_code == 404


def test_a_new_request_ends_the_earlier_link(client, user, mailbox):
    request_link(client)
    first = link_in(mailbox)
    request_link(client)
    second = link_in(mailbox)
    assert client.get(first).status_code == 410
    assert choose(client, second).status_code == 303


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("kort-9tkn", "kort-9tkn", "Lösenordet ska ha minst 10 tecken."),
    ("ett långt lösenord", "ett annat lösenord", "Lösenorden är inte likadana."),
    ("Kim@Forbund.example", "Kim@Forbund.example", "Lösenordet får inte vara e-postadressen."),
    ("0000000000", "0000000000", "Lösenordet är för lätt att gissa: upprepade tecken"),
    ("aaaaaaaaaa", "aaaaaaaaaa", "Lösenordet är för lätt att gissa: upprepade tecken"),
    ("password12", "password12", "Lösenordet är för lätt att gissa"),
    ("kimforbund", "kimforbund", "Lösenordet är för lätt att gissa"),  # of the address
    ("", "", "Fyll i ett nytt lösenord."),
])
def test_an_unacceptable_new_password_is_422_and_changes_nothing(client, user, mailbox,
                                                                  password, confirm, message):
    request_link(client)
    path = link_in(mailbox)
    response = choose(client, path, password, confirm)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    db.session.refresh(user)
    assert password_matches(user, "lösenord-123")
    assert db.session.scalars(select(PasswordReset.used_at)).one() is None
    assert choose(client, path).status_code == 303  # the link still works


def test_a_request_without_a_valid_address_is_422(client, mailbox):
    for data, message in (({}, "Fyll i din e-postadress."),
                          ({"email": "inte en adress"}, "Det ser inte ut som en e-postadress.")):
        response = client.post("/glomt-losenord", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_mail_that_cannot_be_sent_gets_the_same_calm_answer(client, user, mailbox, caplog):
    mailbox.refuse = True
    response = request_link(client)
    assert response.status_code == 303
    assert SENT in client.get("/login").get_data(as_text=True)
    assert db.session.scalars(select(PasswordReset)).all() == []
    assert actions("password-reset-mail-failed") == ["password-reset-mail-failed"]
    assert f"till användare {user.id} kunde inte skickas (SMTPDataError)" in caplog.text
    assert "kim@forbund.example" not in caplog.text


def test_no_more_than_three_reset_mails_per_quarter(client, user, mailbox):
    for _ in range(4):
        assert request_link(client).status_code == 303
    assert len(mailbox.to("kim@forbund.example")) == 3
    assert actions("password-reset-not-sent") == ["password-reset-not-sent"]


def test_an_inactive_user_gets_no_link(client, user, mailbox):
    user.active = False
    db.session.commit()
    assert request_link(client).status_code == 303
    assert mailbox.messages == []


def test_a_new_password_lifts_a_sign_in_lock(app, client, user, mailbox):
    for _ in range(5):
        sign_in(client, user.email, "fel-lösenord")
    assert sign_in(client, user.email).status_code == 429
    request_link(client)
    assert choose(client, link_in(mailbox)).status_code == 303
    assert sign_in(another_browser(app), user.email, NEW_PASSWORD).status_code == 302


def test_a_forged_host_never_gets_into_the_reset_mail(app, client, user, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://enkat.forbund.example")
    response = client.post("/glomt-losenord", data={"email": user.email},
                           headers={"Host": "attacker.example"})
    assert response.status_code == 303
    body = mailbox.text(mailbox.to(user.email)[0])
    assert LINK.search(body).group(1) == "https://enkat.forbund.example"
    assert "attacker" not in body


def test_without_a_public_address_no_reset_mail_is_offered_or_sent(app, client, user, mailbox,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/glomt-losenord"' not in login
    assert "Glömt lösenordet? Be den som administrerar enkat om hjälp" in login
    assert "ENKAT_BASE_URL" in login
    page = client.get("/glomt-losenord").get_data(as_text=True)
    assert "ENKAT_BASE_URL" in page and 'name="email"' not in page
    refused = client.post("/glomt-losenord", data={"email": user.email},
                          headers={"Host": "attacker.example"})
    assert refused.status_code == 409
    assert "Mejl med länkar kan inte skickas" in refused.get_data(as_text=True)
    assert mailbox.messages == []
    assert actions("password-reset-requested") == []


def test_a_new_password_ends_every_other_session_of_the_user(app, client, user, mailbox):
    laptop = another_browser(app)
    sign_in(laptop, user.email)
    assert laptop.get("/").status_code == 200
    request_link(client)
    choose(client, link_in(mailbox))
    assert client.get("/").status_code == 200  # the new password's own session
    assert laptop.get("/").headers["Location"].startswith("/login")
