"""Business days in the agency's zone: Monday to Friday, less Ontario's statutory holidays
(docs/policy.md, "Business day")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

AGENCY_ZONE = "America/Toronto"


class BusinessCalendar:
    """Counts business days and turns local days and clock times into UTC instants."""

    def __init__(
        self, zone: str | ZoneInfo = AGENCY_ZONE, country: str = "CA", subdivision: str = "ON"
    ):
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.region = (country, subdivision)
        self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        self._names: dict[date, str | None] = {}
        self._sums: dict[tuple[date, int], tuple[date, tuple[str, ...]]] = {}

    def holiday(self, day: date) -> str | None:
        """The holiday's name when ``day`` is a statutory holiday (or its observed day)."""
        if day not in self._names:
            self._names[day] = self._holidays.get(day) or self._ontario_substitute(day)
        return self._names[day]

    def _ontario_substitute(self, day: date) -> str | None:
        """Days off in lieu that the package leaves out for Ontario.

        Canada Day on a weekend: the package lists only 1 July, but offices close the
        Monday after, as the federal Holidays Act has it. Christmas on a Sunday: the
        package moves Christmas to Monday 26 December and drops Boxing Day's own day off,
        which offices take on Tuesday 27 December."""
        if self.region != ("CA", "ON") or day.weekday() > 1:
            return None
        # Canada Day on a Sunday is observed Monday 2 July; on a Saturday, Monday 3 July.
        if (
            day.month == 7
            and day.weekday() == 0
            and {2: 6, 3: 5}.get(day.day) == date(day.year, 7, 1).weekday()
        ):
            return "Canada Day (observed)"
        if (
            (day.month, day.day) == (12, 27)
            and day.weekday() == 1
            and date(day.year, 12, 25).weekday() == 6
        ):
            return "Boxing Day (observed)"
        return None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def add_business_days(self, day: date, count: int) -> tuple[date, list[str]]:
        """The ``count``-th business day after ``day``, with the holidays skipped on the way.

        With a count of 0, ``day`` itself when it is a business day, else the next one.
        """
        if count < 0:
            raise ValueError("count business days forward only")
        key = (day, count)
        if key not in self._sums:  # a bulk recompute asks the same few sums over and over
            self._sums[key] = self._add_business_days(day, count)
        found, skipped = self._sums[key]
        return found, list(skipped)

    def _add_business_days(self, day: date, count: int) -> tuple[date, tuple[str, ...]]:
        skipped: list[str] = []
        current = day
        if count == 0:
            while not self.is_business_day(current):
                self._note_holiday(current, skipped)
                current += timedelta(days=1)
            return current, tuple(skipped)
        remaining = count
        while remaining:
            current += timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
            else:
                self._note_holiday(current, skipped)
        return current, tuple(skipped)

    def _note_holiday(self, day: date, skipped: list[str]) -> None:
        name = self.holiday(day)
        if name is not None and day.weekday() < 5:
            skipped.append(name)

    def local_date(self, moment: datetime) -> date:
        return self.local(moment).date()

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return moment.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        """The UTC instant at which the local clock shows ``clock`` on ``day``.

        A clock time skipped when the clocks go forward maps to the moment just after the
        jump; a repeated one (clocks going back) to its first occurrence.
        """
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def after_wall_hours(self, moment: datetime, hours: int) -> datetime:
        """``hours`` later on the local wall clock: "24 hours after 10:00" is 10:00 the next
        day, even across a daylight-saving change."""
        wall = self.local(moment).replace(tzinfo=None) + timedelta(hours=hours)
        return self.at(wall.date(), wall.time())
