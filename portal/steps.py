"""Keeping each interview's stored steps in line with the rules, and recording who changed them.

The rules live in ``portal.followup`` (pure); this module reads the interview and the
policy from the database, asks the rules, and writes the answer back. Helpers here
flush but never commit: the view owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, g
from sqlalchemy import insert, select, update
from sqlalchemy.orm import joinedload

from .extensions import db
from .followup import (
    STEP_ORDER,
    Action,
    Assessment,
    BusinessCalendar,
    InterviewFacts,
    Policy,
    StepKind,
    StepPlan,
    StepState,
    assess,
    plan_steps,
    settle,
    week_of,
)
from .models import (
    AuditEvent,
    Candidate,
    Channel,
    Employer,
    Interview,
    Outcome,
    PolicyVersion,
    PreferredChannel,
    Role,
    Step,
    Timeline,
    User,
)
from .times import utcnow


@cache
def _calendar(zone: str) -> BusinessCalendar:
    return BusinessCalendar(zone)


def business_calendar() -> BusinessCalendar:
    """The agency's calendar (built once per zone: the holiday tables are worth keeping)."""
    return _calendar(current_app.config["PORTAL_TIMEZONE"])


@dataclass(frozen=True)
class PolicyInForce:
    version_id: int | None  # None: no version saved yet, the brief's defaults
    policy: Policy


def policy_in_force() -> PolicyInForce:
    """The newest saved policy version, or the brief's defaults (read once per request)."""
    if "policy_in_force" not in g:
        version = db.session.scalar(
            select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)
        )
        g.policy_in_force = (
            PolicyInForce(version.id, version.as_policy())
            if version
            else PolicyInForce(None, Policy())
        )
    return g.policy_in_force


def current_policy() -> Policy:
    return policy_in_force().policy


def _policy_of(version_id: int | None) -> Policy:
    """The policy a step was settled under (versions are few: kept for the request)."""
    cache = g.setdefault("policy_versions", {})
    if version_id not in cache:
        cache[version_id] = (
            db.session.get(PolicyVersion, version_id).as_policy() if version_id else Policy()
        )
    return cache[version_id]


def change_policy(new: Policy, by: User) -> list[str]:
    """Save a new policy version, note it in the audit trail and recompute open steps.

    Returns the changes, as lines; nothing is saved when there are none."""
    changes = new.changes_from(current_policy())
    if not changes:
        return []
    version = PolicyVersion(**asdict(new), created_by_id=by.id, created_at=utcnow())
    db.session.add(version)
    db.session.flush()
    g.policy_in_force = PolicyInForce(version.id, new)
    count = sync_interviews(interviews_with_open_steps())
    record(
        by, "policy.changed", "; ".join(changes) + f" (open steps of {count} interviews recomputed)"
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


@dataclass(frozen=True)
class _Worked:
    """One step as the rules see it now, and the policy version it was worked out under."""

    version_id: int | None
    plan: StepPlan
    state: StepState


def _work_out(facts: InterviewFacts, steps: dict) -> dict[StepKind, _Worked]:
    """Plan and settle each step of one interview (``steps``: stored steps or rows, by kind).

    Open steps follow the policy in force and the employer's channel as it is now. A step
    already settled (done, waived, not needed) keeps the policy version and channel it was
    settled under, so a later policy change or an edit elsewhere on the interview cannot
    re-judge it; if it opens again it follows the policy in force.
    """
    calendar = business_calendar()
    current = policy_in_force()
    actions = actions_of(steps.values())
    plans: dict[int | None, dict[StepKind, StepPlan]] = {}

    def work(kind: StepKind, version_id: int | None, settled=None) -> _Worked:
        if version_id not in plans:
            policy = current.policy if version_id == current.version_id else _policy_of(version_id)
            plans[version_id] = plan_steps(facts, actions, policy, calendar)
        plan = plans[version_id][kind]
        if settled is not None:
            channel = settled.required_channel
            plan = replace(plan, required_channel=str(channel) if channel else None)
        return _Worked(version_id, plan, settle(plan, facts, actions.get(kind)))

    out = {}
    for kind in STEP_ORDER:
        step = steps.get(kind)
        worked = None
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
    for kind, worked in _work_out(facts_of(interview), by_kind).items():
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


def assessed_steps(interview: Interview, now: datetime) -> list[tuple[Step, Assessment]]:
    """The interview's stored steps in checklist order, each with how it stands at ``now``."""
    policy, calendar = current_policy(), business_calendar()
    steps = {step.kind: step for step in interview.steps}
    return [
        (steps[kind], assess(state_of(steps[kind]), now, policy, calendar)) for kind in STEP_ORDER
    ]


def step_rows(interview: Interview, now: datetime) -> list[dict]:
    """The checklist as the interview page shows it: stored step, plan (why then) and assessment."""
    worked = _work_out(facts_of(interview), {step.kind: step for step in interview.steps})
    return [
        {"step": step, "plan": worked[step.kind].plan, "assessment": assessment}
        for step, assessment in assessed_steps(interview, now)
    ]


def state_of(step: Step) -> StepState:
    """The stored step as the rules see it."""
    return StepState(
        kind=step.kind,
        due_at=step.due_at,
        opens_at=step.opens_at,
        required_channel=str(step.required_channel) if step.required_channel else None,
        done_at=step.done_at,
        channel=str(step.channel) if step.channel else None,
        result=step.result,
    )


def audit_trail(condition, limit: int = 50) -> list[AuditEvent]:
    """The newest audit events matching ``condition``, with who did them."""
    return db.session.scalars(
        select(AuditEvent)
        .where(condition)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def record(
    actor: User | None,
    action: str,
    detail: str = "",
    *,
    interview_id=None,
    step_id=None,
    candidate_id=None,
) -> None:
    """Add an audit event; one about an interview, or by a candidate, also names the candidate."""
    if candidate_id is None and interview_id is not None:
        candidate_id = db.session.get(Interview, interview_id).candidate_id
    if (
        candidate_id is None
        and actor is not None
        and actor.role == Role.CANDIDATE
        and actor.candidate
    ):
        candidate_id = actor.candidate.id  # a candidate only ever acts on their own record
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            detail=detail,
            candidate_id=candidate_id,
            interview_id=interview_id,
            step_id=step_id,
            at=utcnow(),
        )
    )


