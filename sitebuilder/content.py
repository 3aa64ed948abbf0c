"""Reading the sources: site settings and guides with validated YAML front matter.

Pure: paths in, plain dataclasses out. Every problem names the file and line.
"""

from __future__ import annotations

import hashlib
import re
import reprlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import yaml

from design import DIRECTORY as DESIGN

from .errors import BuildError, Problem

try:  # libyaml is several times faster; PyYAML wheels ship it
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    # The same API, in Python.
    from yaml import SafeLoader  # type: ignore[assignment]

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
# The site's static files: its own, and the agency's shared design system (foundation.css,
# print.css, the vendored normalize), all copied to site/static/.
STATIC_ROOTS = (STATIC, DESIGN)
AUDIENCE_LABELS = {"candidate": "For candidates", "recruiter": "For recruiters"}

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SECTION_KEY_RE = re.compile(r"\{[^}\n]*\}")
AUDIENCES = ("candidate", "recruiter")
GUIDES_DIR = "guides"
SETTINGS_FILE = "site.yml"


@dataclass(frozen=True)
class NavLink:
    title: str
    url: str


@dataclass(frozen=True)
class Handbook:
    title: str
    subtitle: str
    guides: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    agency_name: str
    title: str
    tagline: str
    base_url: str
    language: str
    author: str
    contact: str
    allow_raw_html: bool
    nav: tuple[NavLink, ...]
    handbook: Handbook | None
    digest: str = ""
    postings: str | None = None  # the portal's export of open jobs, relative to content/


@dataclass(frozen=True)
class GuideSource:
    """One guide as read from disk, front matter checked, body not yet rendered."""

    path: str  # relative to the content folder, e.g. "guides/thank-you-note.md"
    key: str
    title: str
    summary: str
    audience: str
    order: int
    tags: tuple[str, ...]
    updated: date
    body: str
    body_line: int  # line of the file on which the body starts (1-based)
    digest: str
    words: int = 0  # words of the body, Markdown marks and section keys left out: for reading time
    field_lines: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class GuideCard:
    """What a listing shows of a guide (and all a listing page depends on)."""

    key: str
    title: str
    summary: str
    audience: str
    order: int
    tags: tuple[str, ...]
    updated: date
    minutes: int

    @property
    def audience_label(self) -> str:
        return AUDIENCE_LABELS[self.audience]

    @classmethod
    def of(cls, source: GuideSource) -> GuideCard:
        """From the source alone, so listings can be made while the guides render."""
        return cls(
            source.key,
            source.title,
            source.summary,
            source.audience,
            source.order,
            source.tags,
            source.updated,
            max(1, round(source.words / 200)),
        )


# Front matter ---------------------------------------------------------------------------

GUIDE_FIELDS = {
    "title": "a title of 1 to 120 characters",
    "summary": "a summary of 1 to 300 characters",
    "audience": "candidate or recruiter",
    "order": "a whole number",
    "tags": "a list of lowercase tags",
    "updated": "a date written as YYYY-MM-DD",
    "key": "the guide's stable key, equal to the file name without .md",
}


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line the body starts on)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise BuildError(
            [Problem(path, 1, "no front matter: the file must start with a line '---'")]
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise BuildError([Problem(path, 1, "front matter is not closed: add a line '---' after it")])


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlevel = 2
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def short(value) -> str:
    """A value as it can be shown in a message: bounded, however deep or aliased it is."""
    return _SHORT.repr(value)


def load_mapping(source: str, path: str, first_line: int) -> tuple[dict, dict[str, int]]:
    """Parse a YAML mapping of plain-word keys; every problem is located on its line.

    Each value is built on its own, so a bad one (a date that does not exist, a wrong
    tag) is reported on its own line, not as a crash.
    """
    loader = SafeLoader(source)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = first_line + mark.line if mark else first_line
            raise BuildError(
                [Problem(path, line, f"invalid YAML: {exc.problem or exc.context}")]
            ) from None
        except yaml.YAMLError as exc:
            raise BuildError(
                [Problem(path, first_line, f"invalid YAML: {short(str(exc))}")]
            ) from None
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise BuildError(
                [Problem(path, first_line, "this must be a mapping of field: value lines")]
            )
        data: dict = {}
        lines: dict[str, int] = {}
        problems = []
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not (
                isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"
            ):
                problems.append(
                    Problem(path, line, f"field names are plain words, not {short(key_node.value)}")
                )
                continue
            key = key_node.value
            if key in lines:
                problems.append(
                    Problem(
                        path, line, f"duplicate field {key!r} (first given on line {lines[key]})"
                    )
                )
                continue
            lines[key] = line
            try:
                data[key] = loader.construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError) as exc:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"field {key!r} has a value that cannot be read: {short(str(exc))}",
                    )
                )
        if problems:
            raise BuildError(problems)
        return data, lines
    finally:
        loader.dispose()


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), with Windows line endings made plain."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError([Problem(path, line, "not valid UTF-8 text")]) from None
    text = text.replace("\r\n", "\n")
    bad = CONTROL_RE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise BuildError(
            [
                Problem(
                    path,
                    line,
                    f"contains a control character ({bad.group()!r}) that cannot be shown",
                )
            ]
        )
    return text


