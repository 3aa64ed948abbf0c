"""Helpers for the static-export tests."""

import json
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from sitebuilder import BuildConfig, build

CONTENT = Path(__file__).resolve().parent.parent / "content"


def quiet_build(content: Path, out: Path, **options):
    config = BuildConfig(content=content, out=out, progress=lambda message: None, **options)
    return build(config)


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder (the cache excepted) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


# Open jobs: a postings export in the shape the portal's ``flask jobs export`` writes (the
# contract test in test_build_jobs.py builds from the portal's own export as well).

TODAY = date(2026, 11, 26)


def posting(job_id: int, **changes) -> dict:
    """One posting of an export: a covered Toronto law clerk's job unless ``changes`` say."""
    base = {
        "schema": 1,
        "job_id": job_id,
        "version": 1,
        "title": f"Litigation law clerk {job_id}",
        "description": "Draft pleadings.\n\n- Two years in a law office",
        "description_html": "<p>Draft pleadings.</p>\n<ul>\n<li>Two years in a law office</li>\n</ul>",
        "employer": "Marchbank Pellow LLP",
        "practice_area": "Litigation",
        "location": "Toronto",
        "work_arrangement": "hybrid",
        "employment_type": "permanent",
        "schedule": "full_time",
        "hours_per_week": "37.5",
        "pay": {
            "low": "62000",
            "high": "74000",
            "per": "year",
            "yearly_low": "62000",
            "yearly_high": "74000",
        },
        "pay_words": "$62,000–$74,000 a year",
        "pay_working": None,
        "statements": [
            (
                "Artificial intelligence is not used to screen, assess or select applicants for "
                "this position."
            ),
            "This posting is for an existing vacancy.",
        ],
        "uses_ai": False,
        "existing_vacancy": True,
        "covered": True,
        "closes_on": (TODAY + timedelta(days=30)).isoformat(),
        "published_on": "2026-11-20",
        "published_at": f"2026-11-{10 + job_id % 15:02d}T09:30:00-05:00",
        "apply_url": f"https://portal.finchleylane.example/apply/{job_id}",
    }
    return {**base, **changes}


def write_postings(path: Path, postings: list[dict], **document) -> Path:
    """An export file as the portal writes it (sorted keys, two-space indent)."""
    body = {"schema": 1, "content_schema": 1, "postings": postings, **document}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path


# Three postings that differ in every way the pages show: a covered yearly range, covered
# hourly remote part-time contract work, an employer under 25 with no pay stated.
SAMPLE = [
    posting(1),
    posting(
        2,
        title="Conveyancer, part time",
        practice_area="Real estate",
        location="Mississauga",
        work_arrangement="remote",
        employment_type="contract",
        schedule="part_time",
        hours_per_week="20",
        pay={"low": "31.5", "high": "31.5", "per": "hour", "yearly_low": "32760", "yearly_high": "32760"},
        pay_words="$31.50 an hour",
        pay_working="$31.50 an hour × 20 hours a week × 52 weeks = $32,760 a year",
    ),
    posting(
        3,
        title="Legal secretary",
        practice_area="Family",
        employer="Small Firm Professional Corporation",
        covered=False,
        pay=None,
        pay_words=None,
        statements=[],
        uses_ai=None,
        existing_vacancy=None,
        employment_type="temporary",
    ),
]  # fmt: skip


