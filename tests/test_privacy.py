"""Privacy: the append-only audit trail, a candidate's data export, erasure and retention."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from conftest import PASSWORD, login
from portal.accounts.links import issue_link
from portal.extensions import db
from portal.followup import Status, StepKind
from portal.models import (
    AppendOnly,
    AuditEvent,
    Candidate,
    EmailKind,
    EmailStatus,
    LinkPurpose,
    OutboxEmail,
    Role,
    Step,
    User,
)
from portal.reports.compliance import report


def audit(app, **where) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def history(app, world, make, login_as):
    """Candidate A with a past interview: a thank-you done on time by the recruiter, a note."""
    interview = make.interview(
        world.candidate_a,
        world.employer,
        starts_at=datetime.now(UTC) - timedelta(days=3),
        interviewer_names="Jordan Vellacott",
        notes="Casey mentioned a move to Hamilton",
    )
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    step = make.step(interview, StepKind.THANK_YOU)
    when = (interview.starts_at + timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    recruiter.post(
        f"/steps/{step.id}/done",
        data={"done_at": when, "channel": "email", "note": "Casey sent it from her phone"},
    )
    return interview


# The audit trail -----------------------------------------------------------------------


def test_audit_events_cannot_be_changed_or_deleted(app, world, history):
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).limit(1))
        event.detail = "rewritten"
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent).limit(1)))
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()


def test_the_admin_audit_page_filters_by_what_who_and_when(app, world, history, login_as):
    admin = login_as(Role.ADMIN, user=world.admin)
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Steps done" in page and "Sign-ins" in page and "Riley Assigned" in page
    only_steps = admin.get("/admin/audit?action=step.done").get_data(as_text=True)
    assert "Thank-you note done" in only_steps and "Signed in from" not in only_steps
    by_admin = admin.get("/admin/audit?who=Avery").get_data(as_text=True)
    assert "Riley Assigned" not in by_admin.split("<tbody>")[1]
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert "Nothing matches" in admin.get(f"/admin/audit?start={tomorrow}").get_data(as_text=True)
    assert admin.get("/admin/audit?start=not-a-date").status_code == 400


def test_assignments_account_changes_and_exports_are_audited(app, world, make, login_as):
    admin = login_as(Role.ADMIN, user=world.admin)
    admin.post(
        f"/admin/candidates/{world.candidate_a.id}/assignment",
        data={"recruiter_id": world.recruiter_b.id},
    )
    admin.post(f"/admin/users/{world.recruiter_a.id}/deactivate")
    admin.get("/reports/compliance.csv")
    admin.get(f"/candidates/{world.candidate_b.id}/checklist.pdf")
    actions = {e.action for e in audit(app)}
    assert {
        "candidate.assigned",
        "user.deactivated",
        "export.compliance_csv",
        "export.handout",
    } <= actions
    [assigned] = audit(app, action="candidate.assigned")
    assert assigned.candidate_id == world.candidate_a.id and assigned.actor_id == world.admin.id


# A candidate's data --------------------------------------------------------------------


def test_an_admin_exports_everything_held_about_a_candidate(app, world, history, login_as):
    admin = login_as(Role.ADMIN, user=world.admin)
    response = admin.get(f"/admin/candidates/{world.candidate_a.id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert (
        data["candidate"]["name"] == "Casey Alpha"
        and data["account"]["email"] == world.user_a.email
    )
    assert "password" not in json.dumps(data["account"]).replace("has_password", "")
    [interview] = [i for i in data["interviews"] if i["id"] == history.id]
    assert interview["notes"] == "Casey mentioned a move to Hamilton"
    [thank_you] = [s for s in interview["steps"] if s["kind"] == "thank_you"]
    assert (
        thank_you["result"] == "done_on_time"
        and thank_you["note"] == "Casey sent it from her phone"
    )
    assert any(e["action"] == "step.done" for e in data["audit_trail"])
    assert data["assignments"][0]["recruiter"] == "Riley Assigned"
    leave_traces(app, world, app.test_client())
    admin.post(f"/admin/users/{world.user_a.id}/deactivate")
    data = json.loads(admin.get(f"/admin/candidates/{world.candidate_a.id}/export.json").data)
    assert [link["purpose"] for link in data["password_links"]] == ["reset"]
    assert [a["succeeded"] for a in data["sign_in_attempts"]][-1] is False
    assert any(e["action"] == "user.deactivated" for e in data["audit_trail"])
    assert data["emails"][0]["status"] == "failed"
    event = audit(app, action="candidate.exported")[0]
    assert event.actor_id == world.admin.id and event.candidate_id == world.candidate_a.id


def test_export_and_erasure_ask_for_the_password_again_in_an_old_session(app, world, make):
    admin = app.test_client()
    admin.post("/login", data={"email": world.admin.email, "password": PASSWORD, "remember": "y"})
    with admin.session_transaction() as session:
        session["_fresh"] = False
    for url in (
        f"/admin/candidates/{world.candidate_a.id}/export.json",
        f"/admin/candidates/{world.candidate_a.id}/erase",
        "/admin/users/new",
    ):
        assert admin.get(url).headers["Location"].startswith("/account/confirm"), url


def leave_traces(app, world, client):
    """What else the portal keeps about a person: a reminder that failed with their address in
    the server's answer, a password link, sign-in attempts."""
    with app.test_request_context():
        user = db.session.get(User, world.user_a.id)
        issue_link(user, LinkPurpose.RESET, by=None)
        db.session.add(
            OutboxEmail(
                key="r1",
                user_id=user.id,
                kind=EmailKind.DIGEST,
                occasion="x",
                status=EmailStatus.FAILED,
                next_attempt_at=datetime.now(UTC),
                to_address=user.email,
                subject="Your thank-you note to Fenwick Ormsby LLP",
                last_error=f"the mail server refused it (550 no mailbox <{user.email}>)",
            )
        )
        db.session.commit()
    client.post("/login", data={"email": world.user_a.email, "password": "wrong guess entirely"})


