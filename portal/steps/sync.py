"""Keeping each interview's stored steps in line with the rules and the policy in force.

One interview at a time (``sync_steps``, when an interview or a step is written) or many
in bulk (``sync_interviews``: a policy change, an employer's channel, ``flask steps sync``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import cast

from flask import g
from sqlalchemy import (
    CursorResult,
    bindparam,
    distinct,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..audit import record
from ..extensions import db
from ..followup import (
    STEP_ORDER,
    Action,
    BusinessCalendar,
    InterviewFacts,
    Policy,
    Status,
    StepKind,
    StepPlan,
    StepState,
    plan_steps,
    settle,
    week_of,
)
from ..models import (
    Candidate,
    Employer,
    Interview,
    Outcome,
    PolicyVersion,
    PreferredChannel,
    Step,
    User,
)
from ..models.base import table_of
from ..times import utcnow
from .calendar import business_calendar
from .policy import PolicyInForce, current_policy, policy_in_force, policy_of


def change_policy(new: Policy, by: User) -> list[str]:
    """Save a new policy version and note it in the audit trail; the open steps are
    brought under it afterwards, batch by batch (``steps.applying``).

    Returns the changes, as lines; nothing is saved when there are none."""
    changes = new.changes_from(current_policy())
    if not changes:
        return []
    open_interviews = db.session.scalar(
        select(func.count(distinct(Step.interview_id))).where(Step.result.is_(None))
    )
    version = PolicyVersion(
        **asdict(new), created_by_id=by.id, created_at=utcnow(), open_interviews=open_interviews
    )
    db.session.add(version)
    db.session.flush()
    g.policy_in_force = PolicyInForce(version.id, new)
    record(
        by,
        "policy.changed",
        "; ".join(changes) + f" (applies to the open steps of {open_interviews} interviews)",
    )
    return changes


def facts_of(interview) -> InterviewFacts:
    """The rules' view of an interview: an Interview, or a row with the same column names
    plus ``preferred_channel`` (the bulk path reads rows, not objects)."""
    preferred = (
        getattr(interview, "preferred_channel", None) or interview.employer.preferred_channel
    )
    return InterviewFacts(
        starts_at=interview.starts_at,
        ends_at=interview.starts_at + timedelta(minutes=interview.duration_minutes),
        timeline=str(interview.timeline),
        decision_date=interview.decision_date,
        timeline_recorded_at=interview.timeline_recorded_at,
        outcome=str(interview.outcome),
        outcome_at=interview.outcome_at,
        preferred_channel=None if preferred == PreferredChannel.NONE else str(preferred),
    )


def actions_of(steps: Iterable) -> dict[StepKind, Action]:
    return {
        step.kind: Action(
            done_at=step.done_at,
            channel=str(step.channel) if step.channel else None,
            waived=step.waived_at is not None,
        )
        for step in steps
    }


def state_of(step: Step) -> StepState:
    """The stored step as the rules see it."""
    return StepState(
        kind=step.kind,
        due_at=step.due_at,
        opens_at=step.opens_at,
        required_channel=str(step.required_channel) if step.required_channel else None,
        done_at=step.done_at,
        channel=str(step.channel) if step.channel else None,
        result=Status(step.result) if step.result is not None else None,
    )


@dataclass(frozen=True)
class _Worked:
    """One step as the rules see it now, and the policy version it was worked out under."""

    version_id: int | None
    plan: StepPlan
    state: StepState


def work_out(
    facts: InterviewFacts, steps: dict, *, reasons: bool = True, open_only: bool = False
) -> dict[StepKind, _Worked]:
    """Plan and settle each step of one interview (``steps``: stored steps or rows, by kind).

    Open steps follow the policy in force and the employer's channel as it is now. A step
    already settled (done, waived, not needed) keeps the policy version and channel it was
    settled under, so a later policy change or an edit elsewhere on the interview cannot
    re-judge it; if it opens again it follows the policy in force. ``reasons`` False
    leaves out the plans' words (the bulk path stores due times only); ``open_only``
    works out the open steps alone (applying a policy change reaches those only; a step
    missing is left to ``steps sync``).
    """
    calendar = business_calendar()
    current = policy_in_force()
    actions = actions_of(steps.values())
    plans: dict[int | None, dict[StepKind, StepPlan]] = {}

    def work(kind: StepKind, version_id: int | None, settled=None) -> _Worked:
        if version_id not in plans:
            policy = current.policy if version_id == current.version_id else policy_of(version_id)
            plans[version_id] = plan_steps(facts, actions, policy, calendar, reasons=reasons)
        plan = plans[version_id][kind]
        if settled is not None:
            channel = settled.required_channel
            channel = str(channel) if channel else None
            if channel != plan.required_channel:
                plan = replace(plan, required_channel=channel)
        return _Worked(version_id, plan, settle(plan, facts, actions.get(kind)))

    out = {}
    for kind in STEP_ORDER:
        step = steps.get(kind)
        worked = None
        if open_only and (step is None or step.result is not None):
            continue
        if step is not None and step.result is not None:
            worked = work(kind, step.policy_version_id, step)
        if worked is None or worked.state.result is None:
            worked = work(kind, current.version_id)
        out[kind] = worked
    return out


def _stored_values(kind: StepKind, worked: _Worked, calendar: BusinessCalendar) -> dict:
    """The columns of a step that the rules decide."""
    plan, state = worked.plan, worked.state
    values = {
        "policy_version_id": worked.version_id,
        "due_at": plan.due_at,
        "opens_at": plan.opens_at,
        "required_channel": plan.required_channel,
        "result": state.result,
        "due_week": week_of(plan.due_at, calendar),
    }
    if kind in (StepKind.TIMELINE, StepKind.MOVE_ON):
        values["done_at"] = state.done_at  # these are done through the interview record
    return values


def sync_steps(interview: Interview) -> list[Step]:
    """Create the interview's four steps if missing and store what the rules say now."""
    calendar = business_calendar()
    by_kind = {step.kind: step for step in interview.steps}
    for kind, worked in work_out(facts_of(interview), by_kind).items():
        step = by_kind.get(kind)
        if step is None:
            step = Step(kind=kind, note="", waive_reason="")
            interview.steps.append(step)
        for name, value in _stored_values(kind, worked, calendar).items():
            setattr(step, name, value)
        step.candidate_id = interview.candidate_id
        step.employer_id = interview.employer_id
        if step.result is None or step.id is None:
            step.recruiter_id = interview.candidate.recruiter_id
    db.session.flush()
    return sorted(interview.steps, key=lambda s: STEP_ORDER.index(s.kind))


