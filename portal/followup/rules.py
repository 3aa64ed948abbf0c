"""The four steps after an interview: when each is due, and where each one stands.

Three stages, each a pure function:

* ``plan_steps`` turns an interview's facts and the policy into due times and windows;
* ``settle`` adds what people did (done, waived) and what the employer said, giving the
  part of a step's standing that does not depend on the clock (its ``result``);
* ``assess`` adds the clock: upcoming, due soon or overdue, with the reason in words.

The portal stores the output of the first two per step, so the database can count
statuses with the current time passed in, using the same rules as ``assess``.

The rules are those of docs/policy.md: the policy table ("due", "done when", "on time
when") and the statuses; names here follow its words.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .calendar import BusinessCalendar
from .policy import Policy


class Labelled(enum.StrEnum):
    """A string enum whose members carry the words shown to people."""

    label: str

    # ``label`` has a default only for the type checker, which reads Kind("value") (a lookup
    # by value) as a call of __new__; every member gives its label.
    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class StepKind(Labelled):
    TIMELINE = "timeline", "Timeline asked"
    THANK_YOU = "thank_you", "Thank-you note"
    FOLLOW_UP = "follow_up", "Follow-up"
    MOVE_ON = "move_on", "Move on"


STEP_ORDER = list(StepKind)


class Status(Labelled):
    UPCOMING = "upcoming", "Upcoming"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    DONE_ON_TIME = "done_on_time", "Done on time"
    DONE_LATE = "done_late", "Done late"
    TOO_EARLY = "too_early", "Too early"
    WRONG_CHANNEL = "wrong_channel", "Wrong channel"
    MISSED = "missed", "Missed"
    WAIVED = "waived", "Waived"
    NOT_NEEDED = "not_needed", "Not needed"


class StepResult(Labelled):
    """The statuses fixed once a step is done, waived or no longer needed: what is stored.

    Values are shared with ``Status``, so ``Status(result)`` converts."""

    DONE_ON_TIME = Status.DONE_ON_TIME.value, Status.DONE_ON_TIME.label
    DONE_LATE = Status.DONE_LATE.value, Status.DONE_LATE.label
    TOO_EARLY = Status.TOO_EARLY.value, Status.TOO_EARLY.label
    WRONG_CHANNEL = Status.WRONG_CHANNEL.value, Status.WRONG_CHANNEL.label
    MISSED = Status.MISSED.value, Status.MISSED.label
    WAIVED = Status.WAIVED.value, Status.WAIVED.label
    NOT_NEEDED = Status.NOT_NEEDED.value, Status.NOT_NEEDED.label


RESULTS = frozenset(Status(r) for r in StepResult)
OPEN = frozenset({Status.UPCOMING, Status.DUE_SOON, Status.OVERDUE})
# For the compliance rate: steps that were due and were met, or were due at all.
COMPLIANT = frozenset({Status.DONE_ON_TIME})
COUNTED = frozenset(
    {
        Status.DONE_ON_TIME,
        Status.DONE_LATE,
        Status.TOO_EARLY,
        Status.WRONG_CHANNEL,
        Status.OVERDUE,
        Status.MISSED,
    }
)

# Outcomes by which the employer (or the candidate) has settled the interview.
ANSWERS = {
    "offer": "an offer",
    "rejected": "a rejection",
    "next_round": "a next round",
    "withdrawn": "the candidate's withdrawal",
}
NO_RESPONSE = "no_response"
PENDING = "pending"
CHANNEL_WORDS = {"email": "email", "phone": "phone", "handwritten": "a handwritten note"}


@dataclass(frozen=True)
class InterviewFacts:
    """What the interview record says; times are aware datetimes, channels plain strings."""

    starts_at: datetime
    ends_at: datetime
    timeline: str = "not_recorded"  # not_recorded | date_given | no_date_given
    decision_date: date | None = None
    timeline_recorded_at: datetime | None = None
    outcome: str = "pending"
    outcome_at: datetime | None = None
    preferred_channel: str | None = None  # None when the employer stated none


@dataclass(frozen=True)
class Action:
    """What people did about a step. Timeline and move-on are done through the interview
    record (its answer, its closing), so only their waiver is read from here."""

    done_at: datetime | None = None
    channel: str | None = None
    waived: bool = False


@dataclass(frozen=True)
class StepPlan:
    kind: StepKind
    due_at: datetime
    opens_at: datetime | None
    required_channel: str | None
    basis: str  # why the step is due then, in words


@dataclass(frozen=True)
class StepState:
    """Everything the clock-free part of the rules decided: what the portal stores."""

    kind: StepKind
    due_at: datetime
    opens_at: datetime | None
    required_channel: str | None
    done_at: datetime | None
    channel: str | None
    result: Status | None  # None while the step is open


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str


def plan_steps(
    facts: InterviewFacts,
    actions: Mapping[StepKind, Action],
    policy: Policy,
    calendar: BusinessCalendar,
    *,
    reasons: bool = True,
) -> dict[StepKind, StepPlan]:
    """Due times and windows of the four steps of one interview; with ``reasons`` False the
    plans' ``basis`` is left empty (bulk recomputes store due times, not words)."""
    ends = max(facts.ends_at, facts.starts_at)
    interview_day = calendar.local_date(ends)
    when = _Words(calendar)
    day_end = policy.day_ends_at

    timeline_day, skipped = calendar.add_business_days(interview_day, policy.timeline_business_days)
    if calendar.at(timeline_day, day_end) < ends:  # same-day policy, interview after hours
        timeline_day, more = calendar.add_business_days(timeline_day, 1)
        skipped += more
    timeline = StepPlan(
        StepKind.TIMELINE,
        calendar.at(timeline_day, day_end),
        None,
        None,
        _basis(_days_phrase(policy.timeline_business_days, "the interview"), skipped)
        if reasons
        else "",
    )

    preferred = facts.preferred_channel or None
    thank_you = StepPlan(
        StepKind.THANK_YOU,
        calendar.after_wall_hours(ends, policy.thank_you_hours),
        None,
        preferred,
        _basis(f"{policy.thank_you_hours} hours after the interview ended, by the local clock")
        if reasons
        else "",
    )

    if facts.timeline == "date_given" and facts.decision_date is not None:
        decision = max(facts.decision_date, interview_day)
        decision_words = (
            f"the decision date the employer gave ({when.day(decision)})" if reasons else ""
        )
    else:
        decision, _ = calendar.add_business_days(
            interview_day, policy.assumed_decision_business_days
        )
        reason = (
            "no date was given" if facts.timeline == "no_date_given" else "no date is recorded yet"
        )
        decision_words = (
            f"{when.day(decision)}, taken as the decision date because {reason} "
            f"({policy.assumed_decision_business_days} business days after the interview)"
            if reasons
            else ""
        )
    opens_day, _ = calendar.add_business_days(decision, policy.follow_up_opens_business_days)
    due_day, skipped = calendar.add_business_days(decision, policy.follow_up_due_business_days)
    follow_up = StepPlan(
        StepKind.FOLLOW_UP,
        calendar.at(due_day, day_end),
        max(calendar.at(opens_day, time.min), ends),
        preferred,
        _basis(
            f"the window opens {_plural(policy.follow_up_opens_business_days, 'business day')} and closes "
            f"{_plural(policy.follow_up_due_business_days, 'business day')} after {decision_words}",
            skipped,
        )
        if reasons
        else "",
    )

    sent = actions.get(StepKind.FOLLOW_UP, Action()).done_at
    if sent is not None:
        start_day, start_words = calendar.local_date(sent), "the follow-up was sent"
    else:
        start_day = calendar.local_date(follow_up.due_at)
        start_words = "the follow-up's due date (no follow-up is recorded as sent)"
    move_on_day, skipped = calendar.add_business_days(start_day, policy.move_on_business_days)
    move_on = StepPlan(
        StepKind.MOVE_ON,
        calendar.at(move_on_day, day_end),
        None,
        None,
        _basis(_days_phrase(policy.move_on_business_days, start_words), skipped) if reasons else "",
    )
    return {plan.kind: plan for plan in (timeline, thank_you, follow_up, move_on)}


