"""Calendar feeds: an unguessable link per person, RFC 5545 events that follow the steps."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from conftest import settle
from portal.extensions import db
from portal.feeds.ics import DueEvent, feed, sequence
from portal.followup import StepKind
from portal.models import Role, Step, User

TORONTO = ZoneInfo("America/Toronto")
FEED_RE = re.compile(r'value="http://portal\.test(/calendar/[A-Za-z0-9_-]+\.ics)"')


def feed_path(client) -> str:
    """Make the signed-in person's calendar link and return its path."""
    assert client.post("/account/calendar/link").status_code == 303
    return FEED_RE.search(client.get("/account/calendar").get_data(as_text=True)).group(1)


def events_of(client, path) -> dict[str, object]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def step_ids(app, interview) -> dict[StepKind, int]:
    with app.app_context():
        return {
            s.kind: s.id
            for s in db.session.scalars(select(Step).where(Step.interview_id == interview.id))
        }


def test_a_candidates_feed_holds_their_own_open_steps(app, client, world, login_as):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    path = feed_path(me)
    events = events_of(client, path)  # no sign-in: the link is the key
    mine, theirs = step_ids(app, world.interview_a), step_ids(app, world.interview_b)
    assert {f"step-{mine[kind]}@portal.test" for kind in StepKind} == set(events)
    assert not any(f"step-{i}@" in uid for i in theirs.values() for uid in events)
    thank_you = events[f"step-{mine[StepKind.THANK_YOU]}@portal.test"]
    assert str(thank_you["SUMMARY"]) == "Thank-you note: Fenwick Ormsby LLP"
    with app.app_context():
        due = db.session.get(Step, mine[StepKind.THANK_YOU]).due_at.replace(
            microsecond=0
        )  # iCalendar keeps seconds
    assert thank_you.decoded("DTEND") == due and thank_you.decoded("DTSTART") == due - timedelta(
        minutes=30
    )
    assert "http://portal.test/me/#interview-" in str(thank_you["DESCRIPTION"])
    assert thank_you.walk("VALARM")  # candidates get a reminder an hour before


def test_events_follow_the_steps(app, client, world, login_as):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    path = feed_path(me)
    ids = step_ids(app, world.interview_a)
    uid = f"step-{ids[StepKind.THANK_YOU]}@portal.test"
    before = events_of(client, path)[uid].decoded("DTEND")

    admin = login_as(Role.ADMIN, user=world.admin)
    admin.post(
        "/admin/policy",
        data={
            "timeline_business_days": 1,
            "thank_you_hours": 48,
            "follow_up_opens_business_days": 3,
            "follow_up_due_business_days": 5,
            "assumed_decision_business_days": 10,
            "move_on_business_days": 5,
            "due_soon_hours": 24,
            "day_ends_at": "17:00",
        },
    )
    settle()  # the change reaches the open steps right after the response
    moved = events_of(client, path)[uid]
    assert moved.decoded("DTEND") == before + timedelta(hours=24)
    assert int(moved["SEQUENCE"]) >= 0


def test_a_step_marked_done_leaves_the_feed(app, client, world, make, login_as):
    interview = make.interview(
        world.candidate_a, world.employer, starts_at=datetime.now(UTC) - timedelta(hours=3)
    )
    me = login_as(Role.CANDIDATE, user=world.user_a)
    path = feed_path(me)
    step_id = step_ids(app, interview)[StepKind.THANK_YOU]
    uid = f"step-{step_id}@portal.test"
    assert uid in events_of(client, path)
    response = me.post(
        f"/me/steps/{step_id}/sent",
        data={
            f"step{step_id}-done_at": (datetime.now(UTC) - timedelta(hours=1))
            .astimezone(TORONTO)
            .strftime("%Y-%m-%dT%H:%M"),
            f"step{step_id}-channel": "email",
        },
    )
    assert response.status_code == 303
    assert uid not in events_of(client, path)


def test_a_recruiters_feed_is_their_caseload(app, client, world, login_as):
    path = feed_path(login_as(Role.RECRUITER, user=world.recruiter_a))
    events = events_of(client, path)
    a, b = step_ids(app, world.interview_a), step_ids(app, world.interview_b)
    assert {f"step-{a[kind]}@portal.test" for kind in StepKind} == set(events)
    summary = str(events[f"step-{a[StepKind.FOLLOW_UP]}@portal.test"]["SUMMARY"])
    assert summary == "Follow-up: Casey Alpha (Fenwick Ormsby LLP)"
    assert not set(events) & {f"step-{i}@portal.test" for i in b.values()}


def test_replacing_the_link_stops_the_old_one(client, world, login_as):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    first = feed_path(me)
    second = feed_path(me)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_deactivated_persons_feed_is_gone(app, client, world, login_as):
    path = feed_path(login_as(Role.CANDIDATE, user=world.user_a))
    with app.app_context():
        db.session.get(User, world.user_a.id).active = False
        db.session.commit()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("token", ["short", "x" * 65, "../../etc/passwd", "a" * 43])
def test_a_wrong_token_is_not_found(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_calendar_page_offers_to_make_a_link_first(world, login_as):
    page = (
        login_as(Role.CANDIDATE, user=world.user_a).get("/account/calendar").get_data(as_text=True)
    )
    assert "Make my calendar link" in page and ".ics" not in page


def test_text_with_commas_semicolons_and_line_breaks_survives_the_feed():
    now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    event = DueEvent(
        uid="step-1@test",
        summary="Thank-you note: Hale, Birch; & Co.\nLLP",
        description="Line one,\nline two; done",
        due_at=now + timedelta(days=1),
        url="http://x.test/",
        last_modified=now,
    )
    parsed = Calendar.from_ical(feed("Mine", "Agency", [event], now))
    [back] = parsed.walk("VEVENT")
    assert str(back["SUMMARY"]) == event.summary and str(back["DESCRIPTION"]) == event.description
    assert str(parsed["VERSION"]) == "2.0" and "PRODID" in parsed
    assert back.decoded("DTSTAMP") == now


def test_sequence_grows_with_each_change():
    earlier = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert sequence(earlier + timedelta(minutes=5)) > sequence(earlier) >= 0


def test_a_name_with_a_line_break_cannot_break_the_feed(app, client, make, world, login_as):
    recruiter = make.user(Role.RECRUITER, name="Riley\nBEGIN:VEVENT")
    path = feed_path(login_as(Role.RECRUITER, user=recruiter))
    response = client.get(path)
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Follow-up steps: Riley BEGIN:VEVENT's candidates"
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE")  # an empty calendar still has a component (RFC 5545)
