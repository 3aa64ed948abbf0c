"""Fixtures: one migrated database for the session, emptied after every test.

``DATABASE_URL`` picks the database (CI runs the suite on SQLite and on PostgreSQL);
without it an SQLite file in a temporary folder is used.
"""

import os
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import event, select, text
from werkzeug.serving import make_server

from build_helpers import CONTENT, SAMPLE, TODAY, quiet_build, write_postings
from mailserver import Mailbox, SMTPServer
from portal import create_app
from portal.accounts.passwords import set_password
from portal.config import normalise_database_url
from portal.extensions import db
from portal.followup import StepKind
from portal.models import (
    Assignment,
    Candidate,
    Employer,
    EmployerKind,
    Interview,
    InterviewFormat,
    Job,
    Role,
    RoleSought,
    Step,
    User,
)
from portal.steps.sync import sync_steps

PASSWORD = "correct horse battery"

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_TIME_COST": 1,
    "PASSWORD_MEMORY_COST": 64,
    "PAGE_SIZE": 5,
    "ADVICE_SITE_URL": None,  # as in production: the step advice links to content's base_url
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost; the portal's mail goes through it."""
    with SMTPServer(Mailbox()) as server:
        yield server


def mail_config(server: SMTPServer) -> dict:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": server.port,
        "MAIL_FROM": "Finchley Lane portal <portal@finchleylane.example>",
        "PORTAL_URL": "http://portal.test",
    }


# Every app the tests run (the test client's and the live server's): each has a background
# thread (emails, a policy change's application).
PORTAL_APPS: list = []


def settle() -> None:
    """Wait until every app's background thread has done what requests handed it: each
    email tried, a policy change applied (they happen right after the response)."""
    for portal_app in PORTAL_APPS:
        assert portal_app.extensions["background"].wait(timeout=30), "background work is stuck"


class Delivered:
    """What the SMTP server received, read once the portal has sent what requests queued."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    def _settled(self) -> Mailbox:
        settle()
        return self.mailbox

    @property
    def messages(self):
        return self._settled().messages

    def to(self, address: str):
        return self._settled().to(address)

    def only(self):
        return self._settled().only()

    def clear(self) -> None:
        self._settled().clear()


@pytest.fixture
def mailbox(smtp_server, app) -> Delivered:
    """What the SMTP server received during this test."""
    smtp_server.mailbox.clear()
    yield Delivered(smtp_server.mailbox)
    smtp_server.mailbox.clear()


@pytest.fixture(scope="session")
def app(database_url, smtp_server, tmp_path_factory):
    """The app on a database built by the migrations (not create_all)."""
    app = create_app(
        {
            **TEST_CONFIG,
            **mail_config(smtp_server),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RESUME_FOLDER": str(tmp_path_factory.mktemp("resumes")),
        }
    )
    PORTAL_APPS.append(app)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Each test starts from empty tables (the schema stays)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    settle()  # nothing still sending from this test
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _detached(obj):
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


class Factory:
    """Creates rows in their own app context and hands back detached copies."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def user(
        self, role: Role = Role.RECRUITER, *, name=None, email=None, active=True, password=PASSWORD
    ) -> User:
        n = self._next()
        with self.app.app_context():
            user = User(
                role=role,
                name=name or f"{role.label} {n}",
                email=email or f"{role.value}{n}@example.com",
                active=active,
            )
            set_password(user, password)
            db.session.add(user)
            db.session.commit()
            return _detached(user)

    def candidate(
        self, recruiter: User | None = None, *, user: User | None = None, **fields
    ) -> Candidate:
        n = self._next()
        with self.app.app_context():
            candidate = Candidate(
                name=fields.pop("name", f"Candidate Person {n}"),
                email=fields.pop("email", user.email if user else f"person{n}@example.com"),
                role_sought=fields.pop("role_sought", RoleSought.PARALEGAL),
                user_id=user.id if user else None,
                **fields,
            )
            db.session.add(candidate)
            if recruiter is not None:
                candidate.recruiter_id = recruiter.id
                db.session.add(Assignment(candidate=candidate, recruiter_id=recruiter.id))
            db.session.commit()
            return _detached(candidate)

    def employer(self, **fields) -> Employer:
        n = self._next()
        with self.app.app_context():
            employer = Employer(
                name=fields.pop("name", f"Ellery Pellow LLP {n}"),
                kind=fields.pop("kind", EmployerKind.LAW_FIRM),
                **fields,
            )
            db.session.add(employer)
            db.session.commit()
            return _detached(employer)

    def job(self, employer: Employer, **fields) -> Job:
        with self.app.app_context():
            job = Job(
                employer_id=employer.id,
                title=fields.pop("title", "Litigation law clerk"),
                practice_area=fields.pop("practice_area", "Litigation"),
                **fields,
            )
            db.session.add(job)
            db.session.commit()
            return _detached(job)

    def interview(
        self,
        candidate: Candidate,
        employer: Employer,
        *,
        job: Job | None = None,
        starts_at=None,
        **fields,
    ) -> Interview:
        with self.app.app_context():
            interview = Interview(
                candidate_id=candidate.id,
                employer_id=employer.id,
                job_id=job.id if job else None,
                starts_at=starts_at or datetime.now(UTC) + timedelta(days=2),
                duration_minutes=fields.pop("duration_minutes", 60),
                format=fields.pop("format", InterviewFormat.VIDEO),
                **fields,
            )
            db.session.add(interview)
            db.session.flush()
            db.session.refresh(interview, ["employer"])
            sync_steps(interview)  # as the portal does when an interview is logged
            db.session.commit()
            return _detached(interview)

    def step(self, interview: Interview, kind: StepKind) -> Step:
        with self.app.app_context():
            step = db.session.scalar(
                select(Step).where(Step.interview_id == interview.id, Step.kind == kind)
            )
            return _detached(step)


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


