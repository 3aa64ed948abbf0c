"""The reminder run: digests and nudges that go once, never stale, and are never lost."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from conftest import settle
from mailserver import Mailbox, SMTPServer, body, free_port
from portal import create_app
from portal.extensions import db
from portal.followup import StepKind
from portal.models import EmailStatus, OutboxEmail, PreferredChannel, Role, Step, Timeline, User
from portal.outbox import delivery
from portal.steps.actions import mark_done

TORONTO = ZoneInfo("America/Toronto")
ROOT = Path(__file__).resolve().parent.parent


def toronto(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO).astimezone(UTC)


NOW = toronto(2026, 12, 2, 9, 0)  # a Wednesday morning


def run_at(app, when: datetime, *, dry_run: bool = False) -> delivery.RunReport:
    with app.test_request_context(base_url="http://portal.test"):
        return delivery.run(when, dry_run=dry_run)


def outbox(app) -> list[OutboxEmail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        return rows


def step_id(app, interview, kind) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Step.id).where(Step.interview_id == interview.id, Step.kind == kind)
        )


@pytest.fixture
def agency(make):
    """A recruiter, their candidate (who can sign in) and an interview on Monday whose
    timeline and thank-you are overdue by Wednesday."""
    recruiter = make.user(Role.RECRUITER, name="Priya Digest", email="priya@example.com")
    user = make.user(Role.CANDIDATE, name="Omar Nudge", email="omar@example.com")
    candidate = make.candidate(recruiter, user=user, name="Omar Nudge")
    employer = make.employer(name="Halvorsen Quill LLP", preferred_channel=PreferredChannel.EMAIL)
    job = make.job(employer, title="Family law clerk")
    monday = make.interview(
        candidate,
        employer,
        job=job,
        starts_at=toronto(2026, 11, 30, 10, 0),
        interviewer_names="Ruth Halvorsen",
    )
    return SimpleNamespace(**locals())


def set_user(app, user, **values):
    with app.app_context():
        row = db.session.get(User, user.id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


# The recruiter's digest ---------------------------------------------------------------


def test_the_morning_digest_lists_the_queue_by_candidate_with_links(app, agency, mailbox):
    report = run_at(app, NOW)
    [message] = mailbox.messages
    assert message["To"] == "priya@example.com"
    assert message["Subject"] == "Follow-ups: 2 overdue"
    text = body(message)
    assert (
        "\nOmar Nudge\n  - Timeline asked, Halvorsen Quill LLP (interview Mon 30 Nov, pending): overdue by 16 hours"
        in text
    )
    assert (
        "  - Thank-you note, Halvorsen Quill LLP (interview Mon 30 Nov, pending): overdue by 22 hours"
        in text
    )
    thank_you = step_id(app, agency.monday, StepKind.THANK_YOU)
    assert f"http://portal.test/steps/{thank_you}" in text and "http://portal.test/queue" in text
    assert report.counts["sent"] == 1
    [row] = outbox(app)
    assert (
        row.status == EmailStatus.SENT
        and row.occasion == "morning:2026-12-02"
        and row.sent_at == NOW
    )


def test_each_reminder_goes_once(app, agency, mailbox):
    for minutes in (0, 5, 10, 55):
        run_at(app, NOW + timedelta(minutes=minutes))
    assert len(mailbox.messages) == 1
    assert len(outbox(app)) == 1


def test_new_steps_in_the_queue_bring_another_digest_at_most_hourly(app, agency, make, mailbox):
    run_at(app, NOW)
    # Logged late: a Tuesday-afternoon interview whose thank-you is due today at 14:00.
    make.interview(agency.candidate, agency.employer, starts_at=toronto(2026, 12, 1, 13, 0))
    run_at(app, NOW + timedelta(minutes=30))
    digests = lambda: mailbox.to("priya@example.com")
    assert len(digests()) == 1  # within the hour
    run_at(app, NOW + timedelta(minutes=65))
    assert len(digests()) == 2
    assert "due today by 14:00" in body(digests()[1])
    assert digests()[1]["Subject"] == "Follow-ups: 2 overdue, 2 due or opening today"
    run_at(app, NOW + timedelta(minutes=140))
    assert len(digests()) == 2  # nothing new since


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(toronto(2026, 12, 5, 9, 0), id="Saturday"),
        pytest.param(toronto(2026, 12, 25, 9, 0), id="Christmas Day"),
        pytest.param(toronto(2026, 12, 28, 9, 0), id="Boxing Day observed"),
        pytest.param(toronto(2026, 12, 2, 7, 59), id="before 08:00"),
        pytest.param(toronto(2026, 12, 2, 18, 0), id="after 18:00"),
    ],
)
def test_no_digest_out_of_business_hours(app, agency, mailbox, when):
    run_at(app, when)
    assert [m for m in mailbox.messages if m["To"] == "priya@example.com"] == []


@pytest.mark.parametrize("values", [{"digest_emails": False}, {"active": False}])
def test_no_digest_for_someone_who_turned_it_off_or_left(app, agency, mailbox, values):
    set_user(app, agency.recruiter, **values)
    run_at(app, NOW)
    assert mailbox.messages == []


# The candidate's nudges ---------------------------------------------------------------


@pytest.fixture
def this_morning(app, agency, make):
    """Omar's interview today 08:00-09:00: the thank-you is due tomorrow 09:00."""
    return make.interview(
        agency.candidate,
        agency.employer,
        job=agency.job,
        starts_at=toronto(2026, 12, 2, 8, 0),
        interviewer_names="Ruth Halvorsen",
    )


