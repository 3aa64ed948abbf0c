"""The reminder outbox: each email the reminder run decides to send, and what became of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..times import utcnow
from .agency import User
from .base import Choice, UTCDateTime, choice_column
from .followup import Step


class ReminderKind(Choice):
    DIGEST = "digest", "Recruiter digest"
    THANK_YOU = "thank_you", "Thank-you note nudge"
    FOLLOW_UP = "follow_up", "Follow-up nudge"


class ReminderStatus(Choice):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DROPPED = "dropped", "Not sent"  # nothing left to say, or the person may not be mailed


class Reminder(db.Model):
    """One reminder email. ``key`` (person, kind, step, occasion) is unique, and the row is
    written in the transaction that decides to send it: two runs deciding at once insert it
    once, and each run only sends rows it has claimed."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_reminders_user_kind_created_at", "user_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ReminderKind] = mapped_column(choice_column(ReminderKind, "reminder_kind"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    occasion: Mapped[str] = mapped_column(String(80))
    # For a digest: the queue it was decided on, so the next run can tell what is new.
    step_ids: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReminderStatus] = mapped_column(
        choice_column(ReminderStatus, "reminder_status"), default=ReminderStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()
    step: Mapped[Step | None] = relationship()

    @property
    def queue(self) -> set[int]:
        return {int(i) for i in self.step_ids.split(",") if i}

    def __repr__(self) -> str:
        return f"<Reminder {self.id} {self.key} {self.status}>"
