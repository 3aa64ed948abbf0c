"""Published job postings, each version kept as it went up (docs/job-postings.md), and
the applications that come through the public form, with their résumés."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime

if TYPE_CHECKING:
    from .agency import Candidate, Job, User


class JobPosting(Model):
    """One published version of a job's posting: its public words, pay and disclosures as
    they were published. Nothing in it changes afterwards except, once, the moment it came
    down; a copy is kept three years after that (ESA s. 15), and the retention review
    lists those past it."""

    __tablename__ = "job_postings"
    __table_args__ = (UniqueConstraint("job_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … per job
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # the public fields, see jobs.posting
    covered: Mapped[bool] = mapped_column(Boolean)  # Ontario's posting rules applied to it
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closes_on: Mapped[date | None] = mapped_column(Date)
    # active_history: a second setting sees the value it replaces, even after a commit.
    taken_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)

    job: Mapped[Job] = relationship(back_populates="postings")
    published_by: Mapped[User | None] = relationship()


class PostingChanged(Exception):
    """Something tried to change a published posting (only its coming down is recorded)."""


@event.listens_for(Session, "before_flush")
def _published_postings_do_not_change(session, flush_context, instances) -> None:
    for obj in session.dirty:
        if not isinstance(obj, JobPosting) or not session.is_modified(obj):
            continue
        state = obj._sa_instance_state  # type: ignore[attr-defined]
        changed = {
            attr.key
            for attr in state.attrs
            if attr.history.has_changes() and attr.key not in ("job", "published_by")
        }
        down = state.attrs.taken_down_at.history
        if changed - {"taken_down_at"} or (down.deleted and down.deleted[0] is not None):
            raise PostingChanged(f"posting {obj.id} was published as it is; publish a new version")


class Application(Model):
    """Someone applying to a posting through the public form: the candidate it created or
    matched by email, what they wrote, and their résumé if they sent one."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_source_created_at", "source", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("job_postings.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    # As typed on the form (the confirmation goes here), and a keyed hash of where it came
    # from (for the per-address limit: no address is stored).
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    job: Mapped[Job] = relationship()
    candidate: Mapped[Candidate] = relationship()
    resume: Mapped[Resume | None] = relationship(back_populates="application", uselist=False)


class Resume(Model):
    """A résumé file sent with an application: stored outside the web root under a random
    name, served only to staff who can see the candidate, deleted with the candidate."""

    __tablename__ = "resumes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    file_name: Mapped[str] = mapped_column(String(120))  # as sent, made safe to show
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="resume")