def nudges(mailbox) -> list:
    return mailbox.to("omar@example.com")


def test_the_thank_you_nudge_comes_a_few_hours_after_the_interview(
    app, agency, this_morning, mailbox
):
    run_at(app, toronto(2026, 12, 2, 11, 55))
    assert nudges(mailbox) == []
    run_at(app, toronto(2026, 12, 2, 12, 5))
    [message] = nudges(mailbox)
    assert message["Subject"] == "Your thank-you note to Halvorsen Quill LLP"
    text = body(message)
    assert f"http://portal.test/me/interviews/{this_morning.id}/drafts/thank-you" in text
    assert "due by Thursday 3 December, 09:00" in text
    assert "Halvorsen Quill LLP asked to be contacted by email" in text
    run_at(app, toronto(2026, 12, 2, 16, 0))
    assert len(nudges(mailbox)) == 1


def test_no_nudges_at_night(app, agency, mailbox, make):
    make.interview(
        agency.candidate, agency.employer, starts_at=toronto(2026, 12, 2, 17, 0)
    )  # due Thu 18:00
    run_at(app, toronto(2026, 12, 2, 22, 0))
    assert nudges(mailbox) == []
    run_at(app, toronto(2026, 12, 3, 8, 5))
    assert [m["Subject"] for m in nudges(mailbox)] == ["Your thank-you note to Halvorsen Quill LLP"]


def test_the_follow_up_nudge_comes_when_its_window_opens(app, agency, make, mailbox):
    # Decision date Monday 23 Nov: the window opens Thursday 26 Nov, closes Monday 30 Nov 17:00.
    make.interview(
        agency.candidate,
        agency.employer,
        starts_at=toronto(2026, 11, 16, 10, 0),
        timeline=Timeline.DATE_GIVEN,
        decision_date=datetime(2026, 11, 23).date(),
        timeline_recorded_at=toronto(2026, 11, 16, 11, 0),
    )
    run_at(app, toronto(2026, 11, 25, 15, 0))
    assert nudges(mailbox) == []
    run_at(app, toronto(2026, 11, 26, 9, 0))
    [message] = [m for m in nudges(mailbox) if m["Subject"].startswith("Time to follow up")]
    assert "by Monday 30 November, 17:00" in body(message) and "/drafts/follow-up" in body(message)


def test_nudges_respect_the_candidates_settings(app, agency, this_morning, mailbox):
    set_user(app, agency.user, thank_you_nudges=False)
    report = run_at(app, toronto(2026, 12, 2, 12, 5))
    assert nudges(mailbox) == []
    assert report.counts["nudges turned off"] == 1


# Nothing lost, nothing stale ----------------------------------------------------------


@pytest.fixture
def mail_down(app):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    yield
    app.config["MAIL_PORT"] = port


def test_a_server_that_is_down_leaves_the_reminder_queued_and_it_goes_later(
    app, agency, mailbox, mail_down, smtp_server
):
    report = run_at(app, NOW)
    [row] = outbox(app)
    assert row.status == EmailStatus.QUEUED and row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=5)
    assert "could not be reached" in row.last_error
    assert report.counts["not sent, will retry"] == 1
    run_at(app, NOW + timedelta(minutes=2))
    assert outbox(app)[0].attempts == 1  # not before its time
    app.config["MAIL_PORT"] = smtp_server.port
    run_at(app, NOW + timedelta(minutes=6))
    assert outbox(app)[0].status == EmailStatus.SENT and len(mailbox.messages) == 1


