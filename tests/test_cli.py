"""The command line: creating accounts and seeding demo data."""

from sqlalchemy import func, select

from conftest import login
from portal.demo import JOB_TITLES
from portal.extensions import db
from portal.models import Candidate, Employer, Interview, Job, Outcome, Role, User
from portal.models.agency import candidate_search_text, job_search_text


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_users_create_with_password_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Dana@Example.com",
            "--role",
            "recruiter",
            "--name",
            "Dana Fenwick",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created recruiter account dana@example.com." in result.output
    assert (
        login(
            app.test_client(), User(email="dana@example.com"), "a long enough password"
        ).status_code
        == 302
    )


def test_users_create_with_prompt(app, runner):
    result = runner.invoke(
        args=["users", "create", "admin@example.com", "--role", "admin", "--name", "Ada Admin"],
        input="prompted password 1\nprompted password 1\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role)) == Role.ADMIN


def test_users_create_candidate_makes_a_profile(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kwame@example.com",
            "--role",
            "candidate",
            "--name",
            "Kwame Mensah",
            "--role-sought",
            "conveyancer",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        candidate = db.session.scalar(select(Candidate))
        assert (
            candidate.user.email == "kwame@example.com"
            and candidate.role_sought.value == "conveyancer"
        )


def test_users_create_refusals(app, runner, make):
    make.user(Role.RECRUITER, email="taken@example.com")
    cases = [
        (
            ["users", "create", "taken@example.com", "--role", "recruiter", "--name", "X"],
            "already exists",
        ),
        (
            ["users", "create", "not-an-email", "--role", "recruiter", "--name", "X"],
            "Invalid value for EMAIL: An email address must have an @-sign.",
        ),
        (["users", "create", "new@example.com", "--role", "wizard", "--name", "X"], "'--role'"),
        (
            ["users", "create", "new@example.com", "--role", "admin", "--name", "X"],
            "use between 12",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(args=[*args, "--password-stdin"], input="short\n")
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert _count(app, User) == 1


def test_demo_seed_small_is_realistic_and_not_duplicated(app, runner):
    result = runner.invoke(args=["demo", "seed", "--size", "small", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "admin@finchleylane.example" in result.output
    assert "recruiter@finchleylane.example" in result.output
    assert "candidate@finchleylane.example" in result.output
    counts = {m: _count(app, m) for m in (User, Candidate, Employer, Job, Interview)}
    # 24 people, 5 of whom arrived twice (a second record each, paired as likely duplicates)
    assert counts[Candidate] == 29 and counts[Interview] == 60 and counts[Employer] == 12

    again = runner.invoke(args=["demo", "seed", "--size", "small"])
    assert again.exit_code == 0 and "already present" in again.output
    assert {m: _count(app, m) for m in counts} == counts

    # The demo sign-ins work and land on pages with content.
    client = app.test_client()
    assert (
        login(
            client, User(email="recruiter@finchleylane.example"), "follow-up-demo-2026"
        ).status_code
        == 302
    )
    assert "Interviews in the next 14 days" in client.get("/dashboard").get_data(as_text=True)
    candidate = app.test_client()
    assert (
        login(
            candidate, User(email="candidate@finchleylane.example"), "follow-up-demo-2026"
        ).status_code
        == 302
    )
    assert candidate.get("/me/").status_code == 200


def test_rows_added_after_the_demo_get_new_ids(app, runner, make):
    """The demo numbers its rows itself; the database's own numbering carries on after them."""
    runner.invoke(args=["demo", "seed", "--size", "small"])
    with app.app_context():
        highest = {
            model: db.session.scalar(select(func.max(model.id)))
            for model in (User, Candidate, Employer, Job, Interview)
        }
    recruiter = make.user(Role.RECRUITER)
    employer = make.employer()
    candidate = make.candidate(recruiter)
    interview = make.interview(candidate, employer)
    assert recruiter.id > highest[User] and employer.id > highest[Employer]
    assert candidate.id > highest[Candidate] and interview.id > highest[Interview]


def test_demo_seed_if_empty_leaves_real_data_alone(app, runner, make):
    make.user(Role.ADMIN)
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "demo data not added" in result.output
    assert _count(app, Candidate) == 0


def test_demo_interviews_are_consistent(app, runner):
    runner.invoke(args=["demo", "seed", "--seed", "3"])
    with app.app_context():
        for interview in db.session.scalars(select(Interview)):
            assert 0 < interview.duration_minutes <= 1440
            assert (interview.decision_date is not None) == (
                interview.timeline.value == "date_given"
            )
            assert interview.job.employer_id == interview.employer_id
            if interview.decision_date:
                assert interview.decision_date.weekday() < 5
            if interview.outcome != Outcome.PENDING:  # a closed interview has no step open
                assert all(step.result is not None for step in interview.steps)
        titles = {pair for pairs in JOB_TITLES.values() for pair in pairs}
        for job in db.session.scalars(select(Job)):
            assert (job.title, job.practice_area) in titles  # a title goes with its area
            assert job.search_text == job_search_text(job.title, job.location, job.practice_area)
        for candidate in db.session.scalars(select(Candidate)):
            assert candidate.search_text == candidate_search_text(
                candidate.name, candidate.email, candidate.phone
            )


def test_demo_seed_if_empty_still_prints_the_demo_sign_ins(runner):
    runner.invoke(args=["demo", "seed", "--if-empty"])
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "already present" in again.output and "recruiter@finchleylane.example" in again.output


def test_demo_candidate_has_something_coming_up(app, runner):
    runner.invoke(args=["demo", "seed"])
    client = app.test_client()
    login(client, User(email="candidate@finchleylane.example"), "follow-up-demo-2026")
    upcoming = client.get("/me/").get_data(as_text=True).split('id="past"')[0]
    assert "No interviews booked" not in upcoming
