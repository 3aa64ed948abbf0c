"""Sessions, sign-in throttling, passwords and what every response tells the browser."""

import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
from argon2 import Type
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from conftest import PASSWORD, TEST_CONFIG, login, mail_config
from mailserver import body, free_port
from portal import create_app
from portal.accounts import throttling
from portal.accounts.passwords import hash_parameters, password_problem, set_password
from portal.accounts.throttling import MOST_FAILURES_PER_ACCOUNT
from portal.auth import routes as auth_routes
from portal.extensions import db
from portal.followup import StepKind
from portal.models import AuditEvent, Candidate, Interview, Role, SignInAttempt, Step, User
from tcpproxy import Proxy

NEW = "a quiet harbour at dusk"
ROOT = Path(__file__).resolve().parent.parent
TORONTO = ZoneInfo("America/Toronto")


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


def test_a_password_change_ends_every_other_session_and_says_so_by_email(
    app, make, login_as, mailbox
):
    user = make.user(Role.RECRUITER, email="robin@example.com")
    here, elsewhere = login_as(Role.RECRUITER, user=user), login_as(Role.RECRUITER, user=user)
    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
        buffered=True,
    )
    assert response.status_code == 302
    assert here.get("/dashboard").status_code == 200  # this session carries on
    assert elsewhere.get("/dashboard").status_code == 302
    [message] = mailbox.to("robin@example.com")
    assert "password was changed" in message["Subject"] and "Forgot your password" in body(message)


def age_session(client, **seconds_ago) -> None:
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


@pytest.mark.parametrize(
    "ages, message",
    [
        ({"seen_at": 61 * 60}, "signed out after a while without activity"),
        ({"signed_in_at": 13 * 3600}, "reached its time limit"),
    ],
)
def test_sessions_end_when_idle_or_too_old(login_as, ages, message):
    client = login_as(Role.RECRUITER)
    age_session(client, **ages)
    response = client.get("/candidates")
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/login?next=/candidates"
    )
    assert message in client.get("/login").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_an_idle_remembered_session_carries_on_but_asks_again_before_an_export(app, make):
    user = make.user(Role.RECRUITER)
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    age_session(client, seen_at=2 * 3600)
    assert client.get("/dashboard").status_code == 200
    response = client.get("/reports/compliance.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/account/confirm?next="
    )
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
    other_server = create_app(
        {**TEST_CONFIG, **mail_config(smtp_server), "SQLALCHEMY_DATABASE_URI": database_url}
    )
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
        actions = [
            (e.action, e.actor_id)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert actions == [("sign_in.failed", user.id), ("sign_in", user.id)]


# Passwords -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, refused",
    [
        ("123456789012", True),
        ("password1234", True),
        ("qwertyuiop12", True),
        ("iloveyou2024!", True),
        ("riley recruiter 1", True),  # the person's own name
        ("correct horse battery", False),
        ("lantern harbour violet", False),
    ],
)
def test_common_and_guessable_passwords_are_refused(password, refused):
    assert (
        password_problem(password, ["riley@example.com", "Riley Recruiter"]) is not None
    ) is refused


def test_a_common_password_is_refused_with_the_reason_on_the_field(login_as):
    client = login_as(Role.RECRUITER)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "password1234",
            "confirm": "password1234",
        },
    )
    assert response.status_code == 422 and "one of the most common passwords" in response.get_data(
        as_text=True
    )


def test_long_passwords_are_kept_whole(app, make, login_as):
    long = "harbour lantern violet " * 8  # 184 characters
    client = login_as(Role.RECRUITER)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": long, "confirm": long},
    )
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
    for response in (
        client.get("/login"),
        login_as(Role.CANDIDATE).get("/me/"),
        client.get("/healthz"),
        client.get("/no-such-page"),
    ):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        style_src = re.search(r"style-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in style_src  # no inline styles, the chart included
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers  # plain http in the tests
        assert "Server" not in headers and "X-Powered-By" not in headers


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://portal.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_cookies_are_secure_httponly_and_samesite(
    monkeypatch, make, database_url, smtp_server
):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("PORTAL_URL", "https://portal.test")
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_COST": 64,
            "WTF_CSRF_ENABLED": False,
        }
    )
    user = make.user(Role.RECRUITER)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
        base_url="https://portal.test",
    )
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        [cookie] = [c for c in cookies if c.startswith(name)]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    with app.app_context():
        db.engine.dispose()


