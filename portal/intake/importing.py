"""Importing a spreadsheet of candidates, employers or jobs.

``check`` reads every row and says what it will do with it: create a record, match one
already on file (a re-import adds nothing), or refuse it with the reasons. It writes
nothing; the preview shows its result. ``write`` then adds the records of the rows to
create, in the caller's transaction: all of them or, if anything fails, none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select

from ..audit import record
from ..extensions import db
from ..models import (
    PRACTICE_AREAS,
    Assignment,
    AuditEvent,
    Candidate,
    CandidateStatus,
    DuplicatePair,
    Employer,
    EmployerKind,
    Job,
    JobStatus,
    PreferredChannel,
    Role,
    RoleSought,
    User,
)
from ..models.agency import (
    candidate_search_text,
    employer_search_text,
    job_search_text,
    name_key,
    phone_key,
)
from ..models.base import table_of
from ..web.forms import CONTROL_CHARACTERS, LINE_BREAKS
from . import duplicates
from .columns import CHOICE_WORDS, fold, missing
from .phones import PhoneRefused, normalise_phone
from .table import Table

PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]

LIMITS = {"name": 120, "email": 254, "city": 80, "notes": 5000, "title": 160, "location": 120}


@dataclass
class Outcome:
    """What the import does with one row."""

    line: int
    action: str  # create, match or refuse
    label: str  # the row's name or title, for the preview and report
    values: dict = field(default_factory=dict)  # as they will be stored
    reasons: list[str] = field(default_factory=list)  # why it is refused
    matched_id: int | None = None  # the record on file it matches
    duplicates: list[tuple[duplicates.Person, list[str]]] = field(default_factory=list)


@dataclass
class Checked:
    kind: str
    outcomes: list[Outcome]
    missing: list[str]  # required fields no column gives: nothing can be imported

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def flagged(self) -> int:
        return sum(1 for o in self.outcomes if o.action == "create" and o.duplicates)


def check(
    kind: str,
    table: Table,
    mapping: list[str],
    default_role: str = "",
    progress: Progress | None = None,
) -> Checked:
    """What importing ``table`` with this column ``mapping`` would do, row by row."""
    absent = [f.label for f in missing(mapping, kind)]
    if absent:
        return Checked(kind, [], absent)
    checkers: dict[str, type[_Candidates | _Employers | _Jobs]] = {
        "candidates": _Candidates,
        "employers": _Employers,
        "jobs": _Jobs,
    }
    checker = checkers[kind](default_role)
    outcomes = []
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        values = {
            key: row.cells[i].strip() if i < len(row.cells) else ""
            for i, key in enumerate(mapping)
            if key
        }
        outcomes.append(checker.check(row.line, values))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return Checked(kind, outcomes, [])


def _text(values: dict, key: str, reasons: list[str], label: str, required: bool = False) -> str:
    text = values.get(key, "")
    if not CONTROL_CHARACTERS.isdisjoint(text):
        reasons.append(f"{label} holds a character that is not allowed")
        return ""
    if key != "notes" and not LINE_BREAKS.isdisjoint(text):
        text = " ".join(text.split())
    if required and not text:
        reasons.append(f"no {label.lower()}")
    elif len(text) > LIMITS.get(key, 5000):
        reasons.append(f"{label} longer than {LIMITS[key]} characters")
    return text


def _choice(values: dict, key: str, words: str, reasons: list[str], label: str, default, among):
    """The choice a cell names (in English or French), ``default`` for an empty cell."""
    written = values.get(key, "")
    if not written:
        return default
    found = CHOICE_WORDS[words].get(fold(written))
    if found is None:
        known = ", ".join(str(c.label).lower() for c in among)
        reasons.append(f"{label.lower()} \u201c{written}\u201d is not one of: {known}")
    return found


class _Recruiters:
    """Recruiters by email and by name, as a spreadsheet names them."""

    def __init__(self):
        rows = db.session.execute(
            select(User.id, User.email, User.name).where(User.role == Role.RECRUITER)
        ).all()
        self.by_email = {email.lower(): id_ for id_, email, _ in rows}
        by_name: dict[str, list[int]] = {}
        for id_, _, name in rows:
            by_name.setdefault(fold(name), []).append(id_)
        self.by_name = by_name

    def find(self, written: str, reasons: list[str]) -> int | None:
        if not written:
            return None
        found = self.by_email.get(written.lower())
        if found is None:
            named = self.by_name.get(fold(written), [])
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                reasons.append(f"two recruiters are named \u201c{written}\u201d: give an email")
                return None
            reasons.append(f"no recruiter \u201c{written}\u201d (give their email or name)")
        return found


# What a row matches a record on file by: a candidate's email, an employer's name, a job's
# employer, title and place. Each kind's records on file by that key, and the key of a row.


def candidates_on_file() -> dict[str, int]:
    return {e.lower(): i for i, e in db.session.execute(select(Candidate.id, Candidate.email))}


def employers_on_file() -> dict[str, int]:
    return {fold(n): i for i, n in db.session.execute(select(Employer.id, Employer.name))}


def jobs_on_file() -> dict[tuple, int]:
    rows = db.session.execute(select(Job.id, Job.employer_id, Job.title, Job.location))
    return {(e, fold(t), fold(loc)): i for i, e, t, loc in rows}


MATCHED_BY: dict[str, tuple[Callable[[], dict], Callable[[dict], Any]]] = {
    "candidates": (candidates_on_file, lambda values: values["email"]),
    "employers": (employers_on_file, lambda values: fold(values["name"])),
    "jobs": (
        jobs_on_file,
        lambda values: (values["employer_id"], fold(values["title"]), fold(values["location"])),
    ),
}


class _Candidates:
    def __init__(self, default_role: str):
        self.default_role = RoleSought(default_role) if default_role else None
        self.recruiters = _Recruiters()
        self.on_file = candidates_on_file()
        self.index = duplicates.Index.on_file()
        self.in_file: dict[str, int] = {}  # email → the row that has it

    def check(self, line: int, values: dict) -> Outcome:
        reasons: list[str] = []
        name = _text(values, "name", reasons, "Full name")
        if not name and (values.get("first_name") or values.get("last_name")):
            values = {
                **values,
                "name": f"{values.get('first_name', '')} {values.get('last_name', '')}",
            }
            name = _text(values, "name", reasons, "Full name")
        elif not name:
            reasons.append("no name")
        written_email = _text(values, "email", reasons, "Email", required=True)
        email = ""
        if written_email:
            try:
                email = validate_email(written_email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                reasons.append(f"email \u201c{written_email}\u201d is not an email address")
        try:
            phone = normalise_phone(values.get("phone", ""))
        except PhoneRefused as exc:
            reasons.append(f"phone \u201c{values['phone']}\u201d: {exc}")
            phone = ""
        role = _choice(
            values,
            "role_sought",
            "role_sought",
            reasons,
            "Role sought",
            self.default_role,
            RoleSought,
        )
        if role is None and not values.get("role_sought"):
            reasons.append("no role sought (give one in the file, or choose one for such rows)")
        status = _choice(
            values, "status", "status", reasons, "Status", CandidateStatus.ACTIVE, CandidateStatus
        )
        city = _text(values, "city", reasons, "City")
        notes = _text(values, "notes", reasons, "Notes")
        recruiter_id = self.recruiters.find(values.get("recruiter", ""), reasons)
        label = name or written_email or f"row {line}"
        if email and email in self.in_file:
            reasons.append(f"the same email as row {self.in_file[email]}")
        if reasons:
            return Outcome(line, "refuse", label, reasons=reasons)
        self.in_file[email] = line
        stored = {
            "name": name,
            "email": email,
            "phone": phone,
            "role_sought": role,
            "status": status,
            "city": city,
            "notes": notes,
            "recruiter_id": recruiter_id,
        }
        if email in self.on_file:
            return Outcome(line, "match", label, stored, matched_id=self.on_file[email])
        person = duplicates.Person(name, email, phone, city)
        found = self.index.matches(person)
        self.index.add(person)
        return Outcome(line, "create", label, stored, duplicates=found)


class _Employers:
    def __init__(self, default_role: str):
        self.on_file = employers_on_file()
        self.in_file: dict[str, int] = {}

    def check(self, line: int, values: dict) -> Outcome:
        reasons: list[str] = []
        name = _text(values, "name", reasons, "Name", required=True)
        kind = _choice(values, "kind", "kind", reasons, "Kind", EmployerKind.LAW_FIRM, EmployerKind)
        channel = _choice(
            values, "preferred_channel", "preferred_channel", reasons, "Preferred contact channel",
            PreferredChannel.NONE, PreferredChannel,
        )  # fmt: skip
        city = _text(values, "city", reasons, "City")
        notes = _text(values, "notes", reasons, "Notes")
        stored = {
            "name": name,
            "kind": kind,
            "preferred_channel": channel,
            "city": city,
            "notes": notes,
        }
        return _decided(line, name, fold(name), stored, reasons, self, "employer")


class _Jobs:
    def __init__(self, default_role: str):
        self.recruiters = _Recruiters()
        self.employers = employers_on_file()
        self.areas = {fold(area): area for area in PRACTICE_AREAS}
        self.on_file = jobs_on_file()
        self.in_file: dict[tuple, int] = {}

    def check(self, line: int, values: dict) -> Outcome:
        reasons: list[str] = []
        title = _text(values, "title", reasons, "Title", required=True)
        employer_name = values.get("employer", "")
        employer_id = self.employers.get(fold(employer_name))
        if not employer_name:
            reasons.append("no employer")
        elif employer_id is None:
            reasons.append(
                f"no employer \u201c{employer_name}\u201d on file (import employers first)"
            )
        area_written = values.get("practice_area", "")
        area = self.areas.get(fold(area_written))
        if not area_written:
            reasons.append("no practice area")
        elif area is None:
            reasons.append(
                f"practice area \u201c{area_written}\u201d is not one of: {', '.join(PRACTICE_AREAS)}"
            )
        location = _text(values, "location", reasons, "Location")
        status = _choice(
            values, "status", "job_status", reasons, "Status", JobStatus.OPEN, JobStatus
        )
        recruiter_id = self.recruiters.find(values.get("recruiter", ""), reasons)
        stored = {
            "title": title,
            "employer_id": employer_id,
            "practice_area": area,
            "location": location,
            "status": status,
            "recruiter_id": recruiter_id,
        }
        return _decided(line, title, MATCHED_BY["jobs"][1](stored), stored, reasons, self, "job")


def _decided(line: int, label: str, key, stored: dict, reasons: list[str], seen, what: str):
    """Refused (with the reasons, or as the same ``what`` as an earlier row), matched to the
    record on file with this key, or to create. ``seen`` holds ``in_file`` and ``on_file``."""
    if not reasons and key in seen.in_file:
        reasons.append(f"the same {what} as row {seen.in_file[key]}")
    if reasons:
        return Outcome(line, "refuse", label or f"row {line}", reasons=reasons)
    seen.in_file[key] = line
    if key in seen.on_file:
        return Outcome(line, "match", label, stored, matched_id=seen.on_file[key])
    return Outcome(line, "create", label, stored)


# Writing ----------------------------------------------------------------------------------


def write(checked: Checked, actor: User, now: datetime, file_name: str) -> dict[str, int]:
    """Add the records of the rows to create (flushed, not committed): one statement a
    table, whatever the number of rows. Returns the counts for the report."""
    creating = [o for o in checked.outcomes if o.action == "create"]
    if checked.kind == "candidates":
        _write_candidates(creating, actor, now, file_name)
    elif checked.kind == "employers":
        _insert(Employer, [
            {**o.values, "search_text": employer_search_text(o.values["name"], o.values["city"]),
             "created_at": now}
            for o in creating
        ])  # fmt: skip
    else:
        _insert(Job, [
            {**o.values, "search_text": job_search_text(
                o.values["title"], o.values["location"], o.values["practice_area"]),
             "created_at": now}
            for o in creating
        ])  # fmt: skip
    record(
        actor,
        f"{checked.kind[:-1]}.imported",
        f"{file_name}: {len(creating)} added, {checked.count('match')} already on file, "
        f"{checked.count('refuse')} refused",
    )
    return {
        "created": len(creating),
        "matched": checked.count("match"),
        "refused": checked.count("refuse"),
        "flagged": checked.flagged,
    }


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert the rows in one statement; their new ids, in order."""
    if not rows:
        return []
    table = table_of(model)
    result = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [row.id for row in result]


