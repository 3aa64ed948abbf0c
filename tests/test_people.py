"""Admins run the agency's people: sign-in locks, invitations, edits, caseload hand-overs,
unassigned candidates and sessions (issue 15)."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from conftest import PASSWORD, login, settle
from mailserver import body
from portal.accounts.devices import device
from portal.admin import users as admin_users
from portal.extensions import db
from portal.models import Assignment, AuditEvent, Candidate, Role, Step, User, UserSession
from portal.times import utcnow

LINK_RE = re.compile(r"http://portal\.test(/account/\S+)")


def link_in(message) -> str:
    """The path of the one link to the portal's account pages in an email."""
    [found] = LINK_RE.findall(body(message))
    return found


def audited(app, action: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)  # as they happened (PostgreSQL keeps no order)
            )
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


# Editing a person -------------------------------------------------------------------------


def test_an_admin_renames_a_recruiter_and_makes_them_an_admin(app, make, login_as, fetch):
    person = make.user(Role.RECRUITER, name="Theo Sandu", email="theo@example.com")
    admin = login_as(Role.ADMIN)
    saved = admin.post(
        f"/admin/users/{person.id}/edit",
        data={"name": "Theo Sandhu", "email": "theo@example.com", "role": "admin"},
    )
    assert saved.status_code == 303
    changed = fetch(User, person.id)
    assert changed.name == "Theo Sandhu" and changed.role == Role.ADMIN
    assert audited(app, "user.edited") == [
        "theo@example.com: name Theo Sandu → Theo Sandhu; role Recruiter → Admin"
    ]


def test_a_new_address_is_confirmed_from_it_and_the_old_one_is_told(
    app, make, login_as, mailbox, fetch
):
    person = make.user(Role.RECRUITER, name="Ada Quist", email="ada@old.example")
    admin = login_as(Role.ADMIN)
    admin.post(
        f"/admin/users/{person.id}/edit",
        data={"name": "Ada Quist", "email": "Ada@New.Example ", "role": "recruiter"},
    )
    assert fetch(User, person.id).email == "ada@old.example"  # not yet
    assert "waiting for confirmation" in admin.get(f"/admin/users/{person.id}").get_data(
        as_text=True
    )
    notice = mailbox.to("ada@old.example")[0]
    assert "ada@new.example" in body(notice) and "/account/" not in body(notice)
    link = link_in(mailbox.to("ada@new.example")[0])
    assert link.startswith("/account/confirm-email/")
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200  # opening it changes nothing
    assert fetch(User, person.id).email == "ada@old.example"
    assert visitor.post(link).status_code == 303
    assert fetch(User, person.id).email == "ada@new.example"
    assert login(app.test_client(), User(email="ada@new.example")).status_code == 302
    assert visitor.post(link).status_code == 410  # used
    changed = "Email address changed from ada@old.example to ada@new.example"
    assert audited(app, "user.email_changed") == [f"{changed}, confirmed from the new address"]


def test_an_email_change_link_does_not_set_a_password(app, make, login_as, mailbox):
    person = make.user(Role.RECRUITER, email="ben@old.example")
    login_as(Role.ADMIN).post(
        f"/admin/users/{person.id}/edit",
        data={"name": "Ben", "email": "ben@new.example", "role": "recruiter"},
    )
    link = link_in(mailbox.to("ben@new.example")[0])
    token = link.rsplit("/", 1)[1]
    assert app.test_client().get(f"/account/set-password/{token}").status_code == 404


def test_a_second_change_replaces_the_first_link(app, make, login_as, mailbox):
    person = make.user(Role.RECRUITER, email="cy@old.example")
    admin = login_as(Role.ADMIN)
    for address in ("cy@first.example", "cy@second.example"):
        admin.post(
            f"/admin/users/{person.id}/edit",
            data={"name": "Cy", "email": address, "role": "recruiter"},
        )
        # The first email has gone before the second change (people take that long; a
        # link replaced before its email went is dropped, as test_accounts checks).
        settle()
    first = link_in(mailbox.to("cy@first.example")[0])
    page = app.test_client().post(first)
    assert page.status_code == 410 and "A newer change was asked for" in page.get_data(as_text=True)


