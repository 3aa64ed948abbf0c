"""Spreadsheets being imported, likely duplicate candidates, and merges (docs: the
README's "Moving in")."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..times import utcnow
from .base import Choice, UTCDateTime, choice_column

if TYPE_CHECKING:
    from .agency import Candidate, User


class ImportStatus(Choice):
    PREVIEW = "preview", "Waiting for confirmation"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Stopped, nothing written"


class ImportBatch(Model):
    """One uploaded spreadsheet: read and checked on every look at its preview, written
    in one transaction once an admin confirms. Its rows are dropped once it is imported
    (the report stays)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # candidates, employers or jobs
    file_name: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The file as uploaded (the reader works out its encoding and separator each time).
    content: Mapped[bytes | None] = mapped_column()
    # Column i gives field mapping[i] ("" for none), as recognised or as the admin chose.
    mapping: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_role: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[ImportStatus] = mapped_column(
        choice_column(ImportStatus, "import_status"), default=ImportStatus.PREVIEW
    )
    rows: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)  # rows checked so far, for the bar
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str] = mapped_column(Text, default="")  # CSV: row, outcome, reason
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User | None] = relationship()


class DuplicatePair(Model):
    """Two candidates who may be one person, and why; dismissed for good with "not the
    same person", or merged (the pair goes with the merged record)."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="first_is_older"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    reasons: Mapped[str] = mapped_column(String(120))  # codes joined by ",": see duplicates.REASONS
    found_through: Mapped[str] = mapped_column(String(20))  # hand, import or application
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    first: Mapped[Candidate] = relationship(foreign_keys=[first_id])
    second: Mapped[Candidate] = relationship(foreign_keys=[second_id])
    dismissed_by: Mapped[User | None] = relationship()


class CandidateMerge(Model):
    """Two candidate records made one: what moved and what was replaced, so the merge can
    be undone for 30 days. The removed record's row is gone meanwhile; ``undo`` holds it."""

    __tablename__ = "candidate_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    removed_id: Mapped[int] = mapped_column(Integer)
    removed_name: Mapped[str] = mapped_column(String(120))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undo: Mapped[dict[str, Any]] = mapped_column(JSON)  # see intake.merging
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    kept: Mapped[Candidate] = relationship(foreign_keys=[kept_id])
    merged_by: Mapped[User | None] = relationship(foreign_keys=[merged_by_id])