def _write_candidates(creating: list[Outcome], actor: User, now: datetime, file_name: str) -> None:
    ids = _insert(Candidate, [
        {**o.values,
         "search_text": candidate_search_text(o.values["name"], o.values["email"], o.values["phone"]),
         "name_key": name_key(o.values["name"]),
         "phone_key": phone_key(o.values["phone"]),
         "created_at": now, "updated_at": now}
        for o in creating
    ])  # fmt: skip
    assigned = [(id_, o) for id_, o in zip(ids, creating, strict=True) if o.values["recruiter_id"]]
    if assigned:
        db.session.execute(insert(table_of(Assignment)), [
            {"candidate_id": id_, "recruiter_id": o.values["recruiter_id"],
             "assigned_by_id": actor.id, "started_at": now, "note": f"Imported from {file_name}"[:300]}
            for id_, o in assigned
        ])  # fmt: skip
    db.session.execute(insert(table_of(AuditEvent)), [
        {"actor_id": actor.id, "action": "candidate.created", "candidate_id": id_, "at": now,
         "detail": f"{o.values['name']} imported from {file_name} (row {o.line})", "interview_id": None,
         "step_id": None}
        for id_, o in zip(ids, creating, strict=True)
    ])  # fmt: skip
    _flag_duplicates(ids, creating, now)