def test_a_refused_message_is_retried_with_backoff_then_failed_and_an_admin_can_retry(
    app, agency, mailbox, login_as, smtp_server
):
    with SMTPServer(Mailbox(refuse="554 5.7.1 Relay denied")) as refusing:
        app.config["MAIL_PORT"] = refusing.port
        try:
            when = NOW
            for pause in (*delivery.RETRY_AFTER, None):
                run_at(app, when)
                when = when + (pause or timedelta(0))
        finally:
            app.config["MAIL_PORT"] = smtp_server.port
    [row] = outbox(app)
    assert row.status == EmailStatus.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert "554 5.7.1 Relay denied" in row.last_error

    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Relay denied" in page and "Retry" in page
    assert admin.post(f"/admin/outbox/{row.id}/retry").status_code == 303
    # Tried again at once, today: a digest of an earlier day has nothing left to say.
    assert mailbox.messages == []
    [row] = outbox(app)
    assert row.status == EmailStatus.DROPPED and row.last_error == "it was for an earlier day"


def test_a_step_done_before_the_reminder_goes_is_not_reminded(
    app, agency, this_morning, mailbox, mail_down, smtp_server
):
    run_at(app, toronto(2026, 12, 2, 12, 5))  # decided and queued, but the server is down
    nudge = next(r for r in outbox(app) if r.kind.value == "thank_you")
    assert nudge.status == EmailStatus.QUEUED
    with app.test_request_context():
        step = db.session.get(Step, nudge.step_id)
        mark_done(
            step, step.interview.candidate.user, toronto(2026, 12, 2, 12, 30), channel="email"
        )
        db.session.commit()
    app.config["MAIL_PORT"] = smtp_server.port
    report = run_at(app, toronto(2026, 12, 2, 12, 40))
    assert nudges(mailbox) == []
    dropped = next(r for r in outbox(app) if r.id == nudge.id)
    assert dropped.status == EmailStatus.DROPPED and "done" in dropped.last_error
    assert any(
        line.startswith("skipped: thank-you note nudge to omar@example.com")
        for line in report.lines
    )


def test_a_deactivated_person_is_never_mailed_even_when_already_queued(
    app, agency, mailbox, mail_down, smtp_server
):
    run_at(app, NOW)
    set_user(app, agency.recruiter, active=False)
    app.config["MAIL_PORT"] = smtp_server.port
    run_at(app, NOW + timedelta(minutes=6))
    assert mailbox.messages == [] and outbox(app)[0].status == EmailStatus.DROPPED


def test_a_dry_run_changes_nothing_and_sends_nothing(app, agency, this_morning, mailbox):
    report = run_at(app, toronto(2026, 12, 2, 12, 5), dry_run=True)
    assert mailbox.messages == [] and outbox(app) == []
    assert report.counts["would queue"] == 2 and report.counts["would send"] == 2
    assert any("“Your thank-you note to Halvorsen Quill LLP”" in line for line in report.lines)


def test_the_command_prints_what_it_sent_and_skipped(app, runner, agency, mailbox):
    result = runner.invoke(args=["reminders", "send", "--as-of", "2026-12-02T09:00"])
    assert result.exit_code == 0, result.output
    assert "queued: " in result.output
    assert "sent: recruiter digest to priya@example.com" in result.output
    assert result.output.rstrip().endswith("Done: 1 queued, 1 sent.")
    again = runner.invoke(args=["reminders", "send", "--as-of", "2026-12-02T09:05", "--dry-run"])
    assert "Dry run, nothing changed: nothing due." in again.output
    bad = runner.invoke(args=["reminders", "send", "--as-of", "2026-03-08T02:30"])
    assert bad.exit_code == 2 and "clocks jump forward" in bad.output


def test_two_runs_at_the_same_moment_send_each_reminder_once(app, make, database_url):
    """Two processes, as on two app servers' cron, against the same database and a slow
    mail server, so that both are at work at once."""
    for n in range(12):
        recruiter = make.user(Role.RECRUITER, email=f"r{n}@example.com")
        user = make.user(Role.CANDIDATE, email=f"c{n}@example.com")
        candidate = make.candidate(recruiter, user=user)
        employer = make.employer()
        make.interview(
            candidate, employer, starts_at=toronto(2026, 11, 30, 10, 0)
        )  # overdue steps: a digest
        make.interview(
            candidate, employer, starts_at=toronto(2026, 12, 2, 8, 0)
        )  # a thank-you nudge
    slow = Mailbox(delay=0.2)
    with SMTPServer(slow) as server:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(server.port),
            "PORTAL_URL": "http://portal.test",
            "SECRET_KEY": "test",
            "PORTAL_ENV": "development",
        }
        command = [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "portal",
            "reminders",
            "send",
            "--as-of",
            "2026-12-02T12:30",
        ]
        runs = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    sent = [(m["To"], m["Subject"]) for m in slow.messages]
    assert len(sent) == 24 and len(set(sent)) == 24, sent
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
            )
            .tuples()
            .all()
        )
    assert statuses == {EmailStatus.SENT: 24}
    per_run = [sum(line.startswith("sent: ") for line in output.splitlines()) for output in outputs]
    assert sum(per_run) == 24
    assert min(per_run) > 0, f"the runs did not overlap ({per_run}): nothing was tested"


