"""The four-step follow-up rules and the compliance maths: pure Python, no Flask, no database.

What they implement is written down in docs/policy.md."""

from .calendar import AGENCY_ZONE, BusinessCalendar
from .policy import LIMITS, Policy
from .rules import (
    ANSWERS,
    COMPLIANT,
    COUNTED,
    MOVED_BY,
    OPEN,
    RESULTS,
    STEP_ORDER,
    TO_DO,
    Action,
    Assessment,
    InterviewFacts,
    Status,
    StepKind,
    StepPlan,
    StepResult,
    StepState,
    assess,
    evaluate,
    plan_steps,
    settle,
    steps_moved,
    week_of,
)

__all__ = [
    "AGENCY_ZONE",
    "ANSWERS",
    "COMPLIANT",
    "COUNTED",
    "LIMITS",
    "MOVED_BY",
    "OPEN",
    "RESULTS",
    "STEP_ORDER",
    "TO_DO",
    "Action",
    "Assessment",
    "BusinessCalendar",
    "InterviewFacts",
    "Policy",
    "Status",
    "StepKind",
    "StepPlan",
    "StepResult",
    "StepState",
    "assess",
    "evaluate",
    "plan_steps",
    "settle",
    "steps_moved",
    "week_of",
]
