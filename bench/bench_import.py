"""Importing 20,000 candidate rows, as an admin does it, beside the bare insert of the same rows.

    python -m bench.bench_import [--rows 20000] [--large] [--database-url URL]

Seeds the demo agency (``--large``: the large one, 20,000 candidates already on file, so
every row is checked against them for duplicates) into a scratch SQLite database under
.bench-import/ or the PostgreSQL database of --database-url (emptied first), writes a CSV
of ``--rows`` fictional candidates (a few refused, a few likely duplicates) and times:

* the upload (read and column recognition) and the preview page (every row checked);
* the import: from the confirm to the batch being done, as the progress bar sees it
  (checked again row by row, then written in one transaction);
* the reference: the same candidates, assignments and audit lines inserted by bare
  executemany statements, in a transaction rolled back.

It prints the times, the import's ratio to the reference, the target (under 30 s), and
the machine's load average.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, text

from portal import create_app
from portal.background import wait_for_background
from portal.config import normalise_database_url
from portal.demo import ADMIN_EMAIL, DEMO_PASSWORD, seed
from portal.extensions import db
from portal.models import Assignment, AuditEvent, Candidate, ImportBatch, ImportStatus, User
from portal.models.agency import candidate_search_text, name_key, phone_key
from portal.models.base import table_of
from portal.times import utcnow

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / ".bench-import"
FIRST = [
    "Zoë",
    "Amélie",
    "Priya",
    "Omar",
    "Lena",
    "Ravi",
    "Mei",
    "Jonas",
    "Aisha",
    "Tomás",
    "Élodie",
    "Marcus",
    "Aaliyah",
    "Noah",
    "Fatima",
    "Liam",
    "Sofia",
    "Arjun",
    "Chloé",
    "Mateo",
    "Hana",
    "Ethan",
    "Nadia",
    "Lucas",
    "Ines",
    "Kofi",
    "Yara",
    "Owen",
    "Leila",
    "Rohan",
    "Maya",
    "Diego",
    "Anika",
    "Samuel",
    "Zara",
    "Theo",
    "Amara",
    "Felix",
    "Rania",
    "Hugo",
    "Kiran",
    "Julia",
    "Malik",
    "Nora",
    "Pavel",
    "Sanaa",
    "Victor",
    "Wen",
    "Yusuf",
    "Clara",
    "Dmitri",
    "Esme",
    "Farid",
    "Greta",
    "Hamza",
    "Isla",
    "Jae",
    "Keisha",
    "Luca",
    "Mira",
]
LAST = [
    "Nguyen",
    "Côté",
    "Shah",
    "Haddad",
    "Kowalski",
    "Singh",
    "Chen",
    "Berg",
    "Okafor",
    "Silva",
    "Tremblay",
    "Gagnon",
    "Roy",
    "Patel",
    "Khan",
    "Wong",
    "Li",
    "Martin",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Ahmed",
    "Ali",
    "Hussain",
    "Das",
    "Rahman",
    "Santos",
    "Pereira",
    "Costa",
    "Rossi",
    "Russo",
    "Ferrari",
    "Murphy",
    "Kelly",
    "Walsh",
    "Byrne",
    "Novak",
    "Horvat",
    "Kovac",
    "Nowak",
    "Wiśniewski",
    "Yilmaz",
    "Demir",
    "Kaya",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Kim",
    "Park",
    "Choi",
    "Lee",
    "Mensah",
    "Boateng",
    "Adeyemi",
    "Eze",
    "Ndlovu",
    "Dlamini",
    "Haas",
    "Becker",
    "Wagner",
    "Schulz",
    "Jansen",
    "Visser",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Laurent",
    "Mercier",
    "Fontaine",
    "Rivera",
    "Torres",
    "Flores",
    "Ramos",
    "Cruz",
    "Reyes",
    "Mendoza",
    "Castro",
]
ROLES = ["Paralegal", "law clerk", "Legal assistant", "Secrétaire juridique", "conveyancer"]
CITIES = ["Toronto", "Mississauga", "Brampton", "Markham", "Vaughan", "Oakville"]


def spreadsheet(rows: int, recruiter: str, seed_: int = 7) -> bytes:
    """A semicolon-separated, Windows-1252 file as French-language Excel writes one."""
    rng = random.Random(seed_)
    lines = ["Prénom;Nom de famille;Courriel;Téléphone;Poste recherché;Ville;Recruteur"]
    for n in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST).replace("ś", "s")
        email = f"{first.lower()}.{last.lower()}.{n}@import.example.com"
        phone = f"({rng.choice(['416', '647', '905'])}) 555-{n % 10000:04d}"
        if n % 500 == 7:
            email = "not-an-email"  # refused
        if n % 997 == 3:
            phone = f"(416) 555-{(n - 1) % 10000:04d}"  # a likely duplicate of the row before
        lines.append(
            f"{first};{last};{email};{phone};{rng.choice(ROLES)};{rng.choice(CITIES)};"
            + (recruiter if n % 3 == 0 else "")
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--large", action="store_true", help="the large demo agency on file")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    if args.database_url:
        url = normalise_database_url(args.database_url)
    else:
        shutil.rmtree(FOLDER, ignore_errors=True)
        FOLDER.mkdir()
        url = f"sqlite:///{FOLDER / 'bench.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        counts = seed("large" if args.large else "small")
        db.session.commit()
        recruiter = db.session.scalars(
            db.select(User).where(User.role == "recruiter").order_by(User.id)
        ).first()
        data = spreadsheet(args.rows, recruiter.email)
    client = app.test_client()
    client.post("/login", data={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    load_before = os.getloadavg()[0]

    started = time.perf_counter()
    response = client.post(
        "/admin/imports",
        data={"kind": "candidates", "file": (io.BytesIO(data), "agency.csv")},
        content_type="multipart/form-data",
    )
    upload = time.perf_counter() - started
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    started = time.perf_counter()
    preview = client.get(f"/admin/imports/{batch_id}")
    preview_s = time.perf_counter() - started
    assert preview.status_code == 200

    started = time.perf_counter()
    client.post(f"/admin/imports/{batch_id}/start")
    with app.app_context():
        wait_for_background(600)
        batch = db.session.get(ImportBatch, batch_id)
        imported = time.perf_counter() - started
        assert batch.status == ImportStatus.DONE, batch.error
        created, refused, flagged = batch.created, batch.refused, batch.flagged
    load_during = os.getloadavg()[0]

    reference = bare_insert(app, args.rows)
    print(
        f"Demo agency on file: {counts['candidates']:,} candidates ({'large' if args.large else 'small'});"
    )
    print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, Windows-1252, semicolons.")
    print()
    print("| measurement | seconds | target | met |")
    print("| --- | --- | --- | --- |")
    print(f"| upload (read, columns recognised) | {upload:.2f} |  |  |")
    print(f"| preview page (every row checked) | {preview_s:.2f} |  |  |")
    print(
        f"| import, confirm to done ({created:,} added, {refused:,} refused, {flagged:,} flagged) "
        f"| {imported:.2f} | < 30 s | {'yes' if imported < 30 else 'NO'} |"
    )
    print(f"| reference: bare executemany of the same rows | {reference:.2f} |  |  |")
    print()
    print(f"The import takes {imported / reference:.1f} × the bare insert.")
    print(f"Load average (1 min): {load_before:.2f} before, {load_during:.2f} after the import; "
          f"{os.cpu_count()} cores; {db_name(url)}.")  # fmt: skip
    return 0


def db_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def bare_insert(app, rows: int) -> float:
    """The floor: the same number of candidates, assignments and audit lines, in three
    executemany statements, rolled back."""
    now = utcnow()
    with app.app_context():
        recruiter_id = db.session.scalar(db.select(User.id).where(User.role == "recruiter"))
        started = time.perf_counter()
        result = db.session.execute(
            insert(table_of(Candidate)).returning(
                table_of(Candidate).c.id, sort_by_parameter_order=True
            ),
            [
                {
                    "name": f"Bare Person {n}",
                    "email": f"bare.{n}@bench.example.com",
                    "phone": "+1 416-555-0100",
                    "role_sought": "paralegal",
                    "status": "active",
                    "city": "Toronto",
                    "notes": "",
                    "search_text": candidate_search_text(f"Bare Person {n}", "", ""),
                    "name_key": name_key(f"Bare Person {n}"),
                    "phone_key": phone_key("+1 416-555-0100"),
                    "recruiter_id": recruiter_id,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(rows)
            ],
        )
        ids = [row.id for row in result]
        db.session.execute(
            insert(table_of(Assignment)),
            [{"candidate_id": i, "recruiter_id": recruiter_id, "started_at": now, "note": ""} for i in ids],
        )  # fmt: skip
        db.session.execute(
            insert(table_of(AuditEvent)),
            [{"action": "candidate.created", "candidate_id": i, "at": now, "detail": "bare"} for i in ids],
        )  # fmt: skip
        seconds = time.perf_counter() - started
        db.session.rollback()
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
