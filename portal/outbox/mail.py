"""Sending mail: a real SMTP client, or (in development) a line per message in the log.

The outbox builds a ``Message`` from a text template and calls ``send``; which backend
carries it comes from the configuration (``MAIL_BACKEND``, ``MAIL_SERVER`` and friends).
Nothing else sends mail: views queue emails in the outbox (``outbox.emails``).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, render_template


class MailError(Exception):
    """The message could not be handed to the mail server; the text says why."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    message_id: str | None = None  # the Message-ID header; a fresh one when not given


def message(to: str, subject: str, template: str, **context) -> Message:
    """A message whose body is a text template under templates/email/ (not HTML-escaped).
    The subject is one line, whatever names went into it."""
    return Message(
        to=to,
        subject=" ".join(subject.split()),
        body=render_template(f"email/{template}", **context),
    )


def as_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id or make_msgid(domain=sender_domain(sender))
    email["Auto-Submitted"] = "auto-generated"  # tells autoresponders not to answer
    email.set_content(message.body)
    return email


def sender_domain(sender: str) -> str:
    """The domain of the From address ("Agency <portal@agency.example>": agency.example)."""
    return sender.rpartition("@")[2].strip("> ") or "localhost"


class SMTPBackend:
    """Hands each message to an SMTP server (STARTTLS and login when configured)."""

    def __init__(self, config):
        self.config = config

    def send(self, message: Message) -> None:
        c = self.config
        try:
            email = as_email(message, c["MAIL_FROM"])
            smtp = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            try:
                if c["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
                if c["MAIL_USERNAME"]:
                    smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
                smtp.send_message(email)
            finally:
                _goodbye(smtp)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(_reason(exc)) from exc
        except ValueError as exc:  # a header the email library refuses
            raise MailError(f"the message could not be written ({exc})") from exc


def _goodbye(smtp: smtplib.SMTP) -> None:
    """End the session. Once the server has answered the message, what it says to QUIT
    changes nothing (it has taken the message, or refused it): never a reason to send again."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class LogBackend:
    """Development: each message goes to the log, link and all, instead of a mail server."""

    def __init__(self, config):
        self.sender = config["MAIL_FROM"]

    def send(self, message: Message) -> None:
        current_app.logger.warning(
            "Mail not sent (MAIL_BACKEND=log) from %s to %s: %s\n%s",
            self.sender,
            message.to,
            message.subject,
            message.body,
        )


BACKENDS = {"smtp": SMTPBackend, "log": LogBackend}


def init_app(app: Flask) -> None:
    app.extensions["mail"] = BACKENDS[app.config["MAIL_BACKEND"]](app.config)


def send(message: Message) -> None:
    """Send one message now; raises MailError when the server cannot take it."""
    current_app.extensions["mail"].send(message)
    current_app.logger.info("Mail sent to %s: %s", message.to, message.subject)


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"the mail server refused it ({exc.smtp_code} {text})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(exc, (ConnectionRefusedError, TimeoutError, smtplib.SMTPServerDisconnected)):
        return "the mail server could not be reached"
    return f"the mail server could not be reached ({exc.__class__.__name__})"
