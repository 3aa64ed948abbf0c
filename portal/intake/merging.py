"""Two records of one person made one, field by field, and unmade within 30 days.

Everything that hangs off the removed record moves to the kept one: interviews with
their steps, applications and résumés, the assignment history, the audit trail and the
sign-in (at most one of the two may have one). What moved, what the kept record held
before and the removed record itself are kept on the merge (``CandidateMerge.undo``), so
undoing it puts each back. Steps keep their due times and results, so the compliance
figures do not change; open steps follow the kept record's recruiter, as on a
reassignment.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..models import (
    Application,
    Assignment,
    AuditEvent,
    Candidate,
    CandidateMerge,
    DuplicatePair,
    Interview,
    Resume,
    Step,
    User,
)
from ..models.agency import candidate_search_text, name_key, phone_key
from ..models.base import UTCDateTime, table_of

UNDO_FOR = timedelta(days=30)
# The fields people pick between, in the order the merge page shows them.
FIELDS = ("name", "email", "phone", "role_sought", "status", "city", "notes", "recruiter_id")
MOVED: dict[str, Any] = {  # each has id and candidate_id
    "interviews": Interview,
    "steps": Step,
    "applications": Application,
    "resumes": Resume,
    "assignments": Assignment,
    "audit_events": AuditEvent,
}


class MergeRefused(ValueError):
    """The two cannot be merged (or the merge cannot be undone); the message says why."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def _row(candidate_id: int) -> dict[str, Any]:
    """A candidate's row as JSON-ready values, every column."""
    table = table_of(Candidate)
    row = db.session.execute(select(table).where(table.c.id == candidate_id)).mappings().one()
    return {key: _plain(value) for key, value in row.items()}


