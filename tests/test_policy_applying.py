"""A policy change is saved at once and reaches the open steps right after, batch by batch."""

from dataclasses import asdict, replace
from datetime import time, timedelta

import pytest
from flask import g
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from conftest import settle
from portal.demo import ADMIN_EMAIL, seed
from portal.extensions import db
from portal.followup import Policy, StepKind, plan_steps
from portal.models import Interview, PolicyVersion, Role, Step, Timeline, User
from portal.steps import applying as applying_module
from portal.steps import sync as sync_module
from portal.steps.applying import apply_policy, applying
from portal.steps.calendar import business_calendar
from portal.steps.policy import PolicyInForce, current_policy, policy_of
from portal.steps.sync import (
    actions_of,
    change_policy,
    facts_of,
    sync_interviews,
    sync_steps,
    work_out_batch,
)


@pytest.fixture
def agency(app):
    """The small demo agency: 60 interviews, most with open steps."""
    with app.app_context():
        seed("small")
        db.session.commit()


def save_change(app, **changes) -> int:
    """Save a policy change as the page does, without applying it; returns the version's id."""
    with app.test_request_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        assert change_policy(replace(current_policy(), **changes), admin)
        db.session.commit()
        return db.session.scalar(select(func.max(PolicyVersion.id)))


def open_steps_following(app, version_id: int) -> tuple[int, int]:
    """(open steps that follow the version, open steps)."""
    with app.app_context():
        following = db.session.scalar(
            select(func.count(Step.id)).where(
                Step.result.is_(None), Step.policy_version_id == version_id
            )
        )
        return following, db.session.scalar(
            select(func.count(Step.id)).where(Step.result.is_(None))
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"thank_you_hours": 30, "day_ends_at": "16:00"},
        {"day_ends_at": "18:30"},
        {"thank_you_hours": 30},
        {"move_on_business_days": 8},
        {"follow_up_opens_business_days": 1, "assumed_decision_business_days": 6},
        {"due_soon_hours": 12},
    ],
)
def test_saving_writes_the_version_only_and_the_batches_bring_every_open_step_under_it(
    app, agency, monkeypatch, changes
):
    if "day_ends_at" in changes:
        changes = {**changes, "day_ends_at": time.fromisoformat(changes["day_ends_at"])}
    version_id = save_change(app, **changes)
    following, open_steps = open_steps_following(app, version_id)
    assert following == 0 and open_steps > 20  # saved, not yet applied

    monkeypatch.setattr(applying_module, "BATCH", 7)
    monkeypatch.setattr(applying_module, "RELABEL_BATCH", 11)
    seen: list[tuple[int, int]] = []
    with app.test_request_context():
        state = applying()
        assert state is not None and state.done == 0 and state.left == state.open_interviews
        reached = apply_policy(lambda done, of: seen.append((done, of)))
        assert applying() is None
        assert db.session.get_one(PolicyVersion, version_id).applied_at is not None
    assert reached == state.open_interviews
    assert len(seen) >= -(-reached // 11)  # a transaction per batch
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})
    assert seen[-1] == (reached, state.open_interviews)
    assert open_steps_following(app, version_id) == (open_steps, open_steps)

    with app.test_request_context():
        # Every open step has the due time the rules engine gives under the new policy.
        policy, calendar = current_policy(), business_calendar()
        for interview in db.session.scalars(select(Interview)):
            plans = plan_steps(facts_of(interview), actions_of(interview.steps), policy, calendar)
            for step in interview.steps:
                if step.result is None:
                    assert (step.due_at, step.opens_at) == (
                        plans[step.kind].due_at,
                        plans[step.kind].opens_at,
                    ), step
        # And recomputing every interview from scratch changes nothing.
        versions = dict(db.session.execute(select(Step.id, Step.version)).tuples().all())
        sync_interviews(select(Interview))
        db.session.commit()
        assert dict(db.session.execute(select(Step.id, Step.version)).tuples().all()) == versions


