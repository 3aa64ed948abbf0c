"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for the tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Self

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler: accepts every message (after ``delay`` seconds, like a slow
    server), or refuses them all with ``refuse``."""

    def __init__(self, refuse: str | None = None, delay: float = 0.0):
        self.refuse = refuse
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self.arrived:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def only(self) -> EmailMessage:
        """The one message that arrived (delivery is over before the SMTP client returns)."""
        assert len(self.messages) == 1, [m["Subject"] for m in self.messages]
        return self.messages[0]


class SMTPServer:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def body(message: EmailMessage) -> str:
    """The plain-text body, with the wire's CRLF line ends read back as newlines."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
