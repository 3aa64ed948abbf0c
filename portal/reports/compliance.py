"""The compliance report: on-time rate by recruiter, candidate or employer, a weekly trend, CSV.

Compliance rate = steps done on time / steps that were due (done, late, overdue or missed); waived
steps leave the figures (docs/policy.md). Steps are credited to the recruiter responsible
for them (``Step.recruiter_id``) and counted by the week they fell due. The report reads
the steps table alone, through an index that holds every column it needs.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, String, false, func, select, type_coerce

from ..extensions import db
from ..followup import Status, week_of
from ..models import Candidate, Employer, Role, Step, User
from ..steps.calendar import business_calendar

DONE_LATE = (Status.DONE_LATE.value, Status.TOO_EARLY.value, Status.WRONG_CHANNEL.value)

GROUPS = {
    "recruiter": "Recruiter",
    "candidate": "Candidate",
    "employer": "Employer",
}


@dataclass(frozen=True)
class ComplianceRow:
    key: int | None
    name: str
    on_time: int
    late: int  # done late, too early or by the wrong channel
    overdue: int  # still open, past its due time
    missed: int  # not done when its interview was closed
    waived: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue + self.missed

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def __add__(self, other: ComplianceRow) -> ComplianceRow:
        return ComplianceRow(
            self.key,
            self.name,
            self.on_time + other.on_time,
            self.late + other.late,
            self.overdue + other.overdue,
            self.missed + other.missed,
            self.waived + other.waived,
        )


@dataclass(frozen=True)
class Week:
    starts: date
    on_time: int
    due: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class Report:
    rows: list[ComplianceRow]  # this page's rows, or every row
    row_count: int
    weeks: list[Week]
    total: ComplianceRow


def _tallies(now: datetime):
    """on_time, late, overdue, missed and waived counts, as aggregate columns (FILTER clauses)."""
    result = type_coerce(Step.result, String)
    return (
        func.count().filter(result == Status.DONE_ON_TIME.value).label("on_time"),
        func.count().filter(result.in_(DONE_LATE)).label("late"),
        func.count().filter(Step.result.is_(None), Step.due_at < now).label("overdue"),
        func.count().filter(result == Status.MISSED.value).label("missed"),
        func.count().filter(result == Status.WAIVED.value).label("waived"),
    )


def _period(user: User, start: datetime, end: datetime, recruiter_id: int | None) -> Select:
    """Steps due in the period that this person's report covers."""
    calendar = business_calendar()
    first_week, last_week = (
        week_of(start, calendar),
        week_of(end - timedelta(microseconds=1), calendar),
    )
    # The week bounds let the database walk the report index in order; the times are exact.
    query = select(Step).where(
        Step.due_week.between(first_week, last_week), Step.due_at >= start, Step.due_at < end
    )
    if user.role == Role.RECRUITER:
        query = query.where(Step.recruiter_id == user.id)
    elif user.role != Role.ADMIN:
        query = query.where(false())
    if recruiter_id is not None:
        query = query.where(Step.recruiter_id == recruiter_id)
    return query


def _row(key, name, r) -> ComplianceRow:
    return ComplianceRow(
        key, name, r.on_time or 0, r.late or 0, r.overdue or 0, r.missed or 0, r.waived or 0
    )


NAMES = {
    "recruiter": (Step.recruiter_id, User.id, User.name),
    "candidate": (Step.candidate_id, Candidate.id, Candidate.name),
    "employer": (Step.employer_id, Employer.id, Employer.name),
}


def _names(group: str, keys) -> dict:
    _, id_column, name_column = NAMES[group]
    wanted = [k for k in keys if k is not None]
    names: dict[int | None, str] = dict(
        db.session.execute(select(id_column, name_column).where(id_column.in_(wanted)))
        .tuples()
        .all()
    )
    names[None] = "Unassigned"
    return names


def report(
    user: User,
    group: str,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    recruiter_id: int | None = None,
    page: int | None = None,
    per_page: int = 25,
) -> Report:
    """Rows per recruiter, candidate or employer, the weekly trend and the total.

    Recruiters and employers are few, so one grouped pass by (who, week) gives all three.
    Candidates are many: their rows are a grouped page, the weeks a second pass.
    With ``page`` None, every row is returned (for the CSV).
    """
    key = NAMES[group][0]
    period = _period(user, start, end, recruiter_id)
    if group in ("recruiter", "employer"):
        # Plain lists, not rows: this loop sees every (who, week) pair of the period.
        by_key: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
        by_week: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
        for row_key, week, *tallies in db.session.execute(
            period.with_only_columns(key, Step.due_week, *_tallies(now)).group_by(
                Step.due_week, key
            )
        ).tuples():
            for sums in (by_key[row_key], by_week[week]):
                for i, n in enumerate(tallies):
                    sums[i] += n
        names = _names(group, by_key)
        rows = sorted(
            (ComplianceRow(k, names.get(k, "?"), *v) for k, v in by_key.items()),
            key=lambda row: (row.name.casefold(), row.key or 0),
        )
        count = len(rows)
        total = _sum(rows)
        if page is not None:
            rows = rows[(page - 1) * per_page : page * per_page]
        weeks = [
            Week(day, on_time, on_time + late + overdue + missed)
            for day, (on_time, late, overdue, missed, _) in sorted(by_week.items())
        ]
    else:
        grouped = period.with_only_columns(key.label("key"), *_tallies(now)).group_by(key)
        counted = (
            db.session.scalar(select(func.count()).select_from(grouped.subquery()))
            if page
            else None
        )
        ordered = (
            grouped.join(Candidate, Candidate.id == Step.candidate_id)
            .add_columns(Candidate.name)
            .group_by(Candidate.name)
            .order_by(Candidate.name, key)
        )
        if page is not None:
            ordered = ordered.limit(per_page).offset((page - 1) * per_page)
        rows = [_row(r.key, r.name, r) for r in db.session.execute(ordered)]
        count = len(rows) if counted is None else counted
        weeks = [
            Week(r.due_week, r.on_time or 0, _row(None, "", r).due)
            for r in db.session.execute(
                period.with_only_columns(Step.due_week, *_tallies(now))
                .group_by(Step.due_week)
                .order_by(Step.due_week)
            )
        ]
        total = _row(
            None, "All", db.session.execute(period.with_only_columns(*_tallies(now))).one()
        )
    return Report(rows, count, weeks, total)


def _sum(rows) -> ComplianceRow:
    return sum(
        rows, ComplianceRow(None, "All", 0, 0, 0, 0, 0)
    )  # __add__ keeps the left key and name


def totals(user: User, start: datetime, end: datetime, now: datetime) -> ComplianceRow:
    """One person's (or the agency's) figures for a period: the dashboard's summary."""
    return _row(
        None,
        "All",
        db.session.execute(_period(user, start, end, None).with_only_columns(*_tallies(now))).one(),
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(group_label: str, rows: list[ComplianceRow], total: ComplianceRow) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            group_label,
            "Done on time",
            "Done late, too early or wrong channel",
            "Overdue",
            "Missed (not done when the interview closed)",
            "Due in all",
            "Compliance rate (%)",
            "Waived",
        ]
    )
    for row in [*rows, total]:
        rate = "" if row.rate is None else f"{row.rate * 100:.1f}"
        writer.writerow(
            [
                csv_cell(row.name),
                row.on_time,
                row.late,
                row.overdue,
                row.missed,
                row.due,
                rate,
                row.waived,
            ]
        )
    return out.getvalue()
