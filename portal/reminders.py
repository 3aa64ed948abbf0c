"""Reminder emails: the recruiters' digest and the candidates' nudges, each sent once.

``run`` is what ``flask --app portal reminders send`` calls from cron, every few minutes,
on every app server. It has two halves:

* **decide**: work out which reminders are due now and insert them into the outbox in the
  same transaction, each under a unique key (person, kind, step, occasion). A second run
  deciding at the same moment inserts nothing new (ON CONFLICT DO NOTHING).
* **deliver**: claim queued reminders (PostgreSQL: row locks with SKIP LOCKED; SQLite: its
  write lock, BEGIN IMMEDIATE), then send each one after checking it still has something to
  say: a step done or waived in the meantime, a deactivated person or one who turned that
  kind off, gets no email.

A message the mail server cannot take stays queued with its error and is retried with
backoff; after ``MAX_ATTEMPTS`` it is marked failed and shown to admins on the outbox page.
The one gap left: a process killed between the server accepting a message and the outbox
recording it leaves the row "sending"; after ``STALE_CLAIM`` it is sent again.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from . import mail
from .accounts import external_url
from .compliance import open_steps_in_context
from .draft_views import SLUG_OF
from .extensions import db
from .followup import TO_DO, StepKind
from .followup.rules import span_words
from .models import (
    Candidate,
    Employer,
    Interview,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    Step,
    User,
)
from .steps import business_calendar, current_policy
from .times import agency_zone, format_local, local_day_bounds, utcnow

MORNING = time(8, 0)  # the morning digest goes at or after this local time, on business days
DIGEST_UNTIL = time(
    18, 0
)  # no digests after this; a queue that changes later waits for the morning
NUDGES_FROM, NUDGES_UNTIL = time(8, 0), time(20, 0)  # candidates are not emailed at night
DIGEST_GAP = timedelta(minutes=60)  # at most one "your queue changed" digest an hour
THANK_YOU_NUDGE_AFTER = timedelta(hours=3)  # after the interview ends
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
DIGEST_LISTED = 40  # steps listed in one digest; the rest are counted, with a link to the queue


@dataclass
class RunReport:
    """What a run did, one line per reminder, and the totals."""

    lines: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, outcome: str, line: str) -> None:
        self.counts[outcome] += 1
        self.lines.append(f"{outcome}: {line}")


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


# Deciding ---------------------------------------------------------------------------------


DECIDING_LOCK = 7_205_311  # PostgreSQL advisory lock number: one run decides at a time


def write_lock(*, deciding: bool = False) -> None:
    """Take turns for the rest of this transaction. SQLite: its write lock (BEGIN
    IMMEDIATE). PostgreSQL: claims lock only their own rows (``claim``), but deciding
    takes a transaction-level advisory lock, so two runs never both see the same "last
    digest" and both send a new one."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    elif deciding and dialect == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(DECIDING_LOCK)))


def decide(now: datetime, report: RunReport, outcome: str = "queued") -> None:
    """Insert the reminders due now into the outbox (not committed: the caller commits)."""
    db.session.commit()  # start a fresh transaction, so the lock covers all of it
    write_lock(deciding=True)
    rows = _digests(now, report) + _nudges(now, report)
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    new = set(
        db.session.scalars(
            insert(Reminder)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Reminder.key)
        )
    )
    for row in rows:
        if row["key"] in new:
            report.add(outcome, row["key"])


def _row(
    user_id: int,
    kind: ReminderKind,
    occasion: str,
    now: datetime,
    step_id: int | None = None,
    step_ids: str = "",
) -> dict:
    return {
        "key": f"{user_id}:{kind.value}:{step_id or '-'}:{occasion}",
        "user_id": user_id,
        "kind": kind,
        "step_id": step_id,
        "occasion": occasion,
        "step_ids": step_ids,
        "status": ReminderStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "to_address": "",
        "subject": "",
        "last_error": "",
    }


