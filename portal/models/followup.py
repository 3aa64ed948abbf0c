"""The four steps stored per interview, the policy's history, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import Model
from ..followup import Policy, StepKind, StepResult
from ..times import utcnow
from .agency import Channel, Interview, User
from .base import UTCDateTime, choice_column


class Step(Model):
    """One of the four habits for one interview.

    Due time, window and required channel come from the rules engine and are stored so
    the database can count; ``result`` is the clock-free part of the status (done on
    time, late, waived, ...), NULL while the step is open. Upcoming, due soon and
    overdue depend on the clock and are worked out when read.
    """

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("interview_id", "kind"),
        # A recruiter's open steps in due order: the queue reads its first page straight
        # off this index, and the status counts read only the open rows.
        Index(
            "ix_steps_open_by_recruiter",
            "recruiter_id",
            "due_at",
            "id",
            "due_week",  # the compliance report's overdue part reads this index alone
            sqlite_where=text("result IS NULL"),
            postgresql_where=text("result IS NULL"),
        ),
        # The compliance report reads only this index, in its order: week, who, then the
        # exact period and the result (grouping by week and recruiter needs no sort).
        Index("ix_steps_report", "due_week", "recruiter_id", "due_at", "result", "employer_id"),
        # Every open step by due time, with its window: the agency-wide counts by status
        # and the length of the admin's queue are read off this index alone.
        Index(
            "ix_steps_open_by_due",
            "due_at",
            "opens_at",
            sqlite_where=text("result IS NULL"),
            postgresql_where=text("result IS NULL"),
        ),
        # Open steps by the policy version they follow: a policy change is applied batch by
        # batch to the interviews whose open steps do not follow the new version yet.
        Index(
            "ix_steps_open_by_policy",
            "policy_version_id",
            "interview_id",
            sqlite_where=text("result IS NULL"),
            postgresql_where=text("result IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"))
    # Copied from the interview so the report can count without joins. The recruiter is
    # the one responsible for the step: open steps follow the candidate when reassigned,
    # finished ones stay with the recruiter who had them.
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[StepKind] = mapped_column(choice_column(StepKind, "step_kind"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    required_channel: Mapped[Channel | None] = mapped_column(
        choice_column(Channel, "required_channel")
    )
    result: Mapped[StepResult | None] = mapped_column(choice_column(StepResult, "step_result"))
    due_week: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[Channel | None] = mapped_column(choice_column(Channel, "step_channel"))
    note: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waive_reason: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The policy the due time was worked out under (NULL: the defaults of docs/policy.md). A settled
    # step keeps it, so later policy changes apply only to steps not yet done.
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    # Counts changes: an UPDATE names the version it read, so of two people changing the
    # step at once the second is told (StaleDataError), never silently overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads the class attribute)

    interview: Mapped[Interview] = relationship(back_populates="steps")
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])

    @property
    def is_open(self) -> bool:
        return self.result is None

    @property
    def result_words(self) -> str:
        """How the step stands, in lower case: "done on time", "waived", "open"."""
        return self.result.label.lower() if self.result is not None else "open"

    def __repr__(self) -> str:
        return f"<Step {self.id} {self.kind} of interview {self.interview_id}>"


class StepTally(Model):
    """How many settled steps fell due in a week, per recruiter and result: the
    compliance report's rollup. Kept by triggers on ``steps`` (migration 5b1c0e7d9a2f), so
    every way a step is written keeps it right; open steps are not in it (overdue depends
    on the clock and is counted live). ``recruiter_key`` is the recruiter's id, 0 for none.
    """

    __tablename__ = "step_tallies"

    due_week: Mapped[date] = mapped_column(Date, primary_key=True)
    recruiter_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    result: Mapped[str] = mapped_column(String(20), primary_key=True)
    steps: Mapped[int] = mapped_column(Integer)


class PolicyVersion(Model):
    """One version of the follow-up policy; the newest row is in force."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    timeline_business_days: Mapped[int] = mapped_column(Integer)
    thank_you_hours: Mapped[int] = mapped_column(Integer)
    follow_up_opens_business_days: Mapped[int] = mapped_column(Integer)
    follow_up_due_business_days: Mapped[int] = mapped_column(Integer)
    assumed_decision_business_days: Mapped[int] = mapped_column(Integer)
    move_on_business_days: Mapped[int] = mapped_column(Integer)
    due_soon_hours: Mapped[int] = mapped_column(Integer)
    day_ends_at: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Applying the version to the open steps happens after the change is saved, in short
    # batches (steps.applying): how many interviews had open steps then, when the last
    # batch was written, and when every open step followed this version (NULL until then;
    # a version replaced before it was applied stays NULL).
    open_interviews: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_batch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    def as_policy(self) -> Policy:
        return Policy(
            timeline_business_days=self.timeline_business_days,
            thank_you_hours=self.thank_you_hours,
            follow_up_opens_business_days=self.follow_up_opens_business_days,
            follow_up_due_business_days=self.follow_up_due_business_days,
            assumed_decision_business_days=self.assumed_decision_business_days,
            move_on_business_days=self.move_on_business_days,
            due_soon_hours=self.due_soon_hours,
            day_ends_at=self.day_ends_at,
        )


class AuditEvent(Model):
    """Who did what and when: sign-ins, assignments, step and policy changes, exports,
    erasures. Rows are only ever added (the session refuses to change or delete one); the
    one exception is erasure, which blanks what an event said about the erased person."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"), index=True)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()


class AppendOnly(Exception):
    """Something tried to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _audit_events_are_append_only(session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AppendOnly("audit events are only ever added, never deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AppendOnly("audit events are only ever added, never changed")
