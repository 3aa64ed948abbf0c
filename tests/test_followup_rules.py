"""The four follow-up steps against the policy table of docs/policy.md: due times on Toronto's business
calendar, statuses and reasons, the policy's own checks, and properties over random interviews.

Pure Python: no app, no database. Times in the tables are Toronto wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.followup import (
    LIMITS,
    MOVED_BY,
    OPEN,
    Action,
    BusinessCalendar,
    InterviewFacts,
    Policy,
    Status,
    StepKind,
    assess,
    evaluate,
    plan_steps,
    settle,
    steps_moved,
)
from portal.followup.policy import CHANGE_WORDS

CAL = BusinessCalendar()
POLICY = Policy()

TIMELINE, THANK_YOU, FOLLOW_UP, MOVE_ON = (
    StepKind.TIMELINE,
    StepKind.THANK_YOU,
    StepKind.FOLLOW_UP,
    StepKind.MOVE_ON,
)


# --- helpers ------------------------------------------------------------------------------------


def toronto(text: str) -> datetime:
    """ "2026-06-09 10:00" on the Toronto wall clock, as an aware UTC instant."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return CAL.at(moment.date(), moment.time())


def wall(moment: datetime) -> str:
    """An instant on the Toronto wall clock, weekday first: "Wed 2026-06-10 17:00"."""
    return CAL.local(moment).strftime("%a %Y-%m-%d %H:%M")


def interview(start: str, minutes: int = 60, **fields) -> InterviewFacts:
    """An interview starting at ``start`` (Toronto) and lasting ``minutes``."""
    starts = toronto(start)
    return InterviewFacts(starts_at=starts, ends_at=starts + timedelta(minutes=minutes), **fields)


def sent(at: str, channel: str = "email") -> Action:
    return Action(done_at=toronto(at), channel=channel)


def run(facts, actions=None, now=None, policy=POLICY):
    """evaluate() keyed by step kind: {kind: (plan, state, assessment)}."""
    now = toronto(now) if isinstance(now, str) else (now or facts.starts_at)
    return {
        plan.kind: (plan, state, found)
        for plan, state, found in evaluate(facts, actions or {}, policy, CAL, now)
    }


# --- due times and windows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Expected Toronto wall-clock due times (and the follow-up's opening) for one interview."""

    timeline: str
    thank_you: str
    follow_up_opens: str
    follow_up_due: str
    move_on: str
    skipping: dict = field(default_factory=dict)  # {step: holiday names its basis must mention}