def _digests(now: datetime, report: RunReport) -> list[dict]:
    """Recruiters' digests: each business morning, and when new steps enter their queue."""
    local = now.astimezone(agency_zone())
    if (
        not business_calendar().is_business_day(local.date())
        or not MORNING <= local.time() < DIGEST_UNTIL
    ):
        return []
    recruiters = db.session.execute(
        select(User.id, User.digest_emails).where(
            User.role == Role.RECRUITER, User.active.is_(True)
        )
    ).all()
    wanted = [r.id for r in recruiters if r.digest_emails]
    report.counts["digests turned off"] += len(recruiters) - len(wanted)
    queues = _queue_ids(wanted, now)
    latest = {
        r.user_id: r
        for r in db.session.scalars(
            select(Reminder).where(
                Reminder.id.in_(
                    select(func.max(Reminder.id))
                    .where(Reminder.kind == ReminderKind.DIGEST, Reminder.user_id.in_(wanted))
                    .group_by(Reminder.user_id)
                )
            )
        )
    }
    morning = local.replace(hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0)
    rows = []
    for recruiter_id in wanted:
        queue = queues.get(recruiter_id)
        if not queue:
            continue
        last = latest.get(recruiter_id)
        ids = ",".join(str(i) for i in sorted(queue))
        if last is None or last.created_at < morning:
            occasion = f"morning:{local.date().isoformat()}"
        elif queue - last.queue and now - last.created_at >= DIGEST_GAP:
            occasion = "change:" + hashlib.sha256(ids.encode()).hexdigest()[:16]
        else:
            continue
        rows.append(_row(recruiter_id, ReminderKind.DIGEST, occasion, now, step_ids=ids))
    return rows


def _queue_filter(now: datetime):
    """Open steps due by the end of today (overdue ones too), or whose window opens today."""
    day_start, day_end = local_day_bounds(now.astimezone(agency_zone()).date())
    return and_(
        Step.result.is_(None),
        or_(Step.due_at < day_end, and_(Step.opens_at >= day_start, Step.opens_at < day_end)),
    )


def _queue_ids(recruiter_ids: list[int], now: datetime) -> dict[int, set[int]]:
    queues: dict[int, set[int]] = defaultdict(set)
    if recruiter_ids:
        for recruiter_id, step_id in db.session.execute(
            select(Step.recruiter_id, Step.id).where(
                Step.recruiter_id.in_(recruiter_ids), _queue_filter(now)
            )
        ):
            queues[recruiter_id].add(step_id)
    return queues


