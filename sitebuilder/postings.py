"""Open jobs for the site: the portal's export (``flask --app portal jobs export FILE``),
read and checked.

The file is the portal's (docs/job-postings.md describes it); the builder trusts none of
it. Each posting is checked for what its pages need, and a problem names the file, the
line the posting starts on and the field. Its description HTML, sanitised by the portal,
is sanitised again here with the same short list of tags. A posting whose closing day has
passed is left out even when the export still holds it (an export older than the build).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3

from .content import short
from .errors import BuildError, Problem

AGENCY_ZONE = ZoneInfo("America/Toronto")  # the day a posting closes is Toronto's
EXPORT_SCHEMA = 1  # the file's shape, as the portal's jobs.export writes it
CONTENT_SCHEMA = 1  # each posting's
MAX_BYTES = 20 * 1024 * 1024
# What a posting's description may hold: the tags the portal lets through in notes.
TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

ARRANGEMENTS = {"on_site": "On site", "hybrid": "Hybrid", "remote": "Remote"}
EMPLOYMENT_TYPES = {"permanent": "Permanent", "contract": "Contract", "temporary": "Temporary"}
SCHEDULES = {"full_time": "Full time", "part_time": "Part time"}
PAY_PER = {"hour": "HOUR", "year": "YEAR"}  # schema.org's unitText
SLUG_RE = re.compile(r"[^a-z0-9]+")
# The filters of the jobs list: facet (its folder under jobs/) → its heading.
FACETS = {"area": "Practice area", "location": "Location", "type": "Type of job"}


@dataclass(frozen=True)
class PostingPay:
    low: Decimal
    high: Decimal
    per: str  # "hour" or "year"
    words: str  # "$62,000–$74,000 a year", as the portal says it
    working: str | None  # hourly pay's yearly equivalent, worked out


@dataclass(frozen=True)
class Posting:
    """One open job as the site shows it (its published version)."""

    job_id: int
    version: int
    title: str
    employer: str
    practice_area: str
    location: str
    work_arrangement: str
    employment_type: str
    schedule: str
    hours_per_week: str | None
    pay: PostingPay | None
    statements: tuple[str, ...]
    covered: bool  # Ontario's posting rules apply (25 or more employees)
    closes_on: date
    published_at: datetime
    description_html: str
    apply_url: str

    @property
    def url(self) -> str:
        """Its page, from the site root. By job, so a new version keeps the address."""
        return f"jobs/{self.job_id}/"

    @property
    def arrangement_label(self) -> str:
        return ARRANGEMENTS[self.work_arrangement]

    @property
    def type_label(self) -> str:
        return EMPLOYMENT_TYPES[self.employment_type]

    @property
    def schedule_label(self) -> str:
        return SCHEDULES[self.schedule]

    @property
    def published_on(self) -> date:
        return self.published_at.date()

    @property
    def text(self) -> str:
        """The description as plain words (search, summaries)."""
        return " ".join(html.unescape(nh3.clean(self.description_html, tags=set())).split())

    def summary(self, limit: int = 200) -> str:
        words = self.text
        if len(words) <= limit:
            return words
        return words[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"

    def facets(self) -> dict[str, tuple[str, str]]:
        """The filters it is listed under: facet → (slug, label)."""
        return {
            "area": (slugify(self.practice_area), self.practice_area),
            "location": (slugify(self.location), self.location),
            "type": (self.employment_type, self.type_label),
        }


@dataclass(frozen=True)
class Postings:
    """The open postings the site shows, newest first, and where they came from."""

    source: str  # the file as named to the builder, for messages
    postings: tuple[Posting, ...]
    left_out: int  # postings in the file whose closing day has passed

    def key(self) -> str:
        """What the pages depend on (the cache's part of every jobs page)."""
        return repr(self.postings)


def facet_values(postings: list[Posting]) -> list[tuple[str, str, str, list[Posting]]]:
    """(facet, slug, label, its postings) for every value a posting has, in label order."""
    found: dict[tuple[str, str], tuple[str, list[Posting]]] = {}
    for posting in postings:
        for facet, (slug, label) in posting.facets().items():
            found.setdefault((facet, slug), (label, []))[1].append(posting)
    return sorted(
        ((facet, slug, label, chosen) for (facet, slug), (label, chosen) in found.items()),
        key=lambda item: (list(FACETS).index(item[0]), item[2].casefold(), item[1]),
    )


def slugify(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return SLUG_RE.sub("-", plain).strip("-") or "other"


def read_postings(path: Path, shown_as: str, today: date) -> Postings:
    """The postings of the export at ``path`` still open on ``today`` (Toronto's date);
    every problem names ``shown_as`` and a line."""
    try:
        size = path.stat().st_size
    except OSError:
        raise BuildError(
            [
                Problem(
                    shown_as,
                    None,
                    "not found: export the postings first (flask --app portal jobs export FILE)",
                )
            ]
        ) from None
    if size > MAX_BYTES:
        raise BuildError(
            [Problem(shown_as, None, f"{size:,} bytes; the builder reads at most {MAX_BYTES:,}")]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise BuildError([Problem(shown_as, line, "not UTF-8 text")]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError([Problem(shown_as, exc.lineno, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise BuildError([Problem(shown_as, None, "not valid JSON: nested too deep")]) from None
    if not isinstance(document, dict) or not isinstance(document.get("postings"), list):
        raise BuildError(
            [Problem(shown_as, 1, "not a postings export: it needs a list under 'postings'")]
        )
    for name, known in (("schema", EXPORT_SCHEMA), ("content_schema", CONTENT_SCHEMA)):
        if document.get(name) != known:
            raise BuildError(
                [
                    Problem(
                        shown_as,
                        1,
                        f"{name} is {short(document.get(name))}; this builder reads {known}: "
                        "build with the same version as the portal that exported it",
                    )
                ]
            )
    located = _Located(text, len(document["postings"]))
    problems: list[Problem] = []
    postings: list[Posting] = []
    seen: set[int] = set()
    for index, raw in enumerate(document["postings"]):
        fields = _Fields(raw, shown_as, located, index)
        posting = fields.posting()
        problems += fields.problems
        if posting is None:
            continue
        if posting.job_id in seen:
            problems.append(
                Problem(shown_as, located.line(index), f"job {posting.job_id} is posted twice")
            )
        seen.add(posting.job_id)
        postings.append(posting)
    if problems:
        raise BuildError(problems)
    open_ones = [p for p in postings if p.closes_on >= today]
    open_ones.sort(key=lambda p: (p.published_at, p.job_id), reverse=True)
    return Postings(shown_as, tuple(open_ones), len(postings) - len(open_ones))


_BETWEEN = re.compile(r"[\s,]*")  # what separates the postings in their list


class _Located:
    """Lines in the export's text: where each posting starts and where its fields are.
    Found by decoding the postings list again from the text, posting by posting; when the
    file cannot be read that way, problems name the posting without a line."""

    def __init__(self, text: str, count: int):
        self.text = text
        self.spans: list[tuple[int, int]] = []
        decoder = json.JSONDecoder()
        found = re.search(r'"postings"\s*:\s*\[', text)
        at = found.end() if found else len(text)
        try:
            while len(self.spans) < count:
                at = _BETWEEN.match(text, at).end()  # type: ignore[union-attr]
                _, end = decoder.raw_decode(text, at)
                self.spans.append((at, end))
                at = end
        except ValueError:
            self.spans = []

    def line(self, index: int, field: str = "") -> int | None:
        """The line of posting ``index``'s ``field`` ("pay.low": ``low`` within ``pay``),
        else of the posting's start."""
        if index >= len(self.spans):
            return None
        start, end = self.spans[index]
        at = start
        for name in filter(None, field.split(".")):
            key = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(self.text, at, end)
            if key is None:
                break
            at = key.start()
        return self.text.count("\n", 0, at) + 1


class _Fields:
    """One posting's fields, each checked; what is wrong is collected, not raised."""

    def __init__(self, raw: Any, path: str, located: _Located, index: int):
        self.raw = raw if isinstance(raw, dict) else {}
        self.path, self.located, self.index = path, located, index
        job = self.raw.get("job_id")
        self.name = f"posting {index + 1}" + (f" (job {job})" if isinstance(job, int) else "")
        self.problems: list[Problem] = []
        if not isinstance(raw, dict):
            self._wrong("", "must be an object of fields")

    def _wrong(self, field: str, message: str) -> None:
        where = f"{self.name}, {field}" if field else self.name
        line = self.located.line(self.index, field)
        self.problems.append(Problem(self.path, line, f"{where}: {message}"))

    def text(self, field: str, limit: int, required: bool = True) -> str:
        value = self.raw.get(field)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self._wrong(field, f"needs text, not {short(value)}")
            return ""
        if len(value) > limit:
            self._wrong(field, f"is {len(value):,} characters; at most {limit:,}")
        return value.strip()

    def choice(self, field: str, choices: dict[str, str]) -> str:
        value = self.raw.get(field)
        if value not in choices:
            self._wrong(field, f"is {short(value)}; one of {', '.join(choices)}")
            return next(iter(choices))
        return value

    def flag(self, field: str, required: bool = True) -> bool | None:
        value = self.raw.get(field)
        if isinstance(value, bool) or (value is None and not required):
            return value
        self._wrong(field, f"must be true or false, not {short(value)}")
        return None

    def whole(self, field: str) -> int:
        value = self.raw.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self._wrong(field, f"must be a whole number from 1, not {short(value)}")
            return 0
        return value

    def day(self, field: str) -> date:
        value = self.raw.get(field)
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _never(value)
        except ValueError:
            self._wrong(field, f"must be a date written YYYY-MM-DD, not {short(value)}")
            return date.min

    def moment(self, field: str) -> datetime:
        value = self.raw.get(field)
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else _never(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self._wrong(field, f"must be a time with its offset (ISO 8601), not {short(value)}")
            return datetime.min
        return moment

    def amount(self, value: Any, field: str) -> Decimal:
        try:
            amount = Decimal(value) if isinstance(value, str) else _never(value)
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0:
            self._wrong(
                field, f'must be an amount written as text, like "62000", not {short(value)}'
            )
            return Decimal(0)
        return amount

    def pay(self) -> PostingPay | None:
        pay = self.raw.get("pay")
        if pay is None:
            return None
        if not isinstance(pay, dict):
            self._wrong("pay", f"must be an object or null, not {short(pay)}")
            return None
        low, high = self.amount(pay.get("low"), "pay.low"), self.amount(pay.get("high"), "pay.high")
        if high < low:
            self._wrong("pay.high", "is below pay.low")
        per = pay.get("per")
        if per not in PAY_PER:
            self._wrong("pay.per", f"is {short(per)}; one of hour, year")
        words = self.text("pay_words", 200)
        working = self.text("pay_working", 300, required=False) or None
        return PostingPay(low, high, str(per), words, working)

    def statements(self) -> tuple[str, ...]:
        value = self.raw.get("statements")
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            self._wrong("statements", f"must be a list of sentences, not {short(value)}")
            return ()
        return tuple(s.strip() for s in value if s.strip())

    def apply_url(self) -> str:
        value = self.text("apply_url", 500)
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.netloc):
            self._wrong("apply_url", f"must be an http(s) address, not {short(value)}")
        return value

    def posting(self) -> Posting | None:
        if not self.raw:
            return None
        posting = Posting(
            job_id=self.whole("job_id"),
            version=self.whole("version"),
            title=self.text("title", 200),
            employer=self.text("employer", 200),
            practice_area=self.text("practice_area", 80),
            location=self.text("location", 120),
            work_arrangement=self.choice("work_arrangement", ARRANGEMENTS),
            employment_type=self.choice("employment_type", EMPLOYMENT_TYPES),
            schedule=self.choice("schedule", SCHEDULES),
            hours_per_week=self.text("hours_per_week", 10, required=False) or None,
            pay=self.pay(),
            statements=self.statements(),
            covered=bool(self.flag("covered")),
            closes_on=self.day("closes_on"),
            published_at=self.moment("published_at"),
            description_html=self._description(),
            apply_url=self.apply_url(),
        )
        if posting.covered and posting.pay is None:
            self._wrong("pay", "is missing: Ontario's rules require it for this employer")
        return None if self.problems else posting

    def _description(self) -> str:
        value = self.text("description_html", 100_000)
        # Sanitised here as well as by the portal (bandit B704 reviewed: nh3's safe subset).
        return nh3.clean(
            value,
            tags=TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )


def _never(value: Any) -> Any:
    raise ValueError(f"not text: {short(value)}")
