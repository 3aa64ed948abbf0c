"""Invitations and password resets, end to end through a real SMTP server on localhost."""

import re
import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from conftest import PASSWORD, login, settle
from mailserver import Mailbox, SMTPServer, body, free_port
from portal.accounts.links import check_link, token_hash, use_link
from portal.extensions import db
from portal.models import (
    PASSWORD_PURPOSES,
    Candidate,
    EmailKind,
    EmailStatus,
    LinkPurpose,
    OutboxEmail,
    PasswordLink,
    Role,
    User,
)
from portal.outbox import delivery
from portal.times import utcnow

LINK_RE = re.compile(r"http://portal\.test/account/set-password/(\S+)")
NEW_PASSWORD = "a quiet harbour at dusk"


def link_in(message) -> str:
    """The path of the one set-password link in an email."""
    found = LINK_RE.findall(body(message))
    assert len(found) == 1, body(message)
    return f"/account/set-password/{found[0]}"


def invite(client, candidate):
    return client.post(f"/candidates/{candidate.id}/invite")


@pytest.fixture
def newcomer(make, world):
    """A candidate of recruiter A's with no sign-in yet."""
    return make.candidate(world.recruiter_a, name="Noor Haddad", email="noor.haddad@example.com")


def account_of(app, candidate_id) -> User | None:
    with app.app_context():
        candidate = db.session.get(Candidate, candidate_id)
        user = candidate.user
        if user is not None:
            db.session.expunge(user)
        return user


def test_invitation_email_leads_to_a_password_and_a_signed_in_candidate(
    app, client, world, newcomer, login_as, mailbox
):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = invite(recruiter, newcomer)
    assert response.status_code == 303
    assert "Invitation on its way to noor.haddad@example.com" in recruiter.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    message = mailbox.only()
    assert message["To"] == "noor.haddad@example.com"
    assert message["From"] == "Finchley Lane portal <portal@finchleylane.example>"
    assert "invitation" in message["Subject"].lower()
    assert "Hello Noor Haddad" in body(message) and "72 hours" in body(message)
    path = link_in(message)

    account = account_of(app, newcomer.id)
    assert account.role == Role.CANDIDATE and account.password_hash is None
    page = client.get(path)
    assert page.status_code == 200 and "noor.haddad@example.com" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the address holds the token

    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert client.get("/me/").status_code == 200  # signed in straight away

    fresh = app.test_client()
    assert login(fresh, account, NEW_PASSWORD).status_code == 302


def test_a_used_link_gives_a_clear_page_not_an_error(client, world, newcomer, login_as, mailbox):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    path = link_in(mailbox.only())
    assert (
        client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    other = client.application.test_client()
    again = other.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    reuse = other.post(
        path, data={"new_password": "someone else's choice", "confirm": "someone else's choice"}
    )
    assert reuse.status_code == 410
    assert login(other, newcomer_user(client), "someone else's choice").status_code == 422


def newcomer_user(client) -> User:
    with client.application.app_context():
        user = db.session.scalar(select(User).where(User.email == "noor.haddad@example.com"))
        db.session.expunge(user)
        return user


def test_an_expired_link_says_so(app, client, world, newcomer, login_as, mailbox):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    path = link_in(mailbox.only())
    with app.app_context():
        link = db.session.scalar(select(PasswordLink))
        assert link.expires_at - link.created_at == timedelta(hours=72)
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(path)
    assert page.status_code == 410
    assert "has expired" in page.get_data(as_text=True)
    assert (
        client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 410
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:20],
        lambda token: token + "x",
        lambda token: "x" * 300,
    ],
)
def test_a_tampered_link_does_not_work(client, world, newcomer, login_as, mailbox, tamper):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    token = link_in(mailbox.only()).rsplit("/", 1)[1]
    page = client.get(f"/account/set-password/{tamper(token)}")
    assert page.status_code == 404
    assert "does not work" in page.get_data(as_text=True)


def test_sending_again_replaces_the_earlier_link(client, world, newcomer, login_as, mailbox):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    invite(recruiter, newcomer)
    first = link_in(mailbox.only())
    mailbox.clear()
    assert "Send the invitation again" in recruiter.get(f"/candidates/{newcomer.id}").get_data(
        as_text=True
    )
    invite(recruiter, newcomer)
    second = link_in(mailbox.only())
    assert first != second
    page = client.get(first)
    assert page.status_code == 410 and "newer link" in page.get_data(as_text=True)
    assert client.get(second).status_code == 200


