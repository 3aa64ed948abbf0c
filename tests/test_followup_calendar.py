"""Business days in Toronto: Ontario's statutory holidays, the Canada Day substitute, and the
clock changes. Pure Python: no app, no database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.followup import AGENCY_ZONE, BusinessCalendar

CAL = BusinessCalendar()


def wall(moment: datetime) -> str:
    """An instant as the Toronto wall clock shows it, weekday first: "Sun 2026-03-08 10:00"."""
    return CAL.local(moment).strftime("%a %Y-%m-%d %H:%M %Z")


def toronto(day: date, clock: str) -> datetime:
    return CAL.at(day, time.fromisoformat(clock))


def test_default_zone_and_region():
    assert AGENCY_ZONE == "America/Toronto"
    assert str(CAL.zone) == "America/Toronto"
    assert CAL.region == ("CA", "ON")


# --- is_business_day / holiday ---------------------------------------------------------------


@pytest.mark.parametrize(
    "day, business, holiday",
    [
        pytest.param(date(2026, 6, 9), True, None, id="ordinary Tuesday"),
        pytest.param(date(2026, 6, 13), False, None, id="Saturday"),
        pytest.param(date(2026, 6, 14), False, None, id="Sunday"),
        pytest.param(date(2026, 1, 1), False, "New Year's Day", id="New Year's Day 2026 (Thu)"),
        pytest.param(date(2026, 2, 16), False, "Family Day", id="Family Day 2026 (Mon)"),
        pytest.param(date(2026, 4, 3), False, "Good Friday", id="Good Friday 2026"),
        pytest.param(date(2026, 4, 6), True, None, id="Easter Monday 2026 is worked in Ontario"),
        pytest.param(date(2026, 5, 18), False, "Victoria Day", id="Victoria Day 2026"),
        pytest.param(date(2026, 8, 3), True, None, id="Civic Holiday 2026 is not statutory"),
        pytest.param(date(2026, 10, 12), False, "Thanksgiving Day", id="Thanksgiving 2026"),
        pytest.param(
            date(2026, 11, 11), True, None, id="Remembrance Day 2026 is not statutory in ON"
        ),
        pytest.param(date(2027, 7, 1), False, "Canada Day", id="Canada Day 2027 (Thu)"),
        pytest.param(date(2027, 7, 2), True, None, id="day after a weekday Canada Day is worked"),
        pytest.param(date(2028, 7, 1), False, "Canada Day", id="Canada Day 2028 (Sat)"),
        pytest.param(
            date(2028, 7, 3),
            False,
            "Canada Day (observed)",
            id="Canada Day 2028 on Sat: Mon 3 Jul observed",
        ),
        pytest.param(date(2028, 7, 4), True, None, id="Tue 4 Jul 2028 worked"),
        pytest.param(date(2029, 7, 1), False, "Canada Day", id="Canada Day 2029 (Sun)"),
        pytest.param(
            date(2029, 7, 2),
            False,
            "Canada Day (observed)",
            id="Canada Day 2029 on Sun: Mon 2 Jul observed",
        ),
        pytest.param(date(2029, 7, 3), True, None, id="Tue 3 Jul 2029 worked"),
        pytest.param(date(2026, 12, 24), True, None, id="Christmas Eve 2026 is worked"),
        pytest.param(date(2026, 12, 25), False, "Christmas Day", id="Christmas 2026 (Fri)"),
        pytest.param(date(2026, 12, 26), False, "Boxing Day", id="Boxing Day 2026 (Sat)"),
        pytest.param(
            date(2026, 12, 28),
            False,
            "Boxing Day (observed)",
            id="Boxing Day 2026 observed Mon 28 Dec",
        ),
        pytest.param(date(2026, 12, 29), True, None, id="Tue 29 Dec 2026 worked"),
        pytest.param(date(2027, 12, 24), True, None, id="Christmas Eve 2027 (Fri) is worked"),
        pytest.param(
            date(2027, 12, 27),
            False,
            "Christmas Day (observed)",
            id="Christmas 2027 (Sat) observed Mon 27 Dec",
        ),
        pytest.param(
            date(2027, 12, 28),
            False,
            "Boxing Day (observed)",
            id="Boxing Day 2027 (Sun) observed Tue 28 Dec",
        ),
        pytest.param(date(2027, 12, 29), True, None, id="Wed 29 Dec 2027 worked"),
        pytest.param(
            date(2022, 12, 26),
            False,
            "Boxing Day; Christmas Day (observed)",
            id="Christmas 2022 (Sun) observed Mon 26 Dec",
        ),
        pytest.param(
            date(2022, 12, 27),
            False,
            "Boxing Day (observed)",
            id="Christmas 2022 on Sunday: Boxing Day observed Tue 27 Dec",
        ),
        pytest.param(
            date(2033, 12, 27),
            False,
            "Boxing Day (observed)",
            id="Christmas 2033 on Sunday: Boxing Day observed Tue 27 Dec",
        ),
        pytest.param(date(2033, 12, 28), True, None, id="Wed 28 Dec 2033 worked"),
        pytest.param(
            date(2026, 12, 27), False, None, id="Sun 27 Dec 2026 is a weekend, not a holiday"
        ),
        pytest.param(
            date(2028, 12, 27), True, None, id="Wed 27 Dec 2028 worked (Christmas on Monday)"
        ),
    ],
)
def test_is_business_day(day, business, holiday):
    assert CAL.is_business_day(day) is business
    assert CAL.holiday(day) == holiday


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 7, 2), id="Thu after a Wednesday Canada Day"),
        pytest.param(date(2026, 7, 6), id="Mon after a Wednesday Canada Day"),
        pytest.param(date(2028, 7, 2), id="Sunday after a Saturday Canada Day"),
        pytest.param(date(2029, 7, 3), id="Tuesday after a Sunday Canada Day"),
        pytest.param(date(2029, 7, 9), id="a later Monday in July"),
    ],
)
def test_canada_day_substitute_is_only_the_monday_after_a_weekend(day):
    assert CAL.holiday(day) is None


def test_holiday_lookups_are_stable_when_repeated():
    calendar = BusinessCalendar()
    first = [calendar.holiday(date(2028, 7, 3)), calendar.holiday(date(2026, 4, 3))]
    again = [calendar.holiday(date(2028, 7, 3)), calendar.holiday(date(2026, 4, 3))]
    assert first == again == ["Canada Day (observed)", "Good Friday"]


# --- add_business_days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, count, expected, skipped",
    [
        pytest.param(
            date(2026, 6, 9), 0, date(2026, 6, 9), [], id="count 0 on a business day: same day"
        ),
        pytest.param(
            date(2026, 6, 13), 0, date(2026, 6, 15), [], id="count 0 on a Saturday: Monday"
        ),
        pytest.param(
            date(2026, 4, 3),
            0,
            date(2026, 4, 6),
            ["Good Friday"],
            id="count 0 on Good Friday: Easter Monday",
        ),
        pytest.param(
            date(2026, 12, 26),
            0,
            date(2026, 12, 29),
            ["Boxing Day (observed)"],
            id="count 0 on Boxing Day (Sat): Tue 29 Dec, weekend day not named",
        ),
        pytest.param(date(2026, 6, 9), 1, date(2026, 6, 10), [], id="Tue + 1: Wed"),
        pytest.param(
            date(2026, 6, 12), 1, date(2026, 6, 15), [], id="Fri + 1: Mon, weekend not named"
        ),
        pytest.param(date(2026, 6, 13), 1, date(2026, 6, 15), [], id="Sat + 1: Mon"),
        pytest.param(date(2026, 6, 10), 5, date(2026, 6, 17), [], id="Wed + 5: next Wed"),
        pytest.param(
            date(2026, 4, 2),
            1,
            date(2026, 4, 6),
            ["Good Friday"],
            id="Thu before Good Friday + 1: Easter Monday",
        ),
        pytest.param(
            date(2026, 5, 15),
            1,
            date(2026, 5, 19),
            ["Victoria Day"],
            id="Fri before Victoria Day + 1: Tue",
        ),
        pytest.param(
            date(2026, 2, 13),
            1,
            date(2026, 2, 17),
            ["Family Day"],
            id="Fri before Family Day + 1: Tue",
        ),
        pytest.param(
            date(2026, 7, 31),
            1,
            date(2026, 8, 3),
            [],
            id="Fri before Civic Holiday + 1: Mon (not statutory)",
        ),
        pytest.param(
            date(2026, 10, 9),
            1,
            date(2026, 10, 13),
            ["Thanksgiving Day"],
            id="Fri before Thanksgiving + 1: Tue",
        ),
        pytest.param(
            date(2028, 6, 30),
            1,
            date(2028, 7, 4),
            ["Canada Day (observed)"],
            id="Fri 30 Jun 2028 + 1: Tue 4 Jul (Canada Day on Sat)",
        ),
        pytest.param(
            date(2029, 6, 29),
            1,
            date(2029, 7, 3),
            ["Canada Day (observed)"],
            id="Fri 29 Jun 2029 + 1: Tue 3 Jul (Canada Day on Sun)",
        ),
        pytest.param(
            date(2026, 12, 24),
            1,
            date(2026, 12, 29),
            ["Christmas Day", "Boxing Day (observed)"],
            id="Christmas Eve 2026 + 1: Tue 29 Dec",
        ),
        pytest.param(
            date(2027, 12, 24),
            1,
            date(2027, 12, 29),
            ["Christmas Day (observed)", "Boxing Day (observed)"],
            id="Christmas Eve 2027 + 1: Wed 29 Dec",
        ),
        pytest.param(
            date(2026, 12, 24),
            10,
            date(2027, 1, 12),
            ["Christmas Day", "Boxing Day (observed)", "New Year's Day"],
            id="Christmas Eve 2026 + 10: Tue 12 Jan 2027",
        ),
    ],
)
def test_add_business_days(start, count, expected, skipped):
    assert CAL.add_business_days(start, count) == (expected, skipped)


def test_add_business_days_refuses_negative_counts():
    with pytest.raises(ValueError, match="forward only"):
        CAL.add_business_days(date(2026, 6, 9), -1)


# --- at(): local day and clock to a UTC instant ------------------------------------------------


@pytest.mark.parametrize(
    "day, clock, expected_utc",
    [
        pytest.param(
            date(2026, 1, 5), time(9, 0), datetime(2026, 1, 5, 14, 0, tzinfo=UTC), id="winter EST"
        ),
        pytest.param(
            date(2026, 7, 6), time(17, 0), datetime(2026, 7, 6, 21, 0, tzinfo=UTC), id="summer EDT"
        ),
        pytest.param(
            date(2026, 3, 8),
            time.min,
            datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
            id="midnight of the spring-forward day",
        ),
        pytest.param(
            date(2026, 3, 8),
            time(1, 59),
            datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
            id="01:59 just before the jump",
        ),
        pytest.param(
            date(2026, 3, 8),
            time(2, 30),
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            id="02:30 does not exist: 03:30 EDT, after the jump",
        ),
        pytest.param(
            date(2026, 3, 8),
            time(3, 0),
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
            id="03:00 right after the jump",
        ),
        pytest.param(
            date(2026, 11, 1),
            time.min,
            datetime(2026, 11, 1, 4, 0, tzinfo=UTC),
            id="midnight of the fall-back day",
        ),
        pytest.param(
            date(2026, 11, 1),
            time(1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            id="01:30 repeated: first occurrence (EDT)",
        ),
        pytest.param(
            date(2026, 11, 1),
            time(2, 0),
            datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
            id="02:00 after the fall back (EST)",
        ),
    ],
)
def test_at(day, clock, expected_utc):
    moment = CAL.at(day, clock)
    assert moment == expected_utc
    assert moment.utcoffset() == timedelta(0)


def test_skipped_clock_time_maps_after_the_jump():
    moment = CAL.at(date(2026, 3, 8), time(2, 30))
    assert wall(moment) == "Sun 2026-03-08 03:30 EDT"
    assert moment > CAL.at(date(2026, 3, 8), time(1, 59))


def test_local_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        CAL.local(datetime(2026, 6, 9, 10, 0))
    with pytest.raises(ValueError, match="naive"):
        CAL.local_date(datetime(2026, 6, 9, 10, 0))


@pytest.mark.parametrize(
    "moment, expected",
    [
        pytest.param(
            datetime(2026, 6, 10, 3, 59, tzinfo=UTC), date(2026, 6, 9), id="late evening EDT"
        ),
        pytest.param(datetime(2026, 6, 10, 4, 0, tzinfo=UTC), date(2026, 6, 10), id="midnight EDT"),
        pytest.param(
            datetime(2026, 1, 6, 4, 59, tzinfo=UTC), date(2026, 1, 5), id="late evening EST"
        ),
        pytest.param(datetime(2026, 1, 6, 5, 0, tzinfo=UTC), date(2026, 1, 6), id="midnight EST"),
    ],
)
def test_local_date(moment, expected):
    assert CAL.local_date(moment) == expected


# --- after_wall_hours: keeps the wall clock across clock changes --------------------------------


@pytest.mark.parametrize(
    "start, hours, expected_wall, real_hours",
    [
        pytest.param(
            toronto(date(2026, 6, 9), "10:00"),
            24,
            "Wed 2026-06-10 10:00 EDT",
            24,
            id="ordinary day: 24 h",
        ),
        pytest.param(
            toronto(date(2026, 3, 7), "10:00"),
            24,
            "Sun 2026-03-08 10:00 EDT",
            23,
            id="Sat 7 Mar 10:00 + 24 h: Sun 10:00, 23 real hours (spring forward)",
        ),
        pytest.param(
            toronto(date(2026, 3, 7), "19:00"),
            24,
            "Sun 2026-03-08 19:00 EDT",
            23,
            id="Sat 7 Mar 19:00 + 24 h: Sun 19:00 (spring forward)",
        ),
        pytest.param(
            toronto(date(2026, 10, 31), "10:00"),
            24,
            "Sun 2026-11-01 10:00 EST",
            25,
            id="Sat 31 Oct 10:00 + 24 h: Sun 10:00, 25 real hours (fall back)",
        ),
        pytest.param(
            toronto(date(2026, 3, 7), "02:30"),
            24,
            "Sun 2026-03-08 03:30 EDT",
            24,
            id="lands on a skipped time: after the jump",
        ),
        pytest.param(
            toronto(date(2026, 10, 31), "01:30"),
            24,
            "Sun 2026-11-01 01:30 EDT",
            24,
            id="lands on a repeated time: first occurrence",
        ),
        pytest.param(
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            1,
            "Sun 2026-11-01 02:30 EST",
            2,
            id="from the first 01:30 (EDT) + 1 h",
        ),
        pytest.param(
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            1,
            "Sun 2026-11-01 02:30 EST",
            1,
            id="from the second 01:30 (EST) + 1 h",
        ),
        pytest.param(
            toronto(date(2026, 3, 1), "09:00"),
            168,
            "Sun 2026-03-08 09:00 EDT",
            167,
            id="a week across the spring change",
        ),
    ],
)
def test_after_wall_hours(start, hours, expected_wall, real_hours):
    due = CAL.after_wall_hours(start, hours)
    assert wall(due) == expected_wall
    assert due - start == timedelta(hours=real_hours)


def test_after_wall_hours_accepts_any_aware_zone():
    from zoneinfo import ZoneInfo

    vancouver = datetime(2026, 3, 7, 7, 0, tzinfo=ZoneInfo("America/Vancouver"))  # 10:00 in Toronto
    assert wall(CAL.after_wall_hours(vancouver, 24)) == "Sun 2026-03-08 10:00 EDT"
