"""The agency's follow-up policy: the numbers of the policy table (docs/policy.md)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time


@dataclass(frozen=True)
class Limit:
    label: str
    low: int
    high: int
    unit: str


LIMITS: dict[str, Limit] = {
    "timeline_business_days": Limit(
        "Timeline asked: business days after the interview", 0, 10, "business days"
    ),
    "thank_you_hours": Limit("Thank-you note: hours after the interview ends", 1, 168, "hours"),
    "follow_up_opens_business_days": Limit(
        "Follow-up window opens: business days after the decision date", 0, 30, "business days"
    ),
    "follow_up_due_business_days": Limit(
        "Follow-up due: business days after the decision date", 1, 30, "business days"
    ),
    "assumed_decision_business_days": Limit(
        "No date given: decision date assumed this many business days after the interview",
        1,
        60,
        "business days",
    ),
    "move_on_business_days": Limit(
        "Move on: business days after the follow-up with no answer", 1, 30, "business days"
    ),
    "due_soon_hours": Limit(
        "A step counts as due soon this many hours before its due time", 1, 72, "hours"
    ),
}
EARLIEST_DAY_END = time(12, 0)


@dataclass(frozen=True)
class Policy:
    """Defaults are the table of docs/policy.md; admins change them on the policy page."""

    timeline_business_days: int = 1
    thank_you_hours: int = 24
    follow_up_opens_business_days: int = 3
    follow_up_due_business_days: int = 5
    assumed_decision_business_days: int = 10
    move_on_business_days: int = 5
    due_soon_hours: int = 24
    day_ends_at: time = time(17, 0)

    def problems(self) -> dict[str, str]:
        """Each field that is out of bounds, with the reason in words; empty when valid."""
        found: dict[str, str] = {}
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                found[name] = "Enter a whole number."
            elif not limit.low <= value <= limit.high:
                found[name] = f"Enter a number from {limit.low} to {limit.high} ({limit.unit})."
        window_ok = (
            "follow_up_opens_business_days" not in found
            and "follow_up_due_business_days" not in found
        )
        if window_ok and self.follow_up_opens_business_days > self.follow_up_due_business_days:
            found["follow_up_opens_business_days"] = (
                "The window cannot open after the follow-up is due."
            )
        if not isinstance(self.day_ends_at, time) or self.day_ends_at.tzinfo is not None:
            found["day_ends_at"] = "Enter a time of day such as 17:00."
        elif self.day_ends_at < EARLIEST_DAY_END:
            found["day_ends_at"] = "The business day cannot end before noon."
        return found

    def changes_from(self, other: Policy) -> list[str]:
        """Lines such as "Thank-you note: 24 → 48 hours" for people and the audit trail."""
        lines = []
        for f in fields(self):
            before, after = getattr(other, f.name), getattr(self, f.name)
            if before != after:
                name, unit = CHANGE_WORDS[f.name]
                lines.append(
                    f"{name}: {_show(before)} → {_show(after)}{' ' + unit if unit else ''}"
                )
        return lines


# Each setting as a change to it is told: its name, and the unit after the new value.
CHANGE_WORDS = {
    "timeline_business_days": ("Timeline asked", "business days after the interview"),
    "thank_you_hours": ("Thank-you note", "hours after the interview"),
    "follow_up_opens_business_days": (
        "Follow-up window opens",
        "business days after the decision date",
    ),
    "follow_up_due_business_days": ("Follow-up due", "business days after the decision date"),
    "assumed_decision_business_days": (
        "Decision date taken when none is given",
        "business days after the interview",
    ),
    "move_on_business_days": ("Move on", "business days after the follow-up"),
    "due_soon_hours": ("Due soon", "hours before the due time"),
    "day_ends_at": ("The business day ends at", ""),
}


def _show(value) -> str:
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)
