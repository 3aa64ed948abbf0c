"""The compliance report's rollup (step_tallies, kept by triggers) against the steps."""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, literal_column, select, update

from portal.demo import ADMIN_EMAIL, seed
from portal.extensions import db
from portal.followup import StepResult, week_of
from portal.models import Employer, Interview, Outcome, Role, Step, StepTally, User
from portal.reports import compliance
from portal.steps.calendar import business_calendar
from portal.steps.sync import hand_over_open_steps, sync_steps


@pytest.fixture
def agency(app):
    with app.app_context():
        seed("small")
        db.session.commit()


def tallies_now() -> dict:
    return {
        (t.due_week, t.recruiter_key, t.result): t.steps
        for t in db.session.scalars(select(StepTally))
        if t.steps
    }


def tallies_from_steps() -> dict:
    who = func.coalesce(Step.recruiter_id, literal_column("0"))
    rows = db.session.execute(
        select(Step.due_week, who, Step.result, func.count())
        .where(Step.result.is_not(None))
        .group_by(Step.due_week, who, Step.result)
    ).tuples()
    return {(week, who, str(result)): n for week, who, result, n in rows}


def from_steps(user, group, start, end, now, recruiter_id) -> dict:
    """The report's figures straight from the steps, per key and per week (what the
    rollup must agree with)."""
    key = compliance.NAMES[group][0]
    by_key: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    by_week: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row_key, week, *tallies in db.session.execute(
        compliance._period(user, start, end, recruiter_id)
        .with_only_columns(key, Step.due_week, *compliance._tallies(now))
        .group_by(Step.due_week, key)
    ).tuples():
        for i, n in enumerate(tallies):
            by_key[row_key][i] += n
            by_week[week][i] += n
    return nonzero(by_key), nonzero(by_week)


def nonzero(counts: dict) -> dict:
    return {k: list(v) for k, v in counts.items() if any(v)}


def shake(rng: random.Random) -> None:
    """Random changes of every kind a step goes through, by the ORM and in bulk."""
    steps = list(db.session.scalars(select(Step).order_by(Step.id)))
    recruiters = list(db.session.scalars(select(User.id).where(User.role == Role.RECRUITER)))
    employers = list(db.session.scalars(select(Employer.id)))
    results = [*StepResult, None]
    for step in rng.sample(steps, 40):
        step.result = rng.choice(results)
    calendar = business_calendar()
    for step in rng.sample(steps, 15):  # a due time moved to another week
        step.due_at += timedelta(days=rng.choice([-7, -3, 4, 7]))
        step.due_week = week_of(step.due_at, calendar)
    for step in rng.sample(steps, 10):
        step.recruiter_id = rng.choice([*recruiters, None])
    for step in rng.sample(steps, 5):
        step.employer_id = rng.choice(employers)
    db.session.flush()
    db.session.execute(  # in bulk, as the policy batches and hand-overs write
        update(Step)
        .where(Step.id.in_([s.id for s in rng.sample(steps, 20)]))
        .values(result=StepResult.WAIVED)
        .execution_options(synchronize_session=False)
    )
    hand_over_open_steps(steps[0].candidate_id, rng.choice(recruiters))
    interview = db.session.get_one(Interview, steps[-1].interview_id)
    interview.outcome, interview.outcome_at = Outcome.WITHDRAWN, datetime.now(UTC)
    sync_steps(interview)  # a closing settles its open steps
    gone = rng.sample(steps, 8)
    db.session.execute(delete(Step).where(Step.id.in_([s.id for s in gone])))
    db.session.expunge_all()
    for interview in db.session.scalars(  # and steps made anew for what lost them
        select(Interview).where(Interview.id.in_([s.interview_id for s in gone]))
    ):
        sync_steps(interview)
    db.session.commit()


@pytest.mark.parametrize("random_seed", [1, 2, 3])
def test_the_rollup_follows_every_change_and_the_report_agrees_with_the_steps(
    app, agency, random_seed
):
    rng = random.Random(random_seed)
    with app.test_request_context():
        assert tallies_now() == tallies_from_steps()  # seeded through the triggers
        shake(rng)
        assert tallies_now() == tallies_from_steps()

        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        recruiter = db.session.scalar(select(User).where(User.role == Role.RECRUITER))
        now = datetime.now(UTC)
        periods = [
            (now - timedelta(days=365), now),  # the report's twelve months
            (now - timedelta(days=30), now),  # the dashboard's month
            (now - timedelta(days=3), now),  # within a week or two: the steps alone
            (now - timedelta(days=50, hours=5), now + timedelta(days=20)),  # ahead of now too
        ]
        for start, end in periods:
            for user, group, recruiter_id in [
                (admin, "recruiter", None),
                (admin, "employer", None),
                (admin, "recruiter", recruiter.id),
                (admin, "employer", recruiter.id),
                (recruiter, "recruiter", None),
            ]:
                got = compliance.tallied(user, group, start, end, now, recruiter_id)
                by_key, by_week = from_steps(user, group, start, end, now, recruiter_id)
                assert nonzero(got.by_key) == by_key, (start, end, user.role, group)
                assert nonzero(got.by_week) == by_week, (start, end, user.role, group)


def test_the_triggers_are_there_at_head(app):
    """A migration that rebuilds the steps table on SQLite drops its triggers."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            names = set(
                db.session.scalars(
                    select(func.lower(db.text("name")))
                    .select_from(db.text("sqlite_master"))
                    .where(db.text("type = 'trigger'"))
                )
            )
        else:
            names = set(
                db.session.scalars(
                    db.text(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'steps'::regclass "
                        "AND NOT tgisinternal"
                    )
                )
            )
    assert {"step_tallies_insert", "step_tallies_delete", "step_tallies_update"} <= names