# Which steps' due times and windows each policy setting can move in ``plan_steps`` (the
# move-on step counts from the follow-up's due time when no follow-up was sent). A
# property test holds this to plan_steps; a policy change recomputes only these steps
# and gives the others the new version as they are.
MOVED_BY: dict[str, frozenset[StepKind]] = {
    "timeline_business_days": frozenset({StepKind.TIMELINE}),
    "thank_you_hours": frozenset({StepKind.THANK_YOU}),
    "follow_up_opens_business_days": frozenset({StepKind.FOLLOW_UP}),
    "follow_up_due_business_days": frozenset({StepKind.FOLLOW_UP, StepKind.MOVE_ON}),
    "assumed_decision_business_days": frozenset({StepKind.FOLLOW_UP, StepKind.MOVE_ON}),
    "move_on_business_days": frozenset({StepKind.MOVE_ON}),
    "due_soon_hours": frozenset(),  # read with the clock, never stored
    "day_ends_at": frozenset({StepKind.TIMELINE, StepKind.FOLLOW_UP, StepKind.MOVE_ON}),
}


def steps_moved(before: Policy, after: Policy) -> frozenset[StepKind]:
    """The steps whose plans can differ between two policies."""
    return frozenset().union(
        *(
            kinds
            for name, kinds in MOVED_BY.items()
            if getattr(before, name) != getattr(after, name)
        )
    )


