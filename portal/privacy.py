"""A candidate's personal information: everything held about them, erasing it, and
who has been quiet long enough to review (PIPEDA: use it for its purpose, keep it no longer
than needed, give it to the person when asked).

Erasure anonymises rather than deletes: the steps stay, without anything that identifies
the person, so the compliance figures of recruiters and employers do not change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from .extensions import db
from .followup import StepResult
from .jobs.applications import forget_resumes
from .models import (
    Application,
    Assignment,
    AuditEvent,
    Candidate,
    CandidateMerge,
    DuplicatePair,
    EmailStatus,
    Interview,
    OutboxEmail,
    PasswordLink,
    SignInAttempt,
    Step,
    User,
    UserSession,
)

ERASED = "[erased]"


def _value(value: Any) -> Any:
    """A column's value as JSON holds it: times and dates in ISO 8601, enums by value."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # the enums
        return value.value
    return value


def _columns(row, *names: str) -> dict:
    return {name: _value(getattr(row, name)) for name in names}


def export_data(candidate: Candidate) -> dict:
    """Everything the portal holds about one candidate, as plain JSON-ready values."""
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.candidate_id == candidate.id)
        .options(
            joinedload(Interview.employer), joinedload(Interview.job), selectinload(Interview.steps)
        )
        .order_by(Interview.starts_at)
    ).all()
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.candidate_id == candidate.id)
        .options(joinedload(Assignment.recruiter))
        .order_by(Assignment.started_at)
    ).all()
    user = candidate.user
    events = db.session.scalars(
        _events_about(candidate)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    emails = (
        []
        if user is None
        else db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.user_id == user.id)
            .order_by(OutboxEmail.created_at)
        ).all()
    )
    return {
        "candidate": _columns(
            candidate,
            "id",
            "name",
            "email",
            "phone",
            "role_sought",
            "status",
            "city",
            "notes",
            "created_at",
            "updated_at",
        ),
        "recruiter": None
        if candidate.recruiter is None
        else {"name": candidate.recruiter.name, "email": candidate.recruiter.email},
        "account": None
        if user is None
        else {
            **_columns(
                user,
                "email",
                "name",
                "active",
                "created_at",
                "last_sign_in_at",
                "digest_emails",
                "thank_you_nudges",
                "follow_up_nudges",
            ),
            "has_password": bool(user.password_hash),
            "has_calendar_link": bool(user.calendar_token),
        },
        "assignments": [
            {
                "recruiter": a.recruiter.name,
                "started_at": _value(a.started_at),
                "ended_at": _value(a.ended_at),
                "note": a.note,
            }
            for a in assignments
        ],
        "applications": [
            {
                "job": a.job.posting_title,
                "sent_at": _value(a.created_at),
                "email": a.email,
                "message": a.message,
                "resume": None
                if a.resume is None
                else {"file_name": a.resume.file_name, "size": a.resume.size},
            }
            for a in db.session.scalars(
                select(Application)
                .where(Application.candidate_id == candidate.id)
                .options(joinedload(Application.job), joinedload(Application.resume))
                .order_by(Application.created_at)
            )
        ],
        "interviews": [
            {
                **_columns(
                    i,
                    "id",
                    "starts_at",
                    "duration_minutes",
                    "format",
                    "interviewer_names",
                    "interviewer_emails",
                    "timeline",
                    "decision_date",
                    "timeline_recorded_at",
                    "outcome",
                    "outcome_at",
                    "notes",
                ),
                "employer": i.employer.name,
                "job": i.job.title if i.job else None,
                "steps": [
                    _columns(
                        s,
                        "kind",
                        "due_at",
                        "opens_at",
                        "result",
                        "done_at",
                        "channel",
                        "note",
                        "waived_at",
                        "waive_reason",
                    )
                    for s in i.steps
                ],
            }
            for i in interviews
        ],
        "emails": [
            _columns(e, "kind", "status", "created_at", "sent_at", "subject") for e in emails
        ],
        # Records of this person merged into this one (what the merge kept to undo it is
        # theirs too), and the pairs that name them as a likely duplicate.
        "merged_records": [
            {
                "merged_at": _value(m.merged_at),
                "undone_at": _value(m.undone_at),
                "record": {
                    k: m.undo["removed"].get(k)
                    for k in ("id", "name", "email", "phone", "city", "notes", "created_at")
                },
            }
            for m in db.session.scalars(
                select(CandidateMerge)
                .where(CandidateMerge.kept_id == candidate.id)
                .order_by(CandidateMerge.merged_at)
            )
        ],
        "likely_duplicates": [
            {
                "with_candidate": p.second_id if p.first_id == candidate.id else p.first_id,
                "reasons": p.reasons,
                "found_at": _value(p.found_at),
                "dismissed_at": _value(p.dismissed_at),
            }
            for p in db.session.scalars(
                select(DuplicatePair)
                .where(
                    or_(
                        DuplicatePair.first_id == candidate.id,
                        DuplicatePair.second_id == candidate.id,
                    )
                )
                .order_by(DuplicatePair.found_at)
            )
        ],
        "password_links": []
        if user is None
        else [
            _columns(link, "purpose", "created_at", "expires_at", "used_at", "revoked_at")
            for link in db.session.scalars(
                select(PasswordLink)
                .where(PasswordLink.user_id == user.id)
                .order_by(PasswordLink.created_at)
            )
        ],
        "sign_in_attempts": []
        if user is None
        else [
            _columns(a, "at", "address", "succeeded")
            for a in db.session.scalars(
                select(SignInAttempt)
                .where(SignInAttempt.email == user.email)
                .order_by(SignInAttempt.at)
            )
        ],
        "sessions": []
        if user is None
        else [
            _columns(
                s, "created_at", "last_seen_at", "user_agent", "address", "ended_at", "ended_why"
            )
            for s in db.session.scalars(
                select(UserSession)
                .where(UserSession.user_id == user.id)
                .order_by(UserSession.created_at)
            )
        ],
        "audit_trail": [
            {
                "at": _value(e.at),
                "action": e.action,
                "by": e.actor.name if e.actor else None,
                "detail": e.detail,
            }
            for e in events
        ],
    }


