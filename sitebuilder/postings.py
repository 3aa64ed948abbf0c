"""Open jobs for the site: the portal's export (``flask --app portal jobs export FILE``),
read and checked.

The file is the portal's (docs/job-postings.md describes it); the builder trusts none of
it. Each posting is checked for what its pages need, and a problem names the file, the
line the posting starts on and the field. Its description HTML, sanitised by the portal,
is sanitised again here with the same short list of tags. A posting whose closing day has
passed is left out even when the export still holds it (an export older than the build).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import json
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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
# Characters no field may hold: controls (tab and line breaks aside), lone surrogates,
# non-characters, and the bidirectional overrides that make text read reversed.
FORBIDDEN_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)")
AMOUNT_RE = re.compile(r"\d{1,9}(\.\d{1,2})?")  # dollars and cents, as the portal writes them
HOURS_RE = re.compile(r"\d{1,3}(\.\d)?")
LARGEST_ID = 2**31 - 1  # the portal's ids
MOST_PAY = Decimal(10_000_000)  # a year; anything above is a typing slip, not a salary
MOST_PROBLEMS = 50  # reported of a broken export; then how many more
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

    @functools.cached_property
    def text(self) -> str:
        """The description as plain words (search, summaries)."""
        return " ".join(html.unescape(nh3.clean(self.description_html, tags=set())).split())

    def summary(self, limit: int = 200) -> str:
        words = self.text
        if len(words) <= limit:
            return words
        return words[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"

    @functools.cached_property
    def facets(self) -> dict[str, tuple[str, str]]:
        """The filters it is listed under: facet → (slug, its own label)."""
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

    @functools.cached_property
    def key(self) -> str:
        """What the jobs pages depend on, as a digest (the cache's part of each)."""
        return hashlib.sha256(repr(self.postings).encode()).hexdigest()

    @functools.cached_property
    def facet_values(self) -> list[tuple[str, str, str, list[Posting]]]:
        return facet_values(list(self.postings))


def facet_values(postings: list[Posting]) -> list[tuple[str, str, str, list[Posting]]]:
    """(facet, slug, label, its postings) for every value a posting has, in label order.
    Values written differently that make one slug ("Toronto", "TORONTO") are one filter,
    named as most of its postings write it."""
    found: dict[tuple[str, str], list[Posting]] = {}
    for posting in postings:
        for facet, (slug, _label) in posting.facets.items():
            found.setdefault((facet, slug), []).append(posting)
    out = []
    for (facet, slug), chosen in found.items():
        labels = Counter(p.facets[facet][1] for p in chosen)
        label = min(labels, key=lambda text: (-labels[text], text))
        out.append((facet, slug, label, chosen))
    return sorted(out, key=lambda item: (list(FACETS).index(item[0]), item[2].casefold(), item[1]))


def slugify(text: str) -> str:
    """A folder name for a filter: its words in plain ASCII ("Montréal" → "montreal"); a
    name with none ("東京", "---") gets one made from its characters, so two such names
    never share a page."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = SLUG_RE.sub("-", plain).strip("-")[:60].strip("-")
    return slug or f"x-{hashlib.sha256(text.casefold().encode()).hexdigest()[:10]}"


def read_postings(path: Path, shown_as: str, today: date) -> Postings:
    """The postings of the export at ``path`` still open on ``today`` (Toronto's date);
    every problem names ``shown_as`` and a line."""

    def fail(line: int | None, message: str) -> BuildError:
        return BuildError([Problem(shown_as, line, message)])

    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail(
            None, "not found: export the postings first (flask --app portal jobs export FILE)"
        ) from None
    except OSError as exc:
        raise fail(None, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise fail(None, "not a file: name the export the portal wrote")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise fail(None, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise fail(None, f"larger than the {MAX_BYTES:,} bytes the builder reads")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(raw[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_twice)
    except json.JSONDecodeError as exc:
        raise fail(exc.lineno, f"not valid JSON: {exc.msg}") from None
    except _Twice as exc:
        raise fail(None, f"not a postings export: the field {short(exc.args[0])} is given twice")
    except RecursionError:
        raise fail(None, "not valid JSON: nested too deep") from None
    except ValueError as exc:  # a number of thousands of digits
        raise fail(None, f"not valid JSON: {short(str(exc))}") from None
    if not isinstance(document, dict) or not isinstance(document.get("postings"), list):
        raise fail(1, "not a postings export: it needs a list under 'postings'")
    for name, known in (("schema", EXPORT_SCHEMA), ("content_schema", CONTENT_SCHEMA)):
        value = document.get(name)
        if type(value) is not int or value != known:
            raise fail(
                1,
                f"{name} is {short(value)}; this builder reads {known}: "
                "build with the same version as the portal that exported it",
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
    if len(problems) > MOST_PROBLEMS:
        more = len(problems) - MOST_PROBLEMS
        problems = problems[:MOST_PROBLEMS] + [Problem(shown_as, None, f"and {more:,} more")]
    if problems:
        raise BuildError(problems)
    open_ones = [p for p in postings if p.closes_on >= today]
    open_ones.sort(key=lambda p: (p.published_at, p.job_id), reverse=True)
    return Postings(shown_as, tuple(open_ones), len(postings) - len(open_ones))


class _Twice(ValueError):
    pass


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose every field is given once (json keeps the last silently)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Twice(key)
            seen.add(key)
    return out


_BETWEEN = re.compile(r"[\s,]*")  # what separates the postings in their list


class _Located:
    """Lines in the export's text: where each posting starts and where its fields are.
    Found by decoding the postings list again from the text, posting by posting; when the
    file cannot be read that way, problems name the posting without a line."""

    def __init__(self, text: str, count: int):
        self.text = text
        self.breaks = [m.start() for m in re.finditer("\n", text)]
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
        return bisect.bisect_right(self.breaks, at) + 1


class _Fields:
    """One posting's fields, each checked; what is wrong is collected, not raised."""

    def __init__(self, raw: Any, path: str, located: _Located, index: int):
        self.given = isinstance(raw, dict)
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
        odd = FORBIDDEN_RE.search(value)
        if odd:
            self._wrong(field, f"holds the character U+{ord(odd.group()):04X}, which no text may")
            return ""
        return value.strip()

    def choice(self, field: str, choices: dict[str, str]) -> str:
        value = self.raw.get(field)
        if not isinstance(value, str) or value not in choices:
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
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_ID:
            self._wrong(field, f"must be a whole number from 1 to {LARGEST_ID}, not {short(value)}")
            return 0
        return value

    def day(self, field: str) -> date:
        value = self.raw.get(field)
        try:
            if not (isinstance(value, str) and DAY_RE.fullmatch(value)):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self._wrong(field, f"must be a date written YYYY-MM-DD, not {short(value)}")
            return date.min

    def moment(self, field: str) -> datetime:
        value = self.raw.get(field)
        moment = None
        if isinstance(value, str) and MOMENT_RE.fullmatch(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if moment is None or moment.tzinfo is None:
            self._wrong(field, f"must be a time with its offset (ISO 8601), not {short(value)}")
            return datetime.min
        return moment

    def amount(self, value: Any, field: str) -> Decimal:
        amount = None
        if isinstance(value, str) and AMOUNT_RE.fullmatch(value):
            amount = Decimal(value)
        if amount is None or not 0 < amount <= MOST_PAY:
            self._wrong(
                field,
                f'must be an amount above 0 written as text, like "62000" or "31.50", '
                f"not {short(value)}",
            )
            return Decimal(1)
        return amount

    def hours(self) -> str | None:
        value = self.raw.get("hours_per_week")
        if value is None:
            return None
        if not (isinstance(value, str) and HOURS_RE.fullmatch(value) and 0 < Decimal(value) <= 168):
            self._wrong(
                "hours_per_week", f'must be hours a week as text, like "37.5", not {short(value)}'
            )
            return None
        return value

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
        if not self.given:
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
            hours_per_week=self.hours(),
            pay=self.pay(),
            statements=self.statements(),
            covered=bool(self.flag("covered")),
            closes_on=self.day("closes_on"),
            published_at=self.moment("published_at"),
            description_html=self._description(),
            apply_url=self.apply_url(),
        )
        if posting.covered:  # what Ontario's rules ask of the employer's posting
            if posting.pay is None:
                self._wrong("pay", "is missing: Ontario's rules require it for this employer")
            for name in ("uses_ai", "existing_vacancy"):
                if not isinstance(self.raw.get(name), bool):
                    self._wrong(name, "must be answered, true or false, for this employer")
            if len(posting.statements) < 2:
                self._wrong("statements", "needs both of the statements Ontario's rules ask for")
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
