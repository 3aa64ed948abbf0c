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

Each email goes to the mail server once, also when a run dies or the database goes away:

* A run claims emails under a claim id of its own, a fencing token: every later change a
  run makes to an email is made only while the email is still claimed under its id.
* Just before a message goes to the mail server, the run writes on its row that it is
  handing it over, with the ``Message-ID`` it carries (the same on every try), and commits.
* Once the mail server has taken it, recording "sent" waits for a database that went away
  (a restart, a lock held too long) for ``OUTBOX_DATABASE_PATIENCE`` seconds.

What a dead run leaves: an email claimed but not handed over is claimable again after
``UNHANDED_CLAIM`` (at once when the run could let go of it itself, as it does with one the
mail server refused); one handed over whose answer was never recorded is, after
``STALE_CLAIM``, marked sent with a note naming its Message-ID, to look up in the mail
server's log. It is never sent twice; if the mail server had in fact not taken it in that
moment, it is lost, and the note says where to check.

Two limits that come with SMTP and with several servers: a connection that drops after the
message's last line was sent, before the server's answer, leaves it unknown whether the
server took it; it is tried again, with the same Message-ID, which mail systems use to
show a duplicate once (RFC 1047 describes the gap). Claims are judged stale by each app
server's clock: keep the clocks in time (NTP).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar, cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import joinedload

from ..accounts.links import LinkProblem, link_problem, link_token
from ..extensions import db, write_lock
from ..models import Application, EmailKind, EmailStatus, Interview, OutboxEmail, Step, User
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

# A claimed email not yet handed to the mail server: after this, another run may take it
# (the claim id keeps the first from sending it too, should it be alive after all).
UNHANDED_CLAIM = timedelta(minutes=1)
# An email handed to the mail server whose answer was never recorded: after this, it is
# marked sent (the run that handed it over has long given up waiting for the database).
STALE_CLAIM = timedelta(minutes=15)
UNCONFIRMED = (
    "Not confirmed: the run stopped before it could record the mail server's answer. "
    "Its log, under this email's Message-ID, says whether it went; it is not sent again."
)

CLAIM_BATCH = 5  # small, so runs that overlap share the work

T = TypeVar("T")


def run(now: datetime, *, dry_run: bool = False, report: RunReport | None = None) -> RunReport:
    """Decide what is due, then send what is queued; with ``dry_run`` nothing is changed or
    sent. What it did goes in ``report`` (given, it holds what happened even when the run
    stops because the database went away: ``DATABASE_GONE`` is raised).

    ``now`` is the moment decisions are made for (``--as-of`` can set it); claims are
    stamped and judged stale by the real clock, so a run can never take another run's claim
    for abandoned."""
    report = RunReport() if report is None else report
    try:
        decide(now, report, "would queue" if dry_run else "queued")
    except DATABASE_GONE:
        raise
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
    _send_claimed(now, report)
    return report


def _send_claimed(now: datetime, report: RunReport, only: int | None = None) -> None:
    """Claim what is due (or the one email ``only``) batch by batch, and send it. When the
    database goes away for good, let go of what was claimed and not handed over, if it can."""
    claim_id = secrets.token_hex(16)
    not_taken: set[int] = set()  # the email in hand, until the mail server takes it
    try:
        limit = 1 if only else CLAIM_BATCH
        while ids := _patiently(partial(claim, now, claim_id, limit=limit, only=only)):
            for email_id in ids:
                not_taken.clear()
                deliver(email_id, now, report, claim_id, not_taken)
    except DATABASE_GONE:
        _let_go(claim_id, not_taken)
        raise


def _let_go(claim_id: str, not_taken: set[int]) -> None:
    """Queue again what this claim holds and the mail server has not taken (never handed
    over, or known refused), so that the next run need not wait: if the database comes
    back while the run waits for it."""
    _rollback()
    try:
        _patiently(
            lambda: db.session.execute(
                update(OutboxEmail)
                .where(
                    OutboxEmail.claim_id == claim_id,
                    OutboxEmail.status == EmailStatus.SENDING,
                    or_(OutboxEmail.handed_at.is_(None), OutboxEmail.id.in_(not_taken)),
                )
                .values(status=EmailStatus.QUEUED, claim_id=None, handed_at=None)
            )
        )
    except DATABASE_GONE:
        _rollback()  # then UNHANDED_CLAIM after its claim, another run takes them


def _claimable(now: datetime):
    return (
        select(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.QUEUED, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
    )


def claim(
    now: datetime, claim_id: str, limit: int = CLAIM_BATCH, only: int | None = None
) -> list[int]:
    """Mark a batch of due emails (or the one email ``only``) as claimed under ``claim_id``,
    and commit: no other run sends them."""
    clock = utcnow()  # the real time, whatever moment the run decides for
    write_lock()
    _settle_abandoned(clock)
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
            .values(status=EmailStatus.SENDING, claimed_at=clock, claim_id=claim_id, handed_at=None)
        )
    db.session.commit()
    return ids


