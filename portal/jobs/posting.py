"""Publishing a job's posting: the checks before it goes up, the version kept when it does,
and taking it down. The law's part is ``jobs.law``; this adds what the agency's site
needs of every posting (a description, a place, a closing date) and the database."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

from ..extensions import db, write_lock
from ..models import EmployerSize, Job, JobPosting, JobStatus, PayPer, User
from ..times import agency_zone
from .law import KEEP_YEARS, Pay, PayPeriod, PostingFacts, keep_until, number, problems

# The fields a posting shows people, checked for the words the law bars.
PUBLIC_TEXTS = ("title", "public_title", "description")
# Version 1 of the posting content (the JSON export and the site read it).
CONTENT_SCHEMA = 1


def pay_of(job: Job) -> Pay | None:
    """The job's pay as the rules read it; None when no figure is entered."""
    if job.pay_low is None:
        return None
    period = PayPeriod.HOUR if job.pay_per == PayPer.HOUR else PayPeriod.YEAR
    high = job.pay_high if job.pay_high is not None and job.pay_high != job.pay_low else None
    return Pay(Decimal(job.pay_low), high and Decimal(high), period, _decimal(job.hours_per_week))


def covered(job: Job) -> bool:
    """Whether Ontario's posting rules apply (the employer's staff on the day it goes up)."""
    return job.employer_size == EmployerSize.COVERED


def publishing_problems(job: Job, today: date) -> dict[str, str]:
    """Every reason the job's posting cannot go up as it stands, by form field."""
    found: dict[str, str] = {}
    if job.status != JobStatus.OPEN:
        found["status"] = "Only an open job can be published."
    if job.employer_size is None:
        found["employer_size"] = (
            "Say how many employees the employer has today: Ontario's posting rules apply from 25."
        )
    if not (job.description or "").strip():
        found["description"] = "Describe the job: the work, the team, what it asks for."
    if not (job.location or "").strip():
        found["location"] = "Say where the work is (a city, or Ontario for remote work)."
    if job.closes_on is None:
        found["closes_on"] = "Give the day applications close."
    elif job.closes_on < today:
        found["closes_on"] = "The closing date has passed: give a later one."
    if job.pay_high is not None and job.pay_low is None:
        found["pay_low"] = "Enter the bottom of the range as well as the top."
    elif job.pay_high is not None and job.pay_low is not None and job.pay_high < job.pay_low:
        found["pay_high"] = "The top of the range is below its bottom."
    if job.pay_per == PayPer.HOUR and job.pay_low is not None and not job.hours_per_week:
        found["hours_per_week"] = (
            "Enter the hours a week: hourly pay is shown as a yearly amount too."
        )
    law = problems(
        PostingFacts(
            covered=covered(job),
            texts={name: getattr(job, name) or "" for name in PUBLIC_TEXTS},
            pay=pay_of(job),
            uses_ai=job.uses_ai,
            existing_vacancy=job.existing_vacancy,
        )
    )
    for name, message in law.items():
        found.setdefault(name, message)
    return found


def up_on(today: date):
    """The SQL condition on JobPosting for a version the public can see today (the same
    rule as ``live_posting``): not taken down, and not past its closing day."""
    return and_(
        JobPosting.taken_down_at.is_(None),
        or_(JobPosting.closes_on.is_(None), JobPosting.closes_on >= today),
    )


def live_posting(job: Job, today: date) -> JobPosting | None:
    """The version people can see: the newest, unless taken down or past its closing day."""
    newest = job.postings[0] if job.postings else None
    if newest is None or newest.taken_down_at is not None:
        return None
    if newest.closes_on is not None and newest.closes_on < today:
        return None
    return newest


JOB_LOCKS = 0x6A6F62 << 32  # "job" in the high bits: PostgreSQL's advisory lock per job


def lock_job(job_id: int) -> None:
    """Take turns with anyone else publishing or taking down this job's posting, for the
    rest of the transaction: what the request read or wrote before (its session, its
    user) is committed, and a fresh transaction starts with the lock; read the job after."""
    db.session.commit()
    write_lock(JOB_LOCKS | job_id)


def publish(job: Job, by: User, now: datetime) -> JobPosting:
    """A new version with the job's posting as it stands; the version before comes down.
    The caller has checked ``publishing_problems``, holds ``lock_job`` (unless the job is
    new) and owns the transaction."""
    take_down(job, now)
    number = (
        db.session.scalar(select(func.max(JobPosting.version)).where(JobPosting.job_id == job.id))
        or 0
    ) + 1
    posting = JobPosting(
        job=job,
        version=number,
        content=content_of(job),
        covered=covered(job),
        published_at=now,
        published_by_id=by.id,
        closes_on=job.closes_on,
    )
    db.session.add(posting)
    db.session.flush()
    return posting