PLAN_CASES = [
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Fri 2026-06-26 17:00",
        ),
        id="ordinary Tuesday 10:00, decision date Fri 12 Jun",
    ),
    pytest.param(
        interview("2026-06-12 16:30", minutes=45),
        {},
        Plan(
            "Mon 2026-06-15 17:00",
            "Sat 2026-06-13 17:15",
            "Thu 2026-07-02 00:00",
            "Mon 2026-07-06 17:00",
            "Mon 2026-07-13 17:00",
            skipping={FOLLOW_UP: ["Canada Day"]},
        ),
        id="Friday 16:30 (45 min): timeline Monday 17:00, thank-you Saturday 17:15",
    ),
    pytest.param(
        interview("2026-04-02 10:00"),
        {},
        Plan(
            "Mon 2026-04-06 17:00",
            "Fri 2026-04-03 11:00",
            "Wed 2026-04-22 00:00",
            "Fri 2026-04-24 17:00",
            "Fri 2026-05-01 17:00",
            skipping={TIMELINE: ["Good Friday"]},
        ),
        id="Thursday before Good Friday: timeline Easter Monday",
    ),
    pytest.param(
        interview("2026-05-15 14:00", timeline="no_date_given"),
        {},
        Plan(
            "Tue 2026-05-19 17:00",
            "Sat 2026-05-16 15:00",
            "Thu 2026-06-04 00:00",
            "Mon 2026-06-08 17:00",
            "Mon 2026-06-15 17:00",
            skipping={TIMELINE: ["Victoria Day"]},
        ),
        id="Friday before Victoria Day, no date given",
    ),
    pytest.param(
        interview("2026-02-13 11:00", timeline="date_given", decision_date=date(2026, 2, 20)),
        {},
        Plan(
            "Tue 2026-02-17 17:00",
            "Sat 2026-02-14 12:00",
            "Wed 2026-02-25 00:00",
            "Fri 2026-02-27 17:00",
            "Fri 2026-03-06 17:00",
            skipping={TIMELINE: ["Family Day"]},
        ),
        id="Friday before Family Day",
    ),
    pytest.param(
        interview("2026-02-16 10:00", timeline="date_given", decision_date=date(2026, 2, 20)),
        {},
        Plan(
            "Tue 2026-02-17 17:00",
            "Tue 2026-02-17 11:00",
            "Wed 2026-02-25 00:00",
            "Fri 2026-02-27 17:00",
            "Fri 2026-03-06 17:00",
        ),
        id="interview on Family Day itself",
    ),
    pytest.param(
        interview("2028-06-30 10:00"),
        {},
        Plan(
            "Tue 2028-07-04 17:00",
            "Sat 2028-07-01 11:00",
            "Thu 2028-07-20 00:00",
            "Mon 2028-07-24 17:00",
            "Mon 2028-07-31 17:00",
            skipping={TIMELINE: ["Canada Day (observed)"]},
        ),
        id="Friday 30 Jun 2028, Canada Day on Saturday: timeline Tuesday 4 Jul",
    ),
    pytest.param(
        interview("2029-06-29 10:00", timeline="date_given", decision_date=date(2029, 6, 29)),
        {},
        Plan(
            "Tue 2029-07-03 17:00",
            "Sat 2029-06-30 11:00",
            "Thu 2029-07-05 00:00",
            "Mon 2029-07-09 17:00",
            "Mon 2029-07-16 17:00",
            skipping={TIMELINE: ["Canada Day (observed)"], FOLLOW_UP: ["Canada Day (observed)"]},
        ),
        id="Friday 29 Jun 2029, Canada Day on Sunday: timeline Tuesday 3 Jul",
    ),
    pytest.param(
        interview("2026-12-24 10:00"),
        {},
        Plan(
            "Tue 2026-12-29 17:00",
            "Fri 2026-12-25 11:00",
            "Fri 2027-01-15 00:00",
            "Tue 2027-01-19 17:00",
            "Tue 2027-01-26 17:00",
            skipping={TIMELINE: ["Christmas Day", "Boxing Day (observed)"]},
        ),
        id="Christmas Eve 2026: timeline after Christmas and Boxing Day observed",
    ),
    pytest.param(
        interview("2027-12-24 10:00", timeline="date_given", decision_date=date(2027, 12, 31)),
        {},
        Plan(
            "Wed 2027-12-29 17:00",
            "Sat 2027-12-25 11:00",
            "Thu 2028-01-06 00:00",
            "Mon 2028-01-10 17:00",
            "Mon 2028-01-17 17:00",
            skipping={
                TIMELINE: ["Christmas Day (observed)", "Boxing Day (observed)"],
                FOLLOW_UP: ["New Year's Day (observed)"],
            },
        ),
        id="Christmas Eve 2027: both holidays observed Mon and Tue",
    ),
    pytest.param(
        interview("2026-03-07 18:00"),
        {},
        Plan(
            "Mon 2026-03-09 17:00",
            "Sun 2026-03-08 19:00",
            "Wed 2026-03-25 00:00",
            "Fri 2026-03-27 17:00",
            "Mon 2026-04-06 17:00",
            skipping={MOVE_ON: ["Good Friday"]},
        ),
        id="Saturday 7 Mar 2026 evening: thank-you 24 wall-clock hours later across spring forward",
    ),
    pytest.param(
        interview("2026-10-30 15:00"),
        {},
        Plan(
            "Mon 2026-11-02 17:00",
            "Sat 2026-10-31 16:00",
            "Wed 2026-11-18 00:00",
            "Fri 2026-11-20 17:00",
            "Fri 2026-11-27 17:00",
        ),
        id="Friday 30 Oct 2026: timeline due after the fall back",
    ),
    pytest.param(
        interview("2026-10-31 14:00"),
        {},
        Plan(
            "Mon 2026-11-02 17:00",
            "Sun 2026-11-01 15:00",
            "Wed 2026-11-18 00:00",
            "Fri 2026-11-20 17:00",
            "Fri 2026-11-27 17:00",
        ),
        id="Saturday 31 Oct 2026: thank-you across the fall back",
    ),
    pytest.param(
        interview("2026-06-13 11:00"),
        {},
        Plan(
            "Mon 2026-06-15 17:00",
            "Sun 2026-06-14 12:00",
            "Thu 2026-07-02 00:00",
            "Mon 2026-07-06 17:00",
            "Mon 2026-07-13 17:00",
        ),
        id="Saturday 11:00 interview",
    ),
    pytest.param(
        interview(
            "2026-06-10 19:00", minutes=90, timeline="date_given", decision_date=date(2026, 6, 12)
        ),
        {},
        Plan(
            "Thu 2026-06-11 17:00",
            "Thu 2026-06-11 20:30",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Fri 2026-06-26 17:00",
        ),
        id="Wednesday 19:00 evening interview (90 min)",
    ),
    # The follow-up window and the decision date.
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 13)),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Fri 2026-06-26 17:00",
        ),
        id="decision date on a Saturday",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="no_date_given"),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Fri 2026-06-26 00:00",
            "Tue 2026-06-30 17:00",
            "Wed 2026-07-08 17:00",
            skipping={MOVE_ON: ["Canada Day"]},
        ),
        id="no date given: decision taken as 10 business days later (Tue 23 Jun)",
    ),
    pytest.param(
        interview("2026-06-09 10:00"),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Fri 2026-06-26 00:00",
            "Tue 2026-06-30 17:00",
            "Wed 2026-07-08 17:00",
        ),
        id="timeline not recorded yet: same assumed decision date",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=None),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Fri 2026-06-26 00:00",
            "Tue 2026-06-30 17:00",
            "Wed 2026-07-08 17:00",
        ),
        id="date_given without a date: assumed decision date",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 1)),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Fri 2026-06-12 00:00",
            "Tue 2026-06-16 17:00",
            "Tue 2026-06-23 17:00",
        ),
        id="decision date before the interview: taken as the interview day",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 9)),
        {},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Fri 2026-06-12 00:00",
            "Tue 2026-06-16 17:00",
            "Tue 2026-06-23 17:00",
        ),
        id="decision date the interview day",
    ),
    # Move on: counted from the follow-up that was sent, else from the follow-up's due date.
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {FOLLOW_UP: sent("2026-06-17 09:00")},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Wed 2026-06-24 17:00",
        ),
        id="move on 5 business days after the follow-up was sent (Wed)",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {FOLLOW_UP: sent("2026-06-20 10:00")},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Fri 2026-06-26 17:00",
        ),
        id="follow-up sent on a Saturday: move on the next Friday",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {FOLLOW_UP: sent("2026-06-30 22:00")},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Wed 2026-07-08 17:00",
            skipping={MOVE_ON: ["Canada Day"]},
        ),
        id="follow-up sent late, evening before Canada Day: move on skips it",
    ),
    pytest.param(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {FOLLOW_UP: Action(waived=True)},
        Plan(
            "Wed 2026-06-10 17:00",
            "Wed 2026-06-10 11:00",
            "Wed 2026-06-17 00:00",
            "Fri 2026-06-19 17:00",
            "Fri 2026-06-26 17:00",
        ),
        id="follow-up waived, none sent: move on from the follow-up's due date",
    ),
]


@pytest.mark.parametrize("facts, actions, expected", PLAN_CASES)
def test_due_times(facts, actions, expected):
    steps = run(facts, actions)
    plans = {kind: plan for kind, (plan, _, _) in steps.items()}
    assert {
        "timeline": wall(plans[TIMELINE].due_at),
        "thank_you": wall(plans[THANK_YOU].due_at),
        "follow_up_opens": wall(plans[FOLLOW_UP].opens_at),
        "follow_up_due": wall(plans[FOLLOW_UP].due_at),
        "move_on": wall(plans[MOVE_ON].due_at),
    } == {
        "timeline": expected.timeline,
        "thank_you": expected.thank_you,
        "follow_up_opens": expected.follow_up_opens,
        "follow_up_due": expected.follow_up_due,
        "move_on": expected.move_on,
    }
    # Only the follow-up has a window; all instants are stored in UTC.
    assert [plans[k].opens_at for k in (TIMELINE, THANK_YOU, MOVE_ON)] == [None, None, None]
    assert all(p.due_at.utcoffset() == timedelta(0) for p in plans.values())
    # Each step says why it is due then, as a sentence, naming the holidays it skipped.
    for kind, plan in plans.items():
        assert plan.basis[0] == plan.basis[0].upper() and plan.basis.endswith("."), plan.basis
        for name in expected.skipping.get(kind, []):
            assert name in plan.basis.partition(", skipping ")[2], plan.basis
    # Nothing is overdue, and nothing settled, as the interview starts.
    for kind, (_, state, found) in steps.items():
        if kind != FOLLOW_UP or FOLLOW_UP not in actions:
            assert state.result is None
            assert found.status in OPEN - {Status.OVERDUE}


