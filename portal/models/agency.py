"""People, candidates, employers, jobs and interviews."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    event,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..times import utcnow
from .base import Choice, UTCDateTime, choice_column
from .search import SEARCH_TEXT_LENGTH, fold, keep_search_text, phone_digits, search_text

if TYPE_CHECKING:
    from .followup import Step
    from .postings import JobPosting


class Role(Choice):
    ADMIN = "admin", "Admin"
    RECRUITER = "recruiter", "Recruiter"
    CANDIDATE = "candidate", "Candidate"


class RoleSought(Choice):
    LEGAL_ASSISTANT = "legal_assistant", "Legal assistant"
    LAW_CLERK = "law_clerk", "Law clerk"
    PARALEGAL = "paralegal", "Paralegal"
    LEGAL_SECRETARY = "legal_secretary", "Legal secretary"
    CONVEYANCER = "conveyancer", "Conveyancer"


class CandidateStatus(Choice):
    ACTIVE = "active", "Actively looking"
    ON_HOLD = "on_hold", "On hold"
    PLACED = "placed", "Placed"
    INACTIVE = "inactive", "Inactive"


class EmployerKind(Choice):
    LAW_FIRM = "law_firm", "Law firm"
    LEGAL_DEPARTMENT = "legal_department", "Legal department"


class Channel(Choice):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    HANDWRITTEN = "handwritten", "Handwritten note"


class PreferredChannel(Choice):
    NONE = "none", "None stated"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    HANDWRITTEN = "handwritten", "Handwritten note"


class JobStatus(Choice):
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class WorkArrangement(Choice):
    ON_SITE = "on_site", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class EmploymentType(Choice):
    PERMANENT = "permanent", "Permanent"
    CONTRACT = "contract", "Contract"
    TEMPORARY = "temporary", "Temporary"


class Schedule(Choice):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"


class PayPer(Choice):
    YEAR = "year", "a year"
    HOUR = "hour", "an hour"


class EmployerSize(Choice):
    """The employer's staff on the day a posting goes up: Ontario's posting rules apply
    from 25 employees (O. Reg. 476/24, s. 1)."""

    COVERED = "25_or_more", "25 or more employees"
    UNDER_25 = "under_25", "Fewer than 25 employees"


class InterviewFormat(Choice):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"


class Timeline(Choice):
    NOT_RECORDED = "not_recorded", "Not recorded yet"
    DATE_GIVEN = "date_given", "Decision date given"
    NO_DATE_GIVEN = "no_date_given", "No date given"


class Outcome(Choice):
    PENDING = "pending", "Pending"
    NEXT_ROUND = "next_round", "Next round"
    OFFER = "offer", "Offer"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NO_RESPONSE = "no_response", "No response"


PRACTICE_AREAS = [
    "Corporate and commercial",
    "Litigation",
    "Real estate",
    "Family",
    "Wills and estates",
    "Employment and labour",
    "Intellectual property",
    "Immigration",
    "Criminal",
    "Insurance defence",
    "Personal injury",
    "Tax",
    "In-house general",
]


class User(UserMixin, Model):
    """Anyone who signs in: admin, recruiter or candidate."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(choice_column(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The secret part of this person's calendar feed URL; None until they ask for one.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Which reminder emails this person wants (each kind can be turned off).
    digest_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    thank_you_nudges: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    follow_up_nudges: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    candidate: Mapped[Candidate | None] = relationship(
        back_populates="user", foreign_keys="Candidate.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in when False
        return self.active

    @property
    def session_key(self) -> str:
        """The session this object was loaded for, "<session id>.<secret>" (not a column:
        see accounts.sessions); what Flask-Login keeps in the cookies, through get_id."""
        return self.__dict__.get("_session_key", "")

    @session_key.setter
    def session_key(self, key: str) -> None:
        self.__dict__["_session_key"] = key

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the "keep me signed in" cookie: the
        person's id and their session's key, so a cookie works only while that session
        lasts. Reading it changes nothing (Flask-Login also calls it to compare people)."""
        return f"{self.id}.{self.session_key}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_recruiter(self) -> bool:
        return self.role == Role.RECRUITER

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.email}>"


class Candidate(Model):
    """A job seeker the agency coaches; may or may not have a sign-in yet."""

    __tablename__ = "candidates"
    __table_args__ = (
        # The dashboard's counts by status and its recently updated active candidates,
        # read off the index for the whole agency (recruiters go by recruiter_id).
        Index(
            "ix_candidates_status_updated_at",
            "status",
            "updated_at",
            "id",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
        # A recruiter's candidates with their names: their lists in name order, and the
        # joins from a recruiter's steps and interviews, read off the index alone.
        Index("ix_candidates_recruiter_id_name", "recruiter_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    role_sought: Mapped[RoleSought] = mapped_column(choice_column(RoleSought, "role_sought"))
    status: Mapped[CandidateStatus] = mapped_column(
        choice_column(CandidateStatus, "candidate_status"), default=CandidateStatus.ACTIVE
    )
    city: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Name, email and phone digits, folded for search (models/search.py): kept on every save.
    search_text: Mapped[str] = mapped_column(String(SEARCH_TEXT_LENGTH), default="")
    # What likely duplicates are found by (intake/duplicates.py), kept on every save: the
    # name's words folded and sorted ("nguyen zoe"), and the phone's digits.
    name_key: Mapped[str] = mapped_column(String(120), default="", server_default="", index=True)
    phone_key: Mapped[str] = mapped_column(String(20), default="", server_default="", index=True)
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set when an admin erased the person: what identified them is gone, the steps stay
    # (anonymous) so the compliance figures do not change.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(back_populates="candidate", foreign_keys=[user_id])
    recruiter: Mapped[User | None] = relationship(foreign_keys=[recruiter_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="candidate", order_by="Assignment.started_at.desc(), Assignment.id.desc()"
    )
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="candidate", order_by="Interview.starts_at.desc()"
    )

    def assign_to(self, recruiter: User, by: User | None, note: str = "") -> Assignment | None:
        """Hand the candidate to ``recruiter``, closing the current assignment in the history.

        Returns the new assignment, or None when the recruiter already has the candidate.
        """
        if self.recruiter_id == recruiter.id:
            return None
        now = utcnow()
        for current in self.assignments:
            if current.ended_at is None:
                current.ended_at = now
        assignment = Assignment(recruiter=recruiter, assigned_by=by, started_at=now, note=note)
        self.assignments.append(assignment)
        self.recruiter = recruiter
        return assignment

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.name}>"


class Assignment(Model):
    """One stretch of a candidate being looked after by one recruiter."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(300), default="")

    candidate: Mapped[Candidate] = relationship(back_populates="assignments")
    recruiter: Mapped[User] = relationship(foreign_keys=[recruiter_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class Employer(Model):
    """A law firm or legal department that interviews candidates."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[EmployerKind] = mapped_column(choice_column(EmployerKind, "employer_kind"))
    preferred_channel: Mapped[PreferredChannel] = mapped_column(
        choice_column(PreferredChannel, "preferred_channel"), default=PreferredChannel.NONE
    )
    city: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(SEARCH_TEXT_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jobs: Mapped[list[Job]] = relationship(back_populates="employer", order_by="Job.title")


class Job(Model):
    """An opening at an employer."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    practice_area: Mapped[str] = mapped_column(String(80))
    location: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[JobStatus] = mapped_column(
        choice_column(JobStatus, "job_status"), default=JobStatus.OPEN
    )
    search_text: Mapped[str] = mapped_column(String(SEARCH_TEXT_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What a public posting says (docs/job-postings.md); published as a JobPosting.
    public_title: Mapped[str] = mapped_column(String(160), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised on show
    work_arrangement: Mapped[WorkArrangement] = mapped_column(
        choice_column(WorkArrangement, "work_arrangement"), default=WorkArrangement.ON_SITE
    )
    employment_type: Mapped[EmploymentType] = mapped_column(
        choice_column(EmploymentType, "employment_type"), default=EmploymentType.PERMANENT
    )
    schedule: Mapped[Schedule] = mapped_column(
        choice_column(Schedule, "schedule"), default=Schedule.FULL_TIME
    )
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    pay_low: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_high: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    pay_per: Mapped[PayPer] = mapped_column(choice_column(PayPer, "pay_per"), default=PayPer.YEAR)
    uses_ai: Mapped[bool | None] = mapped_column(Boolean)
    existing_vacancy: Mapped[bool | None] = mapped_column(Boolean)
    employer_size: Mapped[EmployerSize | None] = mapped_column(
        choice_column(EmployerSize, "employer_size")
    )
    closes_on: Mapped[date | None] = mapped_column(Date)
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    employer: Mapped[Employer] = relationship(back_populates="jobs")
    recruiter: Mapped[User | None] = relationship()
    postings: Mapped[list[JobPosting]] = relationship(
        back_populates="job", order_by="JobPosting.version.desc()"
    )

    @property
    def posting_title(self) -> str:
        return self.public_title or self.title


class Interview(Model):
    """One interview of one candidate with one employer."""

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440", name="duration_within_a_day"
        ),
        CheckConstraint(
            "(timeline = 'date_given') = (decision_date IS NOT NULL)",
            name="decision_date_matches_timeline",
        ),
        # A candidate's interviews in time order; a recruiter's upcoming interviews are
        # found through their candidates, so the cost follows the caseload, not the agency.
        Index("ix_interviews_candidate_id_starts_at", "candidate_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[InterviewFormat] = mapped_column(
        choice_column(InterviewFormat, "interview_format")
    )
    interviewer_names: Mapped[str] = mapped_column(String(300), default="")
    # Their addresses, for the draft notes' "open in my email program": "a@x.ca, b@y.ca".
    interviewer_emails: Mapped[str] = mapped_column(String(500), default="")
    timeline: Mapped[Timeline] = mapped_column(
        choice_column(Timeline, "timeline"), default=Timeline.NOT_RECORDED
    )
    decision_date: Mapped[date | None] = mapped_column(Date)
    timeline_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[Outcome] = mapped_column(
        choice_column(Outcome, "outcome"), default=Outcome.PENDING
    )
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="interviews")
    employer: Mapped[Employer] = relationship()
    job: Mapped[Job | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    steps: Mapped[list[Step]] = relationship(back_populates="interview", order_by="Step.id")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def candidate_search_text(name: str, email: str, phone: str | None) -> str:
    return search_text(name, email, phone=phone)


def name_key(name: str | None) -> str:
    """A name's words folded and in order: "Zoë NGUYỄN" and "Nguyen, Zoe" are one."""
    return " ".join(sorted(fold(re.sub(r"[^\w\s]|_", " ", name or "")).split()))[:120]


def phone_key(phone: str | None) -> str:
    digits = phone_digits(phone)
    return digits[:20] if len(digits) >= 7 else ""


def _keep_keys(mapper, connection, target: Candidate) -> None:
    target.name_key = name_key(target.name)
    target.phone_key = phone_key(target.phone)


for _when in ("before_insert", "before_update"):
    event.listen(Candidate, _when, _keep_keys)


def employer_search_text(name: str, city: str | None) -> str:
    return search_text(name, city)


def job_search_text(title: str, location: str | None, practice_area: str | None) -> str:
    return search_text(title, location, practice_area)


keep_search_text(Candidate, lambda c: candidate_search_text(c.name, c.email, c.phone))
keep_search_text(Employer, lambda e: employer_search_text(e.name, e.city))
keep_search_text(Job, lambda j: job_search_text(j.title, j.location, j.practice_area))
