"""Applying a saved policy change to the open steps: after the request, in short batches.

Saving a change (``sync.change_policy``) writes the new version and nothing else, so the
admin's page answers at once. The open steps are then recomputed under it BATCH
interviews at a time, each batch a transaction of its own under the policy lock (on
SQLite, the database's write lock), so other writers wait at most one batch. The
background thread of the process that saved the change starts right away; ``flask steps
sync`` finishes whatever a crash left. Until its batch comes, a step keeps the due time of
the version before, and the policy page says how far the change has got.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from sqlalchemy import ColumnElement, and_, distinct, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db, write_lock
from ..followup import steps_moved
from ..models import PolicyVersion, Step
from ..times import utcnow
from .policy import policy_in_force, policy_of
from .sync import PATIENCE, work_out_batch

POLICY_LOCK = 0x706F6C6963790001  # "policy" + 1: PostgreSQL's advisory lock for the batches
STALLED_AFTER = timedelta(seconds=60)
BATCH = 2000  # interviews a batch through the rules (the lock is held for the writing only)
RELABEL_BATCH = 2500  # interviews a batch whose steps only take the new version
PASSES = 10  # passes over what is left before giving up for now (each pass re-reads it)


@dataclass(frozen=True)
class Applying:
    """The newest policy version while its open steps are still being brought under it."""

    version_id: int
    created_at: datetime
    open_interviews: int  # interviews with open steps when the change was saved
    left: int  # interviews whose open steps do not follow it yet
    last_batch_at: datetime | None

    @property
    def done(self) -> int:
        return max(self.open_interviews - self.left, 0)

    def stalled(self, now: datetime) -> bool:
        """Nothing written for a while: the process applying it has gone."""
        return now - (self.last_batch_at or self.created_at) > STALLED_AFTER


def _not_following(version_id: int, column=Step.interview_id):
    """Open steps worked out under another version (or the defaults)."""
    return select(column).where(
        Step.result.is_(None),
        or_(Step.policy_version_id.is_(None), Step.policy_version_id != version_id),
    )


def applying() -> Applying | None:
    """How far the newest policy version has got; None when it is applied (or none is saved)."""
    version = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1))
    if version is None or version.applied_at is not None:
        return None
    left = db.session.scalar(
        select(func.count(distinct(Step.interview_id))).where(
            Step.interview_id.in_(_not_following(version.id))
        )
    )
    return Applying(
        version.id, version.created_at, version.open_interviews, left or 0, version.last_batch_at
    )


def apply_policy(progress: Callable[[int, int], None] | None = None) -> int:
    """Bring every open step under the newest policy version, a batch per transaction;
    returns how many interviews were reached. ``progress`` is told (done, of) after each
    batch. A second change saved meanwhile takes over from the first at the next batch.

    Steps whose plans the change can move (``followup.steps_moved``) are recomputed by the
    rules engine; the others only take the new version, in one UPDATE a batch. Steps that
    turn up under a version not seen when the pass began (a request that read the policy
    just before the change) wait for the next pass; the version is marked applied only
    when, under the lock, no open step is left on another."""
    reached = 0
    for _ in range(PASSES):
        g.pop("policy_in_force", None)
        target = policy_in_force()
        if target.version_id is None:  # nothing saved: the defaults, which steps follow
            return reached
        moved, unmoved = _by_what_moves(target)
        recompute = _interviews(_not_following(target.version_id).where(moved))
        recomputed = set(recompute)  # the rules reach all of an interview's open steps
        relabel = [
            i
            for i in _interviews(_not_following(target.version_id).where(unmoved))
            if i not in recomputed
        ]
        of = db.session.get_one(PolicyVersion, target.version_id).open_interviews
        db.session.rollback()  # read outside the batches: no lock held meanwhile
        if not recompute and not relabel:
            if _mark_applied(target.version_id):
                return reached
            continue
        batches = [(ids, True) for ids in _chunks(recompute, BATCH)] + [
            (ids, False) for ids in _chunks(relabel, RELABEL_BATCH)
        ]
        for ids, rules in batches:
            if not _apply_batch(target.version_id, ids, rules, unmoved):
                break  # a newer version was saved: start over under it
            reached += len(ids)
            if progress is not None:
                progress(reached, of)
    return reached  # still not settled: the page shows it stalled, and steps sync goes on


def _by_what_moves(target) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Two conditions on open steps of the versions open steps follow now: those whose
    plans can differ under ``target`` (moved), and those whose plans cannot (unmoved).
    A step on a version not seen here is in neither."""
    versions = db.session.scalars(
        select(Step.policy_version_id).where(Step.result.is_(None)).group_by(Step.policy_version_id)
    )
    moved, unmoved = [], []
    for version_id in versions:
        if version_id == target.version_id:
            continue
        same = (
            Step.policy_version_id.is_(None)
            if version_id is None
            else Step.policy_version_id == version_id
        )
        kinds = sorted(steps_moved(policy_of(version_id), target.policy))
        if kinds:
            moved.append(and_(same, Step.kind.in_(kinds)))
            unmoved.append(and_(same, Step.kind.not_in(kinds)))
        else:
            unmoved.append(same)
    return or_(false(), *moved), or_(false(), *unmoved)


def _interviews(query) -> list[int]:
    return list(db.session.scalars(query.distinct().order_by(Step.interview_id)))


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _apply_batch(target: int, ids: list[int], rules: bool, unmoved) -> bool:
    """One batch in a transaction of its own: the rules engine on its open steps, or the
    new version on steps it cannot move. False when ``target`` is no longer the newest.

    The rules work the batch out before the lock is taken (reading needs no lock), so
    people's edits wait only for the writing; a step one of them changed meanwhile no
    longer matches its version, and the batch is worked out again."""
    for _ in range(PATIENCE):
        writes = None
        if rules:
            if not _newest(target):
                return False
            writes = work_out_batch(ids, open_only=True)  # under the policy just read
            db.session.rollback()  # end the read: no lock is held while nothing is written
        write_lock(POLICY_LOCK)
        if not _newest(target):
            return False
        try:
            if writes is not None:
                writes.write()
            else:
                _relabel(target, ids, unmoved)
        except (StaleDataError, IntegrityError):  # someone changed a step meanwhile: again
            db.session.rollback()
            continue
        db.session.get_one(PolicyVersion, target).last_batch_at = utcnow()
        db.session.commit()
        return True
    raise StaleDataError(f"steps of interviews {ids[0]}..{ids[-1]} kept changing")


def _newest(target: int) -> bool:
    """Whether ``target`` is still the newest version (read afresh); rolls back if not."""
    g.pop("policy_in_force", None)
    if policy_in_force().version_id == target:
        return True
    db.session.rollback()
    return False


def _relabel(target: int, ids: list[int], unmoved) -> None:
    """The new version for open steps it cannot move (their due times stay as they are).
    Every condition is on the row updated, so PostgreSQL checks them all again on a row
    that someone changed while this waited for it."""
    db.session.execute(
        update(Step)
        .where(Step.interview_id.in_(ids), Step.result.is_(None), unmoved)
        .values(policy_version_id=target, version=Step.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _mark_applied(target: int) -> bool:
    """Mark ``target`` applied if, under the lock, no open step follows another version;
    False (and nothing marked) if some still do."""
    write_lock(POLICY_LOCK)
    left = db.session.scalar(select(_not_following(target).limit(1).exists()))
    version = db.session.get_one(PolicyVersion, target)
    if not left and version.applied_at is None:
        version.applied_at = utcnow()
    db.session.commit()
    return not left
