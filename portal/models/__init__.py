"""The portal's data, one module per topic; import models from here."""

from .accounts import LinkPurpose, PasswordLink
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
from .followup import AppendOnly, AuditEvent, PolicyVersion, Step
from .reminders import Reminder, ReminderKind, ReminderStatus
from .security import SignInAttempt

__all__ = [
    "PRACTICE_AREAS",
    "AppendOnly",
    "Assignment",
    "AuditEvent",
    "Candidate",
    "CandidateStatus",
    "Channel",
    "Choice",
    "Employer",
    "EmployerKind",
    "Interview",
    "InterviewFormat",
    "Job",
    "JobStatus",
    "LinkPurpose",
    "Outcome",
    "PasswordLink",
    "PolicyVersion",
    "PreferredChannel",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Role",
    "RoleSought",
    "SignInAttempt",
    "Step",
    "Timeline",
    "UTCDateTime",
    "User",
    "choice_column",
    "render_migration_item",
]
