"""How an interview's steps stand now: the interview page's checklist and the candidate's own.

The candidate's checklist (their open interviews, each with its four steps in their
words) is shared by their page and the printable handout, which a recruiter can also
print for one of their candidates. Who may see which interviews is decided by the query
(``visible_interviews``), never after loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import joinedload, selectinload

from ..access import visible_interviews
from ..extensions import db
from ..followup import STEP_ORDER, Assessment, Status, StepKind, assess
from ..models import Candidate, Interview, Step, User
from ..times import due_words, format_local
from .calendar import business_calendar
from .guidance import Guidance, guidance
from .policy import current_policy
from .sync import facts_of, state_of, work_out

SENT_STEPS = (StepKind.THANK_YOU, StepKind.FOLLOW_UP)  # the ones a candidate marks as done


def assessed_steps(interview: Interview, now: datetime) -> list[tuple[Step, Assessment]]:
    """The interview's stored steps in checklist order, each with how it stands at ``now``.

    An interview logged before steps were stored has none until it is saved again or
    ``flask steps sync`` runs: pages show what is stored and never write on a GET."""
    policy, calendar = current_policy(), business_calendar()
    steps = {step.kind: step for step in interview.steps}
    return [
        (steps[kind], assess(state_of(steps[kind]), now, policy, calendar))
        for kind in STEP_ORDER
        if kind in steps
    ]


def step_rows(interview: Interview, now: datetime) -> list[dict]:
    """The checklist as the interview page shows it: stored step, plan (why then) and assessment."""
    worked = work_out(facts_of(interview), {step.kind: step for step in interview.steps})
    return [
        {"step": step, "plan": worked[step.kind].plan, "assessment": assessment}
        for step, assessment in assessed_steps(interview, now)
    ]


EARLIER_SHOWN = 20

# What the candidate does for each step, in a sentence (the guides say it at length).
CANDIDATE_TO_DO = {
    StepKind.TIMELINE: "Tell your recruiter what they said about the next step and when they expect to decide.",
    StepKind.THANK_YOU: "Send a short thank-you note, then mark it as sent in the portal.",
    StepKind.FOLLOW_UP: "If there is no news by then, send one short, courteous note in this window, "
    "then mark it as sent in the portal.",
    StepKind.MOVE_ON: "If there is still no answer, your recruiter closes this interview and lines up the next ones.",
}


@dataclass(frozen=True)
class StepLine:
    step: Step
    assessment: Assessment
    due: str  # "by Thursday 10:30"
    opens: str | None  # for the follow-up window: "Monday 30 Nov"
    to_do: str
    guidance: Guidance | None

    @property
    def status(self) -> Status:
        return self.assessment.status

    @property
    def is_open(self) -> bool:
        return self.step.result is None


@dataclass(frozen=True)
class InterviewChecklist:
    interview: Interview
    lines: list[StepLine]

    @property
    def open_count(self) -> int:
        return sum(line.is_open for line in self.lines)


def _is_open(interview: Interview, now: datetime) -> bool:
    """Still being followed up: upcoming, no outcome yet, or a step still to do."""
    return (
        interview.starts_at >= now
        or str(interview.outcome) == "pending"
        or any(step.result is None for step in interview.steps)
    )


@dataclass(frozen=True)
class Checklists:
    current: list[InterviewChecklist]  # most urgent first
    earlier: list[Interview]  # settled, newest first


def candidate_checklists(viewer: User, candidate: Candidate, now: datetime) -> Checklists:
    """The candidate's open interviews with their steps, and the earlier ones."""
    interviews = db.session.scalars(
        visible_interviews(viewer)
        .where(Interview.candidate_id == candidate.id)
        .options(
            joinedload(Interview.employer),
            joinedload(Interview.job),
            selectinload(Interview.steps).joinedload(Step.done_by),
        )
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
    ).all()
    current = [checklist_of(i, now) for i in interviews if _is_open(i, now)]
    current.sort(key=_most_urgent_first)
    earlier = [i for i in interviews if not _is_open(i, now)][:EARLIER_SHOWN]
    return Checklists(current, earlier)


def _most_urgent_first(checklist: InterviewChecklist):
    """By the soonest due time still open; interviews with nothing open go last, newest first."""
    due = [line.step.due_at for line in checklist.lines if line.is_open]
    return (0, min(due).timestamp()) if due else (1, -checklist.interview.starts_at.timestamp())


def checklist_of(interview: Interview, now: datetime) -> InterviewChecklist:
    advice = guidance()
    lines = []
    for step, assessment in assessed_steps(interview, now):
        lines.append(
            StepLine(
                step=step,
                assessment=assessment,
                due=due_words(step.due_at, now),
                opens=format_local(step.opens_at, "%A %-d %b") or None,
                to_do=CANDIDATE_TO_DO[step.kind],
                guidance=advice.get(step.kind),
            )
        )
    return InterviewChecklist(interview, lines)
