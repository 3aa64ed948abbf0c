"""The portal's costs on the large demo agency, measured in one run, beside their references.

    python -m bench.bench_portal [--database-url URL] [--requests 60] [--reseed]
                                 [--skip-served] [--skip-sweep] [--skip-seed]

The large agency: 50 recruiters, 20,000 candidates, 100,000 interviews over two years,
400,000 steps, seeded once into .bench-portal/ (SQLite) or into the PostgreSQL database
of --database-url (emptied and seeded when it holds no demo data). Measured:

* pages in process (Flask's test client: server time, no network): p50 and p95;
* the same pages served by gunicorn (2 workers) under wrk (16 connections), as a share
  of a bare Flask "hello" route served the same way in the same run (Debian's wrk is
  installed when missing and allowed);
* each page's p50 at a quarter, half and all of the agency (fewer recruiters, each with
  the same caseload): a page's cost should not grow with the agency;
* a policy change: the request, the time until every open step follows it, and the
  longest a writer had to wait meanwhile; ``steps sync --all``; ``reminders send`` for a
  business morning's digests and again with nothing due (through a real SMTP server on
  localhost); ``demo seed --size large`` into a scratch database;
* the machine's load average before, during (sampled each second) and after.

It prints a table: what, measured, target, met. The targets are issue 16's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit
from urllib.request import HTTPCookieProcessor, build_opener

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from portal import create_app
from portal.config import normalise_database_url
from portal.demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, already_seeded, seed
from portal.extensions import db
from portal.models import Candidate, Interview, OutboxEmail, PolicyVersion, Step, User
from portal.models.outbox import EmailKind
from portal.outbox.reminders import MORNING
from portal.steps.calendar import business_calendar
from portal.steps.policy import current_policy
from portal.steps.sync import sync_interviews
from portal.times import agency_zone

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench-portal"
SECRET = "bench-secret-key-not-for-production"

# (p95 target in ms, in process) per page; None: measured, no target.
PAGE_TARGETS_MS = {
    "dashboard": 15,
    "queue": 10,
    "interview page": 5,
    "compliance report, agency, 12 months": 50,
    "candidate search, agency": 50,
    "admin dashboard (agency)": 50,
    "admin queue (agency)": 50,
}
SERVED_TARGETS = {"dashboard": 10.0, "queue": 15.0, "interview page": 25.0}  # % of hello


class Loads:
    """The one-minute load average, sampled every second while the benchmark runs."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        self._stop.set()
        values = self.samples or [os.getloadavg()[0]]
        return (
            f"load average (1 min) during the run: min {min(values):.2f}, median "
            f"{statistics.median(values):.2f}, max {max(values):.2f} on {os.cpu_count()} cores"
        )


class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, measured: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        self.rows.append((what, measured, target, verdict))
        print(f"  {what:<52} {measured:>22} {target:>10}  {verdict}", flush=True)

    def print(self, title: str) -> None:
        print(f"\n{title}\n")
        print("| what | measured | target | |\n| --- | --- | --- | --- |")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


# --- databases -----------------------------------------------------------------------------