def test_erasure_keeps_the_figures_and_nothing_that_identifies_the_person(
    app, world, history, login_as
):
    admin = login_as(Role.ADMIN, user=world.admin)
    leave_traces(app, world, app.test_client())
    now = datetime.now(UTC)
    with app.test_request_context():
        before = report(
            db.session.get(User, world.admin.id),
            "recruiter",
            now - timedelta(days=30),
            now + timedelta(days=30),
            now,
        ).total
    page = admin.get(f"/admin/candidates/{world.candidate_a.id}/erase").get_data(as_text=True)
    assert "cannot be undone" in page
    refused = admin.post(
        f"/admin/candidates/{world.candidate_a.id}/erase", data={"confirm": "erase"}
    )
    assert refused.status_code == 422 and "in capitals" in refused.get_data(as_text=True)
    assert (
        admin.post(
            f"/admin/candidates/{world.candidate_a.id}/erase", data={"confirm": "ERASE"}
        ).status_code
        == 303
    )

    with app.test_request_context():
        after = report(
            db.session.get(User, world.admin.id),
            "recruiter",
            now - timedelta(days=30),
            now + timedelta(days=30),
            now,
        ).total
        candidate = db.session.get(Candidate, world.candidate_a.id)
        user = db.session.get(User, world.user_a.id)
        assert (
            candidate.erased_at is not None
            and candidate.name == f"Erased candidate #{candidate.id}"
        )
        assert not user.active and user.password_hash is None and "Casey" not in user.name
        thank_you = db.session.scalar(
            select(Step).where(Step.interview_id == history.id, Step.kind == StepKind.THANK_YOU)
        )
        assert thank_you.result == Status.DONE_ON_TIME and thank_you.note == ""
        open_steps = db.session.scalar(
            select(func.count()).where(Step.candidate_id == candidate.id, Step.result.is_(None))
        )
        assert open_steps == 0
        dump = "\n".join(
            str(row)
            for table in (
                "candidates",
                "users",
                "interviews",
                "steps",
                "audit_events",
                "outbox_emails",
                "password_links",
                "sign_in_attempts",
                "assignments",
            )
            for row in db.session.execute(text(f"SELECT * FROM {table}"))
        )
    assert (after.on_time, after.late, after.missed) == (before.on_time, before.late, before.missed)
    for identifying in ("Casey", world.user_a.email, "Hamilton", "Jordan Vellacott"):
        assert identifying not in dump, identifying
    assert login(app.test_client(), world.user_a).status_code == 422
    assert (
        login_as(Role.RECRUITER, user=world.recruiter_a)
        .get(f"/candidates/{world.candidate_a.id}")
        .status_code
        == 404
    )
    [event] = audit(app, action="candidate.erased")
    assert event.actor_id == world.admin.id and "Casey" not in event.detail


# Retention -----------------------------------------------------------------------------


def test_quiet_candidates_are_listed_for_review(app, world, make, login_as):
    long_ago = datetime.now(UTC) - timedelta(days=800)
    quiet = make.candidate(world.recruiter_a, name="Quinn Quiet")
    with app.app_context():
        db.session.execute(
            Candidate.__table__.update()
            .where(Candidate.__table__.c.id == quiet.id)
            .values(updated_at=long_ago, created_at=long_ago)
        )
        db.session.commit()
    make.interview(
        make.candidate(world.recruiter_a, name="Busy Bee"),
        world.employer,
        starts_at=datetime.now(UTC) - timedelta(days=2),
    )
    page = login_as(Role.ADMIN, user=world.admin).get("/admin/retention").get_data(as_text=True)
    assert "Quinn Quiet" in page and "Busy Bee" not in page and "Casey Alpha" not in page
    assert "24 months" in page


def test_a_recruiter_adding_a_candidate_is_audited_as_an_assignment(app, world, login_as):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    recruiter.post(
        "/candidates/new",
        data={
            "name": "Ines New",
            "email": "ines@example.com",
            "role_sought": "paralegal",
            "status": "active",
        },
    )
    [assigned] = audit(app, action="candidate.assigned")
    assert assigned.actor_id == world.recruiter_a.id and "Ines New" in assigned.detail


def test_a_far_off_date_in_the_audit_filter_is_refused_not_an_error(world, login_as):
    admin = login_as(Role.ADMIN, user=world.admin)
    for query in ("start=9999-12-31", "end=9999-12-31", "start=0001-01-01"):
        response = admin.get(f"/admin/audit?{query}")
        assert response.status_code == 400 and "out of range" in response.get_data(as_text=True)