def test_thank_you_across_spring_forward_is_24_wall_clock_hours_but_23_real_hours():
    facts = interview("2026-03-07 18:00")  # ends 19:00 EST
    due = plan_steps(facts, {}, POLICY, CAL)[THANK_YOU].due_at
    assert wall(due) == "Sun 2026-03-08 19:00"
    assert due - facts.ends_at == timedelta(hours=23)


def test_thank_you_across_fall_back_is_25_real_hours():
    facts = interview("2026-10-31 14:00")
    due = plan_steps(facts, {}, POLICY, CAL)[THANK_YOU].due_at
    assert due - facts.ends_at == timedelta(hours=25)


def test_bases_in_words():
    plans = plan_steps(interview("2026-04-02 10:00"), {}, POLICY, CAL)
    assert plans[TIMELINE].basis == (
        "End of the first business day after the interview, skipping Good Friday."
    )
    assert plans[THANK_YOU].basis == "24 hours after the interview ended, by the local clock."
    assert plans[FOLLOW_UP].basis.startswith(
        "The window opens 3 business days and closes 5 business days after "
    )
    assert "Fri 17 Apr 2026, taken as the decision date because no date is recorded yet" in (
        plans[FOLLOW_UP].basis
    )
    assert plans[FOLLOW_UP].basis.endswith(".")
    assert plans[MOVE_ON].basis == (
        "End of the fifth business day after the follow-up's due date (no follow-up is recorded as sent)."
    )
    christmas = plan_steps(interview("2026-12-24 10:00"), {}, POLICY, CAL)
    assert christmas[TIMELINE].basis.endswith("skipping Christmas Day and Boxing Day (observed).")


def test_required_channel_is_the_employers_preferred_one():
    plans = plan_steps(interview("2026-06-09 10:00", preferred_channel="email"), {}, POLICY, CAL)
    assert plans[THANK_YOU].required_channel == "email"
    assert plans[FOLLOW_UP].required_channel == "email"
    assert plans[TIMELINE].required_channel is None and plans[MOVE_ON].required_channel is None
    blank = plan_steps(interview("2026-06-09 10:00", preferred_channel=""), {}, POLICY, CAL)
    assert blank[THANK_YOU].required_channel is None


def test_custom_policy_moves_the_dates():
    policy = Policy(
        timeline_business_days=2,
        thank_you_hours=48,
        follow_up_opens_business_days=1,
        follow_up_due_business_days=2,
        move_on_business_days=1,
        day_ends_at=time(18, 30),
    )
    plans = plan_steps(
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 12)),
        {},
        policy,
        CAL,
    )
    assert wall(plans[TIMELINE].due_at) == "Thu 2026-06-11 18:30"
    assert wall(plans[THANK_YOU].due_at) == "Thu 2026-06-11 11:00"
    assert wall(plans[FOLLOW_UP].opens_at) == "Mon 2026-06-15 00:00"
    assert wall(plans[FOLLOW_UP].due_at) == "Tue 2026-06-16 18:30"
    assert wall(plans[MOVE_ON].due_at) == "Wed 2026-06-17 18:30"


# --- statuses and reasons ---------------------------------------------------------------------
# One interview for all of them: Tue 9 Jun 2026 10:00-11:00, decision date Fri 12 Jun, recorded
# at the interview. Due: timeline Wed 10 Jun 17:00, thank-you Wed 10 Jun 11:00, follow-up window
# Wed 17 Jun 00:00 to Fri 19 Jun 17:00, move on Fri 26 Jun 17:00 (with no follow-up sent).

BASE = interview(
    "2026-06-09 10:00",
    timeline="date_given",
    decision_date=date(2026, 6, 12),
    timeline_recorded_at=toronto("2026-06-09 11:05"),
)
NOT_RECORDED = replace(BASE, timeline="not_recorded", decision_date=None, timeline_recorded_at=None)


def base(**changes) -> InterviewFacts:
    return replace(BASE, **changes)