# CSRF: every route that changes something ----------------------------------------------


def state_changing_routes(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def concrete(rule: str, world) -> str:
    return (
        rule.replace("<int:candidate_id>", str(world.candidate_a.id))
        .replace("<int:interview_id>", str(world.interview_a.id))
        .replace("<int:employer_id>", str(world.employer.id))
        .replace("<int:job_id>", str(world.job.id))
        .replace("<int:user_id>", str(world.recruiter_b.id))
        .replace("<int:step_id>", str(world.step_a.id))
        .replace("<int:email_id>", "1")
        .replace("<int:session_id>", "1")
        .replace("<int:posting_id>", "1")
        .replace("<int:resume_id>", "1")
        .replace("<int:batch_id>", "1")
        .replace("<int:pair_id>", "1")
        .replace("<int:merge_id>", "1")
        .replace("<token>", "x" * 43)
    )


def test_every_form_route_refuses_a_post_without_or_with_a_wrong_csrf_token(app, world):
    routes = state_changing_routes(app)
    assert len(routes) >= 25  # generated from the URL map, not a hand-kept list
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert (
            client.post(
                "/login",
                data={"email": world.admin.email, "password": PASSWORD, "csrf_token": token},
            ).status_code
            == 302
        )
        for rule in routes:
            url = concrete(rule, world)
            for data in ({"name": "x"}, {"name": "x", "csrf_token": "forged-" + token[7:]}):
                response = client.post(url, data=data)
                assert response.status_code == 400, f"{rule} with {data}: {response.status_code}"
                assert "the CSRF check failed" in response.get_data(as_text=True)
        assert client.get("/admin/users").status_code == 200  # still signed in: nothing was done
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# Mass assignment ----------------------------------------------------------------------


def test_forms_never_set_a_role_an_owner_or_an_assignment(app, world, login_as, fetch):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    recruiter.post(
        f"/candidates/{world.candidate_a.id}/edit",
        data={
            "name": "Casey Alpha",
            "email": world.candidate_a.email,
            "role_sought": "paralegal",
            "status": "active",
            "recruiter_id": world.recruiter_b.id,
            "user_id": world.recruiter_b.id,
        },
    )
    candidate = fetch(Candidate, world.candidate_a.id)
    assert candidate.recruiter_id == world.recruiter_a.id and candidate.user_id == world.user_a.id

    recruiter.post(
        "/candidates/new",
        data={
            "name": "Nia Own",
            "email": "nia@example.com",
            "role_sought": "paralegal",
            "status": "active",
            "recruiter_id": world.recruiter_b.id,
        },
    )
    with app.app_context():
        created = db.session.scalar(select(Candidate).where(Candidate.email == "nia@example.com"))
        assert created.recruiter_id == world.recruiter_a.id

    recruiter.post(
        f"/interviews/{world.interview_a.id}/edit",
        data={
            "employer_id": world.employer.id,
            "job_id": 0,
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": 60,
            "format": "video",
            "timeline": "not_recorded",
            "outcome": "pending",
            "candidate_id": world.candidate_b.id,
        },
    )
    assert fetch(Interview, world.interview_a.id).candidate_id == world.candidate_a.id

    me = login_as(Role.CANDIDATE, user=world.user_a)
    me.post(
        "/account/notifications",
        data={"role": "admin", "active": "", "email": "x@evil.example", "submit": "Save"},
    )
    me.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW, "role": "admin"},
    )
    user = fetch(User, world.user_a.id)
    assert user.role == Role.CANDIDATE and user.active and user.email == world.user_a.email