def sibling_url(url: str, suffix: str) -> str:
    """Another database beside the main one: a file in .bench-portal/ or a PostgreSQL
    database named with the suffix (created when missing)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{WORK / f'portal-{suffix}.sqlite3'}"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{suffix}"
    admin = create_engine(
        urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_sibling(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    parts = urlsplit(url)
    admin = create_engine(
        urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"'))
    admin.dispose()


def portal_app(url: str, **config):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": SECRET,
            **config,
        }
    )


def prepare(url: str, size: str, reseed: bool = False) -> float | None:
    """Migrate and seed ``size`` when the database has no demo data; the seconds the seed
    took, or None when it was there already."""
    app = portal_app(url)
    took = None
    with app.app_context():
        if reseed:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        if not already_seeded():
            started = time.perf_counter()
            seed(size, progress=lambda line: print(line, flush=True))
            db.session.commit()
            took = time.perf_counter() - started
            print(f"  seeded {size} in {took:.0f} s", flush=True)
        for table in db.metadata.sorted_tables:  # the app's tables only: no superuser needed
            db.session.execute(text(f"ANALYZE {table.name}"))
        db.session.commit()
        db.engine.dispose()
    return took


# --- pages in process ----------------------------------------------------------------------


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    if response.status_code not in (302, 303):
        sys.exit(f"could not sign in as {email}: {response.status_code}")
    return client


def page_urls(app) -> dict[str, tuple[str, list[str]]]:
    """Each page: (who asks, the URLs to cycle through)."""
    with app.app_context():
        recruiter = db.session.scalar(select(User).where(User.email == f"recruiter@{DEMO_DOMAIN}"))
        interview_ids = list(
            db.session.scalars(
                select(Interview.id)
                .join(Interview.candidate)
                .where(Candidate.recruiter_id == recruiter.id)
                .order_by(Interview.starts_at.desc())
                .limit(30)
            )
        )
        searches = search_urls()
    return {
        "dashboard": ("recruiter", ["/dashboard"]),
        "queue": ("recruiter", ["/queue", "/queue?page=2"]),
        "interview page": ("recruiter", [f"/interviews/{i}" for i in interview_ids]),
        "compliance report, agency, 12 months": ("admin", ["/reports/compliance"]),
        "candidate search, agency": ("admin", searches),
        "admin dashboard (agency)": ("admin", ["/dashboard"]),
        "admin queue (agency)": ("admin", ["/queue", "/queue?page=2"]),
    }


def search_urls() -> list[str]:
    """Searches as recruiters type them, from people in the data: a surname in capitals, a
    first name without its accents, two names in the other order, part of an email, a phone
    number with its +1 and dashes, and one that finds nobody."""
    people = db.session.execute(
        select(Candidate.name, Candidate.email, Candidate.phone).order_by(Candidate.id).limit(400)
    ).all()
    typed = []
    for name, email, phone in people[::40]:
        first, last = name.split(" ", 1)
        typed += [last.upper(), first.lower(), f"{last} {first}", email[:8], f"+1-{phone}"]
    typed.append("nobody-by-this-name")
    return ["/candidates?" + urlencode({"q": q}) for q in typed]


def timings(client, urls: list[str], requests: int) -> list[float]:
    for url in urls[:3]:  # warm caches and templates
        client.get(url)
    out = []
    for n in range(requests):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_pages(url: str, requests: int) -> dict[str, tuple[float, float]]:
    app = portal_app(url)
    clients = {
        "recruiter": signed_in(app, f"recruiter@{DEMO_DOMAIN}"),
        "admin": signed_in(app, ADMIN_EMAIL),
    }
    out = {}
    for name, (who, urls) in page_urls(app).items():
        values = timings(clients[who], urls, requests)
        out[name] = (statistics.median(values), percentile(values, 0.95))
    with app.app_context():
        db.engine.dispose()
    return out


# --- served by gunicorn --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("  installing Debian's wrk for the served benchmark…", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return shutil.which("wrk")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]):
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def wrk_rate(wrk: str, url: str, cookie: str | None = None, seconds: int = 5) -> float:
    command = [wrk, "-t2", "-c16", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        sys.exit(f"wrk saw {non_2xx.group(1)} failed answers from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def portal_cookie(base: str) -> str:
    """Sign in as the demo recruiter through the real login form (CSRF on)."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urlencode(
        {"csrf_token": token, "email": f"recruiter@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data=body).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def measure_served(url: str, pages: dict[str, tuple[str, list[str]]]) -> dict[str, float]:
    wrk = ensure_wrk()
    if wrk is None:
        print("  wrk is not installed and cannot be here: served figures left out", flush=True)
        return {}
    with gunicorn("bench.hello:app", {}) as base:
        hello = wrk_rate(wrk, base + "/")
    rates = {"hello": hello}
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "PORTAL_ENV": "development"}
    with gunicorn("portal:create_app()", env) as base:
        cookie = portal_cookie(base)
        for name in SERVED_TARGETS:
            rates[name] = wrk_rate(wrk, base + pages[name][1][0], cookie)
    return rates


# --- commands --------------------------------------------------------------------------------


