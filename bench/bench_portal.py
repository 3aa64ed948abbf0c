"""Benchmark of the portal's busiest pages on the large demo data.

    python -m bench.bench_portal [--database-url URL] [--requests 60] [--reseed]

Seeds the large demo agency (50 recruiters, 20,000 candidates, 100,000 interviews over
two years, 400,000 steps) into the database once, then times requests in-process
through Flask's test client: that is server time (routing, queries, templates), not
network. Reports the median and 95th percentile per page, and the machine's load before
and after. Targets on a 2-core machine: p95 under 50 ms for the dashboard, the queue, an
interview page and a candidate search across the agency (as typed: accents, word order,
phone numbers), under 150 ms for the agency-wide compliance report over the last twelve
months.

Without --database-url it uses SQLite in .bench-portal/; pass a PostgreSQL URL to
measure there (the database is emptied and seeded when it holds no demo data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.config import normalise_database_url
from portal.demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, already_seeded, seed
from portal.extensions import db
from portal.models import Candidate, Interview, Step, User
from portal.steps.policy import current_policy

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {
    "dashboard": 50,
    "queue": 50,
    "interview page": 50,
    "compliance report, agency, 12 months": 150,
    "candidate search, agency": 50,
}


def prepare(app, reseed: bool) -> None:
    with app.app_context():
        if reseed:
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        if not already_seeded():
            started = time.perf_counter()
            seed("large", progress=lambda line: print(line, flush=True))
            db.session.commit()
            print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        for table in db.metadata.sorted_tables:  # the app's tables only: no superuser needed
            db.session.execute(db.text(f"ANALYZE {table.name}"))
        db.session.commit()
        steps = db.session.scalar(select(func.count(Step.id)))
        interviews = db.session.scalar(select(func.count(Interview.id)))
        print(f"{interviews} interviews, {steps} steps", flush=True)


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    if response.status_code not in (302, 303):
        sys.exit(f"could not sign in as {email}: {response.status_code}")
    return client


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / '.bench-portal' / 'portal.sqlite3'}"
    )
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--reseed", action="store_true", help="Empty the database and seed it again."
    )
    args = parser.parse_args()
    (ROOT / ".bench-portal").mkdir(exist_ok=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(args.database_url),
            "WTF_CSRF_ENABLED": False,
        }
    )
    prepare(app, args.reseed)

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
        caseload = db.session.scalar(
            select(func.count(Candidate.id)).where(Candidate.recruiter_id == recruiter.id)
        )
        dialect = db.engine.dialect.name
        searches = search_urls()
    recruiter_client = signed_in(app, recruiter.email)
    admin_client = signed_in(app, ADMIN_EMAIL)
    pages = {
        "dashboard": (recruiter_client, ["/dashboard"]),
        "queue": (recruiter_client, ["/queue", "/queue?page=2"]),
        "interview page": (recruiter_client, [f"/interviews/{i}" for i in interview_ids]),
        "compliance report, agency, 12 months": (admin_client, ["/reports/compliance"]),
        "candidate search, agency": (admin_client, searches),
    }
    print(f"\n{dialect}: recruiter with {caseload} candidates; {args.requests} requests per page")
    print(f"load average before: {load()}")
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'target':>8}  ")
    missed = []
    for name, (client, urls) in pages.items():
        values = timings(client, urls, args.requests)
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        ok = p95 < TARGETS_MS[name]
        if not ok:
            missed.append(name)
        print(
            f"{name:<40} {p50:>8.1f} {p95:>8.1f} {'<' + str(TARGETS_MS[name]):>8}  {'met' if ok else 'MISSED'}"
        )
    print(
        f"{'policy change (recomputes open steps)':<40} {policy_change_seconds(app, admin_client):>7.1f} s  (one run, no target)"
    )
    print(f"load average after: {load()}")
    if missed:
        print("missed: " + ", ".join(missed))


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg()) + f" ({os.cpu_count()} cores)"


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


def policy_change_seconds(app, admin_client) -> float:
    """Server time of saving a policy change through the admin page, then putting it back."""
    with app.app_context():
        before = current_policy()
    form = {
        name: value.strftime("%H:%M") if name == "day_ends_at" else value
        for name, value in asdict(before).items()
    }
    started = time.perf_counter()
    response = admin_client.post(
        "/admin/policy", data={**form, "thank_you_hours": before.thank_you_hours + 1}
    )
    seconds = time.perf_counter() - started
    if response.status_code != 303:
        sys.exit(f"the policy change answered {response.status_code}")
    admin_client.post("/admin/policy", data=form)
    return seconds


if __name__ == "__main__":
    main()
