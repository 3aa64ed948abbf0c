"""Admins run the agency's people: sign-in locks, invitations, edits, caseload hand-overs,
unassigned candidates and sessions (issue 15)."""

from __future__ import annotations

import re

from sqlalchemy import select

from conftest import login
from mailserver import body
from portal.extensions import db
from portal.models import AuditEvent, Role

LINK_RE = re.compile(r"http://portal\.test(/account/\S+)")


def link_in(message) -> str:
    """The path of the one link to the portal's account pages in an email."""
    [found] = LINK_RE.findall(body(message))
    return found


def audited(app, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action))
        )


# Sign-in locks ----------------------------------------------------------------------------


def lock_out(app, user) -> None:
    client = app.test_client()
    for n in range(5):
        assert login(client, user, password=f"wrong guess {n}").status_code == 422
    assert login(client, user).status_code == 429  # the right password is refused too


def test_an_admin_sees_a_lock_and_lifts_it(app, make, login_as):
    person = make.user(Role.RECRUITER, name="Lena Marchetti", email="lena@example.com")
    lock_out(app, person)
    admin = login_as(Role.ADMIN)
    listing = admin.get("/admin/users?q=lena").get_data(as_text=True)
    assert "Locked until" in listing
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert re.search(r"Locked until \d\d:\d\d after 5 failed sign-ins", page)
    lifted = admin.post(f"/admin/users/{person.id}/unlock")
    assert lifted.status_code == 303
    assert "Locked until" not in admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert audited(app, "user.unlocked") == [
        "Sign-in lock lifted for lena@example.com (5 failed sign-ins cleared)"
    ]
    assert login(app.test_client(), person).status_code == 302


def test_a_locked_person_can_still_reset_their_password_and_that_lifts_the_lock(app, make, mailbox):
    person = make.user(Role.RECRUITER, email="rosa@example.com")
    lock_out(app, person)
    client = app.test_client()
    client.post("/forgot-password", data={"email": "rosa@example.com"})
    link = link_in(mailbox.only())
    new = "a brand new passphrase here"
    assert client.post(link, data={"new_password": new, "confirm": new}).status_code == 302
    client.post("/logout")
    assert login(app.test_client(), person, password=new).status_code == 302


def test_unlocking_someone_not_locked_says_so_and_records_nothing(app, make, login_as):
    person = make.user(Role.CANDIDATE)
    admin = login_as(Role.ADMIN)
    answer = admin.post(f"/admin/users/{person.id}/unlock", follow_redirects=True)
    assert "was not locked out" in answer.get_data(as_text=True)
    assert audited(app, "user.unlocked") == []