def _nudges(now: datetime, report: RunReport) -> list[dict]:
    """Candidates' nudges: the thank-you a few hours after the interview, the follow-up
    when its window opens; by day only, and only while the step is open and not yet due."""
    if not _nudge_hours(now.astimezone(agency_zone())):
        return []
    lead = max(
        timedelta(hours=current_policy().thank_you_hours) - THANK_YOU_NUDGE_AFTER,
        timedelta(hours=1),
    )
    nudged = select(Reminder.id).where(Reminder.step_id == Step.id).exists()
    rows = []
    for step_id, kind, user_id, thank_you_on, follow_up_on in db.session.execute(
        select(Step.id, Step.kind, User.id, User.thank_you_nudges, User.follow_up_nudges)
        .join(Candidate, Candidate.id == Step.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(
            User.active.is_(True),
            Step.result.is_(None),
            Step.due_at > now,
            ~nudged,
            or_(
                and_(Step.kind == StepKind.THANK_YOU, Step.due_at <= now + lead),
                and_(Step.kind == StepKind.FOLLOW_UP, Step.opens_at <= now),
            ),
        )
    ):
        if not (thank_you_on if kind == StepKind.THANK_YOU else follow_up_on):
            report.counts["nudges turned off"] += 1
            continue
        # One nudge per step: a due time moved by a policy change or an edit is not a new occasion.
        rows.append(_row(user_id, ReminderKind(kind.value), "once", now, step_id=step_id))
    return rows


# Delivering -------------------------------------------------------------------------------


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


def _nudge_hours(local: datetime) -> bool:
    """Candidates are emailed by day only."""
    return NUDGES_FROM <= local.time() < NUDGES_UNTIL


def _held_until(reminder: Reminder, now: datetime) -> datetime | None:
    """Candidates are not emailed at night: when a nudge comes up then, the next morning."""
    if reminder.kind == ReminderKind.DIGEST:
        return None
    local = now.astimezone(agency_zone())
    if _nudge_hours(local):
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


# What the emails say ----------------------------------------------------------------------


def compose(reminder: Reminder, now: datetime) -> mail.Message | None:
    """The email for a reminder, written from the data as it is now (None: nothing to say)."""
    if reminder.kind == ReminderKind.DIGEST:
        return _digest_message(reminder.user, now)
    return _nudge_message(reminder, now)


@dataclass(frozen=True)
class QueueLine:
    step: Step
    candidate: Candidate
    employer: Employer
    interview: Interview
    when: str  # "overdue by 2 days", "due today 17:00", "window opens today"


def _digest_message(recruiter: User, now: datetime) -> mail.Message | None:
    steps = db.session.execute(
        open_steps_in_context(recruiter).where(
            Step.recruiter_id == recruiter.id, _queue_filter(now)
        )
    ).all()
    if not steps:
        return None
    overdue = sum(step.due_at < now for step, *_ in steps)
    _, day_end = local_day_bounds(now.astimezone(agency_zone()).date())
    lines = [
        QueueLine(step, candidate, employer, interview, _when(step, now, day_end))
        for step, interview, candidate, employer in _most_urgent(steps, now)[:DIGEST_LISTED]
    ]
    by_candidate: dict[int, list[QueueLine]] = defaultdict(list)
    for line in lines:
        by_candidate[line.candidate.id].append(line)
    parts = [f"{overdue} overdue"] if overdue else []
    if len(steps) > overdue:
        parts.append(f"{len(steps) - overdue} due or opening today")
    return mail.message(
        recruiter.email,
        "Follow-ups: " + ", ".join(parts),
        "digest.txt",
        recruiter=recruiter,
        groups=list(by_candidate.values()),
        total=len(steps),
        listed=len(lines),
        overdue=overdue,
        to_do=TO_DO,
        step_url=_step_url,
        queue_url=external_url("recruiter.queue"),
        settings_url=external_url("auth.notifications"),
    )


def _most_urgent(steps: list, now: datetime) -> list:
    """Due today first (they can still be done on time), then the most recently overdue."""
    return sorted(steps, key=lambda row: (row[0].due_at < now, abs(row[0].due_at - now)))


def _when(step: Step, now: datetime, day_end: datetime) -> str:
    if step.due_at < now:
        return f"overdue by {span_words(now - step.due_at)}"
    if step.due_at < day_end:
        return f"due today by {format_local(step.due_at, '%H:%M')}"
    return f"window opens today, due {format_local(step.due_at, '%a %-d %b, %H:%M')}"


def _step_url(step: Step) -> str:
    return external_url("recruiter.step", step_id=step.id)


def _nudge_message(reminder: Reminder, now: datetime) -> mail.Message:
    step = reminder.step
    interview = step.interview
    user = reminder.user
    if step.kind == StepKind.THANK_YOU:
        subject = f"Your thank-you note to {interview.employer.name}"
    else:
        subject = f"Time to follow up with {interview.employer.name}"
    return mail.message(
        user.email,
        subject,
        f"nudge_{step.kind.value}.txt",
        user=user,
        step=step,
        interview=interview,
        due=format_local(step.due_at, "%A %-d %B, %H:%M"),
        left=span_words(step.due_at - now),
        draft_url=external_url(
            "candidate.draft", interview_id=interview.id, slug=SLUG_OF[step.kind]
        ),
        checklist_url=external_url("candidate.home", _anchor=f"interview-{interview.id}"),
        settings_url=external_url("auth.notifications"),
        agency=current_app.config["AGENCY_NAME"],
    )
