"""/dashboard and /queue: what a recruiter has on today."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user
from sqlalchemy import Select, func, select

from ..access import visible_candidates, visible_interviews
from ..extensions import db
from ..models import Candidate, CandidateStatus, Employer, Interview, Job, Role
from ..reports import compliance
from ..reports.queue import open_step_counts, queue_length, queue_rows
from ..reports.queue import queue as steps_due_by
from ..steps.policy import current_policy
from ..times import local_day_bounds, local_today, utcnow
from ..web.lists import paginate_rows
from . import bp, staff_only

QUEUE_SIZE_ON_DASHBOARD = 10
UPCOMING_DAYS = 14


def due_by_today() -> Select:
    """My open steps due by the end of today (the agency's day), most overdue first."""
    _, day_end = local_day_bounds(local_today())
    return steps_due_by(current_user, utcnow(), day_end)


def _upcoming_interviews(limit: int):
    """My next interviews as rows (the page only shows them): id, starts_at, format, the
    candidate's id and name, the employer's name and the job's title."""
    now = utcnow()
    query = (
        visible_interviews(current_user)
        .join(Employer, Employer.id == Interview.employer_id)
        .outerjoin(Job, Job.id == Interview.job_id)
        .with_only_columns(
            Interview.id,
            Interview.starts_at,
            Interview.format,
            Candidate.id.label("candidate_id"),
            Candidate.name.label("candidate_name"),
            Employer.name.label("employer_name"),
            Job.title.label("job_title"),
        )
        .where(
            Interview.starts_at >= now, Interview.starts_at < now + timedelta(days=UPCOMING_DAYS)
        )
        .order_by(Interview.starts_at)
        .limit(limit)
    )
    if current_user.role == Role.RECRUITER:
        # Through my candidates (a few index ranges each), not the agency's next two weeks.
        query = query.where(
            Interview.candidate_id.in_(
                select(Candidate.id).where(Candidate.recruiter_id == current_user.id)
            )
        )
    return db.session.execute(query).all()


@bp.get("/dashboard")
@staff_only
def dashboard():
    """The candidates assigned to me and my interviews over the next two weeks."""
    mine = visible_candidates(current_user).subquery()
    counts: dict[str, int] = dict(
        db.session.execute(select(mine.c.status, func.count()).group_by(mine.c.status))
        .tuples()
        .all()
    )
    recent = db.session.scalars(
        visible_candidates(current_user)
        .where(Candidate.status == CandidateStatus.ACTIVE)
        .order_by(Candidate.updated_at.desc(), Candidate.id.desc())
        .limit(10)
    ).all()
    now = utcnow()
    _, day_end = local_day_bounds(local_today())
    queue_top = db.session.execute(due_by_today().limit(QUEUE_SIZE_ON_DASHBOARD)).all()
    step_counts, queue_total = open_step_counts(current_user, now, current_policy(), day_end)
    return render_template(
        "recruiter/dashboard.html",
        now=now,
        queue=queue_rows(queue_top, now),
        queue_total=queue_total,
        step_counts=step_counts,
        last_30=compliance.totals(current_user, now - timedelta(days=30), now, now),
        counts={status: counts.get(status, 0) for status in CandidateStatus},
        total=sum(counts.values()),
        recent_candidates=recent,
        upcoming=_upcoming_interviews(limit=50),
        upcoming_days=UPCOMING_DAYS,
    )


@bp.get("/queue")
@staff_only
def queue():
    """Everything overdue or due today across my candidates."""
    now = utcnow()
    _, day_end = local_day_bounds(local_today())
    page = paginate_rows(due_by_today(), count=queue_length(current_user, day_end))
    return render_template(
        "recruiter/queue.html", page=page, rows=queue_rows(page.items, now), now=now
    )
