"""Ontario's rules for publicly advertised job postings: pure Python, no Flask, no database.

The Employment Standards Act, 2000, Part III.1 (job postings) and O. Reg. 476/24 (in force
1 January 2026), as docs/job-postings.md states them in our words with their sections.
A posting is checked here before it is published; ``problems`` names each rule a
posting breaks, by the form field to correct, in a recruiter's words.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# O. Reg. 476/24, s. 1: Part III.1 does not apply to an employer with fewer than 25
# employees on the day the posting is posted.
COVERED_FROM_EMPLOYEES = 25
# ESA s. 8.2 and O. Reg. 476/24: a range may be at most $50,000 a year wide, and no pay
# need be stated where the pay, or the top of the range, is more than $200,000 a year.
WIDEST_RANGE = Decimal(50_000)
NO_PAY_NEEDED_ABOVE = Decimal(200_000)
# ESA s. 8.6: an interviewed applicant is told whether a hiring decision has been made
# within 45 days of the interview (of the last one, when there were several).
INFORM_WITHIN_DAYS = 45
WARN_AT_DAY = 40  # the recruiter's digest warns this many days after the last interview
WARN_UNTIL_DAY = 75  # and stops a month after the deadline (the report still counts it)
# ESA s. 15: a copy of each posting is kept for three years after it is taken down.
KEEP_YEARS = 3
# Hourly pay as a yearly equivalent: the posting's hours a week over a year's weeks (the
# regulation sets no method; this is the agency's, and the form shows the working).
WEEKS_A_YEAR = 52


class PayPeriod(enum.StrEnum):
    HOUR = "hour"
    YEAR = "year"


@dataclass(frozen=True)
class Pay:
    """The expected pay: one figure (``high`` None) or a range, per hour or per year."""

    low: Decimal
    high: Decimal | None
    period: PayPeriod
    hours_per_week: Decimal | None = None  # needed for hourly pay's yearly equivalent

    @property
    def top(self) -> Decimal:
        return self.high if self.high is not None else self.low

    def yearly(self) -> tuple[Decimal, Decimal] | None:
        """(low, top) a year; None for hourly pay without the hours to convert it."""
        if self.period == PayPeriod.YEAR:
            return self.low, self.top
        if not self.hours_per_week:
            return None
        factor = self.hours_per_week * WEEKS_A_YEAR
        return _dollars(self.low * factor), _dollars(self.top * factor)

    def words(self) -> str:
        """ "$60,000–$75,000 a year", "$31.50 an hour"."""
        return f"{money(self.low, self.high)} {'an hour' if self.period == PayPeriod.HOUR else 'a year'}"

    def working(self) -> str:
        """The conversion in words, as the form shows it; empty for yearly pay."""
        yearly = self.yearly()
        if self.period == PayPeriod.YEAR or yearly is None or self.hours_per_week is None:
            return ""
        hours = number(self.hours_per_week)
        return (
            f"{money(self.low, self.high)} an hour × {hours} hours a week × {WEEKS_A_YEAR} "
            f"weeks = {money(*yearly) if yearly[0] != yearly[1] else money(yearly[0])} a year"
        )


@dataclass(frozen=True)
class PostingFacts:
    """What the rules read of a posting."""

    covered: bool  # the employer has 25 or more employees on the day it is posted
    texts: dict[str, str]  # field name → the words people read (title, description …)
    pay: Pay | None
    uses_ai: bool | None  # None: not answered
    existing_vacancy: bool | None


def problems(facts: PostingFacts) -> dict[str, str]:
    """Each rule the posting breaks, as {field: what to change}; empty when it may go up.

    The bar on Canadian experience is applied to every posting, covered or not: it is the
    law for most and the agency's practice for all."""
    found: dict[str, str] = {}
    for field, text in facts.texts.items():
        phrase = canadian_experience(text)
        if phrase:
            found[field] = (
                f"Remove “{phrase}”: a posting may not require Canadian experience "
                "(Employment Standards Act, Part III.1). Ask for the skill itself, such as "
                "knowledge of Ontario court procedures."
            )
    if not facts.covered:
        return found
    if facts.pay is None:
        found["pay_low"] = (
            "State the expected pay or a range: the law requires it in postings by employers "
            "with 25 or more employees."
        )
    else:
        yearly = facts.pay.yearly()
        if yearly is None:
            found["hours_per_week"] = (
                "Enter the hours a week: hourly pay is checked against the law as a yearly amount."
            )
        else:
            low, top = yearly
            if top - low > WIDEST_RANGE and top <= NO_PAY_NEEDED_ABOVE:
                per = f" ({money(low, top)} a year)" if facts.pay.period == PayPeriod.HOUR else ""
                found["pay_high"] = (
                    f"The range is {money(top - low)} wide{per}; the law allows at most "
                    f"{money(WIDEST_RANGE)} a year unless the top is over {money(NO_PAY_NEEDED_ABOVE)}."
                )
    if facts.uses_ai is None:
        found["uses_ai"] = (
            "Say whether artificial intelligence is used to screen, assess or select applicants."
        )
    if facts.existing_vacancy is None:
        found["existing_vacancy"] = "Say whether the posting is for an existing vacancy."
    return found


# "Canadian experience" and the ways people say it: "Canadian work experience", "experience
# in Canada", "Canada-based experience", "experience working in Canada".
_CANADIAN_EXPERIENCE = re.compile(
    r"\bcanadian(?:[\s-]+[a-z]+){0,2}[\s-]+experience\b"
    r"|\bexperience(?:\s+[a-z]+){0,3}\s+in\s+canada\b"
    r"|\bcanada[\s-]+based\s+experience\b",
    re.IGNORECASE,
)


def canadian_experience(text: str) -> str | None:
    """The first phrasing of a Canadian-experience requirement in ``text``, as written."""
    match = _CANADIAN_EXPERIENCE.search(" ".join(text.split()))
    return match.group(0) if match else None


def inform_by(last_interview_on: date) -> date:
    """The day by which the employer must tell an interviewed applicant whether a hiring
    decision has been made (ESA s. 8.6)."""
    return last_interview_on + timedelta(days=INFORM_WITHIN_DAYS)


def keep_until(taken_down_on: date) -> date:
    """The last day a copy of a posting taken down on ``taken_down_on`` must be kept."""
    try:
        return taken_down_on.replace(year=taken_down_on.year + KEEP_YEARS)
    except ValueError:  # 29 February
        return taken_down_on.replace(year=taken_down_on.year + KEEP_YEARS, day=28)


def money(low: Decimal, high: Decimal | None = None) -> str:
    """ "$54,600" or "$54,600–$66,300"; cents only where there are some."""
    text = _amount(low)
    return text if high is None or high == low else f"{text}–{_amount(high)}"


def _amount(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def _dollars(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def number(value: Decimal) -> str:
    """37.5, 35: a quantity without trailing zeros."""
    return f"{value.normalize():f}"
