"""A setup without an SMTP server (ENKAT_SMTP_URL unset) offers no e-mail anywhere, and
says why in Swedish where the choice would be: the forgotten password, a link mailed by
personal, utskick. Nothing is half-done: no reset link, no utskick is made."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from enkat.extensions import db
from enkat.models import Campaign, PasswordReset
from enkat.services.mail import NO_MAIL

from .test_admin_utskick import create, form, page
from .test_staff_insatser import create_link
from .test_staff_links import scheduled  # noqa: F401

SAYS_WHY = "ingen e-postserver inställd (ENKAT_SMTP_URL)"


@pytest.fixture
def no_mail(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", None)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_message_is_swedish_and_names_the_setting():
    assert SAYS_WHY in NO_MAIL


def test_the_login_page_offers_no_reset_link_and_says_why(client, no_mail):
    login = page(client.get("/login"))
    assert 'href="/glomt-losenord"' not in login
    assert SAYS_WHY in login


def test_the_forgotten_password_page_has_no_form_and_sends_nothing(client, make_user, no_mail):
    user = make_user()
    shown = client.get("/glomt-losenord")
    assert shown.status_code == 200
    assert SAYS_WHY in page(shown) and 'name="email"' not in page(shown)
    posted = client.post("/glomt-losenord", data={"email": user.email})
    assert posted.status_code == 409 and SAYS_WHY in page(posted)
    assert count(PasswordReset) == 0


def test_the_link_page_offers_no_mail_and_says_why(signed_in, scheduled, deltagare,  # noqa: F811
                                                   no_mail):
    link_page = page(create_link(signed_in, scheduled, code="ABC123"))
    assert "/lankar/epost" not in link_page and 'name="address"' not in link_page
    assert SAYS_WHY in link_page
    assert "Brev att skriva ut" in link_page  # the other ways are still there


def test_utskick_are_not_offered_and_none_can_be_made(as_admin, no_mail):  # noqa: F811
    listing = page(as_admin.get("/forbund/utskick"))
    assert "/forbund/utskick/nytt" not in listing and SAYS_WHY in listing
    new = as_admin.get("/forbund/utskick/nytt")
    assert new.status_code == 200
    assert SAYS_WHY in page(new) and 'name="addresses"' not in page(new)
    posted = as_admin.post("/forbund/utskick/nytt", data=form())
    assert posted.status_code == 409 and count(Campaign) == 0


def test_an_utskick_made_before_the_server_went_is_not_offered_for_sending(
        app, as_admin, mailbox, monkeypatch):  # noqa: F811
    campaign = create(as_admin)
    monkeypatch.setitem(app.config, "SMTP_URL", None)
    detail = page(as_admin.get(f"/forbund/utskick/{campaign.id}"))
    assert SAYS_WHY in detail
    assert f"/forbund/utskick/{campaign.id}/skicka" not in detail
    sent = as_admin.post(f"/forbund/utskick/{campaign.id}/skicka", data={})  # a stale page
    assert sent.status_code == 303
    db.session.expire_all()
    assert all(recipient.sent_at is None and recipient.queued_at is None
               for recipient in campaign.recipients)  # nothing waits for a server not there
    said = page(as_admin.get(sent.headers["Location"]))
    assert SAYS_WHY in said and "kan inte skicka e-post. Inget skickades." in said
