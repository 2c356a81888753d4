"""E-mail through a real SMTP server, plain text and without tracking.

The server is `ENKAT_SMTP_URL`: `smtp://user:password@host:587?starttls=1` (STARTTLS),
`smtps://user:password@host:465` (TLS from the start) or `smtp://127.0.0.1:25`. Mails are
plain text: no images, no HTML, no rewritten links, so nothing reports back when a mail
is opened. A mail that cannot be sent raises `MailFailed` with the reason; nothing is
dropped silently, and the caller shows it and lets the user try again.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from . import ServiceError


class MailFailed(ServiceError):
    pass


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    user: str | None = None
    password: str | None = None


#: Why mail with links is not offered when ENKAT_BASE_URL is not set.
NO_PUBLIC_ADDRESS = ("Mejl med länkar kan inte skickas, eftersom enkats publika adress "
                     "(ENKAT_BASE_URL) inte är inställd. Be den som driftar enkat att ställa "
                     "in den.")


class NoPublicAddress(MailFailed):
    def __init__(self) -> None:
        super().__init__(NO_PUBLIC_ADDRESS)


def public_address() -> str:
    """The configured ENKAT_BASE_URL: the only address links in mail are built from.
    Never the address a request came to, whose Host header anyone can write, so nobody
    can have enkat mail a link that points at their own site. Raises NoPublicAddress."""
    configured = current_app.config.get("BASE_URL")
    if not configured:
        raise NoPublicAddress()
    return configured.rstrip("/")


def links_cannot_be_mailed() -> str | None:
    """Why mail that carries links cannot be sent here, or None when it can."""
    return None if current_app.config.get("BASE_URL") else NO_PUBLIC_ADDRESS


def smtp_server(url: str | None) -> SmtpServer:
    """The server an `ENKAT_SMTP_URL` names."""
    if not url:
        raise MailFailed("no SMTP server is configured (ENKAT_SMTP_URL)")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailFailed(f'ENKAT_SMTP_URL must look like smtp://host:port, not "{parts.scheme}://…"')
    tls = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    return SmtpServer(
        host=parts.hostname, port=parts.port or (465 if tls else 25), tls=tls,
        starttls=starttls, user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def send_mail(mail: Mail) -> None:
    """Send one mail now, or raise MailFailed saying why."""
    config = current_app.config
    server = smtp_server(config["SMTP_URL"])
    message = _message(mail, config["MAIL_SENDER"])
    try:
        with _connect(server, config["SMTP_TIMEOUT_SECONDS"]) as smtp:
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(f"the mail to {mail.to} could not be sent: {error}") from error


def _connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    if server.tls:
        return smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    if server.starttls:
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body, charset="utf-8")
    message["Content-Language"] = "sv"  # after set_content, which clears Content-* headers
    return message
