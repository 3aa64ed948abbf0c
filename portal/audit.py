"""The audit trail: who did what and when. Every line is added through ``record``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import AuditEvent, Interview, Role, User
from .times import utcnow

# What each action is called on the audit trail page's filter.
ACTIONS = {
    "sign_in": "Sign-ins",
    "sign_in.failed": "Failed sign-ins",
    "sign_in.throttled": "Refused sign-ins",
    "password.changed": "Password changes",
    "user.created": "Accounts created",
    "user.deactivated": "Deactivations",
    "user.activated": "Reactivations",
    "user.unlocked": "Sign-in locks lifted",
    "user.invited": "Invitations sent by admins",
    "user.edited": "Accounts edited (name, role)",
    "user.email_change_asked": "Email changes asked for",
    "user.email_changed": "Email addresses changed",
    "session.ended": "Sessions ended by an admin",
    "candidate.assigned": "Assignments",
    "candidate.invited": "Invitations",
    "interview.logged": "Interviews logged",
    "interview.edited": "Interview edits",
    "step.done": "Steps done",
    "step.undone": "Steps undone",
    "step.waived": "Steps waived",
    "step.changed": "Steps changed on the interview",
    "step.settled": "Steps settled by a closing",
    "step.reopened": "Steps reopened with their interview",
    "policy.changed": "Policy changes",
    "employer.channel_changed": "Employer channel changes",
    "export.compliance_csv": "Compliance CSV exports",
    "export.handout": "Handouts printed",
    "candidate.exported": "Data exports",
    "candidate.erased": "Erasures",
    "email.retried": "Emails retried",
    "reminder.retried": "Reminders retried (before every email went through the outbox)",
    "calendar.link_made": "Calendar links made",
    "calendar.link_replaced": "Calendar links replaced",
    "password.failed": "Wrong passwords when signed in",
    "candidate.created": "Candidates added",
    "candidate.edited": "Candidate records edited",
    "employer.created": "Employers added",
    "employer.edited": "Employers edited",
    "job.created": "Jobs added",
    "job.edited": "Jobs edited",
    "job.published": "Job postings published",
    "job.taken_down": "Job postings taken down",
    "job.posting_deleted": "Copies of old job postings deleted",
    "candidate.imported": "Imports of candidates",
    "employer.imported": "Imports of employers",
    "job.imported": "Imports of jobs",
    "export.import_report": "Import reports downloaded",
    "duplicate.dismissed": "Duplicates dismissed (not the same person)",
    "candidate.merged": "Candidates merged",
    "candidate.unmerged": "Merges undone",
}


def record(
    actor: User | None,
    action: str,
    detail: str = "",
    *,
    interview_id=None,
    step_id=None,
    candidate_id=None,
) -> None:
    """Add an audit event; one about an interview, or by a candidate, also names the candidate."""
    if candidate_id is None and interview_id is not None:
        candidate_id = db.session.get_one(Interview, interview_id).candidate_id
    if (
        candidate_id is None
        and actor is not None
        and actor.role == Role.CANDIDATE
        and actor.candidate
    ):
        candidate_id = actor.candidate.id  # a candidate only ever acts on their own record
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            detail=detail,
            candidate_id=candidate_id,
            interview_id=interview_id,
            step_id=step_id,
            at=utcnow(),
        )
    )


def audit_trail(condition, limit: int = 50) -> list[AuditEvent]:
    """The newest audit events matching ``condition``, with who did them."""
    query = (
        select(AuditEvent)
        .where(condition)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