def test_a_second_change_saved_meanwhile_takes_over(app, agency):
    first = save_change(app, thank_you_hours=30)
    second = save_change(app, thank_you_hours=36)
    with app.test_request_context():
        apply_policy()
        assert db.session.get_one(PolicyVersion, first).applied_at is None  # never fully applied
        assert db.session.get_one(PolicyVersion, second).applied_at is not None
    following, open_steps = open_steps_following(app, second)
    assert following == open_steps


def test_the_page_saves_and_the_change_arrives_right_after(app, agency, login_as):
    client = login_as(Role.ADMIN)
    form = {
        name: value.strftime("%H:%M") if name == "day_ends_at" else value
        for name, value in asdict(Policy(thank_you_hours=40)).items()
    }
    response = client.post("/admin/policy", data=form)
    assert response.status_code == 303
    page = client.get("/admin/policy").get_data(as_text=True)
    assert "being brought under it" in page  # the flash
    settle()
    assert client.get("/admin/policy/progress.json").get_json() == {"applied": True}
    with app.app_context():
        version_id = db.session.scalar(select(func.max(PolicyVersion.id)))
    following, open_steps = open_steps_following(app, version_id)
    assert following == open_steps > 0
    assert "Applying the change" not in client.get("/admin/policy").get_data(as_text=True)


def test_the_page_shows_how_far_it_has_got_and_restarts_a_stalled_change(app, agency, login_as):
    version_id = save_change(app, move_on_business_days=7)
    client = login_as(Role.ADMIN)
    page = client.get("/admin/policy").get_data(as_text=True)
    assert "Applying the change of" in page and "Apply it now" not in page
    state = client.get("/admin/policy/progress.json").get_json()
    assert state["applied"] is False and state["done"] == 0 and state["of"] > 0
    assert state["stalled"] is False

    with app.app_context():  # the process applying it died a while ago
        version = db.session.get_one(PolicyVersion, version_id)
        version.created_at -= timedelta(minutes=5)
        db.session.commit()
    assert client.get("/admin/policy/progress.json").get_json()["stalled"] is True
    assert "Apply it now" in client.get("/admin/policy").get_data(as_text=True)
    response = client.post("/admin/policy/apply", data={})
    assert response.status_code == 303
    settle()
    following, open_steps = open_steps_following(app, version_id)
    assert following == open_steps
    assert client.get("/admin/policy/progress.json").get_json() == {"applied": True}
    client.post("/admin/policy/apply", data={})
    assert "applied to every open step" in client.get("/admin/policy").get_data(as_text=True)


def test_steps_sync_finishes_a_change_a_stopped_process_left(app, agency, runner):
    version_id = save_change(app, timeline_business_days=2)
    result = runner.invoke(args=["steps", "sync"])
    assert result.exit_code == 0, result.output
    assert "Policy applied: open steps of" in result.output
    following, open_steps = open_steps_following(app, version_id)
    assert following == open_steps
    assert "Policy applied" not in runner.invoke(args=["steps", "sync"]).output