# Entered text is shown, never run -------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_entered_text_is_escaped_everywhere_it_shows(app, make, login_as):
    recruiter = make.user(Role.RECRUITER, name=f"Rae {HOSTILE}")
    candidate = make.candidate(
        recruiter, name=f"Cal {HOSTILE}", notes=f"- fine\n- {HOSTILE}\n\n[x](javascript:alert(1))"
    )
    employer = make.employer(name=f"Ames {HOSTILE} LLP", notes=HOSTILE)
    job = make.job(employer, title=f"Clerk {HOSTILE}")
    interview = make.interview(
        candidate,
        employer,
        job=job,
        interviewer_names=HOSTILE,
        notes=HOSTILE,
        starts_at=datetime.now(UTC) - timedelta(days=3),
    )
    client = login_as(Role.RECRUITER, user=recruiter)
    for url in (
        "/dashboard",
        "/queue",
        "/candidates",
        f"/candidates/{candidate.id}",
        f"/interviews/{interview.id}",
        f"/employers/{employer.id}",
        "/jobs",
        "/reports/compliance?group=candidate",
        "/reports/compliance?group=employer",
        f"/interviews/{interview.id}/drafts/thank-you",
    ):
        page = client.get(url).get_data(as_text=True)
        assert (
            "<script>alert" not in page
            and "<img src=x" not in page
            and "javascript:alert" not in page
        ), url
    notes = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert "<li>fine</li>" in notes  # Markdown still works in notes
    csv = client.get("/reports/compliance.csv?group=employer").get_data(as_text=True)
    assert (
        "Ames <script>" in csv
    )  # a CSV cell is text: it holds what was typed (formula-safe, tested elsewhere)


# The database goes away ------------------------------------------------------------------


@pytest.fixture
def fragile_app(app, database_url, tmp_path, smtp_server):
    """An app whose database can be taken away and given back: PostgreSQL through a TCP
    proxy that can be cut; SQLite in a folder that can be moved aside."""
    url = make_url(database_url)
    config = {**TEST_CONFIG, **mail_config(smtp_server)}
    if url.get_backend_name() == "sqlite":
        folder = tmp_path / "db"
        folder.mkdir()
        fragile = create_app(
            {
                **config,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}",
                "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
            }
        )
        with fragile.app_context():
            flask_migrate.upgrade()

        def down():
            folder.rename(tmp_path / "moved")

        def up():
            (tmp_path / "moved").rename(folder)

        yield fragile, down, up
        return
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432).start()
    fragile = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False
            ),
        }
    )
    yield fragile, proxy.cut, proxy.start
    proxy.cut()
    with fragile.app_context():
        db.engine.dispose()


def test_pages_answer_503_while_the_database_is_away_and_recover_after(fragile_app):
    app, down, up = fragile_app
    with app.app_context():
        user = User(email="r@example.com", name="Rae", role=Role.RECRUITER)
        set_password(user, PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"email": "r@example.com", "password": PASSWORD}).status_code
        == 302
    )
    assert client.get("/dashboard").status_code == 200

    down()
    for url in ("/dashboard", "/candidates", "/me/", "/healthz"):
        response = client.get(url)
        assert response.status_code == 503, url
        if url != "/healthz":
            assert "Back in a moment" in response.get_data(as_text=True)
    assert (
        app.test_client()
        .post("/login", data={"email": "r@example.com", "password": PASSWORD})
        .status_code
        == 503
    )
    assert (
        client.get("/no/such/page").status_code == 503
    )  # even the 404 page, which shows who is signed in
    assert client.put("/dashboard").status_code == 503

    up()
    assert client.get("/healthz").status_code == 200
    assert client.get("/dashboard").status_code == 200  # the same process, no restart


# Two people changing one step ----------------------------------------------------------