def test_an_address_taken_meanwhile_is_refused_at_confirmation(app, make, login_as, mailbox):
    person = make.user(Role.RECRUITER, email="dee@old.example")
    login_as(Role.ADMIN).post(
        f"/admin/users/{person.id}/edit",
        data={"name": "Dee", "email": "dee@new.example", "role": "recruiter"},
    )
    make.user(Role.CANDIDATE, email="dee@new.example")  # someone else got there first
    page = app.test_client().post(link_in(mailbox.to("dee@new.example")[0]))
    assert page.status_code == 409 and "This address is taken" in page.get_data(as_text=True)


def test_someone_invited_but_without_a_password_is_invited_again_at_the_new_address(
    app, login_as, mailbox, fetch
):
    admin = login_as(Role.ADMIN)
    created = admin.post(
        "/admin/users/new",
        data={
            "name": "Eve Typo",
            "email": "eve@typo.example",
            "role": "recruiter",
            "role_sought": "paralegal",
            "recruiter_id": "0",
        },
    )
    person = created.headers["Location"]
    mailbox.clear()
    admin.post(
        person + "/edit",
        data={"name": "Eve Typo", "email": "eve@right.example", "role": "recruiter"},
    )
    [invitation] = mailbox.messages
    assert invitation["To"] == "eve@right.example" and "/account/set-password/" in body(invitation)


def test_refusals_when_editing(app, make, login_as):
    make.user(Role.RECRUITER, email="taken@example.com")
    make.candidate(email="profile@example.com")
    person = make.user(Role.RECRUITER, email="fay@example.com")
    admin = login_as(Role.ADMIN)
    cases = [
        ({"email": "TAKEN@example.com"}, "Another account or candidate uses this address."),
        ({"email": "profile@example.com"}, "Another account or candidate uses this address."),
        ({"email": "not an email"}, "Invalid email address."),
        ({"name": "  "}, "This field is required."),
        ({"role": "candidate"}, "Not a valid choice."),
    ]
    for change, message in cases:
        data = {"name": "Fay", "email": "fay@example.com", "role": "recruiter", **change}
        refused = admin.post(f"/admin/users/{person.id}/edit", data=data)
        assert refused.status_code == 422, change
        assert message in refused.get_data(as_text=True), change


def test_a_candidate_account_is_not_made_staff(app, make, login_as, fetch):
    user = make.user(Role.CANDIDATE, email="gus@example.com")
    make.candidate(user=user, email="gus@example.com", name="Gus")
    admin = login_as(Role.ADMIN)
    assert 'name="role"' not in admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    admin.post(
        f"/admin/users/{user.id}/edit",
        data={"name": "Gus Ferreira", "email": "gus@example.com", "role": "admin"},
    )
    changed = fetch(User, user.id)
    assert changed.role == Role.CANDIDATE and changed.name == "Gus Ferreira"
    with app.app_context():
        assert db.session.scalar(select(Candidate.name).where(Candidate.user_id == user.id)) == (
            "Gus Ferreira"
        )


