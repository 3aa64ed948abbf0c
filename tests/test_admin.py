"""Admin: accounts, deactivation and assignment history."""

import re

from sqlalchemy import select

from conftest import login
from mailserver import body
from portal.extensions import db
from portal.models import Assignment, AuditEvent, Candidate, Role, User

NEW_PASSWORD = "bright kettle orchard"


def _account(**overrides):
    data = {
        "name": "Morgan Hartigan",
        "email": "morgan@example.com",
        "role": "recruiter",
        "role_sought": "paralegal",
        "recruiter_id": "0",
    }
    data.update(overrides)
    return data


def test_admin_invites_a_recruiter_who_chooses_a_password_and_signs_in(app, login_as, mailbox):
    """The admin never types the person's password: an invitation goes by email."""
    admin = login_as(Role.ADMIN)
    response = admin.post("/admin/users/new", data=_account())
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Morgan Hartigan" in page and "Recruiter" in page and "Invited" in page
    invitation = mailbox.only()
    assert invitation["To"] == "morgan@example.com"
    words = " ".join(body(invitation).split())
    assert "set up your recruiter account" in words and "drafts" not in words
    link = re.search(r"http://portal\.test(/account/set-password/\S+)", body(invitation))[1]
    newcomer = app.test_client()
    chosen = newcomer.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 302
    recruiter = User(email="morgan@example.com")
    assert login(app.test_client(), recruiter, NEW_PASSWORD).status_code == 302
    assert "Active" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_an_admin_sends_a_new_invitation_and_the_old_link_stops_working(app, login_as, mailbox):
    admin = login_as(Role.ADMIN)
    person = admin.post("/admin/users/new", data=_account()).headers["Location"]
    first = re.search(r"(/account/set-password/\S+)", body(mailbox.only()))[1]
    mailbox.clear()
    assert admin.post(person + "/invite").status_code == 303
    second = re.search(r"(/account/set-password/\S+)", body(mailbox.only()))[1]
    assert first != second
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "user.invited")
        ).all()
    assert details == ["Invitation sent to morgan@example.com"] * 2


def test_no_invitation_for_someone_with_a_password(login_as, make, mailbox):
    person = make.user(Role.RECRUITER)
    admin = login_as(Role.ADMIN)
    answer = admin.post(f"/admin/users/{person.id}/invite", follow_redirects=True)
    assert "has already chosen a password" in answer.get_data(as_text=True)
    assert mailbox.messages == []