STATUS_CASES = [
    # Thank-you note.
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: sent("2026-06-09 18:00")},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "Sent Tue 9 Jun 2026, 18:00, by the due time.",
        id="thank-you on time",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: sent("2026-06-10 11:00")},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="thank-you exactly at the due time",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: sent("2026-06-10 13:00")},
        "2026-06-11 09:00",
        Status.DONE_LATE,
        "Sent Wed 10 Jun 2026, 13:00, 2 hours after the due time (Wed 10 Jun 2026, 11:00).",
        id="thank-you late",
    ),
    pytest.param(
        THANK_YOU,
        base(preferred_channel="email"),
        {THANK_YOU: sent("2026-06-09 18:00", "phone")},
        "2026-06-11 09:00",
        Status.WRONG_CHANNEL,
        "Sent Tue 9 Jun 2026, 18:00 by phone; the employer asked for email.",
        id="employer prefers email, thank-you by phone",
    ),
    pytest.param(
        THANK_YOU,
        base(preferred_channel="email"),
        {THANK_YOU: sent("2026-06-09 18:00", "email")},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="employer prefers email, thank-you by email",
    ),
    pytest.param(
        THANK_YOU,
        base(preferred_channel="phone"),
        {THANK_YOU: sent("2026-06-09 18:00", "handwritten")},
        "2026-06-11 09:00",
        Status.WRONG_CHANNEL,
        "by a handwritten note; the employer asked for phone",
        id="employer prefers phone, handwritten note",
    ),
    pytest.param(
        THANK_YOU,
        base(preferred_channel="email"),
        {THANK_YOU: Action(done_at=toronto("2026-06-09 18:00"))},
        "2026-06-11 09:00",
        Status.WRONG_CHANNEL,
        "by an unrecorded channel",
        id="employer prefers email, channel missing",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: sent("2026-06-09 18:00", "phone")},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="no preferred channel: phone on time",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: sent("2026-06-09 18:00", "handwritten")},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="no preferred channel: handwritten on time",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {THANK_YOU: Action(waived=True)},
        "2026-06-11 09:00",
        Status.WAIVED,
        "Waived: it no longer counts toward the compliance rate.",
        id="thank-you waived",
    ),
    # The clock: upcoming, due soon (within policy.due_soon_hours), overdue.
    pytest.param(
        THANK_YOU,
        BASE,
        {},
        "2026-06-09 10:30",
        Status.UPCOMING,
        "Send the thank-you note by Wed 10 Jun 2026, 11:00.",
        id="thank-you upcoming (24.5 h left)",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {},
        "2026-06-09 11:30",
        Status.DUE_SOON,
        "Send the thank-you note by Wed 10 Jun 2026, 11:00 (23 hours left).",
        id="thank-you due soon (23.5 h left)",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {},
        "2026-06-10 11:00",
        Status.DUE_SOON,
        "(1 minute left)",
        id="thank-you at the due time: still due soon",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {},
        "2026-06-10 11:01",
        Status.OVERDUE,
        "Overdue by 1 minute. Send the thank-you note and record when and how it went.",
        id="thank-you a minute overdue",
    ),
    pytest.param(
        THANK_YOU,
        BASE,
        {},
        "2026-06-13 11:00",
        Status.OVERDUE,
        "Overdue by 3 days. Send the thank-you note and record when and how it went.",
        id="thank-you days overdue",
    ),
    # Timeline asked.
    pytest.param(
        TIMELINE,
        BASE,
        {},
        "2026-06-09 12:00",
        Status.DONE_ON_TIME,
        "Recorded Tue 9 Jun 2026, 11:05, by the due time.",
        id="timeline date given, recorded",
    ),
    pytest.param(
        TIMELINE,
        base(
            timeline="no_date_given",
            decision_date=None,
            timeline_recorded_at=toronto("2026-06-10 16:59"),
        ),
        {},
        "2026-06-11 09:00",
        Status.DONE_ON_TIME,
        "Recorded Wed 10 Jun 2026, 16:59",
        id="timeline no date given, recorded on time",
    ),
    pytest.param(
        TIMELINE,
        base(timeline_recorded_at=toronto("2026-06-11 09:00")),
        {},
        "2026-06-11 10:00",
        Status.DONE_LATE,
        "after the due time (Wed 10 Jun 2026, 17:00)",
        id="timeline recorded late",
    ),
    pytest.param(
        TIMELINE,
        NOT_RECORDED,
        {},
        "2026-06-09 12:00",
        Status.UPCOMING,
        "Record the employer's answer on the timeline by Wed 10 Jun 2026, 17:00.",
        id="timeline upcoming (29 h left)",
    ),
    pytest.param(
        TIMELINE,
        NOT_RECORDED,
        {},
        "2026-06-10 09:00",
        Status.DUE_SOON,
        "(8 hours left)",
        id="timeline due soon",
    ),
    pytest.param(
        TIMELINE,
        NOT_RECORDED,
        {},
        "2026-06-10 17:30",
        Status.OVERDUE,
        "Overdue by 30 minutes. Record the employer's answer",
        id="timeline overdue",
    ),
    pytest.param(
        TIMELINE,
        NOT_RECORDED,
        {TIMELINE: Action(waived=True)},
        "2026-06-12 09:00",
        Status.WAIVED,
        "Waived",
        id="timeline waived",
    ),
    # Follow-up: too early, inside the window, late; the open window counts as due soon.
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-16 15:00")},
        "2026-06-22 09:00",
        Status.TOO_EARLY,
        "Sent Tue 16 Jun 2026, 15:00, before the window opened on Wed 17 Jun 2026.",
        id="follow-up before the window",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-16 23:59")},
        "2026-06-22 09:00",
        Status.TOO_EARLY,
        "before the window opened",
        id="follow-up a minute before the window",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-17 00:00")},
        "2026-06-22 09:00",
        Status.DONE_ON_TIME,
        "Sent Wed 17 Jun 2026, 00:00, by the due time.",
        id="follow-up as the window opens",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-18 09:30")},
        "2026-06-22 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="follow-up inside the window",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-19 17:00")},
        "2026-06-22 09:00",
        Status.DONE_ON_TIME,
        "by the due time",
        id="follow-up as the window closes",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: sent("2026-06-22 08:00")},
        "2026-06-22 09:00",
        Status.DONE_LATE,
        "Sent Mon 22 Jun 2026, 08:00, 2 days after the due time (Fri 19 Jun 2026, 17:00).",
        id="follow-up after the window",
    ),
    pytest.param(
        FOLLOW_UP,
        base(preferred_channel="phone"),
        {FOLLOW_UP: sent("2026-06-18 09:30", "email")},
        "2026-06-22 09:00",
        Status.WRONG_CHANNEL,
        "by email; the employer asked for phone",
        id="follow-up inside the window by the wrong channel",
    ),
    pytest.param(
        FOLLOW_UP,
        base(preferred_channel="phone"),
        {FOLLOW_UP: sent("2026-06-16 09:30", "email")},
        "2026-06-22 09:00",
        Status.TOO_EARLY,
        "before the window opened",
        id="follow-up too early and by the wrong channel: too early",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {},
        "2026-06-15 09:00",
        Status.UPCOMING,
        "The window opens on Wed 17 Jun 2026; sending before then is too early. "
        "Due by Fri 19 Jun 2026, 17:00.",
        id="follow-up before its window opens",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {},
        "2026-06-16 23:59",
        Status.UPCOMING,
        "The window opens on Wed 17 Jun 2026",
        id="follow-up a minute before its window opens",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {},
        "2026-06-17 09:00",
        Status.DUE_SOON,
        "The window is open: send it by Fri 19 Jun 2026, 17:00 (2 days left).",
        id="follow-up window open, 56 h left: due soon",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {},
        "2026-06-19 20:00",
        Status.OVERDUE,
        "Overdue by 3 hours. Send a short, courteous follow-up",
        id="follow-up overdue",
    ),
    pytest.param(
        FOLLOW_UP,
        BASE,
        {FOLLOW_UP: Action(waived=True)},
        "2026-06-25 09:00",
        Status.WAIVED,
        "Waived",
        id="follow-up waived",
    ),
    # Move on.
    pytest.param(
        MOVE_ON,
        BASE,
        {},
        "2026-06-22 09:00",
        Status.UPCOMING,
        "If there is still no answer, close the interview by Fri 26 Jun 2026, 17:00.",
        id="move on upcoming",
    ),
    pytest.param(
        MOVE_ON,
        BASE,
        {},
        "2026-06-26 08:00",
        Status.DUE_SOON,
        "(9 hours left)",
        id="move on due soon",
    ),
    pytest.param(
        MOVE_ON,
        BASE,
        {},
        "2026-06-27 17:00",
        Status.OVERDUE,
        "Overdue by 24 hours. Close the interview as no response",
        id="move on overdue",
    ),
    pytest.param(
        MOVE_ON,
        base(outcome="no_response", outcome_at=toronto("2026-06-26 10:00")),
        {},
        "2026-06-29 09:00",
        Status.DONE_ON_TIME,
        "Closed Fri 26 Jun 2026, 10:00, by the due time.",
        id="closed as no response on time",
    ),
    pytest.param(
        MOVE_ON,
        base(outcome="no_response", outcome_at=toronto("2026-06-29 10:00")),
        {},
        "2026-06-29 11:00",
        Status.DONE_LATE,
        "Closed Mon 29 Jun 2026, 10:00, 2 days after",
        id="closed as no response late",
    ),
    pytest.param(
        MOVE_ON,
        base(outcome="no_response", outcome_at=toronto("2026-06-26 10:00")),
        {FOLLOW_UP: sent("2026-06-17 10:00")},
        "2026-06-29 09:00",
        Status.DONE_LATE,
        "after the due time (Wed 24 Jun 2026, 17:00)",
        id="closed as no response after the move-on date counted from the follow-up",
    ),
    pytest.param(
        MOVE_ON,
        BASE,
        {MOVE_ON: Action(waived=True)},
        "2026-06-29 09:00",
        Status.WAIVED,
        "Waived",
        id="move on waived",
    ),
]