def _settle_abandoned(clock: datetime) -> None:
    """What runs that died (or lost the database) left claimed: send again what was never
    handed to the mail server; mark sent, unconfirmed, what was."""
    db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.status == EmailStatus.SENDING,
            OutboxEmail.handed_at.is_(None),
            OutboxEmail.claimed_at < clock - UNHANDED_CLAIM,
        )
        .values(status=EmailStatus.QUEUED, claim_id=None)
    )
    db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.status == EmailStatus.SENDING,
            OutboxEmail.handed_at < clock - STALE_CLAIM,
        )
        .values(
            status=EmailStatus.SENT,
            sent_at=OutboxEmail.handed_at,
            attempts=OutboxEmail.attempts + 1,
            last_error=UNCONFIRMED,
        )
    )


# An email with what deciding and writing it reads, in one query.
_WITH_CONTEXT = (
    joinedload(OutboxEmail.user).joinedload(User.candidate),
    joinedload(OutboxEmail.application).joinedload(Application.candidate),
    joinedload(OutboxEmail.application).joinedload(Application.job),
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
    if user is None:  # an applicant's confirmation
        application = email.application
        if application is None or application.candidate.erased_at is not None:
            return "the applicant was erased"
        return None
    if not user.active:
        return "the account is deactivated"
    if email.is_reminder and not getattr(user, _SETTING[email.kind]):
        return "they turned these emails off"
    if email.kind == EmailKind.DIGEST:
        return _stale_digest(email, now)
    if email.kind in (EmailKind.THANK_YOU, EmailKind.FOLLOW_UP):
        return _stale_nudge(email, now)
    if email.kind in (EmailKind.INVITATION, EmailKind.PASSWORD_RESET, EmailKind.EMAIL_CHANGE):
        return _stale_link(email)
    if email.kind == EmailKind.EMAIL_CHANGE_NOTICE and email.link is None:
        return "the link is gone"
    return None


def _stale_nudge(email: OutboxEmail, now: datetime) -> str | None:
    step = email.step
    if step is None or step.result is not None:
        return "the step was done, waived or is no longer needed"
    if step.candidate_id != getattr(email.user and email.user.candidate, "id", None):
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


@dataclass(frozen=True)
class _Handed:
    """What ``_hand_over`` decided: a message to send now, or what became of the email."""

    described: str
    message: mail.Message | None = None
    outcome: tuple[str, str] | None = None  # a report line: what, and the detail


def deliver(
    email_id: int,
    now: datetime,
    report: RunReport,
    claim_id: str,
    not_taken: set[int] | None = None,
) -> None:
    """Send one email claimed under ``claim_id`` and record what happened. Whatever goes
    wrong with this one is recorded on it and retried; it never stops the others. A database
    that went away is waited for; one that stays away stops the run (``DATABASE_GONE``).

    While the mail server has not taken the email, its id is in ``not_taken``: a run that
    stops then may put it back in the queue, hand-over noted or not."""
    not_taken = set() if not_taken is None else not_taken
    not_taken.add(email_id)
    try:
        handed = _patiently(partial(_hand_over, email_id, now, claim_id))
    except DATABASE_GONE:
        raise
    except Exception as exc:  # writing it failed: recorded on it, the run goes on
        current_app.logger.exception("Email %s could not be sent", email_id)
        _rollback()
        report.add(*_patiently(partial(_not_sent, email_id, claim_id, now, exc)))
        return
    if handed.message is None:
        report.add(*(handed.outcome or ("skipped", handed.described)))
        return
    try:
        mail.send(handed.message)
    except Exception as exc:  # recorded on the email; the run goes on
        if not isinstance(exc, mail.MailError):
            current_app.logger.exception("Email %s could not be sent", email_id)
        else:
            current_app.logger.warning("Email %s was not sent: %s", email_id, exc)
        report.add(*_patiently(partial(_not_sent, email_id, claim_id, now, exc)))
        return
    not_taken.discard(email_id)  # the mail server has it: from now on, never again
    report.add("sent", f"{handed.described}: “{handed.message.subject}”")
    _patiently(
        lambda: _settle(
            email_id,
            claim_id,
            status=EmailStatus.SENT,
            sent_at=now,
            last_error="",
            attempts=OutboxEmail.attempts + 1,
        )
    )


def _hand_over(email_id: int, now: datetime, claim_id: str) -> _Handed:
    """Decide what to do with the email. When it is to be sent, note on its row that it is
    being handed to the mail server, with its Message-ID, address and subject; the caller
    commits, then sends. An email taken over by another run, or whose person was erased
    meanwhile, is not sent."""
    email = db.session.get_one(OutboxEmail, email_id, options=_WITH_CONTEXT)  # claimed: it is there
    described = describe(email)
    held_until = _held_until(email, now)
    if held_until is not None:
        _settle(email_id, claim_id, status=EmailStatus.QUEUED, next_attempt_at=held_until)
        return _Handed(described, outcome=("held until morning", described))
    reason, message = _what_to_send(email, now)
    if message is None:
        reason = reason or "nothing left to say"
        _settle(email_id, claim_id, status=EmailStatus.DROPPED, last_error=reason)
        return _Handed(described, outcome=("skipped", f"{described} ({reason})"))
    message = replace(message, message_id=email.message_id or message_id(email.key))
    noted = _settle(
        email_id,
        claim_id,
        OutboxEmail.subject != ERASED,
        handed_at=utcnow(),
        message_id=message.message_id,
        to_address=message.to,
        subject=message.subject[:200],
    )
    if noted:
        return _Handed(described, message=message)
    if _settle(
        email_id,
        claim_id,
        OutboxEmail.subject == ERASED,
        status=EmailStatus.DROPPED,
        last_error="the person was erased",
    ):
        return _Handed(described, outcome=("skipped", f"{described} (the person was erased)"))
    return _Handed(described, outcome=("skipped", f"{described} (another run took it over)"))


def _settle(email_id: int, claim_id: str, *conditions, **values) -> bool:
    """Change a claimed email, if it is still claimed under ``claim_id`` (and ``conditions``
    hold): a run whose claim was taken over changes nothing. True when it changed."""
    if values.get("status") == EmailStatus.QUEUED:
        values.update(claim_id=None, handed_at=None)
    changed = db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.claim_id == claim_id,
            OutboxEmail.status == EmailStatus.SENDING,
            *conditions,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, changed).rowcount > 0


