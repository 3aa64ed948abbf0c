"""What people do to a step: mark it done, put it back to open, waive it with a reason.

Each action writes the step (and, for the timeline and move-on steps, the interview
record), syncs the interview's steps and adds one line to the audit trail; a closing or a
reopening that settles or reopens other steps says so in their history too.
"""

from __future__ import annotations

from datetime import datetime

from ..audit import record
from ..followup import StepKind, StepResult
from ..models import Channel, Interview, Outcome, Step, Timeline, User
from ..times import utcnow
from .calendar import business_calendar
from .sync import sync_steps

# What a closing settles a step to (docs/policy.md, "Statuses").
SETTLED_BY_CLOSING = (StepResult.MISSED, StepResult.NOT_NEEDED)


def sync_and_note(interview: Interview, by: User) -> list[Step]:
    """Sync the interview's steps; each one that its closing settled (missed, not needed) or
    its reopening opened again gets a line in its history saying so."""
    before = {step.kind: step.result for step in interview.steps}
    steps = sync_steps(interview)
    for step in steps:
        if step.kind not in before or before[step.kind] == step.result:
            continue
        if step.result in SETTLED_BY_CLOSING:
            closing = interview.outcome.label.lower()
            detail = (
                f"{step.kind.label}: {step.result_words}, as the interview was closed ({closing})"
            )
            record(by, "step.settled", detail, interview_id=interview.id, step_id=step.id)
        elif step.result is None and before[step.kind] in SETTLED_BY_CLOSING:
            detail = f"{step.kind.label}: open again, as the interview was reopened"
            record(by, "step.reopened", detail, interview_id=interview.id, step_id=step.id)
    return steps


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
    sync_and_note(interview, by)
    record(by, "step.done", _describe_done(step, when), interview_id=interview.id, step_id=step.id)


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
    sync_and_note(interview, by)
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


def _describe_done(step: Step, when: datetime) -> str:
    local = when.astimezone(business_calendar().zone).strftime("%a %-d %b %Y, %H:%M")
    parts = [f"{step.kind.label} done {local}"]
    if step.channel:
        parts.append(f"by {step.channel.label.lower()}")
    if step.kind == StepKind.TIMELINE:
        parts.append(f"({step.interview.timeline.label.lower()})")
    if step.note:
        parts.append(f"; note: {step.note}")
    return " ".join(parts)