@pytest.mark.parametrize("kind, facts, actions, now, status, reason", STATUS_CASES)
def test_status(kind, facts, actions, now, status, reason):
    plan, state, found = run(facts, actions, now)[kind]
    assert found.status == status
    assert found.reason and reason in found.reason
    if status == Status.OVERDUE:  # the span and what to do; the due time is shown elsewhere
        assert found.reason.startswith("Overdue by ")
    # settle() stores the clock-free part: a result for done, waived and not needed steps only.
    assert state.result == (status if status not in OPEN else None)
    assert (state.due_at, state.opens_at) == (plan.due_at, plan.opens_at)


def test_due_soon_follows_the_policy():
    facts, now = NOT_RECORDED, toronto("2026-06-09 12:00")  # timeline due in 29 hours
    state = settle(plan_steps(facts, {}, POLICY, CAL)[TIMELINE], facts, None)
    assert assess(state, now, POLICY, CAL).status == Status.UPCOMING
    assert assess(state, now, Policy(due_soon_hours=29), CAL).status == Status.DUE_SOON
    assert assess(state, now, Policy(due_soon_hours=28), CAL).status == Status.UPCOMING
    assert assess(state, now, Policy(due_soon_hours=48), CAL).reason == (
        "Record the employer's answer on the timeline by Wed 10 Jun 2026, 17:00 (29 hours left)."
    )


def test_reason_shows_local_time_after_a_clock_change():
    # Saturday 7 Mar 2026 interview: move on due after Good Friday, on Easter Monday.
    facts = interview("2026-03-07 18:00")
    steps = run(facts, {}, "2026-04-06 09:00")
    _, _, found = steps[MOVE_ON]
    assert found.status == Status.DUE_SOON
    assert found.reason == (
        "If there is still no answer, close the interview by Mon 6 Apr 2026, 17:00 (8 hours left)."
    )
    _, _, overdue = run(facts, {}, "2026-04-07 17:00")[MOVE_ON]
    assert overdue.reason.startswith("Overdue by 24 hours.")
    closed = replace(facts, outcome="no_response", outcome_at=toronto("2026-04-07 17:00"))
    _, _, late = run(closed, {}, "2026-04-07 18:00")[MOVE_ON]
    assert late.status == Status.DONE_LATE
    assert late.reason == (
        "Closed Tue 7 Apr 2026, 17:00, 24 hours after the due time (Mon 6 Apr 2026, 17:00)."
    )
    # The thank-you falls due across the spring forward: shown on the new (EDT) clock.
    _, _, thank_you = run(facts, {}, "2026-03-07 19:30")[THANK_YOU]
    assert thank_you.reason == "Send the thank-you note by Sun 8 Mar 2026, 19:00 (22 hours left)."


# --- the employer answers first ---------------------------------------------------------------

OUTCOME_CASES = [
    pytest.param(
        NOT_RECORDED,
        {THANK_YOU: sent("2026-06-09 14:00")},
        "rejected",
        "2026-06-09 15:00",
        "2026-06-09 16:00",
        {
            TIMELINE: Status.NOT_NEEDED,
            THANK_YOU: Status.DONE_ON_TIME,
            FOLLOW_UP: Status.NOT_NEEDED,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="rejected the same afternoon: done thank-you keeps its result, the rest not needed",
    ),
    pytest.param(
        BASE,
        {},
        "offer",
        "2026-06-11 09:00",
        "2026-06-11 10:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.MISSED,
            FOLLOW_UP: Status.NOT_NEEDED,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="offer after the thank-you fell due: it was missed",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: sent("2026-06-10 12:00")},
        "next_round",
        "2026-06-18 12:00",
        "2026-06-30 10:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.DONE_LATE,
            FOLLOW_UP: Status.NOT_NEEDED,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="next round inside the follow-up window: follow-up and move on not needed",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: sent("2026-06-09 12:00")},
        "offer",
        "2026-06-22 12:00",
        "2026-06-22 13:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.DONE_ON_TIME,
            FOLLOW_UP: Status.MISSED,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="offer after the follow-up fell due: the follow-up was missed",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: sent("2026-06-09 12:00"), FOLLOW_UP: sent("2026-06-18 12:00")},
        "offer",
        "2026-06-19 09:00",
        "2026-06-19 10:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.DONE_ON_TIME,
            FOLLOW_UP: Status.DONE_ON_TIME,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="offer after the follow-up was sent: only move on not needed",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: Action(waived=True)},
        "rejected",
        "2026-06-09 15:00",
        "2026-06-09 16:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.WAIVED,
            FOLLOW_UP: Status.NOT_NEEDED,
            MOVE_ON: Status.NOT_NEEDED,
        },
        id="waived stays waived",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: sent("2026-06-09 12:00")},
        "no_response",
        "2026-06-26 10:00",
        "2026-06-26 11:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.DONE_ON_TIME,
            FOLLOW_UP: Status.MISSED,
            MOVE_ON: Status.DONE_ON_TIME,
        },
        id="closed as no response: move on done at the closing, the skipped follow-up missed",
    ),
    pytest.param(
        BASE,
        {THANK_YOU: sent("2026-06-09 12:00")},
        "no_response",
        "2026-06-12 10:00",
        "2026-06-12 11:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.DONE_ON_TIME,
            FOLLOW_UP: Status.NOT_NEEDED,
            MOVE_ON: Status.DONE_ON_TIME,
        },
        id="closed as no response before the follow-up was due: not needed",
    ),
    pytest.param(
        BASE,
        {},
        "pending",
        None,
        "2026-06-11 10:00",
        {
            TIMELINE: Status.DONE_ON_TIME,
            THANK_YOU: Status.OVERDUE,
            FOLLOW_UP: Status.UPCOMING,
            MOVE_ON: Status.UPCOMING,
        },
        id="no outcome yet",
    ),
]