def read_guide(content_dir: Path, file: Path) -> GuideSource:
    """Read and check one guide; raises BuildError naming the file and line."""
    rel = file.relative_to(content_dir).as_posix()
    raw = file.read_bytes()
    text = decode(raw, rel)
    front, body, body_line = split_front_matter(text, rel)
    last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
    body_line = min(body_line, max(last_line, 1))  # a guide that is all front matter: its last line
    meta, lines = load_mapping(front, rel, first_line=2)
    problems = _check_guide_fields(meta, lines, rel, file.stem)
    if problems:
        raise BuildError(problems)
    return GuideSource(
        path=rel,
        key=meta["key"],
        title=meta["title"].strip(),
        summary=" ".join(meta["summary"].split()),
        audience=meta["audience"],
        order=meta["order"],
        tags=tuple(meta["tags"]),
        updated=meta["updated"],
        body=body,
        body_line=body_line,
        digest=hashlib.sha256(raw).hexdigest(),
        words=len(WORD_RE.findall(SECTION_KEY_RE.sub("", body))),
        field_lines=lines,
    )


def _check_guide_fields(meta: dict, lines: dict[str, int], path: str, stem: str) -> list[Problem]:
    problems = []
    for name in meta:
        if name not in GUIDE_FIELDS:
            known = ", ".join(GUIDE_FIELDS)
            problems.append(
                Problem(path, lines.get(name), f"unknown field {short(name)} (fields are: {known})")
            )
    for name, expected in GUIDE_FIELDS.items():
        if name not in meta:
            problems.append(Problem(path, 1, f"missing field {name!r}: {expected}"))
            continue
        value, line = meta[name], lines.get(name)
        ok = {
            "title": isinstance(value, str) and 0 < len(value.strip()) <= 120,
            "summary": isinstance(value, str) and 0 < len(value.strip()) <= 300,
            "audience": value in AUDIENCES,
            "order": isinstance(value, int) and not isinstance(value, bool),
            "tags": isinstance(value, list)
            and all(isinstance(t, str) and KEY_RE.match(t) for t in value),
            "updated": isinstance(value, date) and not isinstance(value, datetime),
            "key": isinstance(value, str) and bool(KEY_RE.match(value)) and value == stem,
        }[name]
        if not ok:
            problems.append(
                Problem(path, line, f"field {name!r} must be {expected}, not {short(value)}")
            )
    return problems


def read_guides(content_dir: Path) -> list[GuideSource]:
    """All guides, sorted by file name; every problem in every file is reported together."""
    folder = content_dir / GUIDES_DIR
    if not folder.is_dir():
        raise BuildError([Problem(GUIDES_DIR, None, "the content folder has no guides/ folder")])
    guides, problems = [], []
    for file in sorted(folder.glob("*.md")):
        try:
            guides.append(read_guide(content_dir, file))
        except BuildError as exc:
            problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    if not guides:
        raise BuildError([Problem(GUIDES_DIR, None, "there are no guides (*.md files) to build")])
    return guides


# Settings -------------------------------------------------------------------------------

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
SETTINGS_FIELDS = {
    "agency_name",
    "title",
    "tagline",
    "base_url",
    "language",
    "author",
    "contact",
    "allow_raw_html",
    "nav",
    "handbook",
    "postings",
}
REQUIRED_SETTINGS = ("agency_name", "title", "base_url", "language", "author")