class WriterProbe:
    """Another writer, trying a tiny write every 20 ms: the longest it had to wait."""

    def __init__(self, url: str):
        self.engine = create_engine(url)
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)
        self._thread.start()

    def _probe(self) -> None:
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as conn:
            step_ids = list(conn.scalars(select(Step.id).where(Step.result.is_(None)).limit(2000)))
            conn.commit()
            n = 0
            while not self._stop.wait(0.02):
                started = time.perf_counter()
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=60000")
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                # An open step a batch may be writing: PostgreSQL locks rows, not the database.
                conn.execute(
                    text("UPDATE steps SET note = note WHERE id = :id"),
                    {"id": step_ids[n % len(step_ids)]},
                )
                conn.commit()
                self.longest = max(self.longest, time.perf_counter() - started)
                n += 1

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()
        return self.longest


def policy_change(url: str, change: dict) -> tuple[float, float, float]:
    """(seconds the request took, seconds until every open step followed it, longest wait
    of another writer meanwhile), then the change is undone (and applied) again."""
    app = portal_app(url)
    admin = signed_in(app, ADMIN_EMAIL)
    with app.test_request_context():
        before = current_policy()

    def form(policy) -> dict:
        return {
            name: value.strftime("%H:%M") if name == "day_ends_at" else value
            for name, value in asdict(policy).items()
        }

    def wait_until_applied() -> None:
        # The newest version's applied_at, a one-row read: applying() would also count
        # what is left, a query this loop would run a hundred times a second beside the
        # work it waits for (the policy page asks once a second).
        newest = select(PolicyVersion.applied_at).order_by(PolicyVersion.id.desc()).limit(1)
        while True:
            with app.app_context():
                if db.session.scalar(newest) is not None:
                    return
            time.sleep(0.01)

    probe = WriterProbe(url)
    started = time.perf_counter()
    response = admin.post("/admin/policy", data=form(replace(before, **change)))
    request = time.perf_counter() - started
    if response.status_code != 303:
        sys.exit(f"the policy change answered {response.status_code}")
    wait_until_applied()
    applied = time.perf_counter() - started
    longest = probe.stop()
    admin.post("/admin/policy", data=form(before))
    wait_until_applied()
    with app.app_context():
        db.engine.dispose()
    return request, applied, longest


def sync_all_seconds(url: str) -> float:
    app = portal_app(url)
    with app.test_request_context():
        started = time.perf_counter()
        sync_interviews(select(Interview), commit_each=True)  # as the command does
        took = time.perf_counter() - started
        db.engine.dispose()
    return took


def reminders_seconds(url: str) -> tuple[float, int, float, int]:
    """(seconds, emails) for a business morning's run, then for a run with nothing due."""
    sys.path.insert(0, str(ROOT / "tests"))
    from mailserver import Mailbox, SMTPServer  # the tests' real SMTP server on localhost
    from portal.outbox import delivery
    from portal.outbox.report import RunReport

    with SMTPServer(Mailbox()) as server:
        app = portal_app(
            url,
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=server.port,
            MAIL_FROM="Finchley Lane portal <portal@finchleylane.example>",
            PORTAL_URL="http://portal.bench",
        )
        with app.test_request_context(base_url="http://portal.bench"):
            morning = next_digest_morning()
            out = []
            for at in (morning, morning + timedelta(minutes=1)):
                before = len(server.mailbox.messages)
                started = time.perf_counter()
                delivery.run(at, report=RunReport())
                took = time.perf_counter() - started
                out += [took, len(server.mailbox.messages) - before]
            db.engine.dispose()
    return out[0], out[1], out[2], out[3]


def next_digest_morning() -> datetime:
    """Just after the digests' hour on a business day after any digest already in the
    outbox (each bench run takes the next morning, so there are digests to send)."""
    calendar, zone = business_calendar(), agency_zone()
    last = db.session.scalar(
        select(func.max(OutboxEmail.created_at)).where(OutboxEmail.kind == EmailKind.DIGEST)
    )
    day = max(datetime.now(UTC), last or datetime.now(UTC)).astimezone(zone).date()
    day += timedelta(days=1)
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=zone).astimezone(UTC) + timedelta(minutes=5)


def seed_seconds(url: str) -> float:
    scratch = sibling_url(url, "seed")
    drop_sibling(scratch)
    scratch = sibling_url(url, "seed")
    try:
        return prepare(scratch, "large") or 0.0
    finally:
        drop_sibling(scratch)