# What people do to a step ------------------------------------------------------------


def mark_done(
    step: Step,
    by: User,
    when: datetime,
    *,
    channel=None,
    note: str = "",
    timeline=None,
    decision_date=None,
) -> None:
    """Record a step as done; the timeline and move-on steps write to the interview record."""
    interview = step.interview
    if step.kind == StepKind.TIMELINE:
        interview.timeline = Timeline(timeline)
        interview.decision_date = decision_date if timeline == Timeline.DATE_GIVEN else None
        interview.timeline_recorded_at = when
    elif step.kind == StepKind.MOVE_ON:
        interview.outcome = Outcome.NO_RESPONSE
        interview.outcome_at = when
    step.channel = Channel(channel) if channel else None
    step.done_at = when
    step.done_by_id = by.id
    step.note = note
    step.waived_at, step.waived_by_id, step.waive_reason = None, None, ""
    sync_steps(interview)
    record(by, "step.done", _describe_done(step), interview_id=interview.id, step_id=step.id)


def undo(step: Step, by: User) -> None:
    """Put a done or waived step back to open (a timeline answer or a closing is cleared)."""
    interview = step.interview
    what = "waiver" if step.waived_at is not None else "done"
    if step.kind == StepKind.TIMELINE and step.done_at is not None:
        interview.timeline, interview.decision_date, interview.timeline_recorded_at = (
            Timeline.NOT_RECORDED,
            None,
            None,
        )
    elif step.kind == StepKind.MOVE_ON and interview.outcome == Outcome.NO_RESPONSE:
        interview.outcome, interview.outcome_at = Outcome.PENDING, None
    step.done_at, step.done_by_id, step.channel, step.note = None, None, None, ""
    step.waived_at, step.waived_by_id, step.waive_reason = None, None, ""
    sync_steps(interview)
    record(
        by,
        "step.undone",
        f"{step.kind.label}: {what} undone",
        interview_id=interview.id,
        step_id=step.id,
    )


def waive(step: Step, by: User, reason: str) -> None:
    step.waived_at = utcnow()
    step.waived_by_id = by.id
    step.waive_reason = reason
    sync_steps(step.interview)
    record(
        by,
        "step.waived",
        f"{step.kind.label} waived: {reason}",
        interview_id=step.interview_id,
        step_id=step.id,
    )


def _describe_done(step: Step) -> str:
    local = step.done_at.astimezone(business_calendar().zone).strftime("%a %-d %b %Y, %H:%M")
    parts = [f"{step.kind.label} done {local}"]
    if step.channel:
        parts.append(f"by {step.channel.label.lower()}")
    if step.kind == StepKind.TIMELINE:
        parts.append(f"({step.interview.timeline.label.lower()})")
    if step.note:
        parts.append(f"; note: {step.note}")
    return " ".join(parts)


# Many interviews at once --------------------------------------------------------------

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


def sync_interviews(query) -> int:
    """Sync the steps of every interview the query selects; returns how many.

    The same rules as ``sync_steps``, in bulk: rows in, changed columns out in batched
    UPDATEs and INSERTs, so a policy change over tens of thousands of interviews stays
    within a request.
    """
    calendar = business_calendar()
    ids = list(db.session.scalars(query.with_only_columns(Interview.id).order_by(Interview.id)))
    db.session.flush()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        interviews = db.session.execute(
            select(*INTERVIEW_COLUMNS)
            .join(Employer, Employer.id == Interview.employer_id)
            .join(Candidate, Candidate.id == Interview.candidate_id)
            .where(Interview.id.in_(batch))
        ).all()
        stored: dict[int, dict] = {i: {} for i in batch}
        for row in db.session.execute(select(*STEP_COLUMNS).where(Step.interview_id.in_(batch))):
            stored[row.interview_id][row.kind] = row
        updates, inserts = [], []
        now = utcnow()
        for interview in interviews:
            steps = stored[interview.id]
            for kind, worked in _work_out(facts_of(interview), steps).items():
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
                elif any(getattr(step, name) != value for name, value in values.items()):
                    # The version read is the one the UPDATE requires (a step changed by
                    # someone meanwhile raises StaleDataError rather than being overwritten).
                    updates.append(
                        {**values, "id": step.id, "version": step.version, "updated_at": now}
                    )
        if updates:
            db.session.execute(update(Step), updates)
        if inserts:
            db.session.execute(insert(Step), inserts)
    db.session.expire_all()  # objects loaded before this point may hold old values
    return len(ids)


def hand_over_open_steps(candidate_id: int, recruiter_id: int) -> None:
    """A reassigned candidate's open steps become the new recruiter's responsibility."""
    db.session.execute(
        update(Step)
        .where(Step.candidate_id == candidate_id, Step.result.is_(None))
        .values(recruiter_id=recruiter_id)
    )


def interviews_missing_steps():
    return select(Interview).where(
        ~select(Step.id).where(Step.interview_id == Interview.id).exists()
    )


def interviews_with_open_steps():
    return select(Interview).where(
        select(Step.id).where(Step.interview_id == Interview.id, Step.result.is_(None)).exists()
    )