# Health -------------------------------------------------------------------------------


def test_healthz_answers_with_the_age_of_the_oldest_unsent_reminder(app, client, agency):
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "oldest_unsent_email_seconds": None,
        "unsent_emails": 0,
        "failed_emails": 0,
    }
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    with app.app_context():
        for n, status in enumerate((EmailStatus.QUEUED, EmailStatus.FAILED, EmailStatus.SENT)):
            db.session.add(
                OutboxEmail(
                    key=f"k{n}",
                    user_id=agency.recruiter.id,
                    kind="digest",
                    occasion="x",
                    status=status,
                    next_attempt_at=ten_minutes_ago,
                    created_at=ten_minutes_ago,
                )
            )
        db.session.commit()
    response = client.get("/healthz")
    data = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert data["unsent_emails"] == 1 and data["failed_emails"] == 1
    assert 590 <= data["oldest_unsent_email_seconds"] <= 700


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/portal.sqlite3",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "not answering"


def test_healthz_is_503_when_the_database_reads_but_refuses_writes(database_url, tmp_path):
    """A read-only database (a file the portal may not write, a read-only replica) looked
    healthy while every form failed; the write probe says which part fails."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "portal.sqlite3"
        ready = create_app(
            {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
        )
        with ready.app_context():
            upgrade()
            db.engine.dispose()
        read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:  # the same database, with every transaction read-only
        read_only = (
            database_url
            + ("&" if "?" in database_url else "?")
            + "options=-c%20default_transaction_read_only%3Don"
        )
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": read_only})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "answers, but refuses writes",
    }
    with app.app_context():
        db.engine.dispose()


# Settings and the outbox page ------------------------------------------------------------


def test_each_person_turns_their_own_kinds_of_email_off(app, agency, login_as, fetch):
    candidate = login_as(Role.CANDIDATE, user=agency.user)
    page = candidate.get("/account/notifications").get_data(as_text=True)
    assert "thank-you note" in page and "digest" not in page
    response = candidate.post(
        "/account/notifications", data={"follow_up_nudges": "y", "digest_emails": ""}
    )
    assert response.status_code == 303
    saved = fetch(User, agency.user.id)
    assert (saved.thank_you_nudges, saved.follow_up_nudges, saved.digest_emails) == (
        False,
        True,
        True,
    )

    recruiter = login_as(Role.RECRUITER, user=agency.recruiter)
    assert "digest" in recruiter.get("/account/notifications").get_data(as_text=True)
    recruiter.post("/account/notifications", data={"submit": "Save"})  # every box unticked
    assert fetch(User, agency.recruiter.id).digest_emails is False


def test_the_outbox_page_filters_by_status(app, agency, login_as, mail_down):
    run_at(app, NOW)
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "priya@example.com" in page and "could not be reached" in page
    assert "priya@example.com" not in admin.get("/admin/outbox?status=sent").get_data(as_text=True)
    refused = admin.get("/admin/outbox?status=bogus")
    assert refused.status_code == 400  # and the list is still the unsent ones, not everything
    with app.app_context():
        db.session.execute(OutboxEmail.__table__.update().values(status="sent"))
        db.session.commit()
    assert "priya@example.com" not in admin.get("/admin/outbox?status=bogus").get_data(as_text=True)


# What a review found -------------------------------------------------------------------


def test_a_long_run_keeps_its_claims(app, agency, mail_down):
    """Claims carry the real clock: a run deciding for a moment long past does not make
    another run's fresh claim look abandoned."""
    run_at(app, NOW)  # queued; the server is down
    with app.app_context():
        db.session.execute(OutboxEmail.__table__.update().values(next_attempt_at=NOW))
        db.session.commit()
    with app.test_request_context(base_url="http://portal.test"):
        assert delivery.claim(NOW, "first") != []
        assert (
            delivery.claim(NOW + timedelta(minutes=16), "second") == []
        )  # 16 minutes later by its own clock
    [row] = outbox(app)
    assert row.status == EmailStatus.SENDING


