"""E-mail through a real SMTP server, plain text and without tracking.

The server is `ENKAT_SMTP_URL`: `smtp://user:password@host:587?starttls=1` (STARTTLS),
`smtps://user:password@host:465` (TLS from the start) or `smtp://127.0.0.1:25`. Mails are
plain text: no images, no HTML, no rewritten links, so nothing reports back when a mail
is opened. A mail that cannot be sent raises `MailFailed` with the reason; nothing is
dropped silently, and the caller shows it and lets the user try again.

Without `ENKAT_SMTP_URL` enkat sends no mail, and the pages do not offer it
(`mail_refusal`): they say why where the choice would be. `MailFailed` says why
in Swedish, fit to show as it is.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from enkat.services import ServiceError

#: Why a page offers no e-mail, said where the choice would be.
NO_MAIL = ("Den här installationen av enkat har ingen e-postserver inställd "
           "(ENKAT_SMTP_URL), så enkat kan inte skicka e-post.")


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


def mail_refusal() -> str | None:
    """Why enkat cannot send mail here, in Swedish, or None when it can. Every mail it
    sends carries a link, so it needs both an SMTP server and the public address the
    links are built from; a page that would offer e-mail says this instead."""
    if not current_app.config.get("SMTP_URL"):
        return NO_MAIL
    if not current_app.config.get("BASE_URL"):
        return NO_PUBLIC_ADDRESS
    return None


def smtp_server(url: str | None) -> SmtpServer:
    """The server an `ENKAT_SMTP_URL` names."""
    if not url:
        raise MailFailed(NO_MAIL)
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailFailed("ENKAT_SMTP_URL ska se ut som smtp://värd:port, inte "
                         f'"{parts.scheme}://…".')
    tls = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    return SmtpServer(
        host=parts.hostname, port=parts.port or (465 if tls else 25), tls=tls,
        starttls=starttls, user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Delivery(StrEnum):
    """What became of one mail sent over a connection."""

    SENT = "sent"
    REFUSED = "refused"  # 5xx: the server will not take this mail or address; go on
    DEFERRED = "deferred"  # 4xx: not taken now; try again later, the mail was not sent
    IN_DOUBT = "in-doubt"  # the connection broke while sending: it may have arrived


@dataclass(frozen=True)
class MailOutcome:
    delivery: Delivery
    reason: str | None = None  # Swedish, without the address; None when sent
    cause: BaseException | None = field(default=None, compare=False)


class MailConnection:
    """One open SMTP connection that sends mail after mail (`send`), each outcome told to
    the caller. After a DEFERRED or IN_DOUBT outcome the connection is no use: stop."""

    def __init__(self, smtp: smtplib.SMTP, sender: str) -> None:
        self._smtp = smtp
        self._sender = sender

    def send(self, mail: Mail) -> MailOutcome:
        try:
            self._smtp.send_message(_message(mail, self._sender))
        except (OSError, smtplib.SMTPException) as error:
            return MailOutcome(_delivery(error), _reason(error, mail.to), error)
        return MailOutcome(Delivery.SENT)


@contextlib.contextmanager
def mail_connection() -> Iterator[MailConnection]:
    """A connection to `ENKAT_SMTP_URL`, signed in, closed at the end; raises MailFailed
    saying why when the server cannot be reached or refuses the sign-in."""
    config = current_app.config
    server = smtp_server(config["SMTP_URL"])
    try:
        smtp = _connect(server, config["SMTP_TIMEOUT_SECONDS"])
        if server.user:
            smtp.login(server.user, server.password or "")
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(_reason(error, "")) from error
    try:
        yield MailConnection(smtp, config["MAIL_SENDER"])
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
        smtp.close()


def send_mail(mail: Mail) -> None:
    """Send one mail now, or raise MailFailed saying why."""
    with mail_connection() as connection:
        outcome = connection.send(mail)
    if outcome.delivery is not Delivery.SENT:
        raise MailFailed(outcome.reason) from outcome.cause


def _delivery(error: OSError | smtplib.SMTPException) -> Delivery:
    code = _code(error)
    if code is not None:
        return Delivery.DEFERRED if 400 <= code < 500 else Delivery.REFUSED
    return Delivery.IN_DOUBT


def _code(error: OSError | smtplib.SMTPException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return next(iter(error.recipients.values()))[0]
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


def _reason(cause: OSError | smtplib.SMTPException, address: str) -> str:
    """Why a mail was not sent, in Swedish, with the server's own words when it gave any,
    but never the address (the reason is shown and kept where the address is not)."""
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(cause.recipients.values()))
        return f"E-postservern tog inte emot adressen ({code} {_text(message, address)})."
    if isinstance(cause, smtplib.SMTPResponseException):
        return f"E-postservern svarade {cause.smtp_code} {_text(cause.smtp_error, address)}."
    if isinstance(cause, smtplib.SMTPServerDisconnected):
        if "timed out" in str(cause):  # smtplib's words for a reply that never came
            return "E-postservern svarade inte i tid."
        return "E-postservern stängde förbindelsen."
    if isinstance(cause, TimeoutError):
        return "E-postservern svarade inte i tid."
    if isinstance(cause, ssl.SSLError):
        return "Den krypterade förbindelsen till e-postservern gick inte att upprätta."
    if isinstance(cause, OSError):
        return "E-postservern gick inte att nå."
    return "E-postservern svarade inte som väntat."


def _text(message: bytes | str, address: str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return text.replace(address, "mottagaren") if address else text


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
