"""iCalendar (RFC 5545) feeds of due steps: plain values in, the .ics text out.

Each open step is one event ending at its due time, with a stable UID per step, so a
calendar that refreshes the feed moves or drops the event when the step changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, Timezone, vText

EVENT_LENGTH = timedelta(minutes=30)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DueEvent:
    uid: str
    summary: str
    description: str
    due_at: datetime
    url: str
    last_modified: datetime


def sequence(last_modified: datetime) -> int:
    """A number that grows each time the step changes (RFC 5545 SEQUENCE)."""
    return max(int((last_modified - EPOCH).total_seconds() // 60), 0)


def feed(
    name: str,
    product: str,
    events: list[DueEvent],
    now: datetime,
    *,
    zone: str = "America/Toronto",
    alarm: bool = False,
) -> bytes:
    """The calendar as bytes; ``alarm`` adds a reminder an hour before each due time.

    Times are in UTC. A calendar needs at least one component (RFC 5545), so one with no
    events carries the agency's time zone instead."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{product}//Follow-up portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(" ".join(name.split())))  # one line, commas escaped
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for due in events:
        event = Event()
        event.add("uid", due.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("last-modified", due.last_modified.astimezone(UTC))
        event.add("sequence", sequence(due.last_modified))
        event.add("dtstart", (due.due_at - EVENT_LENGTH).astimezone(UTC))
        event.add("dtend", due.due_at.astimezone(UTC))
        event.add("summary", due.summary)
        event.add("description", due.description)
        event.add("url", due.url)
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: never shows as busy
        if alarm:
            reminder = Alarm()
            reminder.add("action", "DISPLAY")
            reminder.add("description", due.summary)
            reminder.add("trigger", timedelta(hours=-1))
            event.add_component(reminder)
        calendar.add_component(event)
    if not events:
        calendar.add_component(Timezone.from_tzid(zone))
    return calendar.to_ical()