@pytest.mark.parametrize("facts, actions, outcome, outcome_at, now, expected", OUTCOME_CASES)
def test_employer_answers_first(facts, actions, outcome, outcome_at, now, expected):
    facts = replace(facts, outcome=outcome, outcome_at=toronto(outcome_at) if outcome_at else None)
    steps = run(facts, actions, now)
    assert {kind: found.status for kind, (_, _, found) in steps.items()} == expected
    for _, state, found in steps.values():
        assert found.reason
        if found.status in (Status.NOT_NEEDED, Status.MISSED):
            assert found.reason.startswith(("Not needed: the interview was closed", "Missed:"))
            assert state.result == found.status  # stored: out of the queue, whatever the clock


def test_closing_an_interview_with_everything_overdue_misses_them_and_reopening_reopens():
    """Withdrawn three weeks on: the open steps past due are missed (stored, so out of the
    queue); the outcome back to pending opens them again."""
    closed = replace(NOT_RECORDED, outcome="withdrawn", outcome_at=toronto("2026-07-03 10:00"))
    steps = run(closed, {}, "2026-07-20 10:00")
    assert {kind: found.status for kind, (_, _, found) in steps.items()} == {
        TIMELINE: Status.MISSED,
        THANK_YOU: Status.MISSED,
        FOLLOW_UP: Status.MISSED,
        MOVE_ON: Status.NOT_NEEDED,  # not yet due when it was closed
    }
    _, _, missed = steps[THANK_YOU]
    assert missed.reason.startswith("Missed: it was due Wed 10 Jun 2026, 11:00 and not done")
    reopened = replace(closed, outcome="pending", outcome_at=None)
    statuses = {
        kind: found.status for kind, (_, _, found) in run(reopened, {}, "2026-07-20 10:00").items()
    }
    assert statuses == dict.fromkeys((TIMELINE, THANK_YOU, FOLLOW_UP, MOVE_ON), Status.OVERDUE)


def test_a_note_sent_before_the_interview_is_too_early():
    """Moving the interview later than a recorded thank-you makes it too early, with a reason
    that asks for the time to be corrected, never a silent "done on time"."""
    facts = base()
    _, state, found = run(facts, {THANK_YOU: sent("2026-06-09 08:00")}, "2026-06-09 12:00")[
        THANK_YOU
    ]
    assert state.result == Status.TOO_EARLY and found.status == Status.TOO_EARLY
    assert found.reason.startswith("Recorded as sent Tue 9 Jun 2026, 08:00, before the interview")


def test_no_response_move_on_is_done_at_the_closing():
    facts = base(outcome="no_response", outcome_at=toronto("2026-06-26 10:00"))
    _, state, _ = run(facts, {}, "2026-06-30 09:00")[MOVE_ON]
    assert state.done_at == toronto("2026-06-26 10:00")
    assert state.result == Status.DONE_ON_TIME


def test_evaluate_is_in_step_order_and_matches_the_three_stages():
    facts = base(preferred_channel="email")
    actions = {THANK_YOU: sent("2026-06-09 18:00")}
    now = toronto("2026-06-18 09:00")
    out = evaluate(facts, actions, POLICY, CAL, now)
    assert [plan.kind for plan, _, _ in out] == [TIMELINE, THANK_YOU, FOLLOW_UP, MOVE_ON]
    plans = plan_steps(facts, actions, POLICY, CAL)
    for plan, state, found in out:
        assert plan == plans[plan.kind]
        assert state == settle(plan, facts, actions.get(plan.kind))
        assert found == assess(state, now, POLICY, CAL)


# --- the policy -------------------------------------------------------------------------------


def test_default_policy_is_the_table_of_docs_policy():
    assert Policy().problems() == {}
    assert (
        POLICY.timeline_business_days,
        POLICY.thank_you_hours,
        POLICY.follow_up_opens_business_days,
        POLICY.follow_up_due_business_days,
        POLICY.assumed_decision_business_days,
        POLICY.move_on_business_days,
        POLICY.day_ends_at,
    ) == (1, 24, 3, 5, 10, 5, time(17, 0))


@pytest.mark.parametrize(
    "changes, field_name, message",
    [
        pytest.param(
            {"timeline_business_days": -1},
            "timeline_business_days",
            "Enter a number from 0 to 10",
            id="negative timeline",
        ),
        pytest.param(
            {"thank_you_hours": 0},
            "thank_you_hours",
            "Enter a number from 1 to 168 (hours).",
            id="thank-you 0 hours",
        ),
        pytest.param(
            {"thank_you_hours": 10_000}, "thank_you_hours", "from 1 to 168", id="thank-you absurd"
        ),
        pytest.param(
            {"follow_up_due_business_days": 31},
            "follow_up_due_business_days",
            "from 1 to 30",
            id="follow-up due too far",
        ),
        pytest.param(
            {"assumed_decision_business_days": 0},
            "assumed_decision_business_days",
            "from 1 to 60",
            id="assumed decision 0",
        ),
        pytest.param(
            {"move_on_business_days": -5},
            "move_on_business_days",
            "from 1 to 30",
            id="negative move on",
        ),
        pytest.param(
            {"due_soon_hours": 73}, "due_soon_hours", "from 1 to 72", id="due soon too long"
        ),
        pytest.param(
            {"due_soon_hours": True}, "due_soon_hours", "Enter a whole number.", id="bool True"
        ),
        pytest.param(
            {"timeline_business_days": False},
            "timeline_business_days",
            "Enter a whole number.",
            id="bool False",
        ),
        pytest.param(
            {"thank_you_hours": 24.5}, "thank_you_hours", "Enter a whole number.", id="float"
        ),
        pytest.param(
            {"move_on_business_days": "5"},
            "move_on_business_days",
            "Enter a whole number.",
            id="string",
        ),
        pytest.param(
            {"thank_you_hours": None}, "thank_you_hours", "Enter a whole number.", id="None"
        ),
        pytest.param(
            {"follow_up_opens_business_days": 6},
            "follow_up_opens_business_days",
            "The window cannot open after the follow-up is due.",
            id="opens after due",
        ),
        pytest.param(
            {"follow_up_opens_business_days": 3, "follow_up_due_business_days": 2},
            "follow_up_opens_business_days",
            "cannot open after",
            id="due before opens",
        ),
        pytest.param(
            {"day_ends_at": time(11, 59)},
            "day_ends_at",
            "The business day cannot end before noon.",
            id="day ends before noon",
        ),
        pytest.param(
            {"day_ends_at": time(0, 0)}, "day_ends_at", "before noon", id="day ends at midnight"
        ),
        pytest.param(
            {"day_ends_at": "17:00"},
            "day_ends_at",
            "Enter a time of day such as 17:00.",
            id="day end as a string",
        ),
        pytest.param(
            {"day_ends_at": time(17, 0, tzinfo=UTC)},
            "day_ends_at",
            "Enter a time of day",
            id="day end with a zone",
        ),
    ],
)
def test_policy_problems(changes, field_name, message):
    problems = Policy(**changes).problems()
    assert list(problems) == [field_name]
    assert message in problems[field_name]


