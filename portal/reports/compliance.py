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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, false, func, select, type_coerce

from ..extensions import db
from ..followup import Status, week_of
from ..models import Candidate, Employer, Role, Step, StepTally, User
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
        sums = tallied(user, group, start, end, now, recruiter_id)
        # Who and which weeks had something due or waived: the same whether counted from
        # the rollup (which has no empty rows) or from the steps (which list a recruiter
        # whose steps are all still upcoming).
        by_key = {key: counts for key, counts in sums.by_key.items() if any(counts)}
        by_week = {week: counts for week, counts in sums.by_week.items() if any(counts)}
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
    sums = [0, 0, 0, 0, 0]
    for counts in tallied(user, "recruiter", start, end, now, None).by_key.values():
        for i, n in enumerate(counts):
            sums[i] += n
    return ComplianceRow(None, "All", *sums)


# Where each stored result is counted: on time, late, missed or waived (the columns of
# ComplianceRow after the key and name, overdue being the third).
RESULT_COLUMN = {
    Status.DONE_ON_TIME.value: 0,
    **{result: 1 for result in DONE_LATE},
    Status.MISSED.value: 3,
    Status.WAIVED.value: 4,
}


@dataclass
class Tallied:
    """[on time, late, overdue, missed, waived] per recruiter (or employer), and per week."""

    by_key: dict[int | None, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0])
    )
    by_week: dict[date, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0])
    )

    def add(self, key: int | None, week: date, column: int, n: int) -> None:
        """Count ``n`` in ``column`` for the key and for the week."""
        self.by_key[key][column] += n
        self.by_week[week][column] += n


ROLLUP_FROM = timedelta(weeks=8)  # periods with fewer whole weeks read the steps alone


def tallied(
    user: User,
    group: str,
    start: datetime,
    end: datetime,
    now: datetime,
    recruiter_id: int | None,
) -> Tallied:
    """The counts of the steps due in [start, end) that this person's report covers, per
    recruiter or employer and per week.

    By recruiter, the whole weeks inside the period come from the rollup (``StepTally``,
    settled steps) plus the open steps past due, counted live from their index, each
    summed by the database per recruiter and per week; the part weeks at either end, and
    the report by employer, come from the steps themselves. Both give what ``_period``
    and ``_tallies`` count (a test compares them), at a cost that follows the recruiters
    and the weeks, not the steps."""
    out = Tallied()
    calendar = business_calendar()
    first = week_of(start, calendar)
    if calendar.at(first, time.min) < start:
        first += timedelta(weeks=1)
    whole_from = calendar.at(first, time.min)
    last = week_of(end, calendar)
    whole_until = calendar.at(last, time.min)
    # A few weeks cost less read from the steps in one query than in the rollup's four.
    rollup = group == "recruiter" and whole_until - whole_from >= ROLLUP_FROM
    edges = [(start, whole_from), (whole_until, end)] if rollup else [(start, end)]
    key = NAMES[group][0]
    for edge_start, edge_end in edges:
        if edge_start >= edge_end:
            continue
        for row_key, week, *counts in db.session.execute(
            _period(user, edge_start, edge_end, recruiter_id)
            .with_only_columns(key, Step.due_week, *_tallies(now))
            .group_by(Step.due_week, key)
        ).tuples():
            for column, n in enumerate(counts):
                out.add(row_key, week, column, n)
    if not rollup or user.role not in (Role.ADMIN, Role.RECRUITER):
        return out
    who = recruiter_id if user.role == Role.ADMIN else user.id
    settled = [StepTally.due_week >= first, StepTally.due_week < last]
    overdue = [
        Step.result.is_(None),
        Step.due_at >= whole_from,
        Step.due_at < min(whole_until, now),
    ]
    if who is not None:
        settled.append(StepTally.recruiter_key == who)
        overdue.append(Step.recruiter_id == who)
    # Summed by the database twice, per recruiter and per week: tens of rows, not thousands.
    passes: list[tuple[dict[Any, list[int]], Any, Any]] = [
        (out.by_key, StepTally.recruiter_key, Step.recruiter_id),
        (out.by_week, StepTally.due_week, Step.due_week),
    ]
    for sums, tally_column, step_column in passes:
        for value, result, n in db.session.execute(
            select(tally_column, StepTally.result, func.sum(StepTally.steps))
            .where(*settled)
            .group_by(tally_column, StepTally.result)
        ).tuples():
            counted_as = RESULT_COLUMN.get(result)
            if counted_as is not None and n:
                sums[value or None][counted_as] += n  # recruiter_key 0: nobody
        for value, n in db.session.execute(
            select(step_column, func.count()).where(*overdue).group_by(step_column)
        ).tuples():
            sums[value][2] += n
    return out


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(
    group_label: str,
    rows: list[ComplianceRow],
    total: ComplianceRow,
    told: dict[int, tuple[str, int, int]] | None = None,
) -> str:
    """The report as CSV; ``told`` (by employer: its name, applicants told within 45 days,
    of those due) adds two columns, and a row for an employer with no step due."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    extra = ["Applicants told within 45 days", "Of those due"] if told is not None else []
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
            *extra,
        ]
    )
    listed = {row.key for row in rows}
    only_told = [
        ComplianceRow(key, name, 0, 0, 0, 0, 0)
        for key, (name, _, _) in sorted((told or {}).items(), key=lambda kv: kv[1][0].casefold())
        if key not in listed
    ]
    for row in [*rows, *only_told, total]:
        rate = "" if row.rate is None else f"{row.rate * 100:.1f}"
        more: list[int | str] = []
        if told is not None and row is total:
            more = [sum(t for _, t, _ in told.values()), sum(d for _, _, d in told.values())]
        elif told is not None:
            entry = told.get(row.key) if row.key is not None else None
            more = [entry[1], entry[2]] if entry is not None else ["", ""]
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
                *more,
            ]
        )
    return out.getvalue()
