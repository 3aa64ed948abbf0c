"""The employer's duty to tell an interviewed applicant whether a hiring decision has been
made, within 45 days of the last interview (ESA s. 8.6; docs/job-postings.md).

It applies to interviews for a job whose posting fell under Ontario's rules (published,
covered, before the interview) held on or after 1 January 2026. The candidate's own
advice does not change: this is for the recruiter, who reminds the employer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Candidate, Employer, Interview, JobPosting, Outcome
from ..times import agency_zone, to_local
from .law import INFORM_WITHIN_DAYS, WARN_AT_DAY, WARN_UNTIL_DAY, inform_by

IN_FORCE = datetime(2026, 1, 1, 5, 0, tzinfo=UTC)  # 1 January 2026, 00:00 in Toronto


def covered_interview():
    """Interviews the duty applies to: for a job with a covered posting published before
    the interview, held from 1 January 2026."""
    return and_(
        Interview.starts_at >= IN_FORCE,
        exists().where(
            JobPosting.job_id == Interview.job_id,
            JobPosting.covered.is_(True),
            JobPosting.published_at <= Interview.starts_at,
        ),
    )


def _later_interview():
    """Another interview of the same candidate for the same job, after this one."""
    later = aliased(Interview)
    return exists().where(
        later.candidate_id == Interview.candidate_id,
        later.job_id == Interview.job_id,
        later.starts_at > Interview.starts_at,
    )


@dataclass(frozen=True)
class Duty:
    last_interview_on: date
    inform_by: date
    answered: bool  # an outcome is recorded on the last interview


def duty_of(interview: Interview) -> Duty | None:
    """The duty for this interview's candidate and job, or None when it does not apply."""
    if interview.job_id is None:
        return None
    last = db.session.scalar(
        select(Interview)
        .where(
            Interview.candidate_id == interview.candidate_id,
            Interview.job_id == interview.job_id,
            covered_interview(),
        )
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
        .limit(1)
    )
    if last is None:
        return None
    day = to_local(last.starts_at).date()
    return Duty(day, inform_by(day), last.outcome != Outcome.PENDING)


def awaiting_word(today: date) -> Select:
    """The last interviews, per candidate and job, that the duty applies to, with no
    outcome recorded from WARN_AT_DAY to WARN_UNTIL_DAY days after: the employer should
    be reminded (after that the digest lets it go; the report still counts it).
    Rows: (Interview, Candidate, Employer)."""
    zone = agency_zone()
    warn_before = datetime.combine(today - timedelta(days=WARN_AT_DAY - 1), time.min, tzinfo=zone)
    warn_after = datetime.combine(today - timedelta(days=WARN_UNTIL_DAY), time.min, tzinfo=zone)
    return (
        select(Interview, Candidate, Employer)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Employer, Employer.id == Interview.employer_id)
        .where(
            Interview.outcome == Outcome.PENDING,
            Interview.starts_at < warn_before,
            Interview.starts_at >= warn_after,
            Candidate.erased_at.is_(None),
            covered_interview(),
            ~_later_interview(),
        )
        .order_by(Interview.starts_at, Interview.id)
    )


@dataclass(frozen=True)
class Answers:
    """One employer's record on the duty, for the compliance report."""

    employer_id: int
    employer: str
    in_time: int  # told (an outcome recorded) by the deadline
    due: int  # deadlines passed, or told

    @property
    def share(self) -> float | None:
        return self.in_time / self.due if self.due else None


def answers_by_employer(
    start: datetime, end: datetime, now: datetime, recruiter_id: int | None
) -> list[Answers]:
    """Per employer, the last interviews (per candidate and job) under the duty whose
    deadline fell in [start, end): how many were told in time, of those due. The
    deadline is the end of the 45th day after the interview, Toronto time.
    ``recruiter_id``: that recruiter's candidates only."""
    span = timedelta(days=INFORM_WITHIN_DAYS)
    query = (
        select(
            Interview.employer_id,
            Employer.name,
            Interview.starts_at,
            Interview.outcome,
            Interview.outcome_at,
        )
        .join(Employer, Employer.id == Interview.employer_id)
        .where(
            covered_interview(),
            ~_later_interview(),
            # A day either side of the period: the exact deadline is checked below.
            Interview.starts_at >= start - span - timedelta(days=1),
            Interview.starts_at < end - span + timedelta(days=1),
        )
    )
    if recruiter_id is not None:
        query = query.join(Candidate, Candidate.id == Interview.candidate_id).where(
            Candidate.recruiter_id == recruiter_id
        )
    counts: dict[int, list] = {}
    zone = agency_zone()
    for employer_id, name, starts_at, outcome, outcome_at in db.session.execute(query):
        deadline = datetime.combine(
            inform_by(to_local(starts_at).date()) + timedelta(days=1), time.min, tzinfo=zone
        )
        if not start <= deadline - timedelta(microseconds=1) < end:
            continue
        told = outcome != Outcome.PENDING and outcome_at is not None
        if not told and deadline > now:
            continue  # not yet due
        row = counts.setdefault(employer_id, [name, 0, 0])
        row[1] += told and outcome_at < deadline
        row[2] += 1
    return sorted(
        (Answers(key, name, in_time, due) for key, (name, in_time, due) in counts.items()),
        key=lambda a: (a.employer.casefold(), a.employer_id),
    )


def days_left(interview: Interview, today: date) -> int:
    """Days until the employer's deadline (negative once it has passed)."""
    return (inform_by(to_local(interview.starts_at).date()) - today).days


__all__ = [
    "INFORM_WITHIN_DAYS",
    "Duty",
    "awaiting_word",
    "covered_interview",
    "days_left",
    "duty_of",
]
