"""Sending what the outbox holds: each email once, retried with backoff when it cannot go.

``run`` is what ``flask --app portal reminders send`` calls from cron, every few minutes,
on every app server. It has two halves:

* **decide** (``reminders``): insert the reminders due now into the outbox.
* **deliver**: claim queued emails, reminders and the emails requests queued (invitations,
  password links, notices) alike (PostgreSQL: row locks with SKIP LOCKED; SQLite: its
  write lock, BEGIN IMMEDIATE), then send each one after checking it still has something to
  say: a step done or waived in the meantime, a link replaced, a deactivated person or one
  who turned that kind off, gets no email.

``send_now`` is the same for one email, from the sender thread right after a request.

A message the mail server cannot take stays queued with its error and is retried with
backoff; after ``MAX_ATTEMPTS`` it is marked failed and shown to admins on the outbox page.
The one gap left: a process killed between the server accepting a message and the outbox
recording it leaves the row "sending"; after ``STALE_CLAIM`` it is sent again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import joinedload

from ..accounts.links import LinkProblem, link_problem, link_token
from ..extensions import db, write_lock
from ..models import EmailKind, EmailStatus, Interview, OutboxEmail, Step, User
from ..privacy import ERASED
from ..times import agency_zone, format_local, utcnow
from . import mail
from .messages import compose
from .reminders import NUDGES_FROM, NUDGES_UNTIL, decide, nudge_hours
from .report import RunReport

MAX_ATTEMPTS = 6

RETRY_AFTER = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=45),
    timedelta(hours=2),
    timedelta(hours=6),
)

STALE_CLAIM = timedelta(minutes=15)

CLAIM_BATCH = 5  # small, so runs that overlap share the work


def run(now: datetime, *, dry_run: bool = False) -> RunReport:
    """Decide what is due, then send what is queued; with ``dry_run`` nothing is changed or sent.

    ``now`` is the moment decisions are made for (``--as-of`` can set it); claims are
    stamped with the real clock, so a run can never take another run's claim for stale."""
    report = RunReport()
    try:
        decide(now, report, "would queue" if dry_run else "queued")
    except Exception as exc:  # what is already queued must still go out
        db.session.rollback()
        current_app.logger.exception("Outbox run: deciding which reminders are due failed")
        report.add(
            "error",
            f"deciding what is due failed ({exc.__class__.__name__}: {exc}); sending what is queued",
        )
    if dry_run:
        for email in db.session.scalars(_claimable(now).options(*_WITH_CONTEXT)):
            reason, message = _what_to_send(email, now)
            if message is None:
                report.add("would skip", f"{describe(email)} ({reason or 'nothing left to say'})")
            else:
                report.add("would send", f"{describe(email)}: “{message.subject}”")
        db.session.rollback()
        return report
    db.session.commit()
    while ids := claim(now):
        for email_id in ids:
            deliver(email_id, now, report)
    return report


