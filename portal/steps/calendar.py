"""The agency's business calendar: Monday to Friday, less Ontario's statutory holidays
(docs/policy.md, "Business day")."""

from __future__ import annotations

from functools import cache

from flask import current_app

from ..followup import BusinessCalendar


@cache
def _calendar(zone: str) -> BusinessCalendar:
    return BusinessCalendar(zone)


def business_calendar() -> BusinessCalendar:
    """The agency's calendar (built once per zone: the holiday tables are worth keeping)."""
    return _calendar(current_app.config["PORTAL_TIMEZONE"])