def test_a_change_made_while_the_page_was_open_is_not_overwritten(app, world, login_as, make):
    interview = make.interview(
        world.candidate_a, world.employer, starts_at=datetime.now(UTC) - timedelta(hours=5)
    )
    step = make.step(interview, StepKind.THANK_YOU)
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = recruiter.get(f"/steps/{step.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    candidate = login_as(
        Role.CANDIDATE, user=world.user_a
    )  # meanwhile, the candidate marks it sent
    when = (datetime.now(UTC) - timedelta(hours=1)).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")
    assert (
        candidate.post(
            f"/me/steps/{step.id}/sent",
            data={f"step{step.id}-done_at": when, f"step{step.id}-channel": "email"},
        ).status_code
        == 303
    )
    response = recruiter.post(
        f"/steps/{step.id}/waive", data={"reason": "Not needed", "version": version}
    )
    assert response.status_code == 409
    assert "changed by someone else while you had this page open" in response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Step, step.id)
        assert stored.waived_at is None and stored.done_by_id == world.user_a.id


def test_two_saves_at_the_same_moment_cannot_both_win(app, world):
    """Both read version n; the first UPDATE makes it n+1; the second finds no row at n."""
    with app.app_context():
        first = db.session.scalar(select(Step).where(Step.id == world.step_a.id))
        with Session(db.engine) as other:
            second = other.get(Step, world.step_a.id)
            first.note, second.note = "first", "second"
            db.session.commit()
            with pytest.raises(StaleDataError):
                other.commit()
        assert db.session.get(Step, world.step_a.id).note == "first"


def test_a_save_that_loses_the_race_gets_a_clear_answer(world, login_as, monkeypatch):
    def lose(*args, **kwargs):
        raise StaleDataError(
            "UPDATE statement on table 'steps' expected to update 1 row(s); 0 were matched."
        )

    monkeypatch.setattr("portal.web.step_actions.waive", lose)
    response = login_as(Role.RECRUITER, user=world.recruiter_a).post(
        f"/steps/{world.step_a.id}/waive", data={"reason": "Not needed"}
    )
    assert response.status_code == 409 and "at the same moment" in response.get_data(as_text=True)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    """Readers are not blocked by a writer, and a writer waits for another instead of failing."""
    embedded = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}", "SECRET_KEY": "x"}
    )
    with embedded.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_production_behind_gunicorn_shows_no_debug_and_no_versions(database_url, tmp_path):
    """The real server as deployed: no version numbers in headers, no tracebacks in pages."""
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": "z" * 40,
        "PORTAL_URL": "https://portal.test",
        "MAIL_SERVER": "127.0.0.1",
        "DATABASE_URL": database_url,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "portal:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def get(path: str, host: str = "portal.test"):  # the portal answers to its own name
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Host": host}
            )
            return urllib.request.urlopen(request, timeout=10)

        for _ in range(150):
            try:
                with get("/login") as page:
                    headers = page.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert not re.search(r"\d", headers.get("Server", "")), headers.get("Server")
        assert "X-Powered-By" not in headers and headers["X-Content-Type-Options"] == "nosniff"
        with pytest.raises(urllib.error.HTTPError) as missing:
            get("/no/such/page")
        text = missing.value.read().decode()
        missing.value.close()
        assert missing.value.code == 404 and "Traceback" not in text and "Werkzeug" not in text
        with pytest.raises(urllib.error.HTTPError) as forged:  # any other host: refused
            get("/forgot-password", host="evil.example")
        forged.value.close()
        assert forged.value.code == 400
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_interview_edited_meanwhile_is_not_overwritten(app, world, login_as, fetch):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = recruiter.get(f"/interviews/{world.interview_a.id}/edit").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    form = {
        "employer_id": world.employer.id,
        "job_id": 0,
        "starts_at": "2026-12-01T10:00",
        "duration_minutes": 60,
        "format": "video",
        "timeline": "not_recorded",
        "outcome": "pending",
        "notes": "first",
        "seen": seen,
    }
    assert recruiter.post(f"/interviews/{world.interview_a.id}/edit", data=form).status_code == 302
    stale = recruiter.post(
        f"/interviews/{world.interview_a.id}/edit", data={**form, "notes": "second"}
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)
    assert fetch(Interview, world.interview_a.id).notes == "first"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_page_has_inline_scripts_or_event_handlers(app, world, make, login_as):
    """What the CSP forbids is also never sent: every page any role can open, checked."""
    make.interview(
        world.candidate_a, world.employer, starts_at=datetime.now(UTC) - timedelta(days=10)
    )
    rules = sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in ("static", "healthz")
            and not rule.rule.endswith((".pdf", ".ics"))
        }
    )
    pages = 0
    for user in (world.admin, world.recruiter_a, world.user_a):
        client = login_as(user.role, user=user)
        for rule in rules:
            response = client.get(concrete(rule, world))
            if response.mimetype == "text/html" and response.status_code == 200:
                html = response.get_data(as_text=True)
                assert not INLINE_SCRIPT.search(html), rule
                assert not EVENT_HANDLER.search(html), rule
                pages += 1
    assert pages >= 40