BATCH = 500

INTERVIEW_COLUMNS = (
    Interview.id,
    Interview.candidate_id,
    Interview.employer_id,
    Interview.starts_at,
    Interview.duration_minutes,
    Interview.timeline,
    Interview.decision_date,
    Interview.timeline_recorded_at,
    Interview.outcome,
    Interview.outcome_at,
    Employer.preferred_channel,
    Candidate.recruiter_id,
)

STEP_COLUMNS = (
    Step.id,
    Step.interview_id,
    Step.kind,
    Step.result,
    Step.policy_version_id,
    Step.required_channel,
    Step.done_at,
    Step.channel,
    Step.waived_at,
    Step.due_at,
    Step.opens_at,
    Step.due_week,
    Step.employer_id,
    Step.recruiter_id,
    Step.version,
)


PATIENCE = 5  # tries of a batch that loses races with people's edits, committing each


def sync_interviews(
    query, progress: Callable[[int], None] | None = None, *, commit_each: bool = False
) -> int:
    """Sync the steps of every interview the query selects, BATCH at a time; returns how
    many. ``progress`` is told the size of each batch once it is written.

    ``commit_each`` (a command, not a request): each batch is a transaction of its own, so
    a long sync holds SQLite's write lock for one batch at a time, not for all of them; a
    batch that meets a step someone changed meanwhile is worked out again."""
    ids = list(db.session.scalars(query.with_only_columns(Interview.id).order_by(Interview.id)))
    if commit_each:
        db.session.commit()
    else:
        db.session.flush()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        if commit_each:
            _sync_and_commit(batch)
        else:
            sync_batch(batch)
        if progress is not None:
            progress(len(batch))
    db.session.expire_all()  # objects loaded before this point may hold old values
    return len(ids)


