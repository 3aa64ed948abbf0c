"""The checklist in the portal: stored steps, actions on them, the queue, the policy page."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conftest import settle
from portal.extensions import db
from portal.followup import Status, StepKind, StepResult
from portal.models import (
    AuditEvent,
    Interview,
    Outcome,
    PolicyVersion,
    PreferredChannel,
    Role,
    Step,
    Timeline,
)

TORONTO = ZoneInfo("America/Toronto")


def toronto(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO).astimezone(UTC)


def steps_of(app, interview_id: int) -> dict[StepKind, Step]:
    with app.app_context():
        steps = db.session.scalars(select(Step).where(Step.interview_id == interview_id)).all()
        for step in steps:
            db.session.expunge(step)
        return {step.kind: step for step in steps}


def events(app, **where) -> list[AuditEvent]:
    """Audit events about the follow-up (sign-ins, which every test does, left out)."""
    with app.app_context():
        query = (
            select(AuditEvent).where(AuditEvent.action.not_like("sign_in%")).order_by(AuditEvent.id)
        )
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def past(world, make):
    """An interview of candidate A a week ago, at an employer that prefers email."""
    employer = make.employer(name="Birchall Corrigan LLP", preferred_channel=PreferredChannel.EMAIL)
    return make.interview(
        world.candidate_a, employer, starts_at=datetime.now(UTC) - timedelta(days=7)
    )


def test_logging_an_interview_creates_its_four_steps(app, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = client.post(
        f"/candidates/{world.candidate_a.id}/interviews/new",
        data={
            "employer_id": world.employer.id,
            "job_id": 0,
            "starts_at": "2026-04-02T16:30",
            "duration_minutes": 60,
            "format": "video",
            "timeline": "not_recorded",
            "outcome": "pending",
        },
    )
    assert response.status_code == 302
    interview_id = int(response.headers["Location"].rsplit("/", 1)[1])
    steps = steps_of(app, interview_id)
    assert set(steps) == set(StepKind)
    # Thursday before Good Friday: the timeline answer is due Monday at the end of the day.
    assert steps[StepKind.TIMELINE].due_at == toronto(2026, 4, 6, 17, 0)
    assert steps[StepKind.THANK_YOU].due_at == toronto(2026, 4, 3, 17, 30)
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "Follow-up checklist" in page
    assert "skipping Good Friday" in page


def test_interview_page_shows_each_step_with_status_and_due_time(world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get(f"/interviews/{world.interview_a.id}").get_data(as_text=True)
    for kind in StepKind:
        assert kind.label in page
    assert "Upcoming" in page


def test_mark_thank_you_done_by_the_preferred_channel(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.THANK_YOU]
    sent = (past.starts_at + timedelta(hours=3)).astimezone(TORONTO)
    response = client.post(
        f"/steps/{step.id}/done",
        data={
            "done_at": sent.strftime("%Y-%m-%dT%H:%M"),
            "channel": "email",
            "note": "Short note to both partners",
        },
    )
    assert response.status_code == 303
    stored = steps_of(app, past.id)[StepKind.THANK_YOU]
    assert stored.result == Status.DONE_ON_TIME
    assert stored.done_by_id == world.recruiter_a.id
    [event] = events(app, step_id=step.id)
    assert event.action == "step.done" and event.actor_id == world.recruiter_a.id
    assert "by email" in event.detail
    page = client.get(f"/steps/{step.id}").get_data(as_text=True)
    assert "Short note to both partners" in page and "Riley Assigned" in page


def test_another_channel_than_the_employer_asked_for_is_not_on_time(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.THANK_YOU]
    sent = (past.starts_at + timedelta(hours=3)).astimezone(TORONTO)
    client.post(
        f"/steps/{step.id}/done",
        data={"done_at": sent.strftime("%Y-%m-%dT%H:%M"), "channel": "phone"},
    )
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result == Status.WRONG_CHANNEL


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"done_at": "", "channel": "email"}, "Enter when it was done."),
        ({"done_at": "2099-01-01T10:00", "channel": "email"}, "out of range"),
        ({"done_at": "{future}", "channel": "email"}, "in the future"),
        ({"done_at": "{before}", "channel": "email"}, "before the interview started"),
        ({"done_at": "{ok}", "channel": ""}, "Choose how it was sent."),
        ({"done_at": "{ok}", "channel": "carrier-pigeon"}, "Choose how it was sent."),
        ({"done_at": "2026-03-08T02:30", "channel": "email"}, "clocks jump forward"),
    ],
)
def test_mark_done_refuses_bad_input_with_a_field_error(
    app, past, world, login_as, data, field_error
):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.THANK_YOU]
    local = {
        "{future}": datetime.now(TORONTO) + timedelta(days=1),
        "{before}": past.starts_at.astimezone(TORONTO) - timedelta(hours=2),
        "{ok}": past.starts_at.astimezone(TORONTO) + timedelta(hours=2),
    }
    data = {k: (local[v].strftime("%Y-%m-%dT%H:%M") if v in local else v) for k, v in data.items()}
    response = client.post(f"/steps/{step.id}/done", data=data)
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    assert steps_of(app, past.id)[StepKind.THANK_YOU].done_at is None
    assert events(app) == []


def test_timeline_step_records_the_employers_answer_and_undo_clears_it(
    app, fetch, past, world, login_as
):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.TIMELINE]
    when = (past.starts_at + timedelta(hours=2)).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")
    decision = (past.starts_at + timedelta(days=10)).astimezone(TORONTO).date()
    response = client.post(
        f"/steps/{step.id}/done",
        data={"done_at": when, "timeline": "date_given", "decision_date": decision.isoformat()},
    )
    assert response.status_code == 303
    interview = fetch(Interview, past.id)
    assert interview.timeline == Timeline.DATE_GIVEN and interview.decision_date == decision
    steps = steps_of(app, past.id)
    assert steps[StepKind.TIMELINE].result == Status.DONE_ON_TIME
    assert steps[StepKind.FOLLOW_UP].opens_at.astimezone(TORONTO).date() > decision

    assert client.post(f"/steps/{step.id}/undo").status_code == 303
    interview = fetch(Interview, past.id)
    assert interview.timeline == Timeline.NOT_RECORDED and interview.decision_date is None
    assert steps_of(app, past.id)[StepKind.TIMELINE].result is None
    assert [e.action for e in events(app, step_id=step.id)] == ["step.done", "step.undone"]


def test_timeline_needs_an_answer_and_a_date_when_one_was_given(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.TIMELINE]
    when = (past.starts_at + timedelta(hours=2)).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/steps/{step.id}/done", data={"done_at": when, "timeline": "date_given"}
    )
    assert response.status_code == 422
    assert "Enter the decision date the employer gave." in response.get_data(as_text=True)
    response = client.post(f"/steps/{step.id}/done", data={"done_at": when})
    assert "Choose what the employer said." in response.get_data(as_text=True)


def test_move_on_closes_the_interview_and_needs_a_note(app, fetch, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.MOVE_ON]
    when = datetime.now(TORONTO).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/steps/{step.id}/done", data={"done_at": when, "note": "  "})
    assert response.status_code == 422
    assert "Note the next opportunities" in response.get_data(as_text=True)
    response = client.post(
        f"/steps/{step.id}/done", data={"done_at": when, "note": "Two clerk roles at Ormsby"}
    )
    assert response.status_code == 303
    interview = fetch(Interview, past.id)
    assert interview.outcome == Outcome.NO_RESPONSE and interview.outcome_at is not None
    assert steps_of(app, past.id)[StepKind.MOVE_ON].done_at is not None


def test_waive_needs_a_reason_and_takes_the_step_out_of_the_figures(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.THANK_YOU]
    response = client.post(f"/steps/{step.id}/waive", data={"reason": "   "})
    assert response.status_code == 422
    assert steps_of(app, past.id)[StepKind.THANK_YOU].waived_at is None
    response = client.post(
        f"/steps/{step.id}/waive", data={"reason": "Interview was cancelled at the door"}
    )
    assert response.status_code == 303
    stored = steps_of(app, past.id)[StepKind.THANK_YOU]
    assert stored.result == Status.WAIVED and stored.waived_by_id == world.recruiter_a.id
    [event] = events(app, step_id=step.id)
    assert event.action == "step.waived" and "cancelled at the door" in event.detail
    # Waiving again, or marking a waived step done, is refused until it is undone.
    client.post(f"/steps/{step.id}/waive", data={"reason": "again"})
    client.post(f"/steps/{step.id}/done", data={"done_at": "2026-01-01T10:00", "channel": "email"})
    assert len(events(app, step_id=step.id)) == 1


def test_employers_answer_makes_later_steps_not_needed(app, world, make, login_as):
    starts = datetime.now(UTC) - timedelta(hours=2)
    interview = make.interview(world.candidate_a, world.employer, starts_at=starts)
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    local = starts.astimezone(TORONTO)
    response = client.post(
        f"/interviews/{interview.id}/edit",
        data={
            "employer_id": world.employer.id,
            "job_id": 0,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "format": "video",
            "timeline": "not_recorded",
            "outcome": "offer",
        },
    )
    assert response.status_code == 302
    results = {kind: step.result for kind, step in steps_of(app, interview.id).items()}
    assert results == dict.fromkeys(StepKind, Status.NOT_NEEDED)


def test_changing_an_employers_channel_updates_open_steps(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    with app.app_context():
        employer_id = db.session.get(Interview, past.id).employer_id
    response = client.post(
        f"/employers/{employer_id}/edit",
        data={
            "name": "Birchall Corrigan LLP",
            "kind": "law_firm",
            "preferred_channel": "handwritten",
        },
    )
    assert response.status_code == 302
    assert steps_of(app, past.id)[StepKind.FOLLOW_UP].required_channel == "handwritten"


def test_queue_shows_my_overdue_steps_only(app, world, make, login_as):
    old = datetime.now(UTC) - timedelta(days=30)
    mine = make.interview(world.candidate_a, world.employer, starts_at=old)
    theirs = make.interview(world.candidate_b, world.employer, starts_at=old)
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get("/queue").get_data(as_text=True)
    mine_steps, their_steps = steps_of(app, mine.id), steps_of(app, theirs.id)
    assert f"/steps/{mine_steps[StepKind.TIMELINE].id}" in page
    assert f"/steps/{their_steps[StepKind.TIMELINE].id}" not in page
    assert "Overdue" in page and "Casey Alpha" in page and "Corey Beta" not in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f"/steps/{mine_steps[StepKind.TIMELINE].id}" in dashboard
    assert f"/steps/{their_steps[StepKind.TIMELINE].id}" not in dashboard


def test_someone_elses_step_is_not_found(app, world, login_as):
    step = steps_of(app, world.interview_b.id)[StepKind.THANK_YOU]
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    assert client.get(f"/steps/{step.id}").status_code == 404
    assert client.post(f"/steps/{step.id}/waive", data={"reason": "x"}).status_code == 404
    assert client.post(f"/steps/{step.id}/undo").status_code == 404
    assert steps_of(app, world.interview_b.id)[StepKind.THANK_YOU].waived_at is None


# The policy page ------------------------------------------------------------------------

POLICY = {
    "timeline_business_days": 1,
    "thank_you_hours": 24,
    "follow_up_opens_business_days": 3,
    "follow_up_due_business_days": 5,
    "assumed_decision_business_days": 10,
    "move_on_business_days": 5,
    "due_soon_hours": 24,
    "day_ends_at": "17:00",
}


def test_policy_change_applies_to_open_steps_and_is_audited(app, past, world, make, login_as):
    done_interview = make.interview(world.candidate_a, world.employer, starts_at=past.starts_at)
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    thank_you = steps_of(app, done_interview.id)[StepKind.THANK_YOU]
    when = (past.starts_at + timedelta(hours=2)).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/steps/{thank_you.id}/done", data={"done_at": when, "channel": "email"})
    before_done = steps_of(app, done_interview.id)[StepKind.THANK_YOU].due_at
    before_open = steps_of(app, past.id)[StepKind.THANK_YOU].due_at

    admin = login_as(Role.ADMIN, user=world.admin)
    response = admin.post("/admin/policy", data={**POLICY, "thank_you_hours": 48})
    assert response.status_code == 303
    settle()  # the change reaches the open steps right after the response
    assert steps_of(app, past.id)[StepKind.THANK_YOU].due_at == before_open + timedelta(
        hours=48 - 24
    )
    assert steps_of(app, done_interview.id)[StepKind.THANK_YOU].due_at == before_done
    [event] = events(app, action="policy.changed")
    assert (
        event.actor_id == world.admin.id
        and "Thank-you note: 24 → 48 hours after the interview" in event.detail
    )
    page = admin.get("/admin/policy").get_data(as_text=True)
    assert 'value="48"' in page and "Thank-you note: 24 → 48 hours after the interview" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("thank_you_hours", "-1", "from 1 to 168"),
        ("thank_you_hours", "100000", "from 1 to 168"),
        ("thank_you_hours", "ten", "Enter a whole number."),
        ("follow_up_opens_business_days", "9", "cannot open after the follow-up is due"),
        ("day_ends_at", "09:00", "cannot end before noon"),
        ("day_ends_at", "25:00", "Enter a time such as 17:00."),
    ],
)
def test_policy_refuses_absurd_values(app, world, login_as, field, value, message):
    admin = login_as(Role.ADMIN, user=world.admin)
    response = admin.post("/admin/policy", data={**POLICY, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(PolicyVersion.id)) is None
    assert events(app) == []


def test_saving_an_unchanged_policy_records_nothing(app, world, login_as):
    admin = login_as(Role.ADMIN, user=world.admin)
    assert admin.post("/admin/policy", data=POLICY).status_code == 303
    assert events(app) == []


def test_steps_sync_command_creates_missing_steps(app, runner, world):
    with app.app_context():
        db.session.execute(AuditEvent.__table__.delete())
        db.session.execute(Step.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["steps", "sync"])
    assert "Steps synced for 2 interviews." in result.output
    assert len(steps_of(app, world.interview_a.id)) == 4
    assert "for 0 interviews" in runner.invoke(args=["steps", "sync"]).output


def test_steps_sync_settles_the_open_steps_of_interviews_closed_before_the_upgrade(
    app, runner, past
):
    """Closed before closings settled steps (its steps still open): sync settles them."""
    with app.app_context():
        interview = db.session.get(Interview, past.id)
        interview.outcome, interview.outcome_at = Outcome.WITHDRAWN, datetime.now(UTC)
        db.session.commit()  # written behind the portal's back, as an old version left it
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result is None
    assert "Steps synced for 1 interview." in runner.invoke(args=["steps", "sync"]).output
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result == StepResult.MISSED
    assert "for 0 interviews" in runner.invoke(args=["steps", "sync"]).output


def local_input(moment: datetime) -> str:
    return moment.astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")


def test_a_later_action_does_not_rejudge_a_step_done_under_an_earlier_policy(
    app, past, world, login_as
):
    """Thank-you done late under 24 hours; the policy moves to 48; waiving another step of
    the same interview must leave the thank-you late, with its old due time."""
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    steps = steps_of(app, past.id)
    late = past.starts_at + timedelta(hours=30)
    client.post(
        f"/steps/{steps[StepKind.THANK_YOU].id}/done",
        data={"done_at": local_input(late), "channel": "email"},
    )
    done = steps_of(app, past.id)[StepKind.THANK_YOU]
    assert done.result == Status.DONE_LATE

    admin = login_as(Role.ADMIN, user=world.admin)
    admin.post("/admin/policy", data={**POLICY, "thank_you_hours": 48})
    settle()
    client.post(
        f"/steps/{steps[StepKind.FOLLOW_UP].id}/waive",
        data={"reason": "Candidate took another offer"},
    )

    after = steps_of(app, past.id)
    assert after[StepKind.THANK_YOU].result == Status.DONE_LATE
    assert after[StepKind.THANK_YOU].due_at == done.due_at
    assert after[StepKind.THANK_YOU].policy_version_id is None  # the defaults it was settled under
    assert after[StepKind.MOVE_ON].policy_version_id is not None  # open: the policy in force
    # Undo puts it back under the policy in force: 48 hours makes it on time.
    client.post(f"/steps/{steps[StepKind.THANK_YOU].id}/undo")
    client.post(
        f"/steps/{steps[StepKind.THANK_YOU].id}/done",
        data={"done_at": local_input(late), "channel": "email"},
    )
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result == Status.DONE_ON_TIME


def test_a_settled_step_keeps_the_channel_it_was_judged_by(app, past, world, login_as, fetch):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    thank_you = steps_of(app, past.id)[StepKind.THANK_YOU]
    client.post(
        f"/steps/{thank_you.id}/done",
        data={"done_at": local_input(past.starts_at + timedelta(hours=3)), "channel": "email"},
    )
    client.post(
        f"/employers/{past.employer_id}/edit",
        data={"name": "Birchall Corrigan LLP", "kind": "law_firm", "preferred_channel": "phone"},
    )
    client.post(
        f"/interviews/{past.id}/edit",
        data={
            "employer_id": past.employer_id,
            "job_id": 0,
            "starts_at": local_input(past.starts_at),
            "duration_minutes": 60,
            "format": "video",
            "timeline": "not_recorded",
            "outcome": "pending",
            "notes": "Second panel next week",
        },
    )
    after = steps_of(app, past.id)
    assert after[StepKind.THANK_YOU].result == Status.DONE_ON_TIME
    assert after[StepKind.THANK_YOU].required_channel.value == "email"
    assert after[StepKind.FOLLOW_UP].required_channel.value == "phone"
    [event] = events(app, action="employer.channel_changed")
    assert "email → phone" in event.detail and event.actor_id == world.recruiter_a.id


def test_move_on_cannot_overwrite_the_employers_answer(app, world, make, login_as, fetch):
    interview = make.interview(
        world.candidate_a,
        world.employer,
        starts_at=datetime.now(UTC) - timedelta(days=20),
        outcome=Outcome.OFFER,
        outcome_at=datetime.now(UTC) - timedelta(days=19),
    )
    move_on = make.step(interview, StepKind.MOVE_ON)
    assert move_on.result == Status.NOT_NEEDED
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get(f"/steps/{move_on.id}").get_data(as_text=True)
    assert "Nothing to close" in page and "Close the interview" not in page
    response = client.post(
        f"/steps/{move_on.id}/done",
        data={"done_at": local_input(datetime.now(UTC)), "note": "Next: two firms in Vaughan"},
    )
    assert response.status_code == 303
    assert "already has an outcome (offer)" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert fetch(Interview, interview.id).outcome == Outcome.OFFER


def test_an_interview_without_steps_says_so_and_gets_them_when_saved(app, world, login_as):
    """Opening the page writes nothing (GET reads); saving the interview works the steps out."""
    with app.app_context():
        db.session.execute(Step.__table__.delete().where(Step.interview_id == world.interview_a.id))
        db.session.commit()
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get(f"/interviews/{world.interview_a.id}").get_data(as_text=True)
    assert "logged before the portal tracked follow-up steps" in page
    assert steps_of(app, world.interview_a.id) == {}
    response = client.post(
        f"/interviews/{world.interview_a.id}/edit", data=edit_form(world.interview_a)
    )
    assert response.status_code == 302
    assert len(steps_of(app, world.interview_a.id)) == 4
    page = client.get(f"/interviews/{world.interview_a.id}").get_data(as_text=True)
    assert "logged before the portal" not in page and "Thank-you note" in page


def edit_form(interview, **changes) -> dict:
    return {
        "employer_id": interview.employer_id,
        "job_id": interview.job_id or 0,
        "starts_at": local_input(interview.starts_at),
        "duration_minutes": 60,
        "format": "video",
        "timeline": "not_recorded",
        "outcome": "pending",
        **changes,
    }


def test_editing_the_timeline_and_outcome_is_in_the_steps_history(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    answered = past.starts_at + timedelta(days=2)
    decision = (past.starts_at + timedelta(days=9)).astimezone(TORONTO).date()
    response = client.post(
        f"/interviews/{past.id}/edit",
        data=edit_form(
            past,
            timeline="date_given",
            decision_date=decision.isoformat(),
            outcome="rejected",
            outcome_at=local_input(answered),
        ),
    )
    assert response.status_code == 302
    interview_event = events(app, action="interview.edited")[-1]
    assert (
        "timeline Decision date given" in interview_event.detail
        and "outcome Rejected" in interview_event.detail
    )
    steps = steps_of(app, past.id)
    for kind in (StepKind.TIMELINE, StepKind.MOVE_ON):
        [event] = events(app, step_id=steps[kind].id, action="step.changed")
        assert event.actor_id == world.recruiter_a.id
    page = client.get(f"/steps/{steps[StepKind.MOVE_ON].id}").get_data(as_text=True)
    assert "outcome set to Rejected" in page
    # The closing settled the steps still open: which, and by what, is in their history.
    assert steps[StepKind.THANK_YOU].result == StepResult.MISSED
    assert steps[StepKind.MOVE_ON].result == StepResult.NOT_NEEDED
    [settled] = events(app, step_id=steps[StepKind.THANK_YOU].id, action="step.settled")
    assert settled.detail == "Thank-you note: missed, as the interview was closed (rejected)"


def test_the_outcome_can_be_dated_when_it_came(app, past, world, login_as, fetch):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    answered = (past.starts_at + timedelta(hours=20)).replace(second=0, microsecond=0)
    client.post(
        f"/interviews/{past.id}/edit",
        data=edit_form(past, outcome="offer", outcome_at=local_input(answered)),
    )
    assert fetch(Interview, past.id).outcome_at == answered
    # The offer came before the follow-up fell due, so it and move on are not needed.
    steps = steps_of(app, past.id)
    assert steps[StepKind.FOLLOW_UP].result == Status.NOT_NEEDED


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"outcome": "offer", "outcome_at": "2099-01-01T10:00"}, "out of range; check the year"),
        (
            {
                "outcome": "offer",
                "outcome_at": (datetime.now(TORONTO) + timedelta(days=2)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
            },
            "That is in the future.",
        ),
        (
            {"outcome": "offer", "outcome_at": "2020-01-01T10:00"},
            "cannot come before the interview",
        ),
        ({"outcome": "pending", "outcome_at": "2026-01-05T10:00"}, "only goes with an outcome"),
        ({"outcome": "offer", "outcome_at": "2026-03-08T02:30"}, "does not exist"),
    ],
)
def test_a_wrong_outcome_time_is_refused(past, world, login_as, changes, message):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = client.post(f"/interviews/{past.id}/edit", data=edit_form(past, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_logging_an_interview_is_audited(app, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    client.post(
        f"/candidates/{world.candidate_a.id}/interviews/new",
        data={
            "employer_id": world.employer.id,
            "job_id": 0,
            "starts_at": "2026-04-02T16:30",
            "duration_minutes": 60,
            "format": "video",
            "timeline": "not_recorded",
            "outcome": "pending",
        },
    )
    [event] = events(app, action="interview.logged")
    assert event.actor_id == world.recruiter_a.id and "Thu 2 Apr 2026, 16:30" in event.detail


def test_closing_an_interview_moves_its_overdue_steps_out_of_the_queue_as_missed(
    app, past, world, login_as
):
    """Withdrawn a week on: its overdue steps are missed (still counted as due and not done),
    out of the queue and the dashboard; reopening brings them back."""
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    queue = client.get("/queue").get_data(as_text=True)
    assert "Birchall Corrigan LLP" in queue
    assert 'data-label="Interview"><span class="badge badge-pending">Pending</span>' in queue
    now = datetime.now(UTC)
    closed = client.post(
        f"/interviews/{past.id}/edit",
        data=edit_form(past, outcome="withdrawn", outcome_at=local_input(now)),
    )
    assert closed.status_code == 302, re.findall(
        r"error[^>]*>([^<]+)", closed.get_data(as_text=True)
    )
    steps = steps_of(app, past.id)
    assert steps[StepKind.THANK_YOU].result == StepResult.MISSED
    assert "Birchall Corrigan LLP" not in client.get("/queue").get_data(as_text=True)
    assert "Birchall Corrigan LLP" not in client.get("/dashboard").get_data(as_text=True)
    page = client.get(f"/interviews/{past.id}").get_data(as_text=True)
    assert "Missed: it was due" in page and "Overdue by" not in page
    report = client.get("/reports/compliance.csv").get_data(as_text=True)
    assert "Missed (not done when the interview closed)" in report

    reopened = client.post(
        f"/interviews/{past.id}/edit", data=edit_form(past, outcome="pending", outcome_at="")
    )
    assert reopened.status_code == 302, re.findall(
        r"error[^>]*>([^<]+)", reopened.get_data(as_text=True)
    )
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result is None
    assert "Birchall Corrigan LLP" in client.get("/queue").get_data(as_text=True)
    [reopening] = events(app, step_id=steps[StepKind.THANK_YOU].id, action="step.reopened")
    assert reopening.detail == "Thank-you note: open again, as the interview was reopened"


def test_moving_the_interview_after_a_recorded_note_makes_the_note_too_early(
    app, past, world, login_as
):
    """The same judgement as the step form: a note cannot go before the interview."""
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = steps_of(app, past.id)[StepKind.THANK_YOU]
    sent = (past.starts_at + timedelta(hours=3)).astimezone(TORONTO)
    client.post(
        f"/steps/{step.id}/done",
        data={"done_at": sent.strftime("%Y-%m-%dT%H:%M"), "channel": "email"},
    )
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result == StepResult.DONE_ON_TIME
    later = past.starts_at + timedelta(hours=5)  # the interview was in fact later that day
    response = client.post(
        f"/interviews/{past.id}/edit", data=edit_form(past, starts_at=local_input(later))
    )
    assert response.status_code == 302
    assert steps_of(app, past.id)[StepKind.THANK_YOU].result == StepResult.TOO_EARLY
    page = client.get(f"/steps/{step.id}").get_data(as_text=True)
    assert "before the interview: correct the time if it went later" in page


def test_the_dashboard_counts_the_same_steps_as_its_table(app, past, world, login_as):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get("/dashboard").get_data(as_text=True)
    overdue = int(re.search(r"<strong>(\d+)</strong> overdue", page).group(1))
    today = int(re.search(r"<strong>(\d+)</strong> due today", page).group(1))
    table = page[page.index('<table class="stack queue">') : page.index("</table>")]
    assert table.count("<tr>") - 1 == overdue + today  # the header row aside
