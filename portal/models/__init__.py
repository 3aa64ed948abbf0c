"""The portal's data, one module per topic; import models from here."""

from .accounts import PASSWORD_PURPOSES, LinkPurpose, PasswordLink
from .agency import (
    PRACTICE_AREAS,
    Assignment,
    Candidate,
    CandidateStatus,
    Channel,
    Employer,
    EmployerKind,
    Interview,
    InterviewFormat,
    Job,
    JobStatus,
    Outcome,
    PreferredChannel,
    Role,
    RoleSought,
    Timeline,
    User,
)
from .base import Choice, UTCDateTime, choice_column, render_migration_item
from .followup import AppendOnly, AuditEvent, PolicyVersion, Step, StepTally
from .outbox import REMINDER_KINDS, EmailKind, EmailStatus, OutboxEmail
from .security import SignInAttempt, UserSession

__all__ = [
    "PASSWORD_PURPOSES",
    "PRACTICE_AREAS",
    "REMINDER_KINDS",
    "AppendOnly",
    "Assignment",
    "AuditEvent",
    "Candidate",
    "CandidateStatus",
    "Channel",
    "Choice",
    "EmailKind",
    "EmailStatus",
    "Employer",
    "EmployerKind",
    "Interview",
    "InterviewFormat",
    "Job",
    "JobStatus",
    "LinkPurpose",
    "OutboxEmail",
    "Outcome",
    "PasswordLink",
    "PolicyVersion",
    "PreferredChannel",
    "Role",
    "RoleSought",
    "SignInAttempt",
    "Step",
    "StepTally",
    "Timeline",
    "UTCDateTime",
    "User",
    "UserSession",
    "choice_column",
    "render_migration_item",
]