def _sync_and_commit(ids: list[int]) -> None:
    for _ in range(PATIENCE):
        try:
            sync_batch(ids)
        except (StaleDataError, IntegrityError):  # someone changed a step meanwhile: again
            db.session.rollback()
            continue
        db.session.commit()
        return
    raise StaleDataError(f"steps of interviews {ids[0]}..{ids[-1]} kept changing")


# What a bulk sync writes of a step, narrowest first: the same due time under another
# policy version; the due time moved within its week (the business day ends at another
# hour); an open step's plan moved; else every column the rules decide. Each column left
# out is one bind parameter fewer to convert per row, and no trigger on it fires.
WRITE_SHAPES = (
    ("policy_version_id",),
    ("policy_version_id", "due_at"),
    ("policy_version_id", "due_at", "opens_at", "required_channel", "due_week"),
)

# Each row names the step and the version it read (``b_id``, ``b_version``); the other keys
# are the columns to set. A step changed by someone meanwhile no longer matches.
_STEPS = table_of(Step)
_UPDATE_STEP = (
    update(_STEPS)
    .where(_STEPS.c.id == bindparam("b_id"))
    .where(_STEPS.c.version == bindparam("b_version"))
)


@dataclass
class BatchWrites:
    """What the rules would change in a batch of interviews, ready to write."""

    updates: list[list[dict]]  # changed steps, grouped by the columns to set
    inserts: list[dict]  # steps missing

    def write(self) -> None:
        """Raises StaleDataError when a step changed since it was read (the caller rolls
        back and works the batch out again)."""
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        for rows in self.updates:
            if postgresql:
                _expect(len(rows), db.session.execute(_update_from_arrays(rows)))
            else:
                _expect(len(rows), db.session.execute(_UPDATE_STEP, rows))
        if self.inserts:
            db.session.execute(insert(Step), self.inserts)


def _update_from_arrays(rows: list[dict]):
    """PostgreSQL: the rows of an executemany as one UPDATE … FROM unnest(arrays), a column
    an array: one statement for the server to plan and run rather than one per step (it
    halves the time of a policy batch). Same matching as ``_UPDATE_STEP``."""
    names = list(rows[0])
    arrays = [
        bindparam(
            f"a_{name}",
            [row[name] for row in rows],
            type_=ARRAY(_STEPS.c[name.removeprefix("b_")].type),
        )
        for name in names
    ]
    given = func.unnest(*arrays).table_valued(*names).render_derived("given")
    return (
        update(_STEPS)
        .where(_STEPS.c.id == given.c.b_id, _STEPS.c.version == given.c.b_version)
        .values({name: given.c[name] for name in names if not name.startswith("b_")})
    )


def sync_batch(ids: list[int], *, open_only: bool = False) -> None:
    """The same rules as ``sync_steps`` for a batch of interviews, in bulk: rows in, the
    changed steps out in one executemany UPDATE and one INSERT (``open_only``: the open
    steps only, as a policy change needs). Raises StaleDataError (the caller rolls back)
    when a step changed between reading and writing."""
    work_out_batch(ids, open_only=open_only).write()