def test_an_admin_cannot_remove_their_own_admin_role_but_can_another_admins(
    app, make, login_as, fetch
):
    admin = login_as(Role.ADMIN)
    me = admin.user
    own = admin.post(
        f"/admin/users/{me.id}/edit", data={"name": me.name, "email": me.email, "role": "recruiter"}
    )
    assert own.status_code == 422 and "your own admin role" in own.get_data(as_text=True)
    other = make.user(Role.ADMIN, email="other-admin@example.com")
    assert (
        admin.post(
            f"/admin/users/{other.id}/edit",
            data={"name": "Other", "email": other.email, "role": "recruiter"},
        ).status_code
        == 303
    )
    assert fetch(User, other.id).role == Role.RECRUITER


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, login_as, monkeypatch):
    first, second = login_as(Role.ADMIN), login_as(Role.ADMIN)
    check = admin_users._another_admin_remains

    def slow_check(user):  # both would read "another admin remains" unless they take turns
        remains = check(user)
        time.sleep(0.3)
        return remains

    monkeypatch.setattr(admin_users, "_another_admin_remains", slow_check)
    start = threading.Barrier(2)
    answers = []

    def demote(client, target) -> None:
        start.wait()
        answers.append(
            client.post(
                f"/admin/users/{target.id}/edit",
                data={"name": target.name, "email": target.email, "role": "recruiter"},
            ).status_code
        )

    threads = [
        threading.Thread(target=demote, args=(first, second.user)),
        threading.Thread(target=demote, args=(second, first.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == [303, 422]
    with app.app_context():
        admins = db.session.scalars(select(User.id).where(User.role == Role.ADMIN)).all()
    assert len(admins) == 1


# Handing over a caseload ------------------------------------------------------------------


@pytest.fixture
def caseload(make):
    """A recruiter with four candidates, two of them with an interview (four open steps
    each), and two recruiters to take them on."""
    leaving = make.user(Role.RECRUITER, name="Lou Leaving")
    taker_b = make.user(Role.RECRUITER, name="Bea Taker")
    taker_c = make.user(Role.RECRUITER, name="Cal Taker")
    employer = make.employer()
    people = [make.candidate(leaving, name=f"Client {n}") for n in range(4)]
    for person in people[:2]:
        make.interview(person, employer)
    return SimpleNamespace(leaving=leaving, b=taker_b, c=taker_c, people=people)


def preview(admin, source, candidates, to, note=""):
    query = [("candidates", c.id) for c in candidates] + [("to", r.id) for r in to]
    return admin.get(f"/admin/users/{source.id}/handover", query_string=[*query, ("note", note)])


def confirm(admin, source, page) -> object:
    html = page.get_data(as_text=True)
    moves = re.findall(r'name="move" value="(\d+-\d+)"', html)
    note = re.search(r'name="note" value="([^"]*)"', html)[1]
    return admin.post(f"/admin/users/{source.id}/handover", data={"move": moves, "note": note})


def recruiters_of(app, people) -> dict[str, int | None]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(Candidate.name, Candidate.recruiter_id).where(
                    Candidate.id.in_([p.id for p in people])
                )
            ).all()
        )


def test_a_caseload_is_shared_between_two_recruiters_after_a_preview(app, caseload, login_as):
    admin = login_as(Role.ADMIN)
    page = preview(admin, caseload.leaving, caseload.people, [caseload.b, caseload.c], "Lou left")
    text = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 200
    assert "Bea Taker takes on 2 candidates (4 open steps)" in text
    assert "Cal Taker takes on 2 candidates (4 open steps)" in text
    assert recruiters_of(app, caseload.people) == {
        p.name: caseload.leaving.id for p in caseload.people
    }  # the preview changes nothing
    done = confirm(admin, caseload.leaving, page)
    assert done.status_code == 303
    after = recruiters_of(app, caseload.people)
    assert sorted(after.values()) == sorted([caseload.b.id] * 2 + [caseload.c.id] * 2)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Step.id)).where(
                    Step.recruiter_id == caseload.leaving.id, Step.result.is_(None)
                )
            )
            == 0
        )
        history = db.session.scalars(
            select(Assignment).where(Assignment.candidate_id == caseload.people[0].id)
        ).all()
    assert len(history) == 2 and sum(a.ended_at is None for a in history) == 1
    details = audited(app, "candidate.assigned")
    assert len(details) == 4
    assert all("handed over from Lou Leaving (Lou left)" in d for d in details)


def test_part_of_a_caseload_goes_and_the_rest_stays(app, caseload, login_as):
    admin = login_as(Role.ADMIN)
    page = preview(admin, caseload.leaving, caseload.people[2:], [caseload.b])
    confirm(admin, caseload.leaving, page)
    after = recruiters_of(app, caseload.people)
    assert [after[p.name] for p in caseload.people] == [caseload.leaving.id] * 2 + [
        caseload.b.id
    ] * 2


def test_a_hand_over_needs_someone_to_take_them_on(caseload, login_as):
    admin = login_as(Role.ADMIN)
    page = preview(admin, caseload.leaving, caseload.people, [])
    assert page.status_code == 422
    assert "Choose at least one recruiter to take them on." in page.get_data(as_text=True)
    nobody = preview(admin, caseload.leaving, [], [caseload.b])
    assert "Choose at least one candidate." in nobody.get_data(as_text=True)