# --- the run -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=f"sqlite:///{WORK / 'portal.sqlite3'}")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--reseed", action="store_true", help="Empty the database, seed again.")
    parser.add_argument("--skip-served", action="store_true", help="No gunicorn and wrk.")
    parser.add_argument("--skip-sweep", action="store_true", help="No quarter and half sizes.")
    parser.add_argument("--skip-seed", action="store_true", help="Do not time a fresh seed.")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    url = normalise_database_url(args.database_url)
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)", flush=True)
    loads = Loads()
    prepare(url, "large", args.reseed)
    app = portal_app(url)
    with app.app_context():
        steps = db.session.scalar(select(func.count(Step.id)))
        interviews = db.session.scalar(select(func.count(Interview.id)))
        db.engine.dispose()
    print(f"{dialect}: {interviews} interviews, {steps} steps\n", flush=True)
    table = Table()

    print("pages in process, p50 / p95 ms:", flush=True)
    pages = measure_pages(url, args.requests)
    for name, (p50, p95) in pages.items():
        target = PAGE_TARGETS_MS[name]
        table.add(name, f"{p50:.1f} / {p95:.1f} ms", f"p95 <{target}", p95 < target)

    if not args.skip_served:
        print("served by gunicorn (2 workers), wrk 16 connections, requests/s:", flush=True)
        rates = measure_served(url, page_urls(app))
        if rates:
            table.add("bare Flask hello route (the reference)", f"{rates['hello']:.0f} req/s")
            for name, share in SERVED_TARGETS.items():
                ratio = rates[name] / rates["hello"] * 100
                table.add(
                    f"{name}, served, share of hello",
                    f"{rates[name]:.0f} req/s = {ratio:.1f} %",
                    f">= {share:.0f} %",
                    ratio >= share,
                )

    print("policy changes:", flush=True)
    policy = policy_in_force(url)
    for label, change in (
        ("thank-you hours + 1", {"thank_you_hours": policy.thank_you_hours + 1}),
        (
            "the business day ends an hour earlier",
            {"day_ends_at": policy.day_ends_at.replace(hour=policy.day_ends_at.hour - 1)},
        ),
    ):
        request, applied, longest = policy_change(url, change)
        table.add(f"policy change ({label}): the request", f"{request:.2f} s", "<1 s", request < 1)
        table.add("  every open step follows it", f"{applied:.2f} s", "<3 s", applied < 3)
        table.add("  longest another writer waited", f"{longest:.2f} s", "<1 s", longest < 1)

    print("commands:", flush=True)
    took = sync_all_seconds(url)
    table.add("steps sync --all", f"{took:.1f} s", "<5 s", took < 5)
    digests_s, digests, idle_s, idle = reminders_seconds(url)
    table.add(
        f"reminders send, a morning ({digests} emails)", f"{digests_s:.2f} s", "<3 s", digests_s < 3
    )
    table.add(f"reminders send, nothing due ({idle} emails)", f"{idle_s:.2f} s", "<1 s", idle_s < 1)
    if not args.skip_seed:
        took = seed_seconds(url)
        limit = 60 if dialect == "sqlite" else 90
        table.add("demo seed --size large", f"{took:.0f} s", f"<{limit} s", took < limit)

    if not args.skip_sweep:
        print("sweep: p50 ms at a quarter, half and all of the agency:", flush=True)
        sweep = {}
        for share in ("quarter", "half"):
            part = sibling_url(url, share)
            prepare(part, f"large-{share}")
            sweep[share] = measure_pages(part, max(20, args.requests // 2))
        sweep["all"] = pages
        for name in pages:
            figures = " / ".join(f"{sweep[s][name][0]:.1f}" for s in ("quarter", "half", "all"))
            growth = sweep["all"][name][0] / sweep["quarter"][name][0]
            table.add(f"{name}, sweep", f"{figures} ms", "flat", growth < 1.5)

    table.print(f"{dialect}, {interviews} interviews, {steps} steps; {loads.summary()}")


def policy_in_force(url: str):
    app = portal_app(url)
    with app.test_request_context():
        policy = current_policy()
        db.engine.dispose()
    return policy


if __name__ == "__main__":
    main()