def work_out_batch(ids: list[int], *, open_only: bool = False) -> BatchWrites:
    """Read a batch of interviews and their steps, and work out what the rules change."""
    if not ids:
        return BatchWrites([], [])
    calendar = business_calendar()
    interviews = db.session.execute(
        select(*INTERVIEW_COLUMNS)
        .join(Employer, Employer.id == Interview.employer_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(Interview.id.in_(ids))
    ).all()
    # The span as well as the list: PostgreSQL then reads the span off the index rather
    # than the whole table (a batch's ids are close together, in order).
    read = select(*STEP_COLUMNS).where(
        Step.interview_id.in_(ids), Step.interview_id.between(min(ids), max(ids))
    )
    if open_only:
        # The open steps, and the follow-up (the move-on step counts from when it was
        # sent): the rules read no other settled step to plan and settle the open ones.
        read = read.where(Step.result.is_(None) | (Step.kind == StepKind.FOLLOW_UP))
    stored: dict[int, dict] = {i: {} for i in ids}
    for row in db.session.execute(read):
        stored[row.interview_id][row.kind] = row
    inserts: list[dict] = []
    shapes: dict[tuple[str, ...], list[dict]] = {}
    now = utcnow()
    for interview in interviews:
        steps = stored[interview.id]
        worked_out = work_out(facts_of(interview), steps, reasons=False, open_only=open_only)
        for kind, worked in worked_out.items():
            step = steps.get(kind)
            # Every row gets the same keys, so each batch is one executemany.
            values = {
                "done_at": step.done_at if step else None,
                "employer_id": interview.employer_id,
                "recruiter_id": step.recruiter_id if step else None,
                **_stored_values(kind, worked, calendar),
            }
            if step is None or values["result"] is None:
                values["recruiter_id"] = interview.recruiter_id
            if step is None:
                inserts.append(
                    {
                        **values,
                        "interview_id": interview.id,
                        "candidate_id": interview.candidate_id,
                        "kind": kind,
                        "note": "",
                        "waive_reason": "",
                        "updated_at": now,
                    }
                )
                continue
            stored_now = step._mapping
            changed = [name for name, value in values.items() if stored_now[name] != value]
            if not changed:
                continue
            # Only the columns that changed, in one of a few shapes (an executemany needs
            # the same keys): SQLite rewrites every index that names a column set, same
            # value or not.
            shape = next(
                (cols for cols in WRITE_SHAPES if set(changed) <= set(cols)), tuple(values)
            )
            shapes.setdefault(shape, []).append(
                {
                    **{name: values[name] for name in shape},
                    "b_id": step.id,
                    "b_version": step.version,
                    "version": step.version + 1,
                    "updated_at": now,
                }
            )
    return BatchWrites(list(shapes.values()), inserts)


def _expect(count: int, result) -> None:
    """Every step read was written: one changed meanwhile no longer matches its version."""
    written = cast(CursorResult, result).rowcount
    if written != count:
        raise StaleDataError(f"{count - written} of {count} steps changed while being synced")


def hand_over_open_steps(candidate_id: int, recruiter_id: int) -> None:
    """A reassigned candidate's open steps become the new recruiter's responsibility."""
    db.session.execute(
        update(Step)
        .where(Step.candidate_id == candidate_id, Step.result.is_(None))
        .values(recruiter_id=recruiter_id)
    )


def interviews_out_of_step():
    """Interviews whose stored steps the rules would change whatever the clock: some missing
    (logged before steps were stored), or closed with steps still open (closed before a
    closing settled its steps)."""
    missing = (
        ~select(Step.id).where(Step.interview_id == Interview.id).correlate(Interview).exists()
    )
    still_open = (
        select(Step.id)
        .where(Step.interview_id == Interview.id, Step.result.is_(None))
        .correlate(Interview)
        .exists()
    )
    return select(Interview).where(missing | ((Interview.outcome != Outcome.PENDING) & still_open))


def interviews_with_open_steps():
    return select(Interview).where(
        select(Step.id).where(Step.interview_id == Interview.id, Step.result.is_(None)).exists()
    )