def read_settings(content_dir: Path) -> Settings:
    file = content_dir / SETTINGS_FILE
    if not file.is_file():
        raise BuildError(
            [Problem(SETTINGS_FILE, None, "missing: the content folder needs a site.yml")]
        )
    raw = file.read_bytes()
    data, lines = load_mapping(decode(raw, SETTINGS_FILE), SETTINGS_FILE, first_line=1)
    problems = [
        Problem(SETTINGS_FILE, lines[name], f"unknown setting {short(name)}")
        for name in data
        if name not in SETTINGS_FIELDS
    ]
    language = data.get("language")
    if isinstance(language, str) and not LANGUAGE_RE.match(language):
        problems.append(
            Problem(
                SETTINGS_FILE,
                lines.get("language"),
                f"language must be a tag like en-CA, not {short(language)}",
            )
        )
    for name in REQUIRED_SETTINGS:
        if not isinstance(data.get(name), str) or not data[name].strip():
            problems.append(
                Problem(
                    SETTINGS_FILE, lines.get(name, 1), f"setting {name!r} must be non-empty text"
                )
            )
    base_url = data.get("base_url", "")
    if isinstance(base_url, str) and not re.match(r"^https?://[^/]+/(.*/)?$", base_url):
        problems.append(
            Problem(
                SETTINGS_FILE,
                lines.get("base_url", 1),
                "base_url must be an http(s) URL ending in '/'",
            )
        )
    nav = _nav(data.get("nav") or [], lines.get("nav", 1), problems)
    handbook = _handbook(data.get("handbook"), lines.get("handbook", 1), problems)
    if not isinstance(data.get("allow_raw_html", False), bool):
        problems.append(
            Problem(
                SETTINGS_FILE, lines.get("allow_raw_html"), "allow_raw_html must be true or false"
            )
        )
    postings = data.get("postings")
    if postings is not None and not (isinstance(postings, str) and postings.strip()):
        problems.append(
            Problem(
                SETTINGS_FILE,
                lines.get("postings"),
                "postings must be the path of the portal's export (flask jobs export FILE)",
            )
        )
    if problems:
        raise BuildError(problems)
    return Settings(
        agency_name=data["agency_name"].strip(),
        title=data["title"].strip(),
        tagline=str(data.get("tagline") or "").strip(),
        base_url=base_url,
        language=data["language"].strip(),
        author=data["author"].strip(),
        contact=str(data.get("contact") or "").strip(),
        allow_raw_html=bool(data.get("allow_raw_html", False)),
        nav=nav,
        handbook=handbook,
        digest=hashlib.sha256(raw).hexdigest(),
        postings=postings.strip() if postings else None,
    )


def _nav(items, line: int, problems: list[Problem]) -> tuple[NavLink, ...]:
    if not isinstance(items, list):
        problems.append(Problem(SETTINGS_FILE, line, "nav must be a list of {title, url}"))
        return ()
    links = []
    for item in items:
        if not (
            isinstance(item, dict)
            and set(item) == {"title", "url"}
            and all(isinstance(v, str) for v in item.values())
        ):
            problems.append(
                Problem(
                    SETTINGS_FILE,
                    line,
                    f"each nav entry needs exactly a title and a url, not {short(item)}",
                )
            )
            continue
        links.append(NavLink(item["title"], item["url"]))
    return tuple(links)


def _handbook(value, line: int, problems: list[Problem]) -> Handbook | None:
    if value in (None, False):
        return None
    if not (
        isinstance(value, dict)
        and isinstance(value.get("title"), str)
        and isinstance(value.get("guides"), list)
    ):
        problems.append(
            Problem(
                SETTINGS_FILE, line, "handbook needs a title and a list of guide keys (or false)"
            )
        )
        return None
    unknown = set(map(str, value)) - {"title", "subtitle", "guides"}
    if unknown:
        problems.append(
            Problem(SETTINGS_FILE, line, f"unknown handbook setting(s): {short(sorted(unknown))}")
        )
    bad = [key for key in value["guides"] if not (isinstance(key, str) and KEY_RE.match(key))]
    if bad:
        problems.append(
            Problem(
                SETTINGS_FILE,
                line,
                f"handbook guides are listed by key (file name without .md), not {short(bad[0])}",
            )
        )
        return None
    return Handbook(value["title"], str(value.get("subtitle") or ""), tuple(value["guides"]))


JOBS_LINK = NavLink("Open jobs", "/jobs/")


def with_jobs_link(settings: Settings) -> Settings:
    """The site's settings with "Open jobs" in the navigation (before Search), unless
    site.yml already has it."""
    if any(link.url == JOBS_LINK.url for link in settings.nav):
        return settings
    nav = list(settings.nav)
    at = next((i for i, link in enumerate(nav) if link.url == "/search/"), len(nav))
    nav.insert(at, JOBS_LINK)
    return replace(settings, nav=tuple(nav))
