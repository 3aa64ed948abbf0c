"""Published job postings: each version as it went up, kept unchanged (docs/job-postings.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime

if TYPE_CHECKING:
    from .agency import Job, User


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
