"""Time helpers: everything is stored in UTC and shown in the agency's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .followup.rules import span_words


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change."""


def zone_label() -> str:
    """The agency's zone as people say it: "Toronto" for America/Toronto."""
    return current_app.config["PORTAL_TIMEZONE"].rsplit("/", 1)[-1].replace("_", " ")


def utcnow() -> datetime:
    return datetime.now(UTC)


def agency_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PORTAL_TIMEZONE"])


def to_local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: store and pass times as aware UTC")
    return moment.astimezone(zone or agency_zone())


def local_to_utc(wall: datetime, zone: ZoneInfo | None = None) -> datetime:
    """Interpret a naive wall-clock time in the agency's zone and return it in UTC.

    Ambiguous times (the repeated hour in November) resolve to the first occurrence;
    times that do not exist (the skipped hour in March) are refused.
    """
    zone = zone or agency_zone()
    aware = wall.replace(tzinfo=zone, fold=0)
    try:
        in_utc = aware.astimezone(UTC)
    except OverflowError:
        raise NonexistentLocalTime(f"{wall:%Y-%m-%d} is out of range") from None
    if in_utc.astimezone(zone).replace(tzinfo=None) != wall:
        raise NonexistentLocalTime(
            f"{wall:%H:%M} does not exist on {wall:%Y-%m-%d} in {zone.key}: the clocks jump forward"
        )
    return in_utc


def local_today(zone: ZoneInfo | None = None) -> date:
    return utcnow().astimezone(zone or agency_zone()).date()


def local_day_bounds(day: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day starts and the next one starts."""
    zone = zone or agency_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def format_local(moment: datetime | None, pattern: str = "%a %-d %b %Y, %H:%M") -> str:
    """Jinja filter: a UTC moment as the agency's wall-clock time."""
    if moment is None:
        return ""
    return to_local(moment).strftime(pattern)


def format_date(day: date | None, pattern: str = "%a %-d %b %Y") -> str:
    return "" if day is None else day.strftime(pattern)


def relative(moment: datetime | None, now: datetime) -> str:
    """Jinja filter: "2 days ago" or "in 3 hours", beside an absolute time."""
    if moment is None:
        return ""
    words = span_words(abs(moment - now))
    return f"{words} ago" if moment <= now else f"in {words}"


def due_words(moment: datetime, now: datetime, zone: ZoneInfo | None = None) -> str:
    """A due time as a person says it: "by 17:00 today", "by tomorrow 10:30", "by Thursday
    10:30", "by Thu 10 Dec, 10:30"; one already past: "was due Tuesday 17:00"."""
    zone = zone or agency_zone()
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    clock = local.strftime("%H:%M")
    if days == 0:
        when = f"{clock} today"
    elif days == 1:
        when = f"tomorrow {clock}"
    elif days == -1:
        when = f"yesterday {clock}"
    elif -6 <= days <= 6:
        when = f"{local:%A} {clock}"
    else:
        when = (
            f"{local:%a %-d %b}"
            + (f" {local.year}" if local.year != today.year else "")
            + f", {clock}"
        )
    return f"by {when}" if moment >= now else f"was due {when}"