def test_someone_elses_link_is_refused_to_a_signed_in_person(
    app, world, newcomer, login_as, mailbox
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    path = link_in(mailbox.only())
    other = login_as(Role.CANDIDATE, user=world.user_b)
    assert other.get(path).status_code == 403
    response = other.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 403
    assert account_of(app, newcomer.id).password_hash is None
    assert (
        login(app.test_client(), world.user_b).status_code == 302
    )  # B's own password is untouched


def test_the_form_cannot_choose_whose_password_it_sets(
    app, client, world, newcomer, login_as, mailbox
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    path = link_in(mailbox.only())
    client.post(
        path,
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "user_id": world.admin.id,
            "email": world.admin.email,
            "role": "admin",
        },
    )
    assert (
        login(app.test_client(), world.admin).status_code == 302
    )  # the admin's password is unchanged
    assert account_of(app, newcomer.id).role == Role.CANDIDATE


@pytest.mark.parametrize(
    "data, error",
    [
        ({"new_password": "short", "confirm": "short"}, "Use between 12 and"),
        (
            {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
            "The two passwords differ.",
        ),
        ({}, "This field is required."),
    ],
)
def test_a_refused_password_keeps_the_link_usable(
    client, world, newcomer, login_as, mailbox, data, error
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    path = link_in(mailbox.only())
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_only_a_hash_of_the_token_is_stored(app, world, newcomer, login_as, mailbox):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    token = link_in(mailbox.only()).rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.execute(text("SELECT token_hash FROM password_links")).scalar_one()
    assert stored == token_hash(token) and token not in stored


def test_a_recruiter_cannot_invite_someone_elses_candidate(world, login_as, mailbox):
    other = login_as(Role.RECRUITER, user=world.recruiter_b)
    assert invite(other, world.candidate_a).status_code == 404
    assert mailbox.messages == []


def test_a_candidate_with_a_password_is_pointed_to_forgot_password(world, login_as, mailbox):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = invite(recruiter, world.candidate_a)
    assert "already has a password" in recruiter.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert mailbox.messages == []


def test_an_email_taken_by_another_account_is_refused(make, world, login_as, mailbox):
    clash = make.candidate(world.recruiter_a, email=world.recruiter_b.email)
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = invite(recruiter, clash)
    assert "Another account already uses" in recruiter.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert mailbox.messages == []


def test_an_admin_can_invite_any_candidate_and_it_is_audited(
    app, world, newcomer, login_as, mailbox
):
    admin = login_as(Role.ADMIN, user=world.admin)
    assert invite(admin, newcomer).status_code == 303
    assert mailbox.only()["To"] == newcomer.email
    with app.app_context():
        actions = db.session.execute(text("SELECT action, actor_id FROM audit_events")).all()
    assert ("candidate.invited", world.admin.id) in [tuple(a) for a in actions]


def test_invitation_without_csrf_token_is_refused(app, world, newcomer, mailbox):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        # Sign in needs a token too: take it from the form.
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"email": world.recruiter_a.email, "password": PASSWORD, "csrf_token": token},
        )
        response = client.post(f"/candidates/{newcomer.id}/invite")
        assert response.status_code in (303, 400)
        assert mailbox.messages == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# When the mail server is down or refuses ----------------------------------------------


def test_mail_server_down_keeps_the_invitation_and_says_so(app, world, newcomer, login_as, mailbox):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    try:
        response = invite(recruiter, newcomer)
        settle()  # the sender's first try, while the server is down
    finally:
        app.config["MAIL_PORT"] = port
    assert response.status_code == 303
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "Email not sent yet (the mail server could not be reached)" in page
    assert "Send the invitation again" in page
    assert account_of(app, newcomer.id) is not None
    # Once the server is back, sending again works and the new link is the good one.
    invite(recruiter, newcomer)
    assert app.test_client().get(link_in(mailbox.only())).status_code == 200


def test_mail_server_refusing_the_message_is_reported(app, world, newcomer, login_as):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    port = app.config["MAIL_PORT"]
    with SMTPServer(Mailbox(refuse="554 5.7.1 Message rejected as spam")) as refusing:
        app.config["MAIL_PORT"] = refusing.port
        try:
            response = invite(recruiter, newcomer)
            settle()
        finally:
            app.config["MAIL_PORT"] = port
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "the mail server refused it (554 5.7.1 Message rejected as spam)" in page


# Forgot password ----------------------------------------------------------------------


def ask_for_reset(client, email: str):
    """Ask for a link (the email goes from the outbox right after the answer)."""
    return client.post("/forgot-password", data={"email": email})


def test_forgot_password_sends_a_link_that_replaces_the_password(app, client, world, mailbox):
    response = ask_for_reset(client, world.recruiter_a.email.upper())
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    message = mailbox.only()
    assert message["To"] == world.recruiter_a.email and "2 hours" in body(message)
    path = link_in(message)
    assert (
        login(app.test_client(), world.recruiter_a).status_code == 302
    )  # the old password works until then
    assert (
        client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    assert login(app.test_client(), world.recruiter_a).status_code == 422
    assert login(app.test_client(), world.recruiter_a, NEW_PASSWORD).status_code == 302


def test_a_reset_link_lasts_two_hours(app, client, world, mailbox):
    ask_for_reset(client, world.user_a.email)
    path = link_in(mailbox.only())
    with app.app_context():
        link = db.session.scalar(select(PasswordLink))
        assert link.purpose == LinkPurpose.RESET and link.expires_at - link.created_at == timedelta(
            hours=2
        )
        db.session.execute(update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(path).status_code == 410


@pytest.mark.parametrize("who", ["nobody@example.com", "deactivated"])
def test_forgot_password_answers_the_same_and_sends_nothing_for_no_active_account(
    make, client, mailbox, who
):
    if who == "deactivated":
        who = make.user(Role.RECRUITER, active=False).email
    response = ask_for_reset(client, who)
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_forgot_password_does_not_flood_an_inbox(client, world, mailbox):
    for _ in range(3):
        ask_for_reset(client, world.recruiter_a.email)
    assert len(mailbox.messages) == 1


def test_forgot_password_answers_before_a_hanging_mail_server_does(app, client, world, caplog):
    """A server that takes the connection and never speaks: the page is already sent."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port, timeout = app.config["MAIL_PORT"], app.config["MAIL_TIMEOUT"]
        app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=1)
        try:
            started = time.perf_counter()
            response = client.post("/forgot-password", data={"email": world.recruiter_a.email})
            answered = time.perf_counter() - started
            assert response.status_code == 200 and "Check your email" in response.get_data(
                as_text=True
            )
            assert answered < 0.5
            settle()  # meanwhile the sender thread tried, and timed out
        finally:
            app.config.update(MAIL_PORT=port, MAIL_TIMEOUT=timeout)
    assert "not sent" in caplog.text and "could not be reached" in caplog.text


def test_forgot_password_with_the_mail_server_down_still_answers(app, client, world):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    try:
        response = ask_for_reset(client, world.recruiter_a.email)
        settle()
    finally:
        app.config["MAIL_PORT"] = port
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["", "x" * 300 + "@example.com"])
def test_forgot_password_refuses_a_bad_address_with_a_field_error(client, email, mailbox):
    response = ask_for_reset(client, email)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_a_reset_spends_an_outstanding_invitation_too(
    app, client, world, newcomer, login_as, mailbox
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    invitation = link_in(mailbox.only())
    mailbox.clear()
    ask_for_reset(client, newcomer.email)  # an invited person may ask for a reset link too
    reset = link_in(mailbox.only())
    assert (
        client.post(reset, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    assert client.application.test_client().get(invitation).status_code == 410


def test_the_sign_in_page_offers_forgot_password(client):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)


def test_changing_the_candidates_email_stops_links_sent_to_the_old_one(
    app, client, world, newcomer, login_as, mailbox
):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    invite(recruiter, newcomer)
    old_link = link_in(mailbox.only())
    response = recruiter.post(
        f"/candidates/{newcomer.id}/edit",
        data={
            "name": "Noor Haddad",
            "email": "noor.h@example.com",
            "role_sought": "paralegal",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert client.get(old_link).status_code == 410
    assert account_of(app, newcomer.id).email == "noor.h@example.com"


def test_changing_ones_password_stops_outstanding_reset_links(app, world, login_as, mailbox):
    ask_for_reset(app.test_client(), world.recruiter_a.email)
    path = link_in(mailbox.only())
    me = login_as(Role.RECRUITER, user=world.recruiter_a)
    me.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert app.test_client().get(path).status_code == 410


def test_asking_for_a_reset_does_not_cancel_an_invitation(
    client, world, newcomer, login_as, mailbox
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    invitation = link_in(mailbox.only())
    ask_for_reset(client, newcomer.email)  # anyone can type the address
    assert client.get(invitation).status_code == 200


def test_a_link_cannot_be_spent_twice_even_at_the_same_moment(
    app, world, newcomer, login_as, mailbox
):
    """The second of two submissions arriving together finds the link spent."""
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    token = link_in(mailbox.only()).rsplit("/", 1)[1]
    with app.test_request_context():
        first, second = (
            check_link(token, PASSWORD_PURPOSES).link,
            check_link(token, PASSWORD_PURPOSES).link,
        )  # both checked before either writes
        assert use_link(first, NEW_PASSWORD) is not None
        assert use_link(second, "another choice of words") is None


def test_signing_in_to_an_invited_account_takes_a_real_password_check(
    app, client, world, newcomer, login_as, monkeypatch
):
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    checked = []
    monkeypatch.setattr(
        "portal.accounts.passwords.spend_a_password_check",
        lambda password: checked.append(password),
    )
    client.post("/login", data={"email": newcomer.email, "password": "guessing at it"})
    assert checked == ["guessing at it"]  # as long as for an account with a password


# Every email through the outbox ---------------------------------------------------------


def test_an_invitation_made_while_the_mail_server_is_down_arrives_once_when_it_is_back(
    app, world, newcomer, login_as, mailbox, smtp_server
):
    """The invitation is a row in the outbox: the first try fails, the page still answers,
    and the next run of the outbox sends it, once."""
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the server is down
    try:
        response = invite(recruiter, newcomer)
        assert response.status_code == 303
        assert mailbox.messages == []  # (waits for the sender's try)
        page = recruiter.get(f"/candidates/{newcomer.id}").get_data(as_text=True)
        assert "Email not sent yet (the mail server could not be reached)" in page
    finally:
        app.config["MAIL_PORT"] = smtp_server.port
    with app.app_context():
        [email] = db.session.scalars(select(OutboxEmail)).all()
        assert email.kind == EmailKind.INVITATION and email.status == EmailStatus.QUEUED
        assert email.attempts == 1 and email.next_attempt_at > utcnow()
    later = utcnow() + timedelta(minutes=10)  # past the first pause
    for _ in range(2):  # a second run finds nothing left to send
        with app.test_request_context(base_url="http://portal.test"):
            delivery.run(later)
    assert len(mailbox.to(newcomer.email)) == 1
    client = app.test_client()
    path = link_in(mailbox.only())
    assert client.get(path).status_code == 200
    page = recruiter.get(f"/candidates/{newcomer.id}").get_data(as_text=True)
    assert "Email sent" in page


def test_the_outbox_holds_no_usable_token(app, world, newcomer, login_as, mailbox):
    """A password link's token is in the email only: not in the outbox, not in the link's row."""
    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    token = link_in(mailbox.only()).rsplit("/", 1)[-1]
    with app.app_context():
        dumped = " ".join(
            str(value)
            for table in ("outbox_emails", "password_links")
            for row in db.session.execute(text(f"SELECT * FROM {table}")).all()
            for value in row
        )
    assert token not in dumped


def test_a_link_replaced_before_its_email_went_is_not_sent(
    app, world, newcomer, login_as, mailbox, smtp_server
):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    app.config["MAIL_PORT"] = free_port()
    try:
        invite(recruiter, newcomer)
        settle()  # the first try fails: the server is down
        invite(recruiter, newcomer)  # "send the invitation again": the first link is replaced
        assert mailbox.messages == []
    finally:
        app.config["MAIL_PORT"] = smtp_server.port
    with app.test_request_context(base_url="http://portal.test"):
        report = delivery.run(utcnow() + timedelta(minutes=10))
    assert report.counts["sent"] == 1 and report.counts["skipped"] == 1
    assert "a newer link replaced it" in " ".join(report.lines)
    assert len(mailbox.messages) == 1


def test_an_erasure_while_the_email_is_on_its_way_leaves_nothing_that_names_them(
    app, world, newcomer, login_as, mailbox, monkeypatch
):
    """The outbox notes "sent" without the address or subject when the person was erased
    while their email was with the mail server."""
    from portal.outbox import mail

    real_send = mail.send

    def send_and_erase_meanwhile(message):
        real_send(message)
        admin = login_as(Role.ADMIN, user=world.admin)
        assert (
            admin.post(
                f"/admin/candidates/{newcomer.id}/erase", data={"confirm": "ERASE"}
            ).status_code
            == 303
        )

    invite(login_as(Role.RECRUITER, user=world.recruiter_a), newcomer)
    settle()
    with app.app_context():  # send it again, through the run, with the erasure in the middle
        db.session.execute(update(OutboxEmail).values(status=EmailStatus.QUEUED, subject=""))
        db.session.commit()
    monkeypatch.setattr(mail, "send", send_and_erase_meanwhile)
    with app.test_request_context(base_url="http://portal.test"):
        report = delivery.run(utcnow())
    assert report.counts["sent"] == 1
    with app.app_context():
        [email] = db.session.scalars(select(OutboxEmail)).all()
        assert email.status == EmailStatus.SENT
        assert email.to_address == "" and email.subject == "[erased]"


def test_an_email_queued_in_a_transaction_that_rolled_back_is_never_handed_over(app, make):
    """Only committed rows go to the sender (SQLite gives a rolled-back id to the next row)."""
    user = make.user(Role.RECRUITER)
    with app.test_request_context():
        from portal.outbox.emails import queue_email, queued_in_this_request

        queue_email(db.session.get(User, user.id), EmailKind.PASSWORD_CHANGED)
        db.session.rollback()
        assert queued_in_this_request() == []
        email = queue_email(db.session.get(User, user.id), EmailKind.PASSWORD_CHANGED)
        db.session.commit()
        assert queued_in_this_request() == [email.id]
