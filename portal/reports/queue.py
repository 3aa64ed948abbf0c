"""The queue of open steps, and their counts by status, worked out in SQL.

The status of an open step depends on the clock, so it is worked out here in SQL with
the current time as a parameter, by the same rules as ``followup.assess`` (a test
holds the two together). Nothing here loads steps into Python to count them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, String, and_, case, func, literal, select, type_coerce

from ..access import visible_steps
from ..extensions import db
from ..followup import Policy, Status, assess
from ..models import Candidate, Employer, Interview, Role, Step, User
from ..steps.calendar import business_calendar
from ..steps.policy import current_policy
from ..steps.sync import state_of


def status_of(now: datetime, policy: Policy, *, open_only: bool = False):
    """A SQL expression giving each step's status at ``now`` (see ``followup.assess``);
    ``open_only`` for steps known to be open (it then needs no ``result``, so the open
    steps' index holds all it reads)."""
    soon = now + timedelta(hours=policy.due_soon_hours)
    settled = () if open_only else ((Step.result.is_not(None), type_coerce(Step.result, String)),)
    return case(
        *settled,
        (Step.due_at < now, literal(Status.OVERDUE.value)),
        (and_(Step.opens_at.is_not(None), Step.opens_at <= now), literal(Status.DUE_SOON.value)),
        (and_(Step.opens_at.is_(None), Step.due_at <= soon), literal(Status.DUE_SOON.value)),
        else_=literal(Status.UPCOMING.value),
    )


def open_step_counts(
    user: User, now: datetime, policy: Policy, day_end: datetime
) -> tuple[dict[Status, int], int]:
    """How many of my open steps are overdue, due soon and upcoming, and how many of them
    are due by ``day_end`` (the queue's length), in one query."""
    inner = (
        _open_steps_to_count(user)
        .with_only_columns(
            status_of(now, policy, open_only=True).label("status"),
            case((Step.due_at < day_end, 1), else_=0).label("by_day_end"),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(inner.c.status, func.count(), func.sum(inner.c.by_day_end)).group_by(inner.c.status)
    ).all()
    counts = {s: 0 for s in (Status.OVERDUE, Status.DUE_SOON, Status.UPCOMING)}
    for value, n, _ in rows:
        counts[Status(value)] = n
    return counts, sum(by_day_end or 0 for _, _, by_day_end in rows)


def _open_steps(user: User) -> Select:
    """Open steps this person may see. For a recruiter the steps' own recruiter column is
    matched too (kept equal to the candidate's recruiter for open steps), so the
    database can start from that index rather than from every open step."""
    query = visible_steps(user).where(Step.result.is_(None))
    return query.where(Step.recruiter_id == user.id) if user.role == Role.RECRUITER else query


def _open_steps_to_count(user: User) -> Select:
    """The same steps as ``_open_steps``; for an admin, who sees every step, without
    visiting each one's candidate (the counts read one index)."""
    if user.role == Role.ADMIN:
        return select(Step).where(Step.result.is_(None))
    return _open_steps(user)


def queue_length(user: User, until: datetime) -> Select:
    """How many steps ``queue`` lists, counted without their context."""
    return (
        _open_steps_to_count(user).where(Step.due_at < until).with_only_columns(func.count(Step.id))
    )


def open_steps_in_context(user: User) -> Select:
    """Open steps this person may see, by due time, as rows of (step, interview, candidate, employer)."""
    return (
        _open_steps(user)
        .join(Interview, Interview.id == Step.interview_id)
        .join(Employer, Employer.id == Step.employer_id)
        .with_only_columns(Step, Interview, Candidate, Employer)
        .order_by(Step.due_at, Step.id)
    )


def queue(user: User, now: datetime, until: datetime) -> Select:
    """Open steps due before ``until`` (overdue first, then by due time), with their context."""
    return open_steps_in_context(user).where(Step.due_at < until)


def queue_rows(rows, now) -> list[dict]:
    policy, calendar = current_policy(), business_calendar()
    return [
        {
            "step": step,
            "interview": interview,
            "candidate": candidate,
            "employer": employer,
            "assessment": assess(state_of(step), now, policy, calendar),
        }
        for step, interview, candidate, employer in rows
    ]