def test_a_step_written_under_the_version_before_while_a_change_applies_is_caught(
    app, agency, monkeypatch
):
    """A request that read the policy just before the change was saved writes its steps
    under the version before, after the batches have read what to do: the step is neither
    taken for one the change cannot move nor left behind when the change is marked applied."""
    first = save_change(app, timeline_business_days=3)
    second = save_change(app, timeline_business_days=1, thank_you_hours=30)
    with app.test_request_context():
        # An interview the change need not recompute: its timeline answered, its thank-you
        # sent, only the follow-up and move-on open (steps neither setting moves).
        moved_open = select(Step.interview_id).where(
            Step.result.is_(None), Step.kind.in_([StepKind.TIMELINE, StepKind.THANK_YOU])
        )
        interview_id = db.session.scalar(
            select(Step.interview_id)
            .join(Interview, Interview.id == Step.interview_id)
            .where(
                Step.result.is_(None),
                Interview.timeline != Timeline.NOT_RECORDED,
                Step.interview_id.not_in(moved_open),
            )
            .limit(1)
        )
        assert interview_id is not None
        stale_id = db.session.scalar(
            select(Step.id).where(Step.interview_id == interview_id, Step.kind == StepKind.TIMELINE)
        )
    listed = applying_module._interviews
    calls = []

    def stale_write_after_the_lists(query):
        found = listed(query)
        calls.append(1)
        if len(calls) == 2:  # both lists read: now the late request commits its steps
            with app.test_request_context():
                g.policy_in_force = PolicyInForce(first, policy_of(first))
                late = db.session.get_one(Interview, interview_id)  # the answer taken back
                late.timeline, late.decision_date = Timeline.NOT_RECORDED, None
                late.timeline_recorded_at = None
                sync_steps(late)  # the timeline step opens again, under the version before
                db.session.commit()
                assert db.session.get_one(Step, stale_id).policy_version_id == first
        return found

    monkeypatch.setattr(applying_module, "_interviews", stale_write_after_the_lists)
    with app.test_request_context():
        apply_policy()
        assert db.session.get_one(PolicyVersion, second).applied_at is not None
        step = db.session.get_one(Step, stale_id)
        interview = db.session.get_one(Interview, interview_id)
        plans = plan_steps(
            facts_of(interview), actions_of(interview.steps), current_policy(), business_calendar()
        )
        assert (step.policy_version_id, step.due_at) == (second, plans[StepKind.TIMELINE].due_at)
    following, open_steps = open_steps_following(app, second)
    assert following == open_steps


def test_a_step_changed_between_working_out_and_writing_is_left_as_it_was_changed(app, agency):
    """A batch is worked out before the lock and written after; a step someone changed
    in between (its version moved on) is not overwritten, and the batch says so, on each
    database's way of writing (one UPDATE from arrays on PostgreSQL)."""
    save_change(app, day_ends_at=time(16, 0))
    with app.test_request_context():
        ids = list(
            db.session.scalars(
                select(Step.interview_id).where(Step.result.is_(None)).distinct().limit(5)
            )
        )
        writes = work_out_batch(ids, open_only=True)
        db.session.rollback()
        assert sum(len(rows) for rows in writes.updates) > 5
        # A step whose due time the change moves (others only take the new version).
        changed = next(row["b_id"] for rows in writes.updates for row in rows if "due_at" in row)
        note = "Edited while the batch was being worked out"
        db.session.execute(
            update(Step).where(Step.id == changed).values(note=note, version=Step.version + 1)
        )
        db.session.commit()
        due_before = db.session.get_one(Step, changed).due_at

        with pytest.raises(StaleDataError, match="1 of"):
            writes.write()
        db.session.rollback()
        assert db.session.get_one(Step, changed).due_at == due_before  # nothing written

        # Applied the usual way, the batch is worked out again and reaches that step too.
        apply_policy()
        step = db.session.get_one(Step, changed)
        assert step.note == note and step.due_at != due_before
        assert step.due_at.astimezone(business_calendar().zone).time() == time(16, 0)


def test_steps_sync_all_puts_right_what_was_written_behind_its_back_a_batch_at_a_time(
    app, agency, runner, monkeypatch
):
    """Due times and results edited in the database directly: ``steps sync --all`` brings
    them back to what the rules say, committing batch by batch (SQLite's write lock is
    held for one batch at a time)."""
    with app.app_context():
        before = dict(db.session.execute(select(Step.id, Step.due_at)).tuples().all())
        for step_id in sorted(before)[::7]:  # as a bad script might
            step = db.session.get_one(Step, step_id)
            step.due_at += timedelta(days=3)
        db.session.commit()
    monkeypatch.setattr(sync_module, "BATCH", 9)
    commits = []
    original = sync_module._sync_and_commit
    monkeypatch.setattr(
        sync_module, "_sync_and_commit", lambda ids: (original(ids), commits.append(ids))
    )
    result = runner.invoke(args=["steps", "sync", "--all"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        interviews = db.session.scalar(select(func.count(Interview.id)))
    assert f"Steps synced for {interviews} interviews." in result.output
    assert len(commits) == -(-interviews // 9)
    with app.app_context():
        assert dict(db.session.execute(select(Step.id, Step.due_at)).tuples().all()) == before
