"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests
of everything that sends mail."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    """What the server has received, parsed; `refuse` makes it answer 550 to every mail,
    `defer` 451 (try again later), and `full` 452 to mails to those addresses only."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.defer = False
        self.full: set[str] = set()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        if self.refuse:
            return "550 mailbox unavailable"
        if self.defer:
            return "451 try again later"
        if self.full & set(envelope.rcpt_tos):
            return "452 mailbox full"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


class SmtpServer:
    """`mailbox` may be a Mailbox that behaves otherwise (slow, or failing on cue)."""

    def __init__(self, mailbox: Mailbox | None = None) -> None:
        self.mailbox = mailbox or Mailbox()
        self.port = _free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
