"""Sending what the outbox holds: each email once, retried with backoff when it cannot go.

``run`` is what ``flask --app portal reminders send`` calls from cron, every few minutes,
on every app server. It has two halves:

* **decide** (``reminders``): insert the reminders due now into the outbox.
* **deliver**: claim queued emails (PostgreSQL: row locks with SKIP LOCKED; SQLite: its
  write lock, BEGIN IMMEDIATE), then send each one after checking it still has something to
  say: a step done or waived in the meantime, a deactivated person or one who turned that
  kind off, gets no email.

A message the mail server cannot take stays queued with its error and is retried with
backoff; after ``MAX_ATTEMPTS`` it is marked failed and shown to admins on the outbox page.
The one gap left: a process killed between the server accepting a message and the outbox
recording it leaves the row "sending"; after ``STALE_CLAIM`` it is sent again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Interview, Reminder, ReminderKind, ReminderStatus, Step, User
from ..times import agency_zone, format_local, utcnow
from . import mail
from .messages import compose
from .reminders import NUDGES_FROM, NUDGES_UNTIL, decide, nudge_hours, write_lock
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
        current_app.logger.exception("Reminder run: deciding failed")
        report.add(
            "error",
            f"deciding what is due failed ({exc.__class__.__name__}: {exc}); sending what is queued",
        )
    if dry_run:
        for reminder in db.session.scalars(_claimable(now).options(*_WITH_CONTEXT)):
            reason, message = _what_to_send(reminder, now)
            if message is None:
                report.add(
                    "would skip", f"{describe(reminder)} ({reason or 'nothing left to say'})"
                )
            else:
                report.add("would send", f"{describe(reminder)}: “{message.subject}”")
        db.session.rollback()
        return report
    db.session.commit()
    while ids := claim(now):
        for reminder_id in ids:
            deliver(reminder_id, now, report)
    return report


def _claimable(now: datetime):
    return (
        select(Reminder)
        .where(Reminder.status == ReminderStatus.QUEUED, Reminder.next_attempt_at <= now)
        .order_by(Reminder.next_attempt_at, Reminder.id)
    )


def claim(now: datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Mark a batch of due reminders as this run's to send, and commit: no other run sends them."""
    clock = utcnow()  # the real time, whatever moment the run decides for
    write_lock()
    db.session.execute(  # claims of a run that died part-way: theirs to send again
        update(Reminder)
        .where(Reminder.status == ReminderStatus.SENDING, Reminder.claimed_at < clock - STALE_CLAIM)
        .values(status=ReminderStatus.QUEUED)
    )
    ids = list(
        db.session.scalars(
            _claimable(now)
            .with_only_columns(Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.status == ReminderStatus.QUEUED)
            .values(status=ReminderStatus.SENDING, claimed_at=clock)
        )
    db.session.commit()
    return ids


# A reminder with what deciding and writing it reads, in one query.
_WITH_CONTEXT = (
    joinedload(Reminder.user).joinedload(User.candidate),
    joinedload(Reminder.step).joinedload(Step.interview).joinedload(Interview.employer),
)


def _what_to_send(reminder: Reminder, now: datetime) -> tuple[str | None, mail.Message | None]:
    """Why the reminder must not go out, or else its email (None when there is nothing to say)."""
    reason = why_not(reminder, now)
    return reason, None if reason else compose(reminder, now)


def why_not(reminder: Reminder, now: datetime) -> str | None:
    """Why this reminder must not go out any more, or None."""
    user = reminder.user
    if not user.active:
        return "the account is deactivated"
    if not getattr(user, _SETTING[reminder.kind]):
        return "they turned these emails off"
    if reminder.kind == ReminderKind.DIGEST:
        return _stale_digest(reminder, now)
    step = reminder.step
    if step is None or step.result is not None:
        return "the step was done, waived or is no longer needed"
    if step.candidate_id != getattr(user.candidate, "id", None):
        return "the step is no longer theirs"
    if step.due_at <= now:
        return "the step is already due: a reminder now would come too late"
    return None


def _stale_digest(reminder: Reminder, now: datetime) -> str | None:
    """A digest held up (by a mail server that was down) that a newer one or a new day replaced."""
    zone = agency_zone()
    if reminder.created_at.astimezone(zone).date() != now.astimezone(zone).date():
        return "it was for an earlier day"
    newer = db.session.scalar(
        select(Reminder.id)
        .where(
            Reminder.user_id == reminder.user_id,
            Reminder.kind == ReminderKind.DIGEST,
            Reminder.id > reminder.id,
            Reminder.status != ReminderStatus.DROPPED,
        )
        .limit(1)
    )
    return "a newer digest replaces it" if newer else None


def _held_until(reminder: Reminder, now: datetime) -> datetime | None:
    """Candidates are not emailed at night: when a nudge comes up then, the next morning."""
    if reminder.kind == ReminderKind.DIGEST:
        return None
    local = now.astimezone(agency_zone())
    if nudge_hours(local):
        return None
    day = local.date() + timedelta(days=1) if local.time() >= NUDGES_UNTIL else local.date()
    return datetime.combine(day, NUDGES_FROM, tzinfo=local.tzinfo).astimezone(UTC)


_SETTING = {
    ReminderKind.DIGEST: "digest_emails",
    ReminderKind.THANK_YOU: "thank_you_nudges",
    ReminderKind.FOLLOW_UP: "follow_up_nudges",
}


def deliver(reminder_id: int, now: datetime, report: RunReport) -> None:
    """Send one claimed reminder and record what happened (one transaction). Whatever goes
    wrong with this one is recorded on it and retried; it never stops the others."""
    reminder = db.session.get(Reminder, reminder_id, options=_WITH_CONTEXT)
    try:
        held_until = _held_until(reminder, now)
        if held_until is not None:
            reminder.status, reminder.next_attempt_at = ReminderStatus.QUEUED, held_until
            report.add("held until morning", describe(reminder))
            db.session.commit()
            return
        reason, message = _what_to_send(reminder, now)
        if message is None:
            reminder.status, reminder.last_error = (
                ReminderStatus.DROPPED,
                reason or "nothing left to say",
            )
            report.add("skipped", f"{describe(reminder)} ({reminder.last_error})")
            db.session.commit()
            return
        reminder.to_address, reminder.subject = message.to, message.subject[:200]
        mail.send(message)
    except Exception as exc:  # recorded on the reminder; the run goes on
        if not isinstance(exc, mail.MailError):
            current_app.logger.exception("Reminder %s could not be sent", reminder_id)
        db.session.rollback()
        _not_sent(db.session.get(Reminder, reminder_id), now, exc, report)
    else:
        reminder.attempts += 1
        reminder.status, reminder.sent_at, reminder.last_error = ReminderStatus.SENT, now, ""
        report.add("sent", f"{describe(reminder)}: “{message.subject}”")
    db.session.commit()


def _not_sent(reminder: Reminder, now: datetime, exc: Exception, report: RunReport) -> None:
    """Count the try; queue it again after a pause, or give up after MAX_ATTEMPTS."""
    reminder.attempts += 1
    reason = str(exc) if isinstance(exc, mail.MailError) else f"{exc.__class__.__name__}: {exc}"
    reminder.last_error = reason[:300]
    if reminder.attempts >= MAX_ATTEMPTS:
        reminder.status = ReminderStatus.FAILED
        report.add("failed", f"{describe(reminder)} after {reminder.attempts} tries: {reason}")
    else:
        reminder.status = ReminderStatus.QUEUED
        reminder.next_attempt_at = now + RETRY_AFTER[min(reminder.attempts, len(RETRY_AFTER)) - 1]
        report.add(
            "not sent, will retry",
            f"{describe(reminder)} at {format_local(reminder.next_attempt_at)}: {reason}",
        )


def describe(reminder: Reminder) -> str:
    return f"{reminder.kind.label.lower()} to {reminder.user.email} ({reminder.key})"