def test_admin_creates_a_candidate_account_linked_to_a_profile_and_assigned(app, login_as, make):
    recruiter = make.user(Role.RECRUITER)
    admin = login_as(Role.ADMIN)
    response = admin.post(
        "/admin/users/new",
        data=_account(
            name="Ines Galloway",
            email="ines@example.com",
            role="candidate",
            recruiter_id=str(recruiter.id),
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        candidate = db.session.scalar(
            select(Candidate).where(Candidate.email == "ines@example.com")
        )
        assert candidate.user.role == Role.CANDIDATE
        assert candidate.recruiter_id == recruiter.id
        assert [a.recruiter_id for a in candidate.assignments] == [recruiter.id]


def test_candidate_account_links_to_an_existing_profile(app, login_as, make):
    existing = make.candidate(email="ines@example.com", name="Ines Galloway")
    admin = login_as(Role.ADMIN)
    admin.post(
        "/admin/users/new",
        data=_account(name="Ines Galloway", email="ines@example.com", role="candidate"),
    )
    with app.app_context():
        candidates = db.session.scalars(select(Candidate)).all()
        assert [c.id for c in candidates] == [existing.id]
        assert candidates[0].user is not None


def test_account_form_refusals(login_as, make):
    make.user(Role.RECRUITER, email="taken@example.com")
    admin = login_as(Role.ADMIN)
    cases = [
        (_account(email="taken@example.com"), "An account with this email already exists."),
        (_account(email="not-an-email"), "Invalid email address."),
        (_account(name="   "), "This field is required."),
        (_account(role="superuser"), "Not a valid choice."),
        (_account(role="candidate", recruiter_id="999"), "Not a valid choice."),
    ]
    for data, message in cases:
        response = admin.post("/admin/users/new", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message


def test_deactivate_and_reactivate(app, login_as, make, fetch):
    recruiter = make.user(Role.RECRUITER)
    admin = login_as(Role.ADMIN)
    admin.post(f"/admin/users/{recruiter.id}/deactivate")
    assert fetch(User, recruiter.id).active is False
    assert login(app.test_client(), recruiter).status_code == 422
    admin.post(f"/admin/users/{recruiter.id}/activate")
    assert fetch(User, recruiter.id).active is True
    assert login(app.test_client(), recruiter).status_code == 302


def test_admin_cannot_deactivate_themself(login_as, fetch):
    admin = login_as(Role.ADMIN)
    response = admin.post(f"/admin/users/{admin.user.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fetch(User, admin.user.id).active is True


def test_assign_and_reassign_keeps_history(app, login_as, make):
    first = make.user(Role.RECRUITER, name="Fiona First")
    second = make.user(Role.RECRUITER, name="Sol Second")
    candidate = make.candidate(name="Tobias Ng")
    admin = login_as(Role.ADMIN)
    assert (
        admin.post(
            f"/admin/candidates/{candidate.id}/assignment", data={"recruiter_id": first.id}
        ).status_code
        == 303
    )
    assert (
        admin.post(
            f"/admin/candidates/{candidate.id}/assignment",
            data={"recruiter_id": second.id, "note": "Covering leave"},
        ).status_code
        == 303
    )
    with app.app_context():
        rows = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        assert [(r.recruiter_id, r.ended_at is None) for r in rows] == [
            (first.id, False),
            (second.id, True),
        ]
        assert db.session.get(Candidate, candidate.id).recruiter_id == second.id
    page = admin.get(f"/admin/candidates/{candidate.id}/assignment").get_data(as_text=True)
    assert "Fiona First" in page and "Sol Second" in page and "Covering leave" in page

    # The new recruiter sees the candidate; the old one no longer does.
    assert (
        login_as(Role.RECRUITER, user=second).get(f"/candidates/{candidate.id}").status_code == 200
    )
    assert (
        login_as(Role.RECRUITER, user=first).get(f"/candidates/{candidate.id}").status_code == 404
    )


def test_reassigning_to_the_same_recruiter_is_refused(login_as, make):
    recruiter = make.user(Role.RECRUITER, name="Fiona First")
    candidate = make.candidate(recruiter)
    admin = login_as(Role.ADMIN)
    response = admin.post(
        f"/admin/candidates/{candidate.id}/assignment", data={"recruiter_id": recruiter.id}
    )
    assert response.status_code == 422
    assert "already assigned to Fiona First" in response.get_data(as_text=True)


def test_deactivated_recruiters_cannot_be_assigned(login_as, make):
    gone = make.user(Role.RECRUITER, active=False)
    candidate = make.candidate()
    admin = login_as(Role.ADMIN)
    response = admin.post(
        f"/admin/candidates/{candidate.id}/assignment", data={"recruiter_id": gone.id}
    )
    assert response.status_code == 422


def test_account_list_filters_and_paginates(login_as, make):
    for n in range(7):
        make.user(Role.RECRUITER, name=f"Recruiter {n:02d}")
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/users?role=recruiter").get_data(as_text=True)
    assert "7 accounts" in page and "page 1 of 2" in page
    page2 = admin.get("/admin/users?role=recruiter&page=2").get_data(as_text=True)
    assert "Recruiter 06" in page2 and "Recruiter 00" not in page2
    assert admin.get("/admin/users?role=wizard").status_code == 400
    assert admin.get("/admin/users?page=99").status_code == 200  # the last page


def test_assignment_list_finds_unassigned(login_as, make):
    recruiter = make.user(Role.RECRUITER)
    make.candidate(recruiter, name="Has Recruiter")
    make.candidate(name="Needs Recruiter")
    page = login_as(Role.ADMIN).get("/admin/candidates?recruiter_id=-1").get_data(as_text=True)
    assert "Needs Recruiter" in page and "Has Recruiter" not in page


def test_a_profile_with_a_sign_in_is_not_linked_twice(app, login_as, make):
    first = make.user(Role.CANDIDATE, email="first@example.com")
    make.candidate(user=first, email="profile@example.com")
    admin = login_as(Role.ADMIN)
    response = admin.post(
        "/admin/users/new", data=_account(email="profile@example.com", role="candidate")
    )
    assert response.status_code == 422
    assert "already has a sign-in" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Candidate.user_id)) == first.id
        assert db.session.scalar(select(db.func.count(User.id))) == 2  # first + the admin
