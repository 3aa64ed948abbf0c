"""The compliance report and the SQL status rules, which must agree with the rules engine."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.followup import Policy, Status, StepKind, assess
from portal.models import Role, Step, User
from portal.reports.chart import trend_chart
from portal.reports.compliance import Week, csv_cell
from portal.reports.queue import status_of
from portal.steps.actions import mark_done
from portal.steps.calendar import business_calendar
from portal.steps.sync import state_of

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("offset_hours", [-400, -30, -1, 0, 1, 5, 23, 25, 80, 300, 800])
def test_sql_status_agrees_with_the_rules_engine(app, world, make, offset_hours):
    """Statuses counted by the database are the ones the interview page shows."""
    starts = NOW + timedelta(hours=offset_hours) - timedelta(days=3)
    make.interview(world.candidate_a, world.employer, starts_at=starts)
    policy = Policy()
    with app.app_context():
        rows = db.session.execute(select(Step, status_of(NOW, policy))).all()
        assert rows
        for step, sql_status in rows:
            expected = assess(state_of(step), NOW, policy, business_calendar()).status
            assert Status(sql_status) == expected, step


def _complete(app, interview_id, kind, when, channel="email"):
    with app.test_request_context():
        step = db.session.scalar(
            select(Step).where(Step.interview_id == interview_id, Step.kind == kind)
        )
        mark_done(step, db.session.get(User, step.recruiter_id), when, channel=channel)
        db.session.commit()


def test_report_counts_on_time_late_and_overdue_for_my_candidates_only(app, world, make, login_as):
    past = datetime.now(UTC) - timedelta(days=40)
    mine = make.interview(world.candidate_a, world.employer, starts_at=past)
    make.interview(world.candidate_b, world.employer, starts_at=past)
    _complete(app, mine.id, StepKind.THANK_YOU, past + timedelta(hours=3))
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get("/reports/compliance").get_data(as_text=True)
    assert "Riley Assigned" in page and "Rowan Other" not in page
    assert "<svg" in page and "On-time rate by week" in page
    # one on time (thank-you), three overdue (timeline, follow-up, move on) = 25 %
    assert "25%" in page
    admin = login_as(Role.ADMIN, user=world.admin)
    page = admin.get("/reports/compliance").get_data(as_text=True)
    assert "Riley Assigned" in page and "Rowan Other" in page


def test_csv_has_the_same_rows_and_cannot_run_formulas(app, world, make, login_as):
    past = datetime.now(UTC) - timedelta(days=40)
    candidate = make.candidate(world.recruiter_a, name='=HYPERLINK("http://x")')
    make.interview(candidate, world.employer, starts_at=past)
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    response = client.get("/reports/compliance.csv?group=candidate")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Candidate"
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names and names[-1] == "All"
    assert "Corey Beta" not in names


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plain", "Plain"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value, expected):
    assert csv_cell(value) == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2026-05-01&end=2026-04-01", "The start is after the end."),
        ("start=1850-01-01", "out of range"),
        ("start=2020-01-01&end=2026-01-01", "at most three years"),
        ("group=everyone", "Not a valid choice"),
        ("start=yesterday", "Not a valid date value"),
    ],
)
def test_report_refuses_bad_filters(world, login_as, query, message):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    for url in ("/reports/compliance", "/reports/compliance.csv"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_a_reassigned_candidates_open_steps_follow_them(app, world, make, login_as):
    past = datetime.now(UTC) - timedelta(days=10)
    interview = make.interview(world.candidate_a, world.employer, starts_at=past)
    _complete(app, interview.id, StepKind.THANK_YOU, past + timedelta(hours=2))
    admin = login_as(Role.ADMIN, user=world.admin)
    response = admin.post(
        f"/admin/candidates/{world.candidate_a.id}/assignment",
        data={"recruiter_id": world.recruiter_b.id},
    )
    assert response.status_code == 303
    with app.app_context():
        owners = dict(
            db.session.execute(
                select(Step.kind, Step.recruiter_id).where(Step.interview_id == interview.id)
            )
            .tuples()
            .all()
        )
    assert owners[StepKind.THANK_YOU] == world.recruiter_a.id  # done under recruiter A
    assert owners[StepKind.TIMELINE] == world.recruiter_b.id  # still open: now B's


def test_trend_chart_leaves_a_gap_for_weeks_with_nothing_due():
    weeks = [
        Week(datetime(2026, 5, 4).date(), 1, 2),
        Week(datetime(2026, 5, 11).date(), 3, 3),
        Week(datetime(2026, 5, 18).date(), 0, 0),  # nothing due: no point, the line breaks
        Week(datetime(2026, 5, 25).date(), 0, 4),
        Week(datetime(2026, 6, 1).date(), 1, 4),
    ]
    chart = trend_chart(weeks)
    assert [p.label for p in chart.points] == [
        "Week of 4 May 2026: 50% on time (1 of 2)",
        "Week of 11 May 2026: 100% on time (3 of 3)",
        "Week of 25 May 2026: 0% on time (0 of 4)",
        "Week of 1 Jun 2026: 25% on time (1 of 4)",
    ]
    assert len(chart.lines) == 2  # two runs of weeks, either side of the gap
    top, bottom = chart.y_ticks[-1].at, chart.y_ticks[0].at
    assert (
        chart.points[1].y == top and chart.points[2].y == bottom
    )  # 100 % at the top, 0 % at the foot
    assert chart.points[0].x == chart.left and chart.points[-1].x == chart.right
    assert not chart.empty and trend_chart([Week(datetime(2026, 5, 4).date(), 0, 0)]).empty


def test_report_page_draws_the_chart_without_script_or_style(app, busy_world, login_as):
    page = (
        login_as(Role.ADMIN, user=busy_world.admin)
        .get("/reports/compliance")
        .get_data(as_text=True)
    )
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<circle" in svg and "<title" in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg


def test_a_report_page_past_the_last_shows_the_last(busy_world, login_as):
    admin = login_as(Role.ADMIN, user=busy_world.admin)
    response = admin.get("/reports/compliance?group=candidate&page=50")
    assert response.status_code == 200 and "Casey Alpha" in response.get_data(as_text=True)