def _about(candidate: Candidate) -> list:
    """Conditions for the audit events about a candidate or done by their account."""
    conditions = [AuditEvent.candidate_id == candidate.id]
    if candidate.user_id is not None:
        conditions.append(AuditEvent.actor_id == candidate.user_id)
    return conditions


def _events_about(candidate: Candidate) -> Select:
    return select(AuditEvent).where(or_(*_about(candidate)))


def erase(candidate: Candidate, now: datetime) -> None:
    """Anonymise a candidate and their account; keep their steps (anonymous) for the figures.

    Flushes, never commits (the view commits with the audit event saying it happened)."""
    label = f"Erased candidate #{candidate.id}"
    names = [n for n in (candidate.name, candidate.email, candidate.phone) if n]
    user = candidate.user
    if user is not None:
        names += [n for n in (user.name, user.email) if n]
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.user_id == user.id)
            .values(to_address="", subject=ERASED, last_error="", link_id=None)
        )
        db.session.execute(  # nothing more goes to them
            update(OutboxEmail)
            .where(OutboxEmail.user_id == user.id, OutboxEmail.status == EmailStatus.QUEUED)
            .values(status=EmailStatus.DROPPED, last_error="the person was erased")
        )
        db.session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id))
        db.session.execute(delete(SignInAttempt).where(SignInAttempt.email == user.email))
        user.name, user.email = "Erased person", f"erased-user-{user.id}@erased.invalid"
        user.password_hash, user.calendar_token, user.active = None, None, False
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    for step in db.session.scalars(select(Step).where(Step.candidate_id == candidate.id)):
        step.note, step.waive_reason = "", (ERASED if step.waive_reason else "")
        if step.result is None:  # nobody will do it now: out of the figures, like a waiver
            step.result, step.waived_at, step.waive_reason = (
                StepResult.WAIVED,
                now,
                "Candidate erased",
            )
    db.session.execute(
        update(Interview)
        .where(Interview.candidate_id == candidate.id)
        .values(notes="", interviewer_names="", interviewer_emails="")
    )
    db.session.execute(
        update(Assignment).where(Assignment.candidate_id == candidate.id).values(note="")
    )
    # Applications: their words and résumés go; that someone applied, when, stays.
    applied = select(Application.id).where(Application.candidate_id == candidate.id)
    names += list(db.session.scalars(select(Application.email).where(Application.id.in_(applied))))
    forget_resumes(candidate.id)
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.application_id.in_(applied))
        .values(to_address="", subject=ERASED, last_error="")
    )
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.application_id.in_(applied), OutboxEmail.status == EmailStatus.QUEUED)
        .values(status=EmailStatus.DROPPED, last_error="the person was erased")
    )
    db.session.execute(
        update(Application)
        .where(Application.id.in_(applied))
        .values(email="", message="", source="")
    )
    # Merges into this record keep the merged record (this person too) to undo them: gone,
    # with the undo; and pairs naming this record are nobody's to look at now.
    for merged in db.session.scalars(
        select(CandidateMerge).where(CandidateMerge.kept_id == candidate.id)
    ):
        names.append(merged.removed_name)
        db.session.delete(merged)
    db.session.execute(
        delete(DuplicatePair).where(
            or_(DuplicatePair.first_id == candidate.id, DuplicatePair.second_id == candidate.id)
        )
    )
    # The one change ever made to audit events: what they said about this person goes.
    mentioning = [AuditEvent.detail.contains(n, autoescape=True) for n in names if len(n) >= 3]
    db.session.execute(
        update(AuditEvent)
        .where(or_(*_about(candidate), *mentioning))
        .values(detail=ERASED)
        .execution_options(synchronize_session=False)
    )
    candidate.name, candidate.email, candidate.phone = (
        label,
        f"erased-{candidate.id}@erased.invalid",
        "",
    )
    candidate.city, candidate.notes, candidate.erased_at = "", "", now
    db.session.flush()


def inactive_candidates(cutoff: datetime) -> Select:
    """Candidates with nothing new since ``cutoff``: no change, interview or sign-in since."""
    latest = (
        select(Interview.candidate_id, func.max(Interview.starts_at).label("at"))
        .group_by(Interview.candidate_id)
        .subquery()
    )
    return (
        select(Candidate, latest.c.at.label("last_interview"), User.last_sign_in_at)
        .outerjoin(latest, latest.c.candidate_id == Candidate.id)
        .outerjoin(User, User.id == Candidate.user_id)
        .where(
            Candidate.erased_at.is_(None),
            Candidate.updated_at < cutoff,
            or_(latest.c.at.is_(None), latest.c.at < cutoff),
            or_(User.last_sign_in_at.is_(None), User.last_sign_in_at < cutoff),
        )
        .order_by(Candidate.updated_at, Candidate.id)
    )


def retention_cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))
