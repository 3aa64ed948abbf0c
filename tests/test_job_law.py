"""Ontario's job-posting rules (portal/jobs/law.py): pure, so tested as a table."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.jobs.law import (
    Pay,
    PayPeriod,
    PostingFacts,
    canadian_experience,
    inform_by,
    keep_until,
    money,
    problems,
)


def facts(pay=None, *, covered=True, uses_ai=False, existing_vacancy=True, **texts):
    return PostingFacts(
        covered=covered,
        texts=texts or {"description": "Draft pleadings and manage the court calendar."},
        pay=pay,
        uses_ai=uses_ai,
        existing_vacancy=existing_vacancy,
    )


YEARLY = PayPeriod.YEAR
HOURLY = PayPeriod.HOUR


@pytest.mark.parametrize(
    "pay, broken",
    [
        (Pay(D(60_000), None, YEARLY), {}),
        (Pay(D(60_000), D(110_000), YEARLY), {}),  # exactly $50,000 wide
        (Pay(D(60_000), D(110_001), YEARLY), {"pay_high"}),
        (Pay(D(55_000), D(110_000), YEARLY), {"pay_high"}),
        # The top over $200,000: no pay need be stated, so no range is too wide.
        (Pay(D(150_000), D(200_001), YEARLY), {}),
        (Pay(D(140_000), D(200_000), YEARLY), {"pay_high"}),  # not over: still checked
        # Hourly: $28–$52 × 37.5 h × 52 weeks = $54,600–$101,400, $46,800 wide.
        (Pay(D(28), D(52), HOURLY, D("37.5")), {}),
        # $28–$55 × 37.5 × 52 = $54,600–$107,250: $52,650 wide.
        (Pay(D(28), D(55), HOURLY, D("37.5")), {"pay_high"}),
        (Pay(D(28), D(55), HOURLY, None), {"hours_per_week"}),
        (None, {"pay_low"}),
    ],
)
def test_pay_rules(pay, broken):
    assert set(problems(facts(pay))) == set(broken)


def test_the_messages_say_what_to_change_in_numbers():
    found = problems(facts(Pay(D(55_000), D(110_000), YEARLY)))
    assert found["pay_high"] == (
        "The range is $55,000 wide; the law allows at most $50,000 a year unless the top is "
        "over $200,000."
    )
    hourly = problems(facts(Pay(D(28), D(55), HOURLY, D("37.5"))))
    assert "The range is $52,650 wide ($54,600–$107,250 a year)" in hourly["pay_high"]


def test_the_form_shows_the_conversion():
    assert Pay(D(28), D(34), HOURLY, D("37.5")).working() == (
        "$28–$34 an hour × 37.5 hours a week × 52 weeks = $54,600–$66,300 a year"
    )
    assert Pay(D("31.50"), None, HOURLY, D(35)).working() == (
        "$31.50 an hour × 35 hours a week × 52 weeks = $57,330 a year"
    )
    assert Pay(D(70_000), None, YEARLY).working() == ""


def test_both_disclosures_must_be_answered_either_way():
    assert set(problems(facts(Pay(D(60_000), None, YEARLY), uses_ai=None))) == {"uses_ai"}
    assert set(problems(facts(Pay(D(60_000), None, YEARLY), existing_vacancy=None))) == {
        "existing_vacancy"
    }
    assert problems(facts(Pay(D(60_000), None, YEARLY), uses_ai=True)) == {}
    assert problems(facts(Pay(D(60_000), None, YEARLY), existing_vacancy=False)) == {}


def test_an_employer_under_25_is_outside_the_rules_but_not_the_bar_on_canadian_experience():
    small = facts(None, covered=False, uses_ai=None, existing_vacancy=None)
    assert problems(small) == {}
    barred = facts(None, covered=False, description="Two years of Canadian experience required.")
    assert set(problems(barred)) == {"description"}


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Canadian experience is an asset.", "Canadian experience"),
        ("Must have CANADIAN  work experience", "CANADIAN work experience"),
        ("3+ years Canadian legal-office experience", "Canadian legal-office experience"),
        ("Experience in Canada required", "Experience in Canada"),
        ("experience working in Canada", "experience working in Canada"),
        ("at least two years of experience in Canada", "experience in Canada"),
        ("Canada-based experience preferred", "Canada-based experience"),
        ("Knowledge of Ontario court procedures and the Rules of Civil Procedure", None),
        ("Experience with Canadian clients in a busy practice", None),
        ("Experience in a Canadian law firm", None),
        ("Fluent in Canadian French; experience an asset", None),
    ],
)
def test_canadian_experience_and_near_phrasings_are_found(text, phrase):
    assert canadian_experience(text) == phrase


def test_the_refusal_names_the_phrase_and_the_reason():
    found = problems(facts(Pay(D(60_000), None, YEARLY), title="Clerk (Canadian experience)"))
    assert found["title"].startswith("Remove “Canadian experience”: a posting may not require")


def test_dates():
    assert inform_by(date(2026, 3, 2)) == date(2026, 4, 16)
    assert keep_until(date(2026, 5, 31)) == date(2029, 5, 31)
    assert keep_until(date(2028, 2, 29)) == date(2031, 2, 28)


def test_money():
    assert money(D(54_600), D(66_300)) == "$54,600–$66,300"
    assert money(D("31.5")) == "$31.50"
    assert money(D(80_000), D(80_000)) == "$80,000"
