"""What people do to a step: mark it done, put it back to open, waive it with a reason.

Each action writes the step (and, for the timeline and move-on steps, the interview
record), syncs the interview's steps and adds one line to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from ..audit import record
from ..followup import StepKind
from ..models import Channel, Outcome, Step, Timeline, User
from ..times import utcnow
from .calendar import business_calendar
from .sync import sync_steps


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