def _claimable(now: datetime):
    return (
        select(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.QUEUED, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
    )


def claim(now: datetime, limit: int = CLAIM_BATCH, only: int | None = None) -> list[int]:
    """Mark a batch of due emails (or the one email ``only``) as this process's to send, and
    commit: no other run sends them."""
    clock = utcnow()  # the real time, whatever moment the run decides for
    write_lock()
    db.session.execute(  # claims of a run that died part-way: theirs to send again
        update(OutboxEmail)
        .where(
            OutboxEmail.status == EmailStatus.SENDING, OutboxEmail.claimed_at < clock - STALE_CLAIM
        )
        .values(status=EmailStatus.QUEUED)
    )
    claimable = _claimable(now) if only is None else _claimable(now).where(OutboxEmail.id == only)
    ids = list(
        db.session.scalars(
            claimable.with_only_columns(OutboxEmail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(ids), OutboxEmail.status == EmailStatus.QUEUED)
            .values(status=EmailStatus.SENDING, claimed_at=clock)
        )
    db.session.commit()
    return ids


# An email with what deciding and writing it reads, in one query.
_WITH_CONTEXT = (
    joinedload(OutboxEmail.user).joinedload(User.candidate),
    joinedload(OutboxEmail.link),
    joinedload(OutboxEmail.step).joinedload(Step.interview).joinedload(Interview.employer),
)


def _what_to_send(email: OutboxEmail, now: datetime) -> tuple[str | None, mail.Message | None]:
    """Why the email must not go out, or else its email (None when there is nothing to say)."""
    reason = why_not(email, now)
    return reason, None if reason else compose(email, now)


def why_not(email: OutboxEmail, now: datetime) -> str | None:
    """Why this email must not go out any more, or None."""
    user = email.user
    if not user.active:
        return "the account is deactivated"
    if email.is_reminder and not getattr(user, _SETTING[email.kind]):
        return "they turned these emails off"
    if email.kind == EmailKind.DIGEST:
        return _stale_digest(email, now)
    if email.kind in (EmailKind.THANK_YOU, EmailKind.FOLLOW_UP):
        return _stale_nudge(email, now)
    if email.kind in (EmailKind.INVITATION, EmailKind.PASSWORD_RESET):
        return _stale_link(email)
    return None


def _stale_nudge(email: OutboxEmail, now: datetime) -> str | None:
    step = email.step
    if step is None or step.result is not None:
        return "the step was done, waived or is no longer needed"
    if step.candidate_id != getattr(email.user.candidate, "id", None):
        return "the step is no longer theirs"
    if step.due_at <= now:
        return "the step is already due: a reminder now would come too late"
    return None


def _stale_link(email: OutboxEmail) -> str | None:
    """A link used, replaced or expired before its email went: the email would not work."""
    if email.link is None:
        return "the link is gone"
    problem = link_problem(email.link, utcnow())
    if problem is not None:
        return STALE_LINK[problem]
    if link_token(email.link) is None:
        return "the link cannot be written again (it was made under another SECRET_KEY)"
    return None


STALE_LINK = {
    LinkProblem.USED: "the link was already used",
    LinkProblem.REPLACED: "a newer link replaced it",
    LinkProblem.EXPIRED: "the link expired before it could be sent",
    LinkProblem.INACTIVE: "the account is deactivated",
}


def _stale_digest(email: OutboxEmail, now: datetime) -> str | None:
    """A digest held up (by a mail server that was down) that a newer one or a new day replaced."""
    zone = agency_zone()
    if email.created_at.astimezone(zone).date() != now.astimezone(zone).date():
        return "it was for an earlier day"
    newer = db.session.scalar(
        select(OutboxEmail.id)
        .where(
            OutboxEmail.user_id == email.user_id,
            OutboxEmail.kind == EmailKind.DIGEST,
            OutboxEmail.id > email.id,
            OutboxEmail.status != EmailStatus.DROPPED,
        )
        .limit(1)
    )
    return "a newer digest replaces it" if newer else None


def _held_until(email: OutboxEmail, now: datetime) -> datetime | None:
    """Candidates are not emailed at night: when a nudge comes up then, the next morning."""
    if email.kind not in (EmailKind.THANK_YOU, EmailKind.FOLLOW_UP):
        return None
    local = now.astimezone(agency_zone())
    if nudge_hours(local):
        return None
    day = local.date() + timedelta(days=1) if local.time() >= NUDGES_UNTIL else local.date()
    return datetime.combine(day, NUDGES_FROM, tzinfo=local.tzinfo).astimezone(UTC)


_SETTING = {
    EmailKind.DIGEST: "digest_emails",
    EmailKind.THANK_YOU: "thank_you_nudges",
    EmailKind.FOLLOW_UP: "follow_up_nudges",
}


def deliver(email_id: int, now: datetime, report: RunReport) -> None:
    """Send one claimed email and record what happened (one transaction). Whatever goes
    wrong with this one is recorded on it and retried; it never stops the others."""
    email = db.session.get_one(OutboxEmail, email_id, options=_WITH_CONTEXT)  # claimed: it is there
    try:
        held_until = _held_until(email, now)
        if held_until is not None:
            email.status, email.next_attempt_at = EmailStatus.QUEUED, held_until
            report.add("held until morning", describe(email))
            db.session.commit()
            return
        reason, message = _what_to_send(email, now)
        if message is None:
            email.status, email.last_error = (
                EmailStatus.DROPPED,
                reason or "nothing left to say",
            )
            report.add("skipped", f"{describe(email)} ({email.last_error})")
            db.session.commit()
            return
        mail.send(message)
    except Exception as exc:  # recorded on the email; the run goes on
        if not isinstance(exc, mail.MailError):
            current_app.logger.exception("Email %s could not be sent", email_id)
        db.session.rollback()
        _not_sent(db.session.get_one(OutboxEmail, email_id), now, exc, report)
    else:
        report.add("sent", f"{describe(email)}: “{message.subject}”")
        _record_sent(email_id, message, now)
    db.session.commit()


def _record_sent(email_id: int, message: mail.Message, now: datetime) -> None:
    """Note the email as sent, with where it went and its subject, unless the person was
    erased while it was on its way: then the row keeps nothing that names them."""
    sent = {
        "status": EmailStatus.SENT,
        "sent_at": now,
        "last_error": "",
        "attempts": OutboxEmail.attempts + 1,
    }
    row = update(OutboxEmail).where(OutboxEmail.id == email_id)
    named = db.session.execute(
        row.where(OutboxEmail.subject != ERASED)
        .values(**sent, to_address=message.to, subject=message.subject[:200])
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, named).rowcount == 0:
        db.session.execute(row.values(**sent).execution_options(synchronize_session=False))


def _not_sent(email: OutboxEmail, now: datetime, exc: Exception, report: RunReport) -> None:
    """Count the try; queue it again after a pause, or give up after MAX_ATTEMPTS."""
    email.attempts += 1
    reason = str(exc) if isinstance(exc, mail.MailError) else f"{exc.__class__.__name__}: {exc}"
    email.last_error = reason[:300]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
        report.add("failed", f"{describe(email)} after {email.attempts} tries: {reason}")
    else:
        email.status = EmailStatus.QUEUED
        email.next_attempt_at = now + RETRY_AFTER[min(email.attempts, len(RETRY_AFTER)) - 1]
        report.add(
            "not sent, will retry",
            f"{describe(email)} at {format_local(email.next_attempt_at)}: {reason}",
        )


def describe(email: OutboxEmail) -> str:
    return f"{email.kind.label.lower()} to {email.user.email} ({email.key})"


def send_now(email_id: int) -> RunReport:
    """Send one queued email at once, if no one else has claimed it (the sender thread's
    try right after a request). A failure leaves it queued, with its backoff, for the run."""
    now = utcnow()
    report = RunReport()
    for claimed in claim(now, limit=1, only=email_id):
        deliver(claimed, now, report)
    return report