def settle(plan: StepPlan, facts: InterviewFacts, action: Action | None) -> StepState:
    """The step's standing apart from the clock: done (and how), waived, missed or not
    needed (the interview was closed), or open."""
    action = action or Action()
    done_at, channel = _done(plan.kind, facts, action)
    result: Status | None
    if done_at is not None:
        result = _done_result(plan, done_at, channel, facts)
    elif action.waived:
        result = Status.WAIVED
    else:
        result = _settled_by_closing(plan, facts)
    return StepState(
        plan.kind, plan.due_at, plan.opens_at, plan.required_channel, done_at, channel, result
    )


def _done(
    kind: StepKind, facts: InterviewFacts, action: Action
) -> tuple[datetime | None, str | None]:
    if kind == StepKind.TIMELINE:
        answered = facts.timeline in ("date_given", "no_date_given")
        return (facts.timeline_recorded_at, None) if answered else (None, None)
    if kind == StepKind.MOVE_ON:
        return (facts.outcome_at, None) if facts.outcome == NO_RESPONSE else (None, None)
    return action.done_at, action.channel


def _done_result(
    plan: StepPlan, done_at: datetime, channel: str | None, facts: InterviewFacts
) -> Status:
    if plan.opens_at is not None and done_at < plan.opens_at:
        return Status.TOO_EARLY
    if plan.kind in (StepKind.THANK_YOU, StepKind.FOLLOW_UP) and done_at < facts.starts_at:
        return Status.TOO_EARLY  # sent before the interview (its time was moved later)
    if done_at > plan.due_at:
        return Status.DONE_LATE
    if plan.required_channel and channel != plan.required_channel:
        return Status.WRONG_CHANNEL
    return Status.DONE_ON_TIME


def _settled_by_closing(plan: StepPlan, facts: InterviewFacts) -> Status | None:
    """A step still open when the interview was closed (any outcome: an answer, a withdrawal,
    no response): missed if it was already past its due time, else not needed. None while
    the interview is open (reopening it reopens its steps)."""
    if facts.outcome == PENDING:
        return None
    if facts.outcome_at is not None and facts.outcome_at > plan.due_at:
        return Status.MISSED
    return Status.NOT_NEEDED


def assess(
    state: StepState, now: datetime, policy: Policy, calendar: BusinessCalendar
) -> Assessment:
    """Where the step stands at ``now``, with the reason in a recruiter's words."""
    words = _Words(calendar)
    if state.result is not None:
        return Assessment(state.result, _result_reason(state, words))
    if now > state.due_at:
        return Assessment(
            Status.OVERDUE,
            f"Overdue by {span_words(now - state.due_at)}. {TO_DO[state.kind]}",
        )
    if state.opens_at is not None:
        if now < state.opens_at:
            return Assessment(
                Status.UPCOMING,
                f"The window opens on {words.opening(state.opens_at)}; sending before then is too early. "
                f"Due by {words.moment(state.due_at)}.",
            )
        return Assessment(
            Status.DUE_SOON,
            f"The window is open: send it by {words.moment(state.due_at)} "
            f"({span_words(state.due_at - now)} left).",
        )
    if state.due_at - now <= timedelta(hours=policy.due_soon_hours):
        return Assessment(
            Status.DUE_SOON,
            f"{DUE_BY[state.kind]} by {words.moment(state.due_at)} ({span_words(state.due_at - now)} left).",
        )
    return Assessment(Status.UPCOMING, f"{DUE_BY[state.kind]} by {words.moment(state.due_at)}.")