def message_id(key: str) -> str:
    """The Message-ID of the outbox email with this key: the same on every try of it, and
    telling nothing of the key to whoever reads the header."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), key.encode(), hashlib.sha256)
    return (
        f"<outbox.{digest.hexdigest()[:32]}@{mail.sender_domain(current_app.config['MAIL_FROM'])}>"
    )


def _not_sent(email_id: int, claim_id: str, now: datetime, exc: Exception) -> tuple[str, str]:
    """Count the try; queue it again after a pause, or give up after MAX_ATTEMPTS. Returns
    the report line."""
    email = db.session.get_one(OutboxEmail, email_id, options=_WITH_CONTEXT)
    attempts = email.attempts + 1
    reason = str(exc) if isinstance(exc, mail.MailError) else f"{exc.__class__.__name__}: {exc}"
    tried = {"attempts": attempts, "last_error": reason[:300]}
    if attempts >= MAX_ATTEMPTS:
        _settle(email_id, claim_id, status=EmailStatus.FAILED, **tried)
        return "failed", f"{describe(email)} after {attempts} tries: {reason}"
    next_attempt_at = now + RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
    _settle(email_id, claim_id, status=EmailStatus.QUEUED, next_attempt_at=next_attempt_at, **tried)
    return (
        "not sent, will retry",
        f"{describe(email)} at {format_local(next_attempt_at)}: {reason}",
    )


# What a database that went away raises: a dropped connection, a refused one, a lock held
# past SQLite's busy timeout.
DATABASE_GONE = (OperationalError, InterfaceError)


def _patiently(write: Callable[[], T]) -> T:
    """Run ``write`` and commit. When the database goes away meanwhile, reconnect and try
    again, for up to OUTBOX_DATABASE_PATIENCE seconds; then the error goes up. ``write`` must
    be safe to run again: its changes are guarded by the claim id."""
    deadline = time.monotonic() + current_app.config["OUTBOX_DATABASE_PATIENCE"]
    pause = 0.05
    while True:
        try:
            result = write()
            db.session.commit()
            return result
        except DATABASE_GONE as exc:
            _rollback()
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            current_app.logger.warning(
                "Outbox: the database did not answer (%s); trying again", one_line(exc)
            )
            time.sleep(min(pause, left))  # the last try comes at the deadline
            pause = min(pause * 2, 5.0)


def _rollback() -> None:
    """Roll back, whatever state the connection is in (a dead one is dropped from the pool)."""
    try:
        db.session.rollback()
    except DATABASE_GONE:
        db.session.close()


def one_line(exc: Exception) -> str:
    """A database error as one short line: the driver's message, not the SQL."""
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


def describe(email: OutboxEmail) -> str:
    return f"{email.kind.label.lower()} to {email.recipient or '?'} ({email.key})"


def send_now(email_id: int) -> RunReport:
    """Send one queued email at once, if no one else has claimed it (the sender thread's
    try right after a request). A failure leaves it queued, with its backoff, for the run."""
    report = RunReport()
    _send_claimed(utcnow(), report, only=email_id)
    return report