def test_a_forged_hand_over_is_refused(app, caseload, login_as, make):
    admin = login_as(Role.ADMIN)
    gone = make.user(Role.RECRUITER, active=False)
    source = caseload.leaving
    for moves in (
        [f"{caseload.people[0].id}-{gone.id}"],  # to a deactivated recruiter
        [f"{caseload.people[0].id}-{source.id}"],  # to the one leaving
        ["1-x"],
        [],
    ):
        answer = admin.post(f"/admin/users/{source.id}/handover", data={"move": moves})
        assert answer.status_code == 303
        follow = admin.get(answer.headers["Location"]).get_data(as_text=True)
        assert "could not be read" in follow
    other = make.candidate(caseload.b, name="Not Lou's")
    admin.post(
        f"/admin/users/{source.id}/handover", data={"move": [f"{other.id}-{caseload.c.id}"]}
    )  # someone else's candidate: the caseload "changed", nothing moves
    assert recruiters_of(app, [other]) == {"Not Lou's": caseload.b.id}


def test_two_admins_handing_over_the_same_caseload_one_wins_the_other_is_told(
    app, caseload, login_as
):
    first, second = login_as(Role.ADMIN), login_as(Role.ADMIN)
    to_b = preview(first, caseload.leaving, caseload.people, [caseload.b])
    to_c = preview(second, caseload.leaving, caseload.people, [caseload.c])
    start = threading.Barrier(2)
    answers = {}

    def go(name, admin, page):
        start.wait()
        answers[name] = confirm(admin, caseload.leaving, page).headers["Location"]

    threads = [
        threading.Thread(target=go, args=("b", first, to_b)),
        threading.Thread(target=go, args=("c", second, to_c)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    after = set(recruiters_of(app, caseload.people).values())
    assert after in ({caseload.b.id}, {caseload.c.id})  # all to one of them, none split
    loser = "c" if after == {caseload.b.id} else "b"
    assert answers[loser].endswith("/handover")
    told = (second if loser == "c" else first).get(answers[loser]).get_data(as_text=True)
    assert "nothing was moved" in told
    assert len(audited(app, "candidate.assigned")) == 4


def test_deactivating_a_recruiter_with_candidates_offers_the_hand_over_first(
    app, caseload, login_as
):
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/admin/users/{caseload.leaving.id}").get_data(as_text=True)
    assert "still has 4 candidates" in page and "Deactivate anyway" in page
    admin.post(f"/admin/users/{caseload.leaving.id}/deactivate")
    unassigned = admin.get("/admin/candidates/unassigned").get_data(as_text=True)
    assert "Client 0" in unassigned and "Lou Leaving" in unassigned


# Unassigned candidates --------------------------------------------------------------------


def test_unassigned_candidates_are_assigned_in_bulk(app, make, login_as):
    recruiter = make.user(Role.RECRUITER, name="Ria Active")
    gone = make.user(Role.RECRUITER, name="Gil Gone", active=False)
    loose = make.candidate(name="Client of Nobody")
    orphan = make.candidate(gone, name="Client of Gil")
    kept = make.candidate(recruiter, name="Client of Ria")
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/candidates/unassigned").get_data(as_text=True)
    assert "Client of Nobody" in page and "Client of Gil" in page and "Client of Ria" not in page
    assert "Gil Gone" in page
    done = admin.post(
        "/admin/candidates/unassigned",
        data={"candidates": [loose.id, orphan.id], "recruiter_id": recruiter.id},
    )
    assert done.status_code == 303
    assert set(recruiters_of(app, [loose, orphan, kept]).values()) == {recruiter.id}
    assert "Every candidate has an active recruiter." in admin.get(
        "/admin/candidates/unassigned"
    ).get_data(as_text=True)


def test_bulk_assignment_refuses_a_candidate_who_is_not_unassigned(app, make, login_as):
    recruiter = make.user(Role.RECRUITER)
    other = make.user(Role.RECRUITER)
    loose = make.candidate(name="Loose")
    taken = make.candidate(other, name="Taken")
    admin = login_as(Role.ADMIN)
    refused = admin.post(
        "/admin/candidates/unassigned",
        data={"candidates": [loose.id, taken.id], "recruiter_id": recruiter.id},
    )
    assert refused.status_code == 422
    assert "no longer unassigned" in refused.get_data(as_text=True)
    assert recruiters_of(app, [loose, taken]) == {"Loose": None, "Taken": other.id}


# Sessions ---------------------------------------------------------------------------------

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def signed_in_with(app, user, agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    assert login(client, user).status_code == 302
    return client


def test_a_person_sees_their_sessions_and_ends_another(app, make):
    user = make.user(Role.RECRUITER)
    laptop = signed_in_with(app, user, FIREFOX_WINDOWS)
    phone = signed_in_with(app, user, SAFARI_IPHONE)
    page = " ".join(laptop.get("/account/sessions").get_data(as_text=True).split())
    assert 'Firefox on Windows <span class="badge badge-active">This session</span>' in page
    assert "Safari on iPhone" in page
    with app.app_context():
        phone_session = db.session.scalar(
            select(UserSession.id).where(UserSession.user_agent == SAFARI_IPHONE)
        )
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 303
    assert phone.get("/dashboard").status_code == 302  # signed out there
    assert laptop.get("/dashboard").status_code == 200
    assert "Safari on iPhone" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_someone_elses_session_cannot_be_ended_from_ones_own_page(app, make):
    user, other = make.user(Role.RECRUITER), make.user(Role.RECRUITER)
    mine = signed_in_with(app, user, FIREFOX_WINDOWS)
    theirs = signed_in_with(app, other, SAFARI_IPHONE)
    with app.app_context():
        their_session = db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == other.id)
        )
    assert mine.post(f"/account/sessions/{their_session}/end").status_code == 404
    assert theirs.get("/dashboard").status_code == 200


def test_signing_out_ends_only_this_session_and_end_all_others_ends_the_rest(app, make):
    user = make.user(Role.RECRUITER)
    first, second, third = (signed_in_with(app, user, FIREFOX_WINDOWS) for _ in range(3))
    first.post("/logout")
    assert first.get("/dashboard").status_code == 302
    assert second.get("/dashboard").status_code == 200
    answer = second.post("/account/sessions/end-others", follow_redirects=True)
    assert "1 other session ended." in answer.get_data(as_text=True)
    assert third.get("/dashboard").status_code == 302
    assert second.get("/dashboard").status_code == 200


def test_an_admin_sees_and_ends_a_persons_sessions(app, make, login_as):
    user = make.user(Role.CANDIDATE, email="hal@example.com")
    phone = signed_in_with(app, user, SAFARI_IPHONE)
    laptop = signed_in_with(app, user, FIREFOX_WINDOWS)
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Safari on iPhone" in page and "Firefox on Windows" in page
    with app.app_context():
        phone_session = db.session.scalar(
            select(UserSession.id).where(
                UserSession.user_id == user.id, UserSession.user_agent == SAFARI_IPHONE
            )
        )
    assert admin.post(f"/admin/users/{user.id}/sessions/{phone_session}/end").status_code == 303
    page = "/account/notifications"
    assert phone.get(page).status_code == 302 and laptop.get(page).status_code == 200
    admin.post(f"/admin/users/{user.id}/sessions/end")
    assert laptop.get(page).status_code == 302
    one, every = audited(app, "session.ended")
    assert one.startswith("A session of hal@example.com ended (Safari on iPhone, signed in ")
    assert every == "1 session of hal@example.com ended"


def test_a_session_is_seen_every_few_minutes_and_a_remembered_one_runs_out(app, make):
    user = make.user(Role.RECRUITER)
    client = signed_in_with(app, user, FIREFOX_WINDOWS)
    long_ago = utcnow() - timedelta(minutes=10)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=long_ago))
        db.session.commit()
    client.get("/dashboard")
    with app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen > long_ago + timedelta(minutes=9)
    keeper = app.test_client()
    keeper.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = keeper.get_cookie("remember_token").value
    with app.app_context():
        db.session.execute(
            update(UserSession)
            .where(UserSession.remembered.is_(True))
            .values(created_at=utcnow() - timedelta(days=15))
        )
        db.session.commit()
    returning = app.test_client()
    returning.set_cookie("remember_token", remember)
    assert returning.get("/dashboard").status_code == 302


EDGE_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    "agent, words",
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE_MAC, "Edge on macOS"),
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("curl/8.5.0", "An unknown browser or program"),
        ("", "No browser named"),
    ],
)
def test_devices_are_named_in_words(agent, words):
    assert device(agent) == words