def test_one_bad_reminder_does_not_stop_the_others(app, agency, make, mailbox, monkeypatch):
    other = make.user(Role.RECRUITER, email="second@example.com")
    make.interview(make.candidate(other), agency.employer, starts_at=toronto(2026, 11, 30, 10, 0))
    compose = delivery.compose

    def broken_for_priya(reminder, now):
        if reminder.user.email == "priya@example.com":
            raise RuntimeError("template exploded")
        return compose(reminder, now)

    monkeypatch.setattr(delivery, "compose", broken_for_priya)
    report = run_at(app, NOW)
    assert [m["To"] for m in mailbox.messages] == ["second@example.com"]
    bad = next(r for r in outbox(app) if r.user_id == agency.recruiter.id)
    assert bad.status == EmailStatus.QUEUED and bad.attempts == 1
    assert bad.last_error == "RuntimeError: template exploded"
    assert report.counts["sent"] == 1 and report.counts["not sent, will retry"] == 1


def test_a_nudge_held_up_past_its_due_time_is_not_sent(
    app, agency, this_morning, mailbox, mail_down, smtp_server
):
    run_at(app, toronto(2026, 12, 2, 12, 5))  # queued; the server is down
    app.config["MAIL_PORT"] = smtp_server.port
    run_at(app, toronto(2026, 12, 3, 9, 30))  # the thank-you was due at 09:00
    assert nudges(mailbox) == []
    nudge = next(r for r in outbox(app) if r.kind.value == "thank_you")
    assert nudge.status == EmailStatus.DROPPED and "too late" in nudge.last_error


def test_a_nudge_retried_at_night_waits_for_the_morning(
    app, agency, make, mailbox, mail_down, smtp_server
):
    make.interview(
        agency.candidate, agency.employer, starts_at=toronto(2026, 12, 2, 15, 0)
    )  # due Thu 16:00
    run_at(app, toronto(2026, 12, 2, 19, 55))  # queued; the server is down
    app.config["MAIL_PORT"] = smtp_server.port
    report = run_at(app, toronto(2026, 12, 2, 22, 0))
    assert nudges(mailbox) == [] and report.counts["held until morning"] == 1
    nudge = next(r for r in outbox(app) if r.kind.value == "thank_you")
    assert nudge.next_attempt_at == toronto(2026, 12, 3, 8, 0)
    run_at(app, toronto(2026, 12, 3, 8, 1))
    assert len(nudges(mailbox)) == 1


def test_a_step_is_nudged_once_even_when_its_due_time_moves(
    app, agency, this_morning, login_as, mailbox
):
    run_at(app, toronto(2026, 12, 2, 12, 5))
    admin = login_as(Role.ADMIN)
    admin.post(
        "/admin/policy",
        data={
            "timeline_business_days": 1,
            "thank_you_hours": 30,
            "follow_up_opens_business_days": 3,
            "follow_up_due_business_days": 5,
            "assumed_decision_business_days": 10,
            "move_on_business_days": 5,
            "due_soon_hours": 24,
            "day_ends_at": "17:00",
        },
    )
    settle()  # the change reaches the open steps right after the response
    run_at(app, toronto(2026, 12, 2, 15, 0))
    assert len(nudges(mailbox)) == 1


def test_a_held_up_digest_is_replaced_not_sent_twice(
    app, agency, make, mailbox, mail_down, smtp_server
):
    run_at(app, NOW)  # the morning digest, queued: the server is down
    make.interview(
        agency.candidate, agency.employer, starts_at=toronto(2026, 12, 1, 13, 0)
    )  # the queue grows
    run_at(app, NOW + timedelta(minutes=65))  # a second digest is queued; the first still waits
    app.config["MAIL_PORT"] = smtp_server.port
    run_at(app, NOW + timedelta(hours=3))
    assert len(mailbox.to("priya@example.com")) == 1
    first = outbox(app)[0]
    assert first.status == EmailStatus.DROPPED and "newer digest" in first.last_error


def test_yesterdays_digest_is_not_sent_today(app, agency, mailbox, mail_down, smtp_server):
    run_at(app, NOW)
    app.config["MAIL_PORT"] = smtp_server.port
    run_at(
        app, NOW + timedelta(days=1, minutes=-30)
    )  # Thursday 08:30, before anything new is decided
    digests = mailbox.to("priya@example.com")
    assert len(digests) == 1  # Thursday's own morning digest, not Wednesday's
    assert outbox(app)[0].status == EmailStatus.DROPPED
