"""Times are stored in UTC and entered and shown in Toronto time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.extensions import db
from portal.models import Interview, InterviewFormat
from portal.times import (
    NonexistentLocalTime,
    due_words,
    format_local,
    local_day_bounds,
    local_to_utc,
)

TORONTO = ZoneInfo("America/Toronto")


@pytest.mark.parametrize(
    "wall, expected",
    [
        (datetime(2026, 7, 1, 9, 0), datetime(2026, 7, 1, 13, 0, tzinfo=UTC)),  # EDT
        (datetime(2026, 12, 24, 16, 30), datetime(2026, 12, 24, 21, 30, tzinfo=UTC)),  # EST
        (
            datetime(2026, 3, 8, 3, 0),
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        ),  # just after spring forward
        (
            datetime(2026, 11, 1, 1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),  # repeated hour: first one
    ],
)
def test_local_to_utc(wall, expected):
    assert local_to_utc(wall, TORONTO) == expected


def test_skipped_hour_is_refused():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime(2026, 3, 8, 2, 30), TORONTO)


def test_day_bounds_follow_dst():
    start, end = local_day_bounds(datetime(2026, 3, 8).date(), TORONTO)
    assert (end - start).total_seconds() == 23 * 3600


def test_shown_in_toronto(app):
    with app.app_context():
        assert format_local(datetime(2026, 1, 5, 14, 0, tzinfo=UTC)) == "Mon 5 Jan 2026, 09:00"


def test_naive_datetimes_are_refused_on_the_way_in(app, make):
    candidate = make.candidate()
    employer = make.employer()
    with app.app_context():
        db.session.add(
            Interview(
                candidate_id=candidate.id,
                employer_id=employer.id,
                starts_at=datetime(2026, 1, 5, 9),
                duration_minutes=30,
                format=InterviewFormat.PHONE,
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            db.session.flush()
        db.session.rollback()


def test_round_trip_is_aware_utc(app, make, fetch):
    interview = make.interview(
        make.candidate(), make.employer(), starts_at=datetime(2026, 5, 5, 10, 0, tzinfo=TORONTO)
    )
    stored = fetch(Interview, interview.id)
    assert stored.starts_at == datetime(2026, 5, 5, 14, 0, tzinfo=UTC)
    assert stored.starts_at.tzinfo == UTC


def toronto(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


NOW = toronto(2026, 11, 24, 9, 15)  # a Tuesday morning


@pytest.mark.parametrize(
    "due, expected",
    [
        (toronto(2026, 11, 24, 17, 0), "by 17:00 today"),
        (toronto(2026, 11, 25, 10, 30), "by tomorrow 10:30"),
        (toronto(2026, 11, 26, 10, 30), "by Thursday 10:30"),
        (toronto(2026, 11, 30, 17, 0), "by Monday 17:00"),
        (toronto(2026, 12, 1, 17, 0), "by Tue 1 Dec, 17:00"),
        (toronto(2027, 1, 4, 17, 0), "by Mon 4 Jan 2027, 17:00"),
        (toronto(2026, 11, 24, 9, 0), "was due 09:00 today"),
        (toronto(2026, 11, 23, 17, 0), "was due yesterday 17:00"),
        (toronto(2026, 11, 19, 17, 0), "was due Thursday 17:00"),
        (toronto(2026, 11, 10, 17, 0), "was due Tue 10 Nov, 17:00"),
        # Stored in UTC: 02:00 UTC on the 25th is still the evening of the 24th in Toronto.
        (datetime(2026, 11, 25, 2, 0, tzinfo=UTC), "by 21:00 today"),
    ],
)
def test_due_words(due, expected):
    assert due_words(due.astimezone(UTC), NOW.astimezone(UTC), TORONTO) == expected
