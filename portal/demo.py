"""Fictional demo data: a made-up agency with made-up Toronto-area firms and people.

Nothing here names a real firm or person. ``small`` is for trying the portal;
``large`` (about 50 recruiters, 20,000 candidates and 100,000 interviews over two
years) is for performance work and is inserted in bulk.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from .accounts.passwords import set_password
from .extensions import db
from .followup import (
    STEP_ORDER,
    Action,
    InterviewFacts,
    Policy,
    StepKind,
    StepResult,
    plan_steps,
    settle,
    week_of,
)
from .jobs.posting import publish
from .models import (
    Application,
    Assignment,
    Candidate,
    CandidateStatus,
    DuplicatePair,
    Employer,
    EmployerKind,
    EmployerSize,
    Interview,
    InterviewFormat,
    Job,
    JobStatus,
    Outcome,
    PayPer,
    PreferredChannel,
    Role,
    RoleSought,
    Step,
    Timeline,
    User,
    WorkArrangement,
)
from .models.agency import (
    candidate_search_text,
    employer_search_text,
    job_search_text,
    name_key,
    phone_key,
)
from .models.base import table_of
from .steps.calendar import business_calendar
from .times import agency_zone, utcnow

DEMO_DOMAIN = "finchleylane.example"
DEMO_PASSWORD = "follow-up-demo-2026"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"

SIZES = {
    "small": {
        "recruiters": 3,
        "candidates": 24,
        "employers": 12,
        "jobs": 24,
        "interviews": 60,
        "weeks_back": 6,
        "weeks_ahead": 3,
        "candidate_logins": 2,
    },
    "large": {
        "recruiters": 50,
        "candidates": 20_000,
        "employers": 300,
        "jobs": 1_500,
        "interviews": 100_000,
        "weeks_back": 104,
        "weeks_ahead": 3,
        "candidate_logins": 5,
    },
}

FIRST_NAMES = [
    "Amara",
    "Jonah",
    "Priya",
    "Mateo",
    "Siobhan",
    "Kwame",
    "Lena",
    "Rafael",
    "Noor",
    "Tobias",
    "Mei",
    "Declan",
    "Farah",
    "Ilya",
    "Chidinma",
    "Gabriel",
    "Anika",
    "Hamza",
    "Rosalind",
    "Desmond",
    "Yara",
    "Theo",
    "Keisha",
    "Arjun",
    "Marisol",
    "Callum",
    "Esther",
    "Dmitri",
    "Ines",
    "Owen",
    "Leilani",
    "Bashir",
    "Harriet",
    "Tenzin",
    "Camille",
    "Ravi",
    "Odette",
    "Malik",
    "Greta",
    "Soo-jin",
]
LAST_NAMES = [
    "Okonkwo",
    "Brennan",
    "Lindqvist",
    "Castellano",
    "Dhaliwal",
    "Moreau",
    "Achterberg",
    "Nakamura",
    "Fairweather",
    "Mbeki",
    "Quintero",
    "Halloran",
    "Szabo",
    "Ferreira",
    "Kowalczyk",
    "Thistlewood",
    "Adeyemi",
    "Vasquez",
    "Rasmussen",
    "Ouellette",
    "Petrakis",
    "Sandhu",
    "Whitcombe",
    "Yilmaz",
    "Ng",
    "Abernathy",
    "Delacroix",
    "Mensah",
    "Varga",
    "Lachance",
    "Oyelaran",
    "Pemberton",
]
FIRM_WORDS = [
    "Ashcombe",
    "Birchall",
    "Corrigan",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Galloway",
    "Hartigan",
    "Ingleby",
    "Jessop",
    "Kettering",
    "Lowther",
    "Marchbank",
    "Northcote",
    "Ormsby",
    "Pellow",
    "Quarrington",
    "Ravensworth",
    "Stanbury",
    "Tremaine",
    "Underhill",
    "Vellacott",
    "Wetherby",
    "Yardley",
]
COMPANY_WORDS = [
    "Lakeview",
    "Humber",
    "Scarlett",
    "Don Valley",
    "Bayfront",
    "Credit River",
    "Rouge",
    "Oak Ridges",
    "Etobicoke",
    "Leslieville",
    "Cabbagetown",
    "Junction",
    "Parkdale",
    "Danforth",
    "Bloor",
    "Queensway",
]
COMPANY_KINDS = [
    "Insurance",
    "Logistics",
    "Credit Union",
    "Properties",
    "Health Network",
    "Foods",
    "Energy",
    "Software",
    "Transit Supply",
    "Housing Co-operative",
]
AREA_CODES = ("416", "647", "437", "905", "289")
CITIES = [
    "Toronto",
    "Toronto",
    "Toronto",
    "Mississauga",
    "Brampton",
    "Markham",
    "Vaughan",
    "Oakville",
    "Richmond Hill",
    "Pickering",
    "Burlington",
    "Oshawa",
]
# Each role's openings, with the practice area each belongs to (a title names its area).
JOB_TITLES = {
    RoleSought.LEGAL_ASSISTANT: [
        ("Legal assistant", "In-house general"),
        ("Senior legal assistant", "Corporate and commercial"),
        ("Litigation legal assistant", "Litigation"),
        ("Family law legal assistant", "Family"),
    ],
    RoleSought.LAW_CLERK: [
        ("Corporate law clerk", "Corporate and commercial"),
        ("Real estate law clerk", "Real estate"),
        ("Estates law clerk", "Wills and estates"),
        ("Litigation law clerk", "Litigation"),
    ],
    RoleSought.PARALEGAL: [
        ("Licensed paralegal", "Litigation"),
        ("Insurance defence paralegal", "Insurance defence"),
        ("Immigration paralegal", "Immigration"),
        ("Personal injury paralegal", "Personal injury"),
    ],
    RoleSought.LEGAL_SECRETARY: [
        ("Family law secretary", "Family"),
        ("Bilingual litigation secretary", "Litigation"),
        ("Employment law secretary", "Employment and labour"),
        ("Criminal law secretary", "Criminal"),
    ],
    RoleSought.CONVEYANCER: [
        ("Residential conveyancer", "Real estate"),
        ("Commercial real estate conveyancer", "Real estate"),
    ],
}
INTERVIEW_HOURS = [
    time(9, 0),
    time(9, 30),
    time(10, 0),
    time(10, 30),
    time(11, 0),
    time(13, 0),
    time(13, 30),
    time(14, 0),
    time(14, 30),
    time(15, 0),
    time(15, 30),
    time(16, 30),
]


def _share_of_large(share: float) -> dict:
    """A part of the large agency: fewer recruiters, each with the same caseload."""
    large = SIZES["large"]
    keep = ("weeks_back", "weeks_ahead", "candidate_logins")
    return {k: v if k in keep else max(1, round(v * share)) for k, v in large.items()}


# For the benchmark's sweep: does a page cost more when the agency is bigger?
SIZES["large-quarter"] = _share_of_large(0.25)
SIZES["large-half"] = _share_of_large(0.5)


def already_seeded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None


def sign_ins() -> list[tuple[str, str]]:
    """The demo accounts worth signing in as, for the README and `make run`."""
    rows = db.session.execute(
        select(User.role, User.email)
        .where(User.email.like(f"%@{DEMO_DOMAIN}"), User.active.is_(True))
        .order_by(User.id)
    ).all()
    chosen: dict[str, list[str]] = {}
    for role, email in rows:
        chosen.setdefault(role.value, []).append(email)
    order = [Role.ADMIN.value, Role.RECRUITER.value, Role.CANDIDATE.value]
    return [(role, email) for role in order for email in chosen.get(role, [])[:2]]


def seed(
    size: str = "small", seed: int = 2026, progress: Callable[[str], None] = lambda _: None
) -> dict:
    """Insert the demo agency; the caller commits. Returns how many of each were added."""
    spec = SIZES[size]
    rng = random.Random(seed)
    zone = agency_zone()
    now = utcnow()

    password_owner = User(email=ADMIN_EMAIL, name="Avery Kingsley", role=Role.ADMIN)
    set_password(password_owner, DEMO_PASSWORD)
    db.session.add(password_owner)
    db.session.flush()
    shared_hash = password_owner.password_hash  # one hash for every demo account keeps seeding fast

    people = _unique_names(rng, spec["recruiters"] + spec["candidates"])
    recruiter_ids = _insert_ids(
        User,
        [
            {
                "email": f"recruiter{n:02d}@{DEMO_DOMAIN}" if n > 1 else f"recruiter@{DEMO_DOMAIN}",
                "name": people[n - 1],
                "role": Role.RECRUITER,
                "password_hash": shared_hash,
                "active": True,
                "created_at": now,
            }
            for n in range(1, spec["recruiters"] + 1)
        ],
    )
    progress(f"  {len(recruiter_ids)} recruiters")

    employer_rows = _employers(rng, spec["employers"], now)
    employer_ids = _insert_ids(Employer, employer_rows)
    job_rows = []
    for n in range(spec["jobs"]):
        role = rng.choice(list(RoleSought))
        (title, area), location = rng.choice(JOB_TITLES[role]), rng.choice(CITIES)
        job_rows.append(
            {
                "employer_id": employer_ids[n % len(employer_ids)],
                "title": title,
                "practice_area": area,
                "location": location,
                "search_text": job_search_text(title, location, area),
                "status": rng.choices(list(JobStatus), weights=[6, 3, 1])[0],
                "created_at": now,
            }
        )
    job_ids = _insert_ids(Job, job_rows)
    progress(f"  {len(employer_ids)} employers, {len(job_ids)} jobs")

    candidate_rows = []
    for n, name in enumerate(people[spec["recruiters"] :]):
        local = name.lower().replace(" ", ".").replace("'", "")
        email = f"{local}.{n + 1}@mail.{DEMO_DOMAIN}"
        # One number each (five area codes of the GTA, the 555 exchange), so the large
        # agency has no duplicates it did not plant.
        phone = f"+1 {AREA_CODES[n % 5]}-555-{(n // 5) % 10000:04d}"
        candidate_rows.append(
            {
                "name": name,
                "email": email,
                "phone": phone,
                "search_text": candidate_search_text(name, email, phone),
                "name_key": name_key(name),
                "phone_key": phone_key(phone),
                "role_sought": rng.choice(list(RoleSought)),
                "status": rng.choices(list(CandidateStatus), weights=[7, 1, 2, 1])[0],
                "city": rng.choice(CITIES),
                "notes": "",
                "recruiter_id": recruiter_ids[n % len(recruiter_ids)],
                "created_at": now,
                "updated_at": now - timedelta(minutes=n),
            }
        )
    candidate_ids = _insert_ids(Candidate, candidate_rows)
    db.session.execute(
        insert(table_of(Assignment)),
        [
            {
                "candidate_id": cid,
                "recruiter_id": row["recruiter_id"],
                "assigned_by_id": password_owner.id,
                "started_at": now - timedelta(weeks=spec["weeks_back"]),
                "note": "Initial assignment",
            }
            for cid, row in zip(candidate_ids, candidate_rows, strict=True)
        ],
    )
    planted = _planted_duplicates(candidate_rows, candidate_ids, recruiter_ids, now)
    progress(f"  {len(candidate_ids)} candidates, and {planted} second records of some of them")
    _candidate_logins(candidate_ids[: spec["candidate_logins"]], candidate_rows, shared_hash, now)

    interview_rows = []
    first_day = (now.astimezone(zone) - timedelta(weeks=spec["weeks_back"])).date()
    span = (spec["weeks_back"] + spec["weeks_ahead"]) * 7
    for n in range(spec["interviews"]):
        # The first interviews go to the candidates with sign-ins so their pages have content.
        index = (
            n % len(candidate_ids) if n < len(candidate_ids) else rng.randrange(len(candidate_ids))
        )
        job_index = rng.randrange(len(job_ids))
        if n < spec["candidate_logins"]:
            day = now.astimezone(zone).date() + timedelta(
                days=2 + n
            )  # something coming up to look at
        else:
            day = first_day + timedelta(days=rng.randrange(span))
        starts = _business_hours(rng, day, zone)
        interview_rows.append(
            _interview(
                rng,
                candidate_ids[index],
                job_rows[job_index],
                job_ids[job_index],
                starts,
                now,
                zone,
            )
        )
    preferred = {employer_ids[n]: row["preferred_channel"] for n, row in enumerate(employer_rows)}
    recruiter_of = {
        cid: row["recruiter_id"] for cid, row in zip(candidate_ids, candidate_rows, strict=True)
    }
    step_count = 0
    for start in range(0, len(interview_rows), 10_000):
        chunk = interview_rows[start : start + 10_000]
        step_rows = [_steps(rng, row, preferred[row["employer_id"]], now) for row in chunk]
        ids = _insert_ids(Interview, chunk)
        steps = [
            dict(
                step,
                interview_id=interview_id,
                candidate_id=row["candidate_id"],
                employer_id=row["employer_id"],
                recruiter_id=recruiter_of[row["candidate_id"]],
            )
            for interview_id, row, rows in zip(ids, chunk, step_rows, strict=True)
            for step in rows
        ]
        db.session.execute(insert(table_of(Step)), steps)
        step_count += len(steps)
        progress(f"  {min(start + 10_000, len(interview_rows))} interviews, {step_count} steps")
    postings = _publish_postings(rng, password_owner, now)
    progress(f"  {postings} job postings published")
    return {
        "recruiters": len(recruiter_ids),
        "candidates": len(candidate_ids),
        "employers": len(employer_ids),
        "jobs": len(job_ids),
        "interviews": len(interview_rows),
    }


DUPLICATES_PLANTED = 6


def _planted_duplicates(
    rows: list[dict], ids: list[int], recruiter_ids: list[int], now: datetime
) -> int:
    """A few people who arrived twice, as agencies' people do: a second record with another
    email (an applicant who forgot they had applied, a spreadsheet row typed again), paired
    as likely duplicates for the duplicates page. Half are the first recruiter's on both
    sides (the demo recruiter sees those); the rest only an admin sees."""
    chosen = [n for n in range(len(rows)) if rows[n]["recruiter_id"] == recruiter_ids[0]][
        3 : 3 + DUPLICATES_PLANTED
    ]
    second = []
    for k, n in enumerate(chosen):
        row = rows[n]
        first, _, last = row["name"].partition(" ")
        name = f"{last} {first}" if k % 2 else row["name"].upper()
        local, _, domain = row["email"].partition("@")
        email = f"{local}.personal@{domain}"
        phone = row["phone"] if k % 3 != 2 else ""
        second.append(
            {
                **row,
                "name": name,
                "email": email,
                "phone": phone,
                "search_text": candidate_search_text(name, email, phone),
                "name_key": name_key(name),
                "phone_key": phone_key(phone),
                "recruiter_id": recruiter_ids[0] if k % 2 == 0 else recruiter_ids[-1],
                "created_at": now,
                "updated_at": now,
            }
        )
    new_ids = _insert_ids(Candidate, second)
    db.session.execute(
        insert(table_of(Assignment)),
        [
            {"candidate_id": cid, "recruiter_id": row["recruiter_id"], "started_at": now,
             "note": "Applied through the job board"}
            for cid, row in zip(new_ids, second, strict=True)
        ],
    )  # fmt: skip
    db.session.execute(
        insert(table_of(DuplicatePair)),
        [
            {"first_id": ids[n], "second_id": cid, "found_at": now,
             "found_through": "application" if k % 2 else "import",
             "reasons": "phone,name_city" if second[k]["phone"] else "name_city"}
            for k, (n, cid) in enumerate(zip(chosen, new_ids, strict=True))
        ],
    )  # fmt: skip
    return len(new_ids)


# Yearly pay ranges by the first word of a demo job's title (fictional, plausible for the GTA).
PAY_BANDS = {
    "Legal": (52_000, 62_000),
    "Senior": (60_000, 72_000),
    "Licensed": (62_000, 78_000),
    "Residential": (56_000, 66_000),
    "Commercial": (64_000, 78_000),
}
DEMO_POSTINGS = 6


def _publish_postings(rng: random.Random, by: User, now: datetime) -> int:
    """A few open jobs with their postings written and published two months ago, so the
    demo shows postings, their versions and the 45-day duty on interviews since."""
    jobs = db.session.scalars(
        select(Job).where(Job.status == JobStatus.OPEN).order_by(Job.id).limit(DEMO_POSTINGS)
    ).all()
    owner = db.session.scalars(select(User).where(User.email == f"recruiter@{DEMO_DOMAIN}")).one()
    today = now.astimezone(agency_zone()).date()
    for n, job in enumerate(jobs):
        low, high = PAY_BANDS.get(job.title.split()[0], (58_000, 70_000))
        article = "an" if job.title[0].lower() in "aeiou" else "a"
        job.description = (
            f"{job.employer.name} is looking for {article} {job.title.lower()} in {job.location}. "
            "You will keep files moving, prepare documents for a lawyer's review, and be the "
            "steady voice clients reach first.\n\n- Two years or more in a law office\n- Accurate, organised, calm "
            "under deadlines\n- Comfortable with a practice management system"
        )
        job.work_arrangement = (WorkArrangement.HYBRID, WorkArrangement.ON_SITE)[n % 2]
        job.hours_per_week = Decimal("37.5")
        if n == 3:  # one paid by the hour, to show the yearly working
            job.pay_per, job.pay_low, job.pay_high = PayPer.HOUR, Decimal(30), Decimal(36)
        else:
            job.pay_per, job.pay_low, job.pay_high = PayPer.YEAR, Decimal(low), Decimal(high)
        job.employer_size = EmployerSize.UNDER_25 if n == 5 else EmployerSize.COVERED
        job.uses_ai, job.existing_vacancy = n == 2, True
        job.closes_on = today + timedelta(days=rng.randint(14, 45))
        job.recruiter = owner
        publish(job, by, now - timedelta(days=60))
    # Two of the demo recruiter's candidates applied to the first posting through the form.
    applicants = db.session.scalars(
        select(Candidate).where(Candidate.recruiter_id == owner.id).order_by(Candidate.id).limit(2)
    ).all()
    for days, candidate in zip((12, 5), applicants, strict=False):
        if jobs:
            db.session.add(
                Application(
                    job_id=jobs[0].id,
                    posting_id=jobs[0].postings[0].id,
                    candidate_id=candidate.id,
                    email=candidate.email,
                    message="I can start after two weeks' notice.",
                    source="demo",
                    created_at=now - timedelta(days=days),
                )
            )
    return len(jobs)


def _insert_ids(model, rows: list[dict]) -> list[int]:
    """Insert the rows in bulk with ids numbered here, after the highest there is; their ids.

    (Asking the database for each new id with RETURNING costs more than the insert.)"""
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    db.session.execute(
        insert(table_of(model)), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)]
    )
    if ids and db.session.get_bind().dialect.name == "postgresql":  # the next id it gives
        sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
        db.session.execute(select(func.setval(sequence, ids[-1])))
    return ids


def _unique_names(rng: random.Random, count: int) -> list[str]:
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    # Past the distinct first/last pairs, add a middle initial: still fictional, still readable.
    initials = "ABCDEFGHJKLMNPRSTW"
    out = list(names[:count])
    n = 0
    while len(out) < count:
        first, last = names[n % len(names)].split(" ", 1)
        out.append(f"{first} {initials[(n // len(names)) % len(initials)]}. {last}")
        n += 1
    return out


def _employers(rng: random.Random, count: int, now: datetime) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    while len(rows) < count:
        if rng.random() < 0.7:
            a, b = rng.sample(FIRM_WORDS, 2)
            name = rng.choice(
                [f"{a} {b} LLP", f"{a} & {b} LLP", f"{a} Law Professional Corporation"]
            )
            kind = EmployerKind.LAW_FIRM
        else:
            name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}, Legal Department"
            kind = EmployerKind.LEGAL_DEPARTMENT
        if name in seen:
            name = f"{name} ({rng.choice(CITIES)} office {len(rows)})"
        seen.add(name)
        city = rng.choice(CITIES)
        rows.append(
            {
                "name": name,
                "kind": kind,
                "city": city,
                "search_text": employer_search_text(name, city),
                "notes": "",
                "created_at": now,
                "preferred_channel": rng.choices(list(PreferredChannel), weights=[5, 3, 1, 1])[0],
            }
        )
    return rows


def _candidate_logins(
    candidate_ids: list[int], rows: list[dict], password_hash: str | None, now: datetime
) -> None:
    for n, candidate_id in enumerate(candidate_ids):
        email = f"candidate@{DEMO_DOMAIN}" if n == 0 else f"candidate{n + 1}@{DEMO_DOMAIN}"
        user = User(
            email=email,
            name=rows[n]["name"],
            role=Role.CANDIDATE,
            password_hash=password_hash,
            created_at=now,
        )
        db.session.add(user)
        db.session.flush()
        candidate = db.session.get_one(Candidate, candidate_id)
        candidate.user_id = user.id
        candidate.email = email
        candidate.status = CandidateStatus.ACTIVE


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _business_hours(rng: random.Random, day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(_weekday(day), rng.choice(INTERVIEW_HOURS), tzinfo=zone).astimezone(UTC)


def _interview(rng, candidate_id, job_row, job_id, starts, now, zone) -> dict:
    duration = rng.choice([30, 45, 60, 60, 90])
    ends = starts + timedelta(minutes=duration)
    row = {
        "candidate_id": candidate_id,
        "employer_id": job_row["employer_id"],
        "job_id": job_id,
        "starts_at": starts,
        "duration_minutes": duration,
        "format": rng.choices(list(InterviewFormat), weights=[5, 4, 1])[0],
        "interviewer_names": ", ".join(
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            for _ in range(rng.choice([1, 1, 2]))
        ),
        "timeline": Timeline.NOT_RECORDED,
        "decision_date": None,
        "timeline_recorded_at": None,
        "outcome": Outcome.PENDING,
        "outcome_at": None,
        "notes": "",
        "created_at": min(now, starts),
        "updated_at": now,
    }
    if ends > now:
        return row
    answer = rng.random()
    if answer < 0.6:
        row["timeline"] = Timeline.DATE_GIVEN
        row["decision_date"] = _weekday(
            starts.astimezone(zone).date() + timedelta(days=rng.choice([3, 5, 7, 10, 14]))
        )
    elif answer < 0.85:
        row["timeline"] = Timeline.NO_DATE_GIVEN
    if row["timeline"] != Timeline.NOT_RECORDED:
        row["timeline_recorded_at"] = min(
            now, ends + timedelta(minutes=rng.choice([15, 90, 600, 2000]))
        )
    age_days = (now - starts).days
    if age_days > 7:
        row["outcome"] = rng.choices(
            list(Outcome), weights=[3 if age_days < 30 else 1, 2, 2, 3, 1, 2]
        )[0]
    if row["outcome"] not in (Outcome.PENDING, Outcome.NO_RESPONSE):
        row["outcome_at"] = min(now, ends + timedelta(hours=rng.randrange(20, 24 * 21)))
    return row


WAIVE_REASONS = [
    "The employer cancelled the position.",
    "Candidate asked us to pause the search.",
    "The employer's office is closed for renovation; contact agreed by phone.",
]


def _steps(rng: random.Random, row: dict, preferred: PreferredChannel, now: datetime) -> list[dict]:
    """The four steps of one demo interview, with what a mostly diligent agency did about them.

    Sets ``outcome_at`` on the row for interviews closed as no response.
    """
    calendar, policy = business_calendar(), Policy()
    preferred_value = None if preferred == PreferredChannel.NONE else preferred.value
    facts = _facts(row, preferred_value)
    ends = facts.ends_at
    actions: dict[StepKind, Action] = {}
    plans = plan_steps(facts, actions, policy, calendar)
    if ends < now and rng.random() < 0.88:
        sent = ends + timedelta(minutes=rng.randrange(30, 26 * 60, 7))
        if sent < now:
            actions[StepKind.THANK_YOU] = Action(sent, _channel(rng, preferred_value))
    answered = row.get("outcome_at")
    follow_up = plans[StepKind.FOLLOW_UP]
    opens = follow_up.opens_at or follow_up.due_at  # the follow-up always has a window
    if opens < now and (answered is None or answered > opens) and rng.random() < 0.78:
        sent = opens + timedelta(hours=rng.randrange(-20, 24 * 5))
        if sent < now:
            actions[StepKind.FOLLOW_UP] = Action(sent, _channel(rng, preferred_value))
    if row["outcome"] == Outcome.NO_RESPONSE:
        start = (
            actions.get(StepKind.FOLLOW_UP, Action(follow_up.due_at)).done_at or follow_up.due_at
        )
        closed = start + timedelta(days=rng.randrange(4, 10), hours=rng.randrange(0, 8))
        if closed < now:
            row["outcome_at"] = closed
        else:
            row["outcome"] = Outcome.PENDING
    facts = _facts(row, preferred_value)
    plans = plan_steps(facts, actions, policy, calendar)
    out = []
    for kind in STEP_ORDER:
        action = actions.get(kind)
        state = settle(plans[kind], facts, action)
        waived = state.result is None and state.due_at < now and rng.random() < 0.1
        out.append(
            {
                "kind": kind,
                "due_at": state.due_at,
                "opens_at": state.opens_at,
                "required_channel": state.required_channel,
                "due_week": week_of(state.due_at, calendar),
                "result": StepResult.WAIVED if waived else state.result,
                "done_at": state.done_at,
                "channel": action.channel if action else None,
                "note": "",
                "waived_at": state.due_at if waived else None,
                "waive_reason": rng.choice(WAIVE_REASONS) if waived else "",
                "updated_at": now,
            }
        )
    return out


def _facts(row: dict, preferred: str | None) -> InterviewFacts:
    return InterviewFacts(
        starts_at=row["starts_at"],
        ends_at=row["starts_at"] + timedelta(minutes=row["duration_minutes"]),
        timeline=row["timeline"].value,
        decision_date=row["decision_date"],
        timeline_recorded_at=row["timeline_recorded_at"],
        outcome=row["outcome"].value,
        outcome_at=row.get("outcome_at"),
        preferred_channel=preferred,
    )


def _channel(rng: random.Random, preferred: str | None) -> str:
    if preferred and rng.random() < 0.85:
        return preferred
    return rng.choices(["email", "handwritten", "phone"], weights=[7, 2, 1])[0]
