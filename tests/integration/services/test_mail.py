"""Mail through a real SMTP server on loopback: what arrives, and failures that say why."""

from __future__ import annotations

import pytest

from enkat.services.mail import Mail, MailFailed, send_mail, smtp_server


def test_a_mail_arrives_as_plain_swedish_text(app, mailbox):
    with app.app_context():
        send_mail(Mail("kim@example.org", "Enkät från Älvdalen", "Hej!\n\nSvara här: https://x/s/abc\n"))
    [message] = mailbox.to("kim@example.org")
    assert message["Subject"] == "Enkät från Älvdalen"
    assert message["From"] == "enkat@forbund.example"
    assert message["Content-Language"] == "sv"
    assert message.get_content_type() == "text/plain"
    assert "https://x/s/abc" in mailbox.text(message)


def test_a_refused_mail_raises_with_the_reason(app, mailbox):
    mailbox.refuse = True
    with app.app_context(), pytest.raises(MailFailed, match="550"):
        send_mail(Mail("kim@example.org", "Ämne", "Text"))
    assert mailbox.messages == []


def test_no_server_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", None)
    with app.app_context(), pytest.raises(MailFailed, match="ingen e-postserver inställd"):
        send_mail(Mail("kim@example.org", "Ämne", "Text"))


def test_a_server_that_does_not_answer_says_so(app, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:1")
    with app.app_context(), pytest.raises(MailFailed, match="^E-postservern gick inte att nå.$"):
        send_mail(Mail("kim@example.org", "Ämne", "Text"))


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, False, False, None)),
    ("smtps://u%40x:p%3Aw@mail.example:465", ("mail.example", 465, True, False, "u@x")),
    ("smtp://u:p@mail.example:587?starttls=1", ("mail.example", 587, False, True, "u")),
    ("smtp://relay", ("relay", 25, False, False, None)),
])
def test_smtp_urls(url, expected):
    server = smtp_server(url)
    assert (server.host, server.port, server.tls, server.starttls, server.user) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_a_wrong_smtp_url_is_refused_with_its_reason(url):
    with pytest.raises(MailFailed, match="ENKAT_SMTP_URL"):
        smtp_server(url)
