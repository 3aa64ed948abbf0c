"""The outbox: every email the portal sends, and what became of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..times import utcnow
from .accounts import PasswordLink
from .agency import User
from .base import Choice, UTCDateTime, choice_column
from .followup import Step
from .postings import Application


class EmailKind(Choice):
    DIGEST = "digest", "Recruiter digest"
    THANK_YOU = "thank_you", "Thank-you note nudge"
    FOLLOW_UP = "follow_up", "Follow-up nudge"
    INVITATION = "invitation", "Invitation"
    PASSWORD_RESET = "password_reset", "Password link"
    PASSWORD_CHANGED = "password_changed", "Password changed notice"
    EMAIL_CHANGE = "email_change", "Email address confirmation"
    EMAIL_CHANGE_NOTICE = "email_change_notice", "Email address change notice"
    APPLICATION_RECEIVED = "application_received", "Application received"
    RETURNING_APPLICANT = "returning_applicant", "A candidate of yours applied"


# Reminders: each can be turned off by the person who gets it, on their Emails page.
REMINDER_KINDS = (EmailKind.DIGEST, EmailKind.THANK_YOU, EmailKind.FOLLOW_UP)


class EmailStatus(Choice):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DROPPED = "dropped", "Not sent"  # nothing left to say, or the person may not be mailed


class OutboxEmail(Model):
    """One email. ``key`` (person, kind, step or link, occasion) is unique, and the row is
    written in the transaction that decides to send it: two runs deciding at once insert
    it once, and only the process that claims the row sends it.

    What the email says is written when it is sent, from the data as it is then: a step
    done meanwhile, or a link replaced, means no email. A password link's token is never
    stored here (nor anywhere): it is derived again from the link when the email goes."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_emails_user_kind_created_at", "user_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    # Everyone mailed has an account, except an applicant: their email is the application's.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[EmailKind] = mapped_column(choice_column(EmailKind, "email_kind"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("password_links.id", ondelete="SET NULL")
    )
    occasion: Mapped[str] = mapped_column(String(80))
    # For a digest: the queue it was decided on, so the next run can tell what is new.
    step_ids: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EmailStatus] = mapped_column(
        choice_column(EmailStatus, "email_status"), default=EmailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The run that claimed it (a fencing token: a run whose claim was taken over sends nothing).
    claim_id: Mapped[str | None] = mapped_column(String(32))
    # Written, and committed, just before the message goes to the mail server: a row still
    # "sending" with it set may have gone, and is never sent again.
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Message-ID header it carries: the same on every try, to match the mail server's log.
    message_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User | None] = relationship()
    application: Mapped[Application | None] = relationship()
    step: Mapped[Step | None] = relationship()
    link: Mapped[PasswordLink | None] = relationship()

    @property
    def queue(self) -> set[int]:
        return {int(i) for i in self.step_ids.split(",") if i}

    @property
    def recipient(self) -> str:
        """Whom it is for: the person's address, or an applicant's (who has no account)."""
        if self.user is not None:
            return self.user.email
        return self.application.email if self.application is not None else ""

    @property
    def candidate_id(self) -> int | None:
        """The candidate it concerns, if any (for the audit trail)."""
        if self.user is not None:
            return self.user.candidate.id if self.user.candidate else None
        return self.application.candidate_id if self.application is not None else None

    @property
    def is_reminder(self) -> bool:
        return self.kind in REMINDER_KINDS

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.key} {self.status}>"
