"""Deciding which reminder emails are due: the recruiters' digest and the candidates' nudges.

Reminders due now are inserted into the outbox in the deciding transaction, each under a
unique key (person, kind, step, occasion): a second run deciding at the same moment
inserts nothing new (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db, write_lock
from ..followup import StepKind
from ..jobs.duty import awaiting_word
from ..models import Candidate, EmailKind, OutboxEmail, Role, Step, User
from ..steps.calendar import business_calendar
from ..steps.policy import current_policy
from ..times import agency_zone, local_day_bounds
from .emails import row_values
from .report import RunReport

MORNING = time(8, 0)  # the morning digest goes at or after this local time, on business days

DIGEST_UNTIL = time(
    18, 0
)  # no digests after this; a queue that changes later waits for the morning

NUDGES_FROM, NUDGES_UNTIL = time(8, 0), time(20, 0)  # candidates are not emailed at night

DIGEST_GAP = timedelta(minutes=60)  # at most one "your queue changed" digest an hour

THANK_YOU_NUDGE_AFTER = timedelta(hours=3)  # after the interview ends

DECIDING_LOCK = 7_205_311  # PostgreSQL advisory lock number: one run decides at a time


def decide(now: datetime, report: RunReport, outcome: str = "queued") -> None:
    """Insert the reminders due now into the outbox (not committed: the caller commits)."""
    db.session.commit()  # start a fresh transaction, so the lock covers all of it
    # One run decides at a time, so two never both see the same "last digest" and both send a
    # new one (claims lock only their own rows).
    write_lock(DECIDING_LOCK)
    rows = _digests(now, report) + _nudges(now, report)
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    new = set(
        db.session.scalars(
            insert(OutboxEmail)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxEmail.key)
        )
    )
    for row in rows:
        if row["key"] in new:
            report.add(outcome, row["key"])


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
    # Employers to remind of the 45-day duty: a reason for the morning digest on its own.
    reminding = set(
        db.session.scalars(
            awaiting_word(local.date())
            .with_only_columns(Candidate.recruiter_id)
            .where(Candidate.recruiter_id.in_(wanted))
            .distinct()
            .order_by(None)
        )
    )
    latest = {
        r.user_id: r
        for r in db.session.scalars(
            select(OutboxEmail).where(
                OutboxEmail.id.in_(
                    select(func.max(OutboxEmail.id))
                    .where(OutboxEmail.kind == EmailKind.DIGEST, OutboxEmail.user_id.in_(wanted))
                    .group_by(OutboxEmail.user_id)
                )
            )
        )
    }
    morning = local.replace(hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0)
    rows = []
    for recruiter_id in wanted:
        queue = queues.get(recruiter_id, set())
        if not queue and recruiter_id not in reminding:
            continue
        last = latest.get(recruiter_id)
        ids = ",".join(str(i) for i in sorted(queue))
        if last is None or last.created_at < morning:
            occasion = f"morning:{local.date().isoformat()}"
        elif queue - last.queue and now - last.created_at >= DIGEST_GAP:
            occasion = "change:" + hashlib.sha256(ids.encode()).hexdigest()[:16]
        else:
            continue
        rows.append(row_values(recruiter_id, EmailKind.DIGEST, occasion, now, step_ids=ids))
    return rows


def queue_filter(now: datetime):
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
                Step.recruiter_id.in_(recruiter_ids), queue_filter(now)
            )
        ):
            queues[recruiter_id].add(step_id)
    return queues


def _nudges(now: datetime, report: RunReport) -> list[dict]:
    """Candidates' nudges: the thank-you a few hours after the interview, the follow-up
    when its window opens; by day only, and only while the step is open and not yet due."""
    if not nudge_hours(now.astimezone(agency_zone())):
        return []
    lead = max(
        timedelta(hours=current_policy().thank_you_hours) - THANK_YOU_NUDGE_AFTER,
        timedelta(hours=1),
    )
    nudged = select(OutboxEmail.id).where(OutboxEmail.step_id == Step.id).exists()
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
        rows.append(row_values(user_id, EmailKind(kind.value), "once", now, step_id=step_id))
    return rows


def nudge_hours(local: datetime) -> bool:
    """Candidates are emailed by day only."""
    return NUDGES_FROM <= local.time() < NUDGES_UNTIL