def test_an_expired_session_is_not_kept_alive_by_a_bogus_or_stale_remember_cookie(
    app, make, login_as
):
    client = login_as(Role.RECRUITER)
    age_session(client, seen_at=10 * 3600, signed_in_at=100 * 3600)
    client.set_cookie("remember_token", "anything")
    assert client.get("/dashboard").status_code == 302

    user = make.user(Role.RECRUITER)
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    browser.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW},
    )
    age_session(
        browser, seen_at=2 * 3600
    )  # the remember cookie from before the change is still there
    assert browser.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "url, field", [("/account/confirm", "password"), ("/account/password", "current_password")]
)
def test_password_checks_while_signed_in_are_throttled_and_audited(app, make, login_as, url, field):
    user = make.user(Role.RECRUITER)
    client = login_as(Role.RECRUITER, user=user)
    data = {field: "not my password at all", "new_password": NEW, "confirm": NEW}
    for _ in range(
        MOST_FAILURES_PER_ACCOUNT - 1
    ):  # the sign-in itself was one success, not a failure
        assert client.post(url, data=data).status_code == 422
    client.post(url, data=data)
    refused = client.post(url, data={**data, field: PASSWORD})
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        failures = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "password.failed")
        ).all()
        assert len(failures) == MOST_FAILURES_PER_ACCOUNT and failures[0].actor_id == user.id


def test_reading_a_persons_session_id_changes_nothing(app, make):
    """Flask-Login reads get_id (also to compare two people): it must not write."""
    user = make.user(Role.RECRUITER)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.get_id() == f"{user.id}."  # loaded for no session: no key
        stored.session_key = "7.secret"
        assert stored.get_id() == f"{user.id}.7.secret"
        assert not db.session.dirty
        db.session.rollback()


# What the attack run found at sign-in ------------------------------------------------------


def test_a_wrong_password_takes_as_long_whoever_the_email_belongs_to(database_url, make):
    """An unknown email, an invited account with no password yet and a real account: the
    same one verification at the production cost, so the time tells nothing."""
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_TIME_COST": 3,
            "PASSWORD_MEMORY_COST": 16 * 1024,
        }
    )
    with app.app_context():  # the real account's hash made at this app's cost, as in production
        real = User(email="real@example.com", name="Rae Real", role=Role.RECRUITER)
        set_password(real, PASSWORD)
        invited = User(email="invited@example.com", name="Ivy Invited", role=Role.CANDIDATE)
        db.session.add_all([real, invited])
        db.session.commit()

    emails = {
        "unknown": "nobody@example.com",
        "invited": "invited@example.com",
        "real": "real@example.com",
    }
    timings: dict[str, list[float]] = {who: [] for who in emails}
    for n in range(20):  # taken in turns, so a busy moment of the machine falls on all three
        for who, email in emails.items():
            client = app.test_client()
            started = time.perf_counter()
            client.post(
                "/login",
                data={"email": email, "password": f"wrong guess {n}"},
                environ_base={"REMOTE_ADDR": f"10.9.{n}.1"},
            )
            timings[who].append((time.perf_counter() - started) * 1000)
        with app.app_context():  # a fresh start for the throttle each round
            db.session.execute(SignInAttempt.__table__.delete())
            db.session.commit()
    medians = {who: statistics.median(values) for who, values in timings.items()}
    assert max(medians.values()) < 1.35 * min(medians.values()), medians
    with app.app_context():
        db.engine.dispose()