def take_down(job: Job, now: datetime) -> JobPosting | None:
    """Record that the job's newest version came down now; None (and nothing recorded)
    when none is up: never published, taken down already, or past its closing day (it
    came down then, as ``came_down_on`` says)."""
    newest = live_posting(job, now.astimezone(agency_zone()).date())
    if newest is None:
        return None
    newest.taken_down_at = now
    return newest


def came_down_on(posting: JobPosting) -> date | None:
    """The day public access ended: taken down, or the end of its closing day."""
    moments = [m for m in (posting.taken_down_at, _closing_end(posting)) if m is not None]
    return min(moments).astimezone(agency_zone()).date() if moments else None


def kept_until(posting: JobPosting, today: date) -> date | None:
    """The last day the copy must be kept (three years after it came down); None while up."""
    down = came_down_on(posting)
    return keep_until(down) if down is not None and down <= today else None


def past_keeping(today: date):
    """Published versions kept their three years and more: to delete (the retention review)."""
    cutoff_day = keep_until_reversed(today)
    cutoff = datetime.combine(cutoff_day, time.min, tzinfo=agency_zone())
    return (
        select(JobPosting)
        .where(
            or_(
                JobPosting.taken_down_at < cutoff,
                JobPosting.taken_down_at.is_(None) & (JobPosting.closes_on < cutoff_day),
            )
        )
        # The same order on both databases (they put NULLs at different ends).
        .order_by(
            JobPosting.taken_down_at.asc().nulls_last(),
            JobPosting.closes_on.asc().nulls_last(),
            JobPosting.id,
        )
    )


def keep_until_reversed(today: date) -> date:
    """The day whose copies may go today: a version that came down before it is past its
    three years (``law.keep_until`` run backwards)."""
    try:
        return today.replace(year=today.year - KEEP_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - KEEP_YEARS, day=28)


def content_of(job: Job) -> dict[str, Any]:
    """The public fields of the posting, as stored with each version and exported."""
    pay = pay_of(job)
    yearly = pay.yearly() if pay else None
    return {
        "schema": CONTENT_SCHEMA,
        "job_id": job.id,
        "title": job.posting_title,
        "description": job.description,
        "employer": job.employer.name,
        "practice_area": job.practice_area,
        "location": job.location,
        "work_arrangement": str(job.work_arrangement),
        "employment_type": str(job.employment_type),
        "schedule": str(job.schedule),
        "hours_per_week": _text(job.hours_per_week),
        "pay": None
        if pay is None
        else {
            "low": _text(pay.low),
            "high": _text(pay.top),
            "per": str(pay.period),
            "yearly_low": _text(yearly[0]) if yearly else None,
            "yearly_high": _text(yearly[1]) if yearly else None,
        },
        "uses_ai": job.uses_ai,
        "existing_vacancy": job.existing_vacancy,
        "covered": covered(job),
        "closes_on": job.closes_on.isoformat() if job.closes_on else None,
    }


def disclosures(uses_ai: bool | None, existing_vacancy: bool | None) -> list[str]:
    """The two statements Ontario's rules ask of a posting, in the posting's words."""
    out = []
    if uses_ai is not None:
        out.append(
            "Artificial intelligence is used to screen, assess or select applicants for this "
            "position."
            if uses_ai
            else "Artificial intelligence is not used to screen, assess or select applicants "
            "for this position."
        )
    if existing_vacancy is not None:
        out.append(
            "This posting is for an existing vacancy."
            if existing_vacancy
            else "This posting is not for an existing vacancy: it gathers applications for "
            "openings to come."
        )
    return out


def pay_in(content: dict[str, Any]) -> Pay | None:
    """The pay a stored version states, as the rules read it."""
    pay = content.get("pay")
    if not pay:
        return None
    low, top = Decimal(pay["low"]), Decimal(pay["high"])
    hours = content.get("hours_per_week")
    return Pay(
        low, top if top != low else None, PayPeriod(pay["per"]), Decimal(hours) if hours else None
    )


def words_of(content: dict[str, Any]) -> dict[str, Any]:
    """What people read of a stored version beyond its fields, in the portal's words (the
    application form and the site show the same): the pay, its yearly working, the two
    statements."""
    pay = pay_in(content)
    return {
        "pay_words": pay.words() if pay else None,
        "pay_working": (pay.working() or None) if pay else None,
        "statements": disclosures(content.get("uses_ai"), content.get("existing_vacancy")),
    }


def _closing_end(posting: JobPosting) -> datetime | None:
    """The end of the closing day, Toronto time."""
    if posting.closes_on is None:
        return None
    return datetime.combine(posting.closes_on, time.max, tzinfo=agency_zone())


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value) -> str | None:
    return None if value is None else number(Decimal(value))