DUE_BY = {
    StepKind.TIMELINE: "Record the employer's answer on the timeline",
    StepKind.THANK_YOU: "Send the thank-you note",
    StepKind.FOLLOW_UP: "Send the follow-up",
    StepKind.MOVE_ON: "If there is still no answer, close the interview",
}
TO_DO = {
    StepKind.TIMELINE: "Record the employer's answer: the decision date they gave, or that they gave none.",
    StepKind.THANK_YOU: "Send the thank-you note and record when and how it went.",
    StepKind.FOLLOW_UP: "Send a short, courteous follow-up that mentions the date they gave.",
    StepKind.MOVE_ON: "Close the interview as no response and line up the next opportunities.",
}


def _result_reason(state: StepState, words: _Words) -> str:
    done = words.moment(state.done_at) if state.done_at else ""
    verb = {StepKind.TIMELINE: "Recorded", StepKind.MOVE_ON: "Closed"}.get(state.kind, "Sent")
    match state.result:
        case Status.DONE_ON_TIME:
            return f"{verb} {done}, by the due time."
        case Status.DONE_LATE if state.done_at is not None:
            return f"{verb} {done}, {span_words(state.done_at - state.due_at)} after the due time ({words.moment(state.due_at)})."
        case Status.TOO_EARLY:
            opens = state.opens_at
            if opens is not None and state.done_at is not None and state.done_at < opens:
                return f"Sent {done}, before the window opened on {words.opening(opens)}."
            return (
                f"Recorded as sent {done}, before the interview: correct the time if it went later."
            )
        case Status.WRONG_CHANNEL:
            return (
                f"Sent {done} by {CHANNEL_WORDS.get(state.channel or '', 'an unrecorded channel')}; "
                f"the employer asked for {CHANNEL_WORDS.get(state.required_channel or '', state.required_channel)}."
            )
        case Status.MISSED:
            return (
                f"Missed: it was due {words.moment(state.due_at)} and not done when the interview "
                "was closed. It counts as due and not done."
            )
        case Status.WAIVED:
            return "Waived: it no longer counts toward the compliance rate."
        case _:
            return "Not needed: the interview was closed before it was due."


def evaluate(
    facts: InterviewFacts,
    actions: Mapping[StepKind, Action],
    policy: Policy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[tuple[StepPlan, StepState, Assessment]]:
    """All three stages for one interview, in step order."""
    plans = plan_steps(facts, actions, policy, calendar)
    out = []
    for kind in STEP_ORDER:
        state = settle(plans[kind], facts, actions.get(kind))
        out.append((plans[kind], state, assess(state, now, policy, calendar)))
    return out


def week_of(moment: datetime, calendar: BusinessCalendar) -> date:
    """The Monday of the local week holding ``moment``: the trend chart's bucket."""
    day = calendar.local_date(moment)
    return day - timedelta(days=day.weekday())


def _basis(text: str, skipped: Sequence[str] = ()) -> str:
    """The reason for a due time as a sentence: "End of the first business day after …"."""
    if skipped:
        text = f"{text}, skipping {_join(sorted(set(skipped), key=skipped.index))}"
    return text[0].upper() + text[1:] + "."


def _days_phrase(count: int, after: str) -> str:
    if count == 0:
        return f"end of the business day of {after}"
    ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(count)
    if ordinal:
        return f"end of the {ordinal} business day after {after}"
    return f"end of business day {count} after {after}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _Words:
    """Times as a Toronto recruiter says them."""

    def __init__(self, calendar: BusinessCalendar):
        self.calendar = calendar

    def moment(self, moment: datetime) -> str:
        return self.calendar.local(moment).strftime("%a %-d %b %Y, %H:%M")

    def opening(self, moment: datetime) -> str:
        """A window opening: the day alone when it opens at midnight."""
        local = self.calendar.local(moment)
        return local.strftime("%a %-d %b %Y" if local.time() == time.min else "%a %-d %b %Y, %H:%M")

    def day(self, day: date) -> str:
        return day.strftime("%a %-d %b %Y")


def span_words(delta: timedelta) -> str:
    """A duration as people say it: "45 minutes", "5 hours", "3 days"."""
    minutes = max(int(delta.total_seconds() // 60), 1)
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    return _plural(hours, "hour") if hours < 48 else _plural(hours // 24, "day")
