"""Sessions, sign-in throttling, passwords and what every response tells the browser."""

import re
import time

import pytest
from argon2 import Type
from conftest import PASSWORD, TEST_CONFIG, login, mail_config
from mailserver import body
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, Role, User
from portal.passwords import hash_parameters, password_problem, set_password
from portal.security import MOST_FAILURES_PER_ACCOUNT

NEW = "a quiet harbour at dusk"


def copy_cookies(source, target) -> None:
    """Put every cookie the browser ``source`` holds into ``target``: a stolen cookie jar."""
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


# Sessions ------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, login_as):
    victim = login_as(Role.RECRUITER)
    thief = app.test_client()
    copy_cookies(victim, thief)
    assert thief.get("/dashboard").status_code == 200  # the copy works while the session lasts
    victim.post("/logout")
    assert thief.get("/dashboard").status_code == 302


def test_a_remember_cookie_copied_before_sign_out_is_refused_after_it(app, make):
    user = make.user(Role.RECRUITER)
    victim = app.test_client()
    victim.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = victim.get_cookie("remember_token")
    assert remember is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/dashboard").status_code == 200
    victim.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/dashboard").status_code == 302


def test_a_password_change_ends_every_other_session_and_says_so_by_email(app, make, login_as, mailbox):
    user = make.user(Role.RECRUITER, email="robin@example.com")
    here, elsewhere = login_as(Role.RECRUITER, user=user), login_as(Role.RECRUITER, user=user)
    response = here.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                     "confirm": NEW}, buffered=True)
    assert response.status_code == 302
    assert here.get("/dashboard").status_code == 200  # this session carries on
    assert elsewhere.get("/dashboard").status_code == 302
    [message] = mailbox.to("robin@example.com")
    assert "password was changed" in message["Subject"] and "Forgot your password" in body(message)


def age_session(client, **seconds_ago) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


@pytest.mark.parametrize("ages, message", [
    ({"seen_at": 61 * 60}, "signed out after a while without activity"),
    ({"signed_in_at": 13 * 3600}, "reached its time limit"),
])
def test_sessions_end_when_idle_or_too_old(login_as, ages, message):
    client = login_as(Role.RECRUITER)
    age_session(client, **ages)
    response = client.get("/candidates")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/candidates")
    assert message in client.get("/login").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_an_idle_remembered_session_carries_on_but_asks_again_before_an_export(app, make):
    user = make.user(Role.RECRUITER)
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    age_session(client, seen_at=2 * 3600)
    assert client.get("/dashboard").status_code == 200
    response = client.get("/reports/compliance.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/confirm?next=")
    wrong = client.post(response.headers["Location"], data={"password": "not my password at all"})
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    right = client.post(response.headers["Location"], data={"password": PASSWORD})
    assert right.headers["Location"] == "/reports/compliance.csv"
    assert client.get("/reports/compliance.csv").status_code == 200


def test_session_lengths_are_short(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 60 and app.config["SESSION_HOURS"] == 12
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 14


# Sign-in throttling --------------------------------------------------------------------


def fail(client, email):
    return client.post("/login", data={"email": email, "password": "not the right one"})


def test_throttling_per_account_holds_across_app_servers(app, make, database_url, smtp_server):
    user = make.user(Role.RECRUITER, email="target@example.com")
    other_server = create_app({**TEST_CONFIG, **mail_config(smtp_server), "SQLALCHEMY_DATABASE_URI": database_url})
    clients = [app.test_client(), other_server.test_client()]
    for n in range(MOST_FAILURES_PER_ACCOUNT):
        assert fail(clients[n % 2], user.email).status_code == 422
    refused = login(clients[1], user)  # even the right password, from either server
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert login(clients[0], user).status_code == 429
    with other_server.app_context():
        db.engine.dispose()


def test_throttling_does_not_reveal_whether_an_account_exists(client):
    for _ in range(MOST_FAILURES_PER_ACCOUNT):
        fail(client, "nobody-here@example.com")
    response = fail(client, "nobody-here@example.com")
    assert response.status_code == 429  # the same as for a real account


def test_throttling_per_network_address(client, make):
    user = make.user(Role.RECRUITER)
    for n in range(30):
        fail(client, f"guess{n}@example.com")
    assert login(client, user).status_code == 429


def test_sign_ins_and_failures_are_in_the_audit_trail(app, make, client):
    user = make.user(Role.RECRUITER, email="audited@example.com")
    fail(client, user.email)
    login(client, user)
    with app.app_context():
        actions = [(e.action, e.actor_id) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [("sign_in.failed", user.id), ("sign_in", user.id)]


# Passwords -----------------------------------------------------------------------------


@pytest.mark.parametrize("password, refused", [
    ("123456789012", True),
    ("password1234", True),
    ("qwertyuiop12", True),
    ("iloveyou2024!", True),
    ("riley recruiter 1", True),  # the person's own name
    ("correct horse battery", False),
    ("lantern harbour violet", False),
])
def test_common_and_guessable_passwords_are_refused(password, refused):
    assert (password_problem(password, ["riley@example.com", "Riley Recruiter"]) is not None) is refused


def test_a_common_password_is_refused_with_the_reason_on_the_field(login_as):
    client = login_as(Role.RECRUITER)
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "password1234",
                                                      "confirm": "password1234"})
    assert response.status_code == 422 and "one of the most common passwords" in response.get_data(as_text=True)


def test_long_passwords_are_kept_whole(app, make, login_as):
    long = "harbour lantern violet " * 8  # 184 characters
    client = login_as(Role.RECRUITER)
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": long,
                                                      "confirm": long})
    assert response.status_code == 302
    assert login(app.test_client(), client.user, long).status_code == 302
    assert login(app.test_client(), client.user, long[:128]).status_code == 422  # no truncation


def test_stored_hashes_are_argon2id_at_the_configured_cost():
    production = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with production.app_context():
        user = User(email="x@example.com", name="X", role=Role.RECRUITER)
        set_password(user, "a quiet harbour at dusk")
        parameters = hash_parameters(user)
    assert parameters.type == Type.ID
    assert parameters.memory_cost == 64 * 1024 >= 19 * 1024  # OWASP's floor for argon2id is 19 MiB
    assert parameters.time_cost == 3 and parameters.parallelism >= 1 and parameters.salt_len >= 16


# What the browser is told ------------------------------------------------------------


def test_every_response_carries_the_security_headers(login_as, client):
    for response in (client.get("/login"), login_as(Role.CANDIDATE).get("/me/"), client.get("/healthz"),
                     client.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers  # plain http in the tests
        assert "Server" not in headers and "X-Powered-By" not in headers


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://portal.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_cookies_are_secure_httponly_and_samesite(monkeypatch, make, database_url, smtp_server):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("PORTAL_URL", "https://portal.test")
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 64,
                      "WTF_CSRF_ENABLED": False})
    user = make.user(Role.RECRUITER)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                           base_url="https://portal.test")
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        [cookie] = [c for c in cookies if c.startswith(name)]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    with app.app_context():
        db.engine.dispose()