def test_policy_reports_every_bad_field():
    problems = Policy(
        timeline_business_days=-1, thank_you_hours=True, due_soon_hours=0, day_ends_at=time(9, 0)
    ).problems()
    assert set(problems) == {
        "timeline_business_days",
        "thank_you_hours",
        "due_soon_hours",
        "day_ends_at",
    }


def test_bad_window_numbers_are_reported_without_the_ordering_message():
    problems = Policy(follow_up_opens_business_days=-1, follow_up_due_business_days=0).problems()
    assert problems == {
        "follow_up_opens_business_days": "Enter a number from 0 to 30 (business days).",
        "follow_up_due_business_days": "Enter a number from 1 to 30 (business days).",
    }


@pytest.mark.parametrize("name", list(LIMITS))
def test_policy_limits_are_inclusive(name):
    limit = LIMITS[name]
    window = {"follow_up_due_business_days": 30} if name == "follow_up_opens_business_days" else {}
    if name == "follow_up_due_business_days":
        window = {"follow_up_opens_business_days": 0}
    assert Policy(**{name: limit.low, **window}).problems() == {}
    assert Policy(**{name: limit.high, **window}).problems() == {}
    assert name in Policy(**{name: limit.low - 1, **window}).problems()
    assert name in Policy(**{name: limit.high + 1, **window}).problems()


def test_day_may_end_at_noon_or_later():
    assert Policy(day_ends_at=time(12, 0)).problems() == {}
    assert Policy(day_ends_at=time(23, 59)).problems() == {}


def test_changes_from():
    new = Policy(thank_you_hours=48, day_ends_at=time(18, 30))
    assert new.changes_from(Policy()) == [
        "Thank-you note: 24 → 48 hours after the interview",
        "The business day ends at: 17:00 → 18:30",
    ]
    assert Policy().changes_from(new) == [
        "Thank-you note: 48 → 24 hours after the interview",
        "The business day ends at: 18:30 → 17:00",
    ]
    assert set(CHANGE_WORDS) == {f.name for f in fields(Policy)}  # every setting has its words
    assert Policy().changes_from(Policy()) == []


# --- properties over random interviews --------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def _special_days() -> list[date]:
    """Holidays (with their observed days), clock-change days and the day before each."""
    days, day = set(), date(2020, 1, 1)
    while day <= date(2035, 12, 31):
        midnight, next_midnight = CAL.at(day, time.min), CAL.at(day + timedelta(days=1), time.min)
        if CAL.holiday(day) or next_midnight - midnight != timedelta(days=1):
            days.update({day, day - timedelta(days=1)})
        day += timedelta(days=1)
    return sorted(days)


SPECIAL_DAYS = _special_days()

# Any minute from 2020 to 2035 (drawn in UTC, so both runs of a repeated hour occur), or any
# minute of a holiday, a clock-change day or the eve of one. Passed in as Toronto local time.
starts = st.one_of(
    st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2035, 12, 31, 23, 59),
        timezones=st.just(UTC),
    ).map(lambda d: d.replace(second=0, microsecond=0)),
    st.builds(
        lambda day, minute: CAL.at(day, time.min) + timedelta(minutes=minute),
        st.sampled_from(SPECIAL_DAYS),
        st.integers(0, 24 * 60 + 59),
    ),
).map(lambda moment: moment.astimezone(CAL.zone))


@st.composite
def policies(draw, min_timeline=0, min_opens=0):
    """A valid policy, any values within LIMITS."""

    def number(name, low=None, high=None):
        limit = LIMITS[name]
        return draw(
            st.integers(max(limit.low, low or limit.low), min(limit.high, high or limit.high))
        )

    due = number("follow_up_due_business_days")
    policy = Policy(
        timeline_business_days=number("timeline_business_days", low=min_timeline),
        thank_you_hours=number("thank_you_hours"),
        follow_up_opens_business_days=number(
            "follow_up_opens_business_days", low=min_opens, high=due
        ),
        follow_up_due_business_days=due,
        assumed_decision_business_days=number("assumed_decision_business_days"),
        move_on_business_days=number("move_on_business_days"),
        due_soon_hours=number("due_soon_hours"),
        day_ends_at=draw(st.times(min_value=time(12, 0), max_value=time(23, 59))).replace(
            second=0, microsecond=0
        ),
    )
    assert policy.problems() == {}
    return policy


def _on_the_clock(moment: datetime) -> datetime:
    """The same instant, labelled with the wall time Toronto's clock really shows. Adding a
    timedelta to a Toronto datetime counts wall-clock time and can land on a label that does
    not exist (02:30 on a spring-forward day), which the portal never passes in: it stores UTC
    and refuses such times on input."""
    return moment.astimezone(UTC).astimezone(CAL.zone)


@st.composite
def cases(draw, policy=None):
    """(facts, actions, policy) for a random interview; any valid policy unless given one."""
    start = draw(starts)
    facts = InterviewFacts(
        starts_at=start,
        ends_at=_on_the_clock(start + timedelta(minutes=draw(st.integers(1, 600)))),
        timeline=draw(st.sampled_from(["not_recorded", "date_given", "no_date_given"])),
        decision_date=start.date() + timedelta(days=draw(st.integers(0, 60))),
    )
    follow_up_after = draw(st.none() | st.integers(0, 90 * 24 * 60))
    actions = (
        {}
        if follow_up_after is None
        else {
            FOLLOW_UP: Action(
                done_at=_on_the_clock(start + timedelta(minutes=follow_up_after)), channel="email"
            )
        }
    )
    return facts, actions, draw(policies() if policy is None else policy)