def _back(table, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values as the table's columns take them again."""
    out = {}
    for key, value in values.items():
        kind = table.c[key].type
        if value is not None and isinstance(kind, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[key] = value
    return out


def _set(model, ids, **values) -> None:
    """Change these rows of ``model`` (by id) in one statement, the session's copies aside."""
    if ids:
        db.session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def can_merge(kept: Candidate, removed: Candidate) -> str | None:
    """Why the two cannot be merged, or None."""
    if kept.id == removed.id:
        return "A record cannot be merged with itself."
    if kept.erased_at or removed.erased_at:
        return "An erased record cannot be merged."
    if kept.user_id and removed.user_id:
        return (
            "Both have a sign-in to the portal, and a person keeps one: ask them which "
            "they use, and deactivate the other account first."
        )
    return None


def merge(
    kept: Candidate, removed: Candidate, picks: dict[str, str], actor: User, now: datetime
) -> CandidateMerge:
    """Merge ``removed`` into ``kept``; ``picks`` says, for each of FIELDS, "kept" or
    "removed": whose value the merged record has ("both" for the notes: one after the
    other). Flushed; the view commits."""
    refused = can_merge(kept, removed)
    if refused:
        raise MergeRefused(refused)
    moved = {
        name: list(db.session.scalars(select(model.id).where(model.candidate_id == removed.id)))
        for name, model in MOVED.items()
    }
    pairs = [
        {c.key: _plain(getattr(p, c.key)) for c in DuplicatePair.__table__.columns}
        for p in db.session.scalars(
            select(DuplicatePair).where(
                or_(DuplicatePair.first_id == removed.id, DuplicatePair.second_id == removed.id)
            )
        )
    ]
    earlier = list(
        db.session.scalars(select(CandidateMerge.id).where(CandidateMerge.kept_id == removed.id))
    )
    undo: dict[str, Any] = {
        "kept_id": kept.id,
        "earlier_merges": earlier,  # merges into the removed record: now into the kept one
        "removed": _row(removed.id),
        "kept": {key: _plain(getattr(kept, key)) for key in (*FIELDS, "user_id")},
        "moved": moved,
        "pairs": pairs,
        "step_recruiters": {},
        "ended_assignments": [],
        "user_name": None,
    }
    chosen = {key: getattr(removed if picks.get(key) == "removed" else kept, key) for key in FIELDS}
    if picks.get("notes") == "both":
        chosen["notes"] = "\n\n".join(n for n in (kept.notes, removed.notes) if n)
    user_id = kept.user_id or removed.user_id
    removed_id, removed_name = removed.id, removed.name
    for name, model in MOVED.items():
        _set(model, moved[name], candidate_id=kept.id)
    db.session.execute(delete(DuplicatePair).where(DuplicatePair.id.in_([p["id"] for p in pairs])))
    _set(CandidateMerge, earlier, kept_id=kept.id)
    db.session.expunge(removed)
    db.session.execute(delete(table_of(Candidate)).where(table_of(Candidate).c.id == removed_id))
    db.session.expire(kept)
    for key, value in chosen.items():
        setattr(kept, key, value)
    kept.user_id = user_id
    if kept.user is not None and kept.user.name != kept.name:
        undo["user_name"] = kept.user.name
        kept.user.name = kept.name
    undo["step_recruiters"] = _open_steps_follow(kept)
    undo["ended_assignments"] = _one_open_assignment(kept, now)
    merged = CandidateMerge(
        kept_id=kept.id,
        removed_id=removed_id,
        removed_name=removed_name,
        merged_at=now,
        merged_by=actor,
        undo=undo,
    )
    db.session.add(merged)
    db.session.flush()
    record(
        actor,
        "candidate.merged",
        f"{removed_name} (#{removed_id}) merged into {kept.name} (#{kept.id}); "
        f"{len(moved['interviews'])} interview(s), {len(moved['applications'])} "
        "application(s) moved; can be undone for 30 days",
        candidate_id=kept.id,
    )
    return merged


def _open_steps_follow(kept: Candidate) -> dict[str, int | None]:
    """Open steps take the merged record's recruiter; returns each changed step's old one."""
    if kept.recruiter_id is None:
        return {}
    rows = db.session.execute(
        select(Step.id, Step.recruiter_id).where(
            Step.candidate_id == kept.id,
            Step.result.is_(None),
            or_(Step.recruiter_id.is_(None), Step.recruiter_id != kept.recruiter_id),
        )
    ).all()
    _set(Step, [r.id for r in rows], recruiter_id=kept.recruiter_id)
    return {str(r.id): r.recruiter_id for r in rows}


def _one_open_assignment(kept: Candidate, now: datetime) -> list[int]:
    """Both histories are the merged record's; the stretches still open with another
    recruiter than its own end now. Returns their ids."""
    ended = list(
        db.session.scalars(
            select(Assignment.id).where(
                Assignment.candidate_id == kept.id,
                Assignment.ended_at.is_(None),
                *(
                    []
                    if kept.recruiter_id is None
                    else [Assignment.recruiter_id != kept.recruiter_id]
                ),
            )
        )
    )
    _set(Assignment, ended, ended_at=now)
    return ended


def can_undo(merged: CandidateMerge, now: datetime) -> str | None:
    if merged.undone_at is not None:
        return "This merge has been undone already."
    if now - merged.merged_at > UNDO_FOR:
        return "A merge can be undone for 30 days; this one is older."
    if merged.kept.erased_at is not None:
        return "The merged record has been erased since."
    if merged.kept_id != merged.undo.get("kept_id", merged.kept_id):
        return "The merged record has been merged into another since; undo that merge first."
    return None


def unmerge(merged: CandidateMerge, actor: User, now: datetime) -> Candidate:
    """Put both records back as they were before the merge, with what moved; what was
    added to the merged record since stays on it. Flushed; the view commits."""
    refused = can_undo(merged, now)
    if refused:
        raise MergeRefused(refused)
    undo, kept = merged.undo, merged.kept
    table = table_of(Candidate)
    before = _back(table, undo["kept"])
    user = kept.user
    if undo["user_name"] is not None and user is not None:
        user.name = undo["user_name"]
    for key in FIELDS:
        setattr(kept, key, before[key])
    kept.user_id = before["user_id"]
    try:
        db.session.flush()
        removed = _back(table, undo["removed"])
        db.session.execute(insert(table).values(**removed))
    except IntegrityError:
        db.session.rollback()
        raise MergeRefused(
            "The two records cannot both be put back: one of their email addresses is now "
            "another candidate's."
        ) from None
    removed_id = removed["id"]
    for name, model in MOVED.items():  # what moved and is still on the kept record
        still = db.session.scalars(
            select(model.id).where(model.id.in_(undo["moved"][name]), model.candidate_id == kept.id)
        ).all()
        _set(model, list(still), candidate_id=removed_id)
    for step_id, recruiter_id in undo["step_recruiters"].items():
        db.session.execute(
            update(Step)
            .where(Step.id == int(step_id), Step.result.is_(None))
            .values(recruiter_id=recruiter_id)
            .execution_options(synchronize_session=False)
        )
    _set(Assignment, undo["ended_assignments"], ended_at=None)
    _set(CandidateMerge, undo["earlier_merges"], kept_id=removed_id)
    if undo["pairs"]:
        pairs = table_of(DuplicatePair)
        db.session.execute(insert(pairs), [_back(pairs, p) for p in undo["pairs"]])
    db.session.execute(
        update(table)
        .where(table.c.id == removed_id)
        .values(
            search_text=candidate_search_text(removed["name"], removed["email"], removed["phone"]),
            name_key=name_key(removed["name"]),
            phone_key=phone_key(removed["phone"]),
        )
    )
    merged.undone_at, merged.undone_by_id = now, actor.id
    db.session.flush()
    db.session.expire_all()  # the rows changed above by statements, read afresh
    record(
        actor,
        "candidate.unmerged",
        f"The merge of {merged.removed_name} (#{removed_id}) into #{kept.id} undone",
        candidate_id=merged.kept_id,
    )
    record(
        actor,
        "candidate.unmerged",
        f"{merged.removed_name} (#{removed_id}) put back from the merge into #{merged.kept_id}",
        candidate_id=removed_id,
    )
    db.session.flush()
    return db.session.get_one(Candidate, removed_id)