# schema.org's JobPosting (https://schema.org/JobPosting): its own properties and those it
# has as a Thing. A property outside these is not JobPosting's.
JOB_POSTING_PROPERTIES = {
    "applicantLocationRequirements", "applicationContact", "baseSalary", "datePosted",
    "directApply", "educationRequirements", "eligibilityToWorkRequirement",
    "employerOverview", "employmentType", "employmentUnit", "estimatedSalary",
    "experienceInPlaceOfEducation", "experienceRequirements", "hiringOrganization",
    "incentiveCompensation", "industry", "jobBenefits", "jobImmediateStart", "jobLocation",
    "jobLocationType", "jobStartDate", "occupationalCategory", "physicalRequirement",
    "qualifications", "relevantOccupation", "responsibilities", "salaryCurrency",
    "securityClearanceRequirement", "sensoryRequirement", "skills", "specialCommitments",
    "title", "totalJobOpenings", "validThrough", "workHours",
    "additionalType", "alternateName", "description", "disambiguatingDescription",
    "identifier", "image", "mainEntityOfPage", "name", "potentialAction", "sameAs",
    "subjectOf", "url",
}  # fmt: skip
# What the issue asks every posting to carry (baseSalary wherever pay is stated).
REQUIRED = {
    "title", "description", "datePosted", "validThrough", "employmentType",
    "hiringOrganization", "jobLocation",
}  # fmt: skip
EMPLOYMENT_TYPES = {
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM",
    "OTHER",
}  # fmt: skip
UNITS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}


def json_ld(page: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return json.loads(block)


def check_job_posting(data: dict) -> list[str]:
    """What is wrong with ``data`` as a schema.org JobPosting, checked against the
    vocabulary's properties and expected types (empty: nothing)."""
    wrong = []
    if data.get("@context") != "https://schema.org" or data.get("@type") != "JobPosting":
        wrong.append("not a schema.org JobPosting")
    wrong += [f"missing {name}" for name in sorted(REQUIRED - set(data))]
    wrong += [f"{name} is not a JobPosting property" for name in sorted(set(data) - JOB_POSTING_PROPERTIES - {"@context", "@type"})]  # fmt: skip
    for name in ("title", "description"):
        if not (isinstance(data.get(name), str) and data[name].strip()):
            wrong.append(f"{name} must be text")
    try:
        posted = datetime.fromisoformat(data["datePosted"])
        through = datetime.fromisoformat(data["validThrough"])
        if through.tzinfo is None or posted.tzinfo is None or through <= posted:
            wrong.append("datePosted and validThrough must be zoned, one before the other")
    except (KeyError, TypeError, ValueError):
        wrong.append("datePosted and validThrough must be ISO 8601 DateTimes")
    kinds = data.get("employmentType")
    if not (isinstance(kinds, list) and kinds and set(kinds) <= EMPLOYMENT_TYPES):
        wrong.append(f"employmentType {kinds!r}")
    hiring = data.get("hiringOrganization", {})
    if hiring.get("@type") != "Organization" or not hiring.get("name"):
        wrong.append("hiringOrganization must be an Organization with a name")
    place = data.get("jobLocation", {})
    address = place.get("address", {})
    if place.get("@type") != "Place" or address.get("@type") != "PostalAddress":
        wrong.append("jobLocation must be a Place with a PostalAddress")
    elif not all(address.get(k) for k in ("addressLocality", "addressRegion", "addressCountry")):
        wrong.append("the address needs its locality, region and country")
    if "baseSalary" in data:
        salary = data["baseSalary"]
        value = salary.get("value") if isinstance(salary.get("value"), dict) else {}
        numbers = [value.get(k) for k in ("value", "minValue", "maxValue") if k in value]
        if (
            salary.get("@type") != "MonetaryAmount"
            or not re.fullmatch(r"[A-Z]{3}", salary.get("currency", ""))
            or value.get("@type") != "QuantitativeValue"
            or value.get("unitText") not in UNITS
            or not numbers
            or not all(isinstance(n, int | float) and n > 0 for n in numbers)
            or value.get("minValue", 0) > value.get("maxValue", float("inf"))
        ):
            wrong.append(f"baseSalary is not a MonetaryAmount of a QuantitativeValue: {salary}")
    if data.get("jobLocationType") not in (None, "TELECOMMUTE"):
        wrong.append("jobLocationType is TELECOMMUTE or absent")
    if data.get("jobLocationType") and not data.get("applicantLocationRequirements"):
        wrong.append("remote work names where applicants may be")
    return wrong