def _business_day_instants(plans):
    return {
        "timeline due": plans[TIMELINE].due_at,
        "follow-up opens": plans[FOLLOW_UP].opens_at,
        "follow-up due": plans[FOLLOW_UP].due_at,
        "move on due": plans[MOVE_ON].due_at,
    }


@PROPERTY
@given(cases())
def test_business_day_dates_land_on_business_days(case):
    facts, actions, policy = case
    plans = plan_steps(facts, actions, policy, CAL)
    for what, moment in _business_day_instants(plans).items():
        day = CAL.local_date(moment)
        assert CAL.is_business_day(day), f"{what} on {day:%a %Y-%m-%d} ({CAL.holiday(day)})"
    # Dues at the end of the business day; the window from local midnight, or from the
    # interview's end when the window opens on the interview day itself.
    for kind in (TIMELINE, FOLLOW_UP, MOVE_ON):
        assert CAL.local(plans[kind].due_at).time() == policy.day_ends_at
    opens = plans[FOLLOW_UP].opens_at
    assert opens == max(CAL.at(CAL.local_date(opens), time.min), facts.ends_at), wall(opens)


def _check_nothing_before_the_interview(facts, actions, policy):
    plans = plan_steps(facts, actions, policy, CAL)
    for plan in plans.values():
        assert plan.due_at >= facts.starts_at, f"{plan.kind} due {wall(plan.due_at)}"
        if plan.opens_at is not None:
            assert plan.opens_at >= facts.starts_at, f"{plan.kind} opens {wall(plan.opens_at)}"


@PROPERTY
@given(cases(policy=policies(min_timeline=1, min_opens=1)))
def test_nothing_due_or_open_before_the_interview_starts(case):
    """With at least one business day for the timeline and for the window's opening: random
    policies that never hit the same-day cases."""
    _check_nothing_before_the_interview(*case)


@PROPERTY
@given(cases())
@example((interview("2026-06-09 19:00"), {}, Policy(timeline_business_days=0)))
@example(
    (
        interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 9)),
        {},
        Policy(follow_up_opens_business_days=0),
    )
)
def test_nothing_due_or_open_before_the_interview_starts_for_any_valid_policy(case):
    """Same-day policies included: a timeline due at the end of the interview day rolls to the
    next business day when the interview ends after hours, and the window opens no earlier
    than the interview's end."""
    _check_nothing_before_the_interview(*case)


def test_same_day_timeline_is_not_due_before_an_evening_interview():
    facts = interview("2026-06-09 19:00")
    due = plan_steps(facts, {}, Policy(timeline_business_days=0), CAL)[TIMELINE].due_at
    assert due >= facts.ends_at, wall(due)
    assert wall(due) == "Wed 2026-06-10 17:00"  # the end of the next business day


def test_follow_up_window_does_not_open_before_the_interview():
    facts = interview("2026-06-09 10:00", timeline="date_given", decision_date=date(2026, 6, 9))
    policy = Policy(follow_up_opens_business_days=0)
    actions = {FOLLOW_UP: sent("2026-06-09 08:00")}
    plan, state, _ = run(facts, actions, "2026-06-09 12:00", policy)[FOLLOW_UP]
    assert plan.opens_at >= facts.starts_at, wall(plan.opens_at)
    assert (
        plan.opens_at == facts.ends_at
    )  # the decision day's midnight, clamped to the interview's end
    assert state.result == Status.TOO_EARLY


@PROPERTY
@given(cases(), st.integers(0, 60), st.integers(0, 60))
def test_a_later_decision_date_never_brings_the_follow_up_forward(case, first, second):
    facts, actions, policy = case
    interview_day = CAL.local_date(facts.starts_at)
    earlier, later = sorted((first, second))

    def window(offset):
        given_facts = replace(
            facts, timeline="date_given", decision_date=interview_day + timedelta(days=offset)
        )
        plan = plan_steps(given_facts, actions, policy, CAL)[FOLLOW_UP]
        return plan.opens_at, plan.due_at

    (opens_a, due_a), (opens_b, due_b) = window(earlier), window(later)
    assert opens_b >= opens_a
    assert due_b >= due_a


@PROPERTY
@given(cases())
def test_follow_up_window_opens_no_later_than_it_is_due(case):
    plan = plan_steps(*case[:2], case[2], CAL)[FOLLOW_UP]
    assert plan.opens_at <= plan.due_at


@PROPERTY
@given(cases())
@example(
    (
        InterviewFacts(starts_at=toronto("2033-03-13 00:00"), ends_at=toronto("2033-03-13 03:00")),
        {},
        Policy(thank_you_hours=1),
    )
)  # ends just after the spring forward: due 04:00 EDT
def test_thank_you_is_due_after_the_interview_ends(case):
    facts, actions, policy = case
    due = plan_steps(facts, actions, policy, CAL)[THANK_YOU].due_at
    assert due > facts.ends_at
    # Roughly thank_you_hours later: a clock change moves it by an hour at most.
    assert abs(due - facts.ends_at - timedelta(hours=policy.thank_you_hours)) <= timedelta(hours=1)


@PROPERTY
@given(cases(), policies())
def test_a_policy_change_moves_only_the_steps_its_settings_name(case, other):
    """MOVED_BY (what a policy change recomputes) is what plan_steps does: swap each setting
    in turn, and only the steps it names may get another due time or window."""
    facts, actions, policy = case
    before = plan_steps(facts, actions, policy, CAL, reasons=False)
    for name in MOVED_BY:
        changed = replace(policy, **{name: getattr(other, name)})
        if changed.problems():  # the window may not open after the follow-up is due
            continue
        after = plan_steps(facts, actions, changed, CAL, reasons=False)
        moved = {
            kind
            for kind in StepKind
            if (before[kind].due_at, before[kind].opens_at)
            != (after[kind].due_at, after[kind].opens_at)
        }
        assert moved <= steps_moved(policy, changed), (name, moved)


def test_each_setting_of_the_policy_says_which_steps_it_moves():
    assert set(MOVED_BY) == {f.name for f in fields(Policy)}
    assert steps_moved(POLICY, replace(POLICY, thank_you_hours=30)) == {THANK_YOU}
    assert steps_moved(POLICY, POLICY) == frozenset()
