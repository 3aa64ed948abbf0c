"""The open jobs' pages: the list at /jobs/ with a page per filter, a page per posting with
its schema.org JobPosting, and an Atom feed of them.

Pure: postings in, strings out. ``plan`` names every page with what it depends on, for
the builder's cache keys.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from html import escape  # for XML too: its five special characters
from typing import Any

from markupsafe import Markup

from .content import Settings
from .pages import long_date, render_page
from .postings import AGENCY_ZONE, FACETS, PAY_PER, Posting, Postings

# schema.org's employmentType values, as search engines read them.
EMPLOYMENT_TYPES = {"contract": "CONTRACTOR", "temporary": "TEMPORARY"}
SCHEDULE_TYPES = {"full_time": "FULL_TIME", "part_time": "PART_TIME"}


def plan(
    env, settings: Settings, postings: Postings, site_updated: date
) -> list[tuple[str, Any, Callable[[], str]]]:
    """Every jobs page as (path in the build, what it depends on, how to make it).
    ``site_updated`` (the newest guide's date) dates the feed while no job is open."""
    every, groups, key = list(postings.postings), postings.facet_values, postings.key
    pages: list[tuple[str, Any, Callable[[], str]]] = [
        (
            "site/jobs/index.html",
            ("jobs", key),
            functools.partial(jobs_page, env, settings, every, groups, None, len(every)),
        ),
        (
            "site/jobs/feed.xml",
            ("jobs-feed", key, site_updated),
            functools.partial(jobs_feed, settings, every, site_updated),
        ),
    ]
    for facet, slug, label, chosen in groups:
        pages.append(
            (
                f"site/jobs/{facet}/{slug}/index.html",
                # Every filter page shows the counts of all the others: the whole list.
                ("jobs-filter", facet, slug, key),
                functools.partial(
                    jobs_page, env, settings, chosen, groups, (facet, slug, label), len(every)
                ),
            )
        )
    for posting in every:
        pages.append(
            (
                f"site/{posting.url}index.html",
                ("posting", repr(posting)),
                functools.partial(posting_page, env, settings, posting),
            )
        )
    return pages


def filters(groups: list, chosen: tuple[str, str, str] | None) -> list[dict]:
    """The filter links for the jobs pages, by facet, with counts and the one chosen."""
    out: dict[str, dict] = {
        facet: {"facet": facet, "label": label, "values": []} for facet, label in FACETS.items()
    }
    for facet, slug, label, these in groups:
        current = chosen is not None and chosen[:2] == (facet, slug)
        out[facet]["values"].append(
            {"slug": slug, "label": label, "count": len(these), "current": current}
        )
    return [group for group in out.values() if group["values"]]


def jobs_page(
    env,
    settings: Settings,
    shown: list[Posting],
    groups: list,
    chosen: tuple[str, str, str] | None,
    total: int,
) -> str:
    """The list of open jobs: all of them, or those of one filter (``chosen``: facet,
    slug, label)."""
    heading, root, url = "Open jobs", "../", "/jobs/"
    if chosen is not None:
        facet, slug, label = chosen
        heading, root, url = f"Open jobs: {label}", "../../../", f"/jobs/{facet}/{slug}/"
    return render_page(
        env,
        "jobs.html",
        settings,
        root,
        url,
        page_title=heading,
        description=f"Open legal-support jobs in Ontario through {settings.agency_name}: "
        f"{len(shown)} open now.",
        heading=heading,
        postings=shown,
        filters=filters(groups, chosen),
        chosen=chosen,
        total=total,
    )


def posting_page(env, settings: Settings, posting: Posting) -> str:
    return render_page(
        env,
        "posting.html",
        settings,
        "../../",
        f"/{posting.url}",
        page_title=posting.title,
        description=f"{posting.employer}, {posting.location}. {posting.summary(150)}",
        posting=posting,
        # The portal sanitised it and postings.read_postings again (bandit B704 reviewed).
        description_html=Markup(posting.description_html),  # nosec B704
        closes=local_end(posting),
        json_ld=Markup(script_json(json_ld(settings, posting))),  # nosec B704
    )


def local_end(posting: Posting) -> datetime:
    """The end of the closing day, Toronto time: the posting is good until then."""
    return datetime.combine(posting.closes_on, time(23, 59, 59), tzinfo=AGENCY_ZONE)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def employment_types(posting: Posting) -> list[str]:
    """Permanent work is told by its schedule; contract and temporary work by both."""
    kinds = [SCHEDULE_TYPES[posting.schedule]]
    if posting.employment_type in EMPLOYMENT_TYPES:
        kinds.append(EMPLOYMENT_TYPES[posting.employment_type])
    return kinds


def json_ld(settings: Settings, posting: Posting) -> dict[str, Any]:
    """The posting as a schema.org JobPosting (https://schema.org/JobPosting)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": posting.title,
        "description": posting.description_html,
        "datePosted": posting.published_at.isoformat(),
        "validThrough": local_end(posting).isoformat(),
        "employmentType": employment_types(posting),
        "hiringOrganization": {"@type": "Organization", "name": posting.employer},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": posting.location,
                "addressRegion": "ON",
                "addressCountry": "CA",
            },
        },
        "identifier": {
            "@type": "PropertyValue",
            "name": settings.agency_name,
            "value": str(posting.job_id),
        },
        "url": settings.base_url + posting.url,
        "directApply": False,
        "industry": "Legal services",
    }
    if posting.work_arrangement == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "State", "name": "Ontario"}
    if posting.hours_per_week:
        data["workHours"] = f"{posting.hours_per_week} hours a week"
    if posting.pay is not None:
        pay = posting.pay
        amount: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": PAY_PER[pay.per]}
        if pay.low == pay.high:
            amount["value"] = _number(pay.low)
        else:
            amount["minValue"], amount["maxValue"] = _number(pay.low), _number(pay.high)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "CAD", "value": amount}
    return data


def script_json(data: Any) -> str:
    """JSON for a <script> data block: nothing in it can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def jobs_feed(settings: Settings, postings: list[Posting], site_updated: date) -> str:
    """Atom: the open postings, newest first; each entry's id is its page, which a new
    version keeps, so a reader sees an update rather than a second job."""

    def e(text: str) -> str:
        return escape(text)

    home = f"{settings.base_url}jobs/"
    updated = (
        postings[0].published_at.isoformat()
        if postings
        else datetime.combine(site_updated, time(), AGENCY_ZONE).isoformat()
    )
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{e(settings.language)}">',
        f"  <title>{e(settings.agency_name)}: open jobs</title>",
        f'  <link rel="self" href="{e(home)}feed.xml"/>',
        f'  <link rel="alternate" href="{e(home)}"/>',
        f"  <id>{e(home)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{e(settings.author)}</name></author>",
    ]
    for posting in postings:
        url = settings.base_url + posting.url
        summary = f"{posting.employer}, {posting.location} ({posting.arrangement_label}). "
        if posting.pay is not None:
            summary += f"{posting.pay.words}. "
        summary += f"Applications close {long_date(posting.closes_on)}."
        lines += [
            "  <entry>",
            f"    <title>{e(posting.title)}</title>",
            f'    <link rel="alternate" href="{e(url)}"/>',
            f"    <id>{e(url)}</id>",
            f"    <published>{posting.published_at.isoformat()}</published>",
            f"    <updated>{posting.published_at.isoformat()}</updated>",
            f"    <summary>{e(summary)}</summary>",
            f'    <category term="{e(posting.practice_area)}"/>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