def _count_password_checks(monkeypatch, module) -> list[str]:
    """Every password ``module`` checks, from now on (the check itself still runs)."""
    checked: list[str] = []
    real_check = module.check_password

    def counting(user, password):
        checked.append(password)
        return real_check(user, password)

    monkeypatch.setattr(module, "check_password", counting)
    return checked


def _thirty_at_once(guess) -> list[int]:
    """``guess(n)`` for n from 0 to 29, all released at the same moment: their statuses."""
    start = threading.Barrier(30)
    answers: list[int] = []

    def one(n: int) -> None:
        start.wait()
        answers.append(guess(n))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(answers)


def test_thirty_guesses_at_once_get_exactly_five_checks(app, make, monkeypatch):
    """The try is counted in the same step as the limit is read: guesses racing through
    several workers all count."""
    user = make.user(Role.RECRUITER, email="raced@example.com")
    checked = _count_password_checks(monkeypatch, auth_routes)
    answers = _thirty_at_once(
        lambda n: (
            app.test_client()
            .post(
                "/login",
                data={"email": user.email, "password": f"guess {n}"},
                environ_base={"REMOTE_ADDR": f"10.8.{n}.1"},
            )
            .status_code
        )
    )
    assert len(checked) == MOST_FAILURES_PER_ACCOUNT == 5
    assert answers == [422] * 5 + [429] * 25


def test_thirty_guesses_at_the_password_confirmation_get_exactly_five_checks(
    app, make, monkeypatch
):
    """The same on the page that asks a signed-in person for their password again."""
    user = make.user(Role.RECRUITER, email="raced-again@example.com")
    clients = []
    for _ in range(30):  # thirty sessions of one person (a stolen cookie in thirty hands)
        client = app.test_client()
        assert login(client, user).status_code == 302
        clients.append(client)
    checked = _count_password_checks(monkeypatch, throttling)
    answers = _thirty_at_once(
        lambda n: clients[n].post("/account/confirm", data={"password": f"guess {n}"}).status_code
    )
    assert len(checked) == MOST_FAILURES_PER_ACCOUNT == 5
    assert answers == [422] * 5 + [429] * 25


@pytest.mark.parametrize("password", ["RitaAlpha2026!", "alpharita2026!", "ALPHARITA!2026"])
def test_a_password_made_of_the_persons_name_is_refused(password):
    assert password_problem(password, ["rita.alpha@example.com", "Rita Alpha"])
    assert (
        password_problem("quiet harbour at dusk", ["rita.alpha@example.com", "Rita Alpha"]) is None
    )


def test_signing_in_starts_a_new_session_and_signing_out_forgets_it(app, make, client):
    """With CSRF on, as in production: the token changes at sign-in; nothing put in the
    session before (list filters with search words) survives sign-in or sign-out."""
    user = make.user(Role.RECRUITER)

    def token(path: str) -> str:
        return re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get(path).get_data(as_text=True),
        ).group(1)

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = token("/login")
        with client.session_transaction() as session:
            session["lists"] = {"candidates": {"q": "left by someone else"}}
        signed_in = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
        )
        assert signed_in.status_code == 302
        with client.session_transaction() as session:
            assert "lists" not in session
        after = token("/account/password")
        assert after != before
        client.get("/candidates?q=siobhan@example.com")  # remembered for the next visit
        with client.session_transaction() as session:
            assert session["lists"]["candidates"] == {"q": "siobhan@example.com"}
        assert client.post("/logout", data={"csrf_token": after}).status_code == 302
        with client.session_transaction() as session:
            assert "lists" not in session and "_user_id" not in session
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