def _flag_duplicates(ids: list[int], creating: list[Outcome], now: datetime) -> None:
    """A pair for each likely duplicate a new row has (on file, or an earlier new row)."""
    new_id = {(o.values["email"]): id_ for id_, o in zip(ids, creating, strict=True)}
    pairs: dict[tuple[int, int], str] = {}
    for id_, outcome in zip(ids, creating, strict=True):
        for other, reasons in outcome.duplicates:
            other_id = other.id if other.id is not None else new_id.get(other.email.lower())
            if other_id is None or other_id == id_:
                continue
            pairs.setdefault((min(id_, other_id), max(id_, other_id)), ",".join(reasons))
    if not pairs:
        return
    db.session.execute(insert(table_of(DuplicatePair)), [
        {"first_id": first, "second_id": second, "reasons": reasons, "found_through": "import",
         "found_at": now}
        for (first, second), reasons in sorted(pairs.items())
    ])  # fmt: skip


def report_csv(checked: Checked) -> str:
    """Every row with what was done with it, for the admin to download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Outcome", "Name or title", "Reason"])
    words = {"create": "created", "match": "already on file", "refuse": "refused"}
    for o in checked.outcomes:
        reason = "; ".join(o.reasons)
        if o.action == "match":
            reason = f"matches record #{o.matched_id}"
        elif o.duplicates:
            reason = "may be the same person as " + "; ".join(
                f"{p.name} ({duplicates.described(r)})" for p, r in o.duplicates
            )
        writer.writerow([o.line, words[o.action], _safe_cell(o.label), _safe_cell(reason)])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet program will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
