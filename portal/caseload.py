"""Moving candidates between recruiters in bulk: a departing recruiter's caseload handed
over, unassigned candidates given a recruiter.

A move is planned first (who goes to whom, with the open steps that go along), shown to
the admin, then made in one transaction. Each candidate must still be where the plan
found it when the move is made: if another admin moved any of them meanwhile, nothing is
moved (``CaseloadChanged``) and the admin looks again. The history of assignments is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnElement, CursorResult, func, insert, or_, select, update

from .audit import record
from .extensions import db
from .models import Assignment, Candidate, Role, Step, User
from .times import utcnow


class CaseloadChanged(Exception):
    """Some of the candidates are no longer where the plan found them; nothing was moved."""


@dataclass
class Share:
    """What one recruiter takes on: these candidates, with this many open steps."""

    recruiter: User
    candidates: list[Candidate] = field(default_factory=list)
    open_steps: int = 0


def unassigned() -> ColumnElement[bool]:
    """Candidates nobody looks after: no recruiter, or a deactivated one."""
    inactive = select(User.id).where(User.active.is_(False))
    return or_(Candidate.recruiter_id.is_(None), Candidate.recruiter_id.in_(inactive))


def where_from(source: User | None) -> ColumnElement[bool]:
    """Where the candidates of a plan are: with ``source``, or unassigned (None)."""
    return unassigned() if source is None else Candidate.recruiter_id == source.id


def open_steps_by_candidate(ids: Iterable[int]) -> dict[int, int]:
    """How many open steps each of these candidates has (one grouped query)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Step.candidate_id, func.count(Step.id))
        .where(Step.candidate_id.in_(ids), Step.result.is_(None))
        .group_by(Step.candidate_id)
    ).tuples()
    return dict(rows.all())


def active_recruiters(*leaving_out: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.RECRUITER, User.active.is_(True), User.id.not_in(leaving_out))
            .order_by(User.name, User.id)
        )
    )


def plan(
    candidates: Sequence[Candidate], recruiters: Sequence[User], open_steps: dict[int, int]
) -> list[Share]:
    """Share the candidates among the recruiters so that each takes on about as much open
    work: the busiest candidates first, each to whoever has the least so far."""
    shares = [Share(recruiter) for recruiter in recruiters]
    busiest_first = sorted(candidates, key=lambda c: (-open_steps.get(c.id, 0), c.name, c.id))
    for candidate in busiest_first:
        share = min(shares, key=lambda s: (s.open_steps, len(s.candidates)))
        share.candidates.append(candidate)
        share.open_steps += open_steps.get(candidate.id, 0)
    for share in shares:
        share.candidates.sort(key=lambda c: (c.name, c.id))
    return [share for share in shares if share.candidates]


def move(moves: dict[int, int], source: User | None, by: User, why: str, note: str = "") -> int:
    """Move each candidate (id → recruiter id) in this transaction (the caller commits):
    ends their current assignment, starts the new one, hands their open steps over, and
    notes each in the audit trail. Every candidate must still be with ``source`` (or
    unassigned, for None), else ``CaseloadChanged`` and the caller rolls back."""
    if not moves:
        return 0
    now = utcnow()
    by_target: dict[int, list[int]] = {}
    for candidate_id, recruiter_id in moves.items():
        by_target.setdefault(recruiter_id, []).append(candidate_id)
    for recruiter_id, ids in by_target.items():
        moved = db.session.execute(  # rows another admin moved meanwhile are not matched
            update(Candidate)
            .where(Candidate.id.in_(ids), where_from(source))
            .values(recruiter_id=recruiter_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, moved).rowcount != len(ids):
            raise CaseloadChanged
        db.session.execute(
            update(Step)
            .where(Step.candidate_id.in_(ids), Step.result.is_(None))
            .values(recruiter_id=recruiter_id)
        )
    ids = list(moves)
    db.session.execute(
        update(Assignment)
        .where(Assignment.candidate_id.in_(ids), Assignment.ended_at.is_(None))
        .values(ended_at=now)
    )
    db.session.execute(
        insert(Assignment),
        [
            {
                "candidate_id": candidate_id,
                "recruiter_id": recruiter_id,
                "assigned_by_id": by.id,
                "started_at": now,
                "note": note[:300],
            }
            for candidate_id, recruiter_id in moves.items()
        ],
    )
    names = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(by_target))).tuples().all()
    )
    for candidate_id, name in db.session.execute(
        select(Candidate.id, Candidate.name).where(Candidate.id.in_(ids))
    ).tuples():
        record(
            by,
            "candidate.assigned",
            f"{name} assigned to {names[moves[candidate_id]]}: {why}"
            + (f" ({note})" if note else ""),
            candidate_id=candidate_id,
        )
    db.session.expire_all()  # the ORM's copies of these rows are out of date
    return len(moves)