@pytest.fixture
def fetch(app):
    """Read a fresh copy of a row from the database."""

    def fetch(model, ident):
        with app.app_context():
            obj = db.session.get(model, ident)
            if obj is not None:
                db.session.expunge(obj)
            return obj

    return fetch


def login(client, user: User, password: str = PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def login_as(app, make):
    """A signed-in test client for a new user of the given role."""

    def login_as(role: Role, **kwargs):
        user = kwargs.pop("user", None) or make.user(role, **kwargs)
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        return client

    return login_as


@pytest.fixture
def world(make):
    """Two recruiters, each with one candidate who can sign in, plus an admin."""
    admin = make.user(Role.ADMIN, name="Avery Admin")
    recruiter_a = make.user(Role.RECRUITER, name="Riley Assigned")
    recruiter_b = make.user(Role.RECRUITER, name="Rowan Other")
    user_a = make.user(Role.CANDIDATE, name="Casey Alpha")
    user_b = make.user(Role.CANDIDATE, name="Corey Beta")
    candidate_a = make.candidate(recruiter_a, user=user_a, name="Casey Alpha")
    candidate_b = make.candidate(recruiter_b, user=user_b, name="Corey Beta")
    employer = make.employer(name="Fenwick Ormsby LLP")
    job = make.job(employer)
    interview_a = make.interview(
        candidate_a, employer, job=job, interviewer_names="Jordan Vellacott"
    )
    interview_b = make.interview(
        candidate_b, employer, job=job, interviewer_names="Sam Quarrington"
    )
    step_a = make.step(interview_a, StepKind.THANK_YOU)
    return SimpleNamespace(**locals())


@pytest.fixture
def busy_world(world, make):
    """The world, with an overdue step and a past interview so lists and reports have rows."""
    make.interview(
        world.candidate_a,
        world.employer,
        starts_at=datetime.now(UTC) - timedelta(days=9),
        interviewer_names="Jordan Vellacott",
        notes="- asked about **hybrid** work",
    )
    return world


@pytest.fixture
def count_queries(app):
    """Count SQL statements issued inside a ``with count_queries() as counter`` block."""

    class Counter:
        def __init__(self):
            self.statements: list[str] = []

        def __call__(self, conn, cursor, statement, *args):
            self.statements.append(statement)

        def __enter__(self):
            with app.app_context():
                self.engine = db.engine
            event.listen(self.engine, "before_cursor_execute", self)
            return self

        def __exit__(self, *exc):
            event.remove(self.engine, "before_cursor_execute", self)

        @property
        def count(self) -> int:
            return len(self.statements)

    return Counter


# The advice site ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The advice site built once from content/ and three postings (the site format only): the
    folder of its pages.

    Shared by the tests that only read it; a test that changes the content builds its own.
    """
    out = tmp_path_factory.mktemp("dist")
    postings = write_postings(out.parent / f"{out.name}-postings.json", SAMPLE)
    quiet_build(CONTENT, out, formats=frozenset({"site"}), jobs=1, postings=postings, today=TODAY)
    return out / "site"


# Browser tests ----------------------------------------------------------------------

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "test-artifacts")


@pytest.fixture(scope="session")
def live_server(app, database_url, smtp_server):
    """The portal served on localhost by a real HTTP server, CSRF switched on."""
    live_app = create_app(
        {
            **TEST_CONFIG,
            **mail_config(smtp_server),
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    PORTAL_APPS.append(live_app)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser build."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "chromium is not installed; CI must run the browser tests (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> str:
    """Keep a screenshot for people to look at (test-artifacts/, not committed)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
