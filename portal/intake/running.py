"""An import once the admin confirms it: checked again row by row (the bar follows), then
written in one transaction after the request, in the background thread of the process
that took it. A process that stops part-way leaves nothing written; the page then offers
to start again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, update

from ..extensions import db, refresh_statistics, write_lock
from ..models import ImportBatch, ImportStatus, User
from ..times import utcnow
from .importing import MATCHED_BY, Checked, check, report_csv, write
from .table import TableRefused, read_table

STALLED_AFTER = timedelta(seconds=90)
WRITTEN = ("candidates", "assignments", "audit_events", "duplicate_pairs", "employers", "jobs")
IMPORT_LOCK = 0x696D706F72740001  # "import" + 1: PostgreSQL's advisory lock for the writing


def stalled(batch: ImportBatch, now: datetime) -> bool:
    """Running, and nothing heard for a while: the process doing it has gone."""
    return (
        batch.status == ImportStatus.RUNNING
        and now - (batch.progress_at or batch.uploaded_at) > STALLED_AFTER
    )


def claim(batch: ImportBatch, now: datetime) -> bool:
    """Mark the batch running, if it waits for confirmation or has stalled: of two admins
    confirming at once, one gets it (the caller commits)."""
    still = ImportBatch.status == ImportStatus.PREVIEW
    if stalled(batch, now):
        still = (ImportBatch.status == ImportStatus.RUNNING) & (
            ImportBatch.progress_at == batch.progress_at
        )
    result = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, still)
        .values(status=ImportStatus.RUNNING, checked=0, progress_at=now, error="")
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


def run(batch_id: int, actor_id: int) -> None:
    """Check and write the batch; record how it ended. Nothing is written if it fails."""
    batch = db.session.get_one(ImportBatch, batch_id)
    actor = db.session.get_one(User, actor_id)
    try:
        table = read_table(batch.content or b"")
        checked = check(
            batch.kind,
            table,
            list(batch.mapping),
            batch.default_role,
            progress=lambda done, total: _progress(batch_id, done),
        )
        if checked.missing:
            raise TableRefused("No column gives " + ", ".join(checked.missing) + ".")
        now = utcnow()
        db.session.rollback()  # the checking read outside the write's transaction
        write_lock(IMPORT_LOCK)
        _matches_since(checked)
        batch = db.session.get_one(ImportBatch, batch_id)
        counts = write(checked, actor, now, batch.file_name)
        batch.status = ImportStatus.DONE
        batch.created, batch.matched = counts["created"], counts["matched"]
        batch.refused, batch.flagged = counts["refused"], counts["flagged"]
        batch.report = report_csv(checked)
        batch.content = None  # the rows are in the portal now; the file is not kept
        batch.finished_at = batch.progress_at = utcnow()
        db.session.commit()
        refresh_statistics(*WRITTEN)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("Import %s failed", batch_id)
        reason = str(exc) if isinstance(exc, TableRefused) else "the database refused the rows"
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(
                status=ImportStatus.FAILED,
                error=f"Nothing was imported: {reason}. Start it again, or upload a new file.",
                finished_at=utcnow(),
            )
        )
        db.session.commit()


def _progress(batch_id: int, done: int) -> None:
    db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(checked=done, progress_at=utcnow())
    )
    db.session.commit()


def _matches_since(checked: Checked) -> None:
    """Rows to create whose record was added since they were checked (by hand, by another
    import) now match it instead: read again under the lock, so none is added twice."""
    creating = [o for o in checked.outcomes if o.action == "create"]
    if not creating:
        return
    on_file_now, key_of = MATCHED_BY[checked.kind]
    on_file = on_file_now()
    for outcome in creating:
        found = on_file.get(key_of(outcome.values))
        if found is not None:
            outcome.action, outcome.matched_id, outcome.duplicates = "match", found, []
