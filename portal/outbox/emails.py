"""Putting emails in the outbox: the one way any part of the portal asks for an email.

A request that wants an email sent adds a row here, in its own transaction; once that
transaction is committed, the row is handed to this process's sender (``sender``), which
sends it right after the response has gone. If that first try fails, or the process
ends first, ``flask reminders send`` (cron) sends it, with retries and backoff.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import EmailKind, EmailStatus, OutboxEmail, PasswordLink, User
from ..times import utcnow


def email_key(user_id: int | None, kind: EmailKind, subject_id: int | None, occasion: str) -> str:
    """The row's unique key: one email per person, kind, step (or link) and occasion (an
    applicant, who has no account, by their application's occasion)."""
    return f"{user_id or '-'}:{kind.value}:{subject_id or '-'}:{occasion}"


def row_values(
    user_id: int | None,
    kind: EmailKind,
    occasion: str,
    now: datetime,
    *,
    step_id: int | None = None,
    link_id: int | None = None,
    step_ids: str = "",
) -> dict[str, Any]:
    """A new outbox row as column values (the reminder run inserts many at once)."""
    return {
        "key": email_key(user_id, kind, step_id or link_id, occasion),
        "user_id": user_id,
        "kind": kind,
        "step_id": step_id,
        "link_id": link_id,
        "occasion": occasion,
        "step_ids": step_ids,
        "status": EmailStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "to_address": "",
        "subject": "",
        "last_error": "",
        "message_id": "",
    }


def queue_email(user: User, kind: EmailKind, *, link: PasswordLink | None = None) -> OutboxEmail:
    """Queue one email to ``user`` (added and flushed; the view commits). After the request,
    the sender takes it (``sender.hand_over``)."""
    now = utcnow()
    occasion = (
        f"link-{link.id}" if link is not None else f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    )
    email = OutboxEmail(
        **row_values(user.id, kind, occasion, now, link_id=link.id if link is not None else None)
    )
    db.session.add(email)
    db.session.flush()
    waiting_for_commit(email.id)
    return email


# Emails queued in a transaction are handed to the sender only once it is committed: a
# rolled-back row does not exist, and SQLite gives its id to the next row inserted.
PENDING = "outbox_pending"


def waiting_for_commit(email_id: int) -> None:
    db.session.info.setdefault(PENDING, []).append(email_id)


def _committed(session: Session) -> None:
    ids = session.info.pop(PENDING, [])
    if ids and has_app_context():
        g.setdefault("queued_emails", []).extend(ids)


def _rolled_back(session: Session, previous_transaction: object = None) -> None:
    session.info.pop(PENDING, None)


def watch_commits() -> None:
    """Have commits hand the emails they made durable to this request, rollbacks drop them."""
    for name, listener in (
        ("after_commit", _committed),
        ("after_soft_rollback", _rolled_back),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def queued_in_this_request() -> list[int]:
    """The ids of the emails this request queued and committed, to send now."""
    return list(g.pop("queued_emails", []))


def retry(email: OutboxEmail) -> None:
    """Put a failed email back in the queue, to be sent right after this request."""
    email.status, email.attempts, email.next_attempt_at = EmailStatus.QUEUED, 0, utcnow()
    waiting_for_commit(email.id)


def email_for_link(link: PasswordLink | None) -> OutboxEmail | None:
    """The email that carries ``link``, to show whether it has gone."""
    if link is None:
        return None
    return db.session.scalar(
        select(OutboxEmail)
        .where(OutboxEmail.link_id == link.id)
        .order_by(OutboxEmail.id.desc())
        .limit(1)
    )
