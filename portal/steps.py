"""Keeping each interview's stored steps in line with the rules, and recording who changed them.

The rules live in ``portal.followup`` (pure); this module reads the interview and the
policy from the database, asks the rules, and writes the answer back. Helpers here
flush but never commit: the view owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from functools import cache

from flask import current_app, g
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from .extensions import db
from .followup import (
    STEP_ORDER,
    Action,
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
    Channel,
    Interview,
    Outcome,
    PolicyVersion,
    PreferredChannel,
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


def current_policy() -> Policy:
    """The policy in force: the newest saved version, or the brief's defaults (read once
    per request)."""
    if "policy" not in g:
        version = db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1))
        g.policy = version.as_policy() if version else Policy()
    return g.policy


def change_policy(new: Policy, by: User) -> list[str]:
    """Save a new policy version, note it in the audit trail and recompute open steps.

    Returns the changes, as lines; nothing is saved when there are none."""
    changes = new.changes_from(current_policy())
    if not changes:
        return []
    db.session.add(PolicyVersion(**asdict(new), created_by_id=by.id, created_at=utcnow()))
    g.policy = new
    count = sync_interviews(interviews_with_open_steps(), new, only_open=True)
    record(by, "policy.changed", "; ".join(changes) + f" (open steps of {count} interviews recomputed)")
    return changes


def facts_of(interview: Interview) -> InterviewFacts:
    preferred = interview.employer.preferred_channel
    return InterviewFacts(
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        timeline=str(interview.timeline),
        decision_date=interview.decision_date,
        timeline_recorded_at=interview.timeline_recorded_at,
        outcome=str(interview.outcome),
        outcome_at=interview.outcome_at,
        preferred_channel=None if preferred == PreferredChannel.NONE else str(preferred),
    )


def actions_of(steps: Iterable[Step]) -> dict[StepKind, Action]:
    return {
        step.kind: Action(
            done_at=step.done_at, channel=str(step.channel) if step.channel else None,
            waived=step.waived_at is not None,
        )
        for step in steps
    }


def sync_steps(interview: Interview, policy: Policy, *, only_open: bool = False) -> list[Step]:
    """Create the interview's four steps if missing and store what the rules say now.

    With ``only_open``, steps already done or waived keep their due times (a policy
    change applies to steps not yet done).
    """
    calendar = business_calendar()
    by_kind = {step.kind: step for step in interview.steps}
    facts = facts_of(interview)
    actions = actions_of(by_kind.values())
    plans = plan_steps(facts, actions, policy, calendar)
    for kind in STEP_ORDER:
        step = by_kind.get(kind)
        if step is None:
            step = Step(kind=kind, note="", waive_reason="")
            interview.steps.append(step)
        elif only_open and (step.done_at is not None or step.waived_at is not None):
            continue
        _store(step, plans[kind], settle(plans[kind], facts, actions.get(kind)), calendar)
        step.candidate_id = interview.candidate_id
        step.employer_id = interview.employer_id
        if step.result is None or step.id is None:
            step.recruiter_id = interview.candidate.recruiter_id
    db.session.flush()
    return sorted(interview.steps, key=lambda s: STEP_ORDER.index(s.kind))


def _store(step: Step, plan: StepPlan, state: StepState, calendar: BusinessCalendar) -> None:
    step.due_at = plan.due_at
    step.opens_at = plan.opens_at
    step.required_channel = plan.required_channel
    step.result = state.result
    step.due_week = week_of(plan.due_at, calendar)
    if step.kind in (StepKind.TIMELINE, StepKind.MOVE_ON):
        step.done_at = state.done_at  # these are done through the interview record


def step_rows(interview: Interview, policy: Policy, now: datetime) -> list[dict]:
    """The checklist as the interview page shows it: plan, stored step and assessment."""
    calendar = business_calendar()
    steps = {step.kind: step for step in interview.steps}
    plans = plan_steps(facts_of(interview), actions_of(steps.values()), policy, calendar)
    rows = []
    for kind in STEP_ORDER:
        step = steps[kind]
        rows.append({"step": step, "plan": plans[kind], "assessment": assess(state_of(step), now, policy, calendar)})
    return rows


def state_of(step: Step) -> StepState:
    """The stored step as the rules see it."""
    return StepState(
        kind=step.kind, due_at=step.due_at, opens_at=step.opens_at,
        required_channel=str(step.required_channel) if step.required_channel else None,
        done_at=step.done_at, channel=str(step.channel) if step.channel else None,
        result=step.result,
    )


def audit_trail(condition, limit: int = 50) -> list[AuditEvent]:
    """The newest audit events matching ``condition``, with who did them."""
    return db.session.scalars(
        select(AuditEvent).where(condition).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()


def record(actor: User | None, action: str, detail: str = "", *, interview_id=None, step_id=None) -> None:
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, action=action, detail=detail,
                              interview_id=interview_id, step_id=step_id, at=utcnow()))


# What people do to a step ------------------------------------------------------------


def mark_done(step: Step, by: User, when: datetime, *, channel=None, note: str = "",
              timeline=None, decision_date=None) -> None:
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
    sync_steps(interview, current_policy())
    record(by, "step.done", _describe_done(step), interview_id=interview.id, step_id=step.id)


def undo(step: Step, by: User) -> None:
    """Put a done or waived step back to open (a timeline answer or a closing is cleared)."""
    interview = step.interview
    what = "waiver" if step.waived_at is not None else "done"
    if step.kind == StepKind.TIMELINE and step.done_at is not None:
        interview.timeline, interview.decision_date, interview.timeline_recorded_at = (
            Timeline.NOT_RECORDED, None, None)
    elif step.kind == StepKind.MOVE_ON and interview.outcome == Outcome.NO_RESPONSE:
        interview.outcome, interview.outcome_at = Outcome.PENDING, None
    step.done_at, step.done_by_id, step.channel, step.note = None, None, None, ""
    step.waived_at, step.waived_by_id, step.waive_reason = None, None, ""
    sync_steps(interview, current_policy())
    record(by, "step.undone", f"{step.kind.label}: {what} undone", interview_id=interview.id, step_id=step.id)


def waive(step: Step, by: User, reason: str) -> None:
    step.waived_at = utcnow()
    step.waived_by_id = by.id
    step.waive_reason = reason
    sync_steps(step.interview, current_policy())
    record(by, "step.waived", f"{step.kind.label} waived: {reason}", interview_id=step.interview_id,
           step_id=step.id)


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


def sync_interviews(query, policy: Policy, *, only_open: bool = False) -> int:
    """Sync the steps of every interview the query selects, in batches; returns how many."""
    ids = list(db.session.scalars(query.with_only_columns(Interview.id).order_by(Interview.id)))
    for start in range(0, len(ids), BATCH):
        interviews = db.session.scalars(
            select(Interview).where(Interview.id.in_(ids[start:start + BATCH]))
            .options(selectinload(Interview.steps), selectinload(Interview.employer),
                     selectinload(Interview.candidate))
        ).all()
        for interview in interviews:
            sync_steps(interview, policy, only_open=only_open)
    return len(ids)


def hand_over_open_steps(candidate_id: int, recruiter_id: int) -> None:
    """A reassigned candidate's open steps become the new recruiter's responsibility."""
    db.session.execute(
        update(Step).where(Step.candidate_id == candidate_id, Step.result.is_(None))
        .values(recruiter_id=recruiter_id)
    )


def interviews_missing_steps():
    return select(Interview).where(~select(Step.id).where(Step.interview_id == Interview.id).exists())


def interviews_with_open_steps():
    return select(Interview).where(
        select(Step.id).where(Step.interview_id == Interview.id, Step.result.is_(None)).exists()
    )
