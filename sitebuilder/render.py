"""Markdown to HTML for one guide.

Pure and picklable, so guides render in worker processes: a guide's source goes in, its
HTML fragment, headings, links and plain text come out, with any problems located by file
and line. Links to other guides are written as ``@guide:KEY#FRAGMENT`` and resolved later
for each output (a page of the site, a PDF, the handbook).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.inlinepatterns import HTML_RE, InlineProcessor
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString

from .content import GuideSource
from .errors import Problem

GUIDE_LINK = "@guide:"
SECTION_LEVELS = ("h2", "h3")
MD_LINK_RE = re.compile(r"^(?:\./)?([a-z0-9]+(?:-[a-z0-9]+)*)\.md(?:#(.+))?$")
EXTERNAL_RE = re.compile(r"^(?:https?:|mailto:|tel:)", re.IGNORECASE)
STASH_RE = re.compile("\x02wzxhzdk:(\\d+)\x03")
ENTITY_RE = re.compile(r"&(?:[a-z]+|#\d+);")
HIDDEN_RE = re.compile(re.escape(AMP_SUBSTITUTE) + r"#(\d+);")  # an autolinked email's letters


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Link:
    """A link to a guide (``target`` is its key) and optionally one of its sections."""

    target: str
    fragment: str
    line: int | None
    written: str


@dataclass(frozen=True)
class Section:
    """A ## or ### section's words, for search (key "" is the text before the first)."""

    key: str
    title: str
    text: str


@dataclass(frozen=True)
class RenderedGuide:
    key: str
    html: str
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    problems: tuple[Problem, ...]
    sections: tuple[Section, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(h.id for h in self.headings)

    @property
    def text(self) -> str:
        """The words of the whole guide, in order: each section's heading and words (made
        when asked for, not carried from the worker that rendered the guide)."""
        return " ".join(part for s in self.sections for part in (s.title, s.text) if part)


CODE_SPAN_RE = re.compile(r"(`+)[^`]*?\1")
SAFE_ATTRIBUTES = {"id", "class", "href", "title", "colspan", "rowspan", "start"}
ALIGN_RE = re.compile(r"^text-align: (left|right|center);$")

# Typography, as Python-Markdown's smarty does it but in the guide's own pass over the tree
# (smarty runs a second inline pass, which doubled the time Markdown takes): quotes that
# open and close, apostrophes, en and em dashes, ellipses. Code is left as typed.
TYPOGRAPHY_RE = re.compile(r"---|--|\.\.\.|['\"]")
OPENS_AFTER = frozenset(" \t\n([{\u2014\u2013/\u201c\u2018")
VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style"})


def typographic(text: str, before: str) -> str:
    """``text`` with typographic quotes and dashes; ``before`` is the character just before
    it in the document (a quote opens after a space or an opening bracket)."""
    if "--" not in text and "..." not in text and "'" not in text and '"' not in text:
        return text  # most text has nothing to change (four scans in C beat one regex)

    def replace(match: re.Match) -> str:
        mark = match.group()
        if mark == "---":
            return "\u2014"
        if mark == "--":
            return "\u2013"
        if mark == "...":
            return "\u2026"
        at = match.start()
        previous = text[at - 1] if at else before
        following = text[at + 1 : at + 2]
        opens = (not previous or previous in OPENS_AFTER) and following.strip() != ""
        if mark == '"':
            return "\u201c" if opens else "\u201d"
        return "\u2018" if opens and not following.isdigit() else "\u2019"

    return TYPOGRAPHY_RE.sub(replace, text)


class _Located:
    """Finds the line of the body on which some written text appears (code spans left out)."""

    def __init__(self, source: GuideSource):
        self.source = source
        self.lines = [CODE_SPAN_RE.sub("", line) for line in source.body.split("\n")]
        self.seen: dict[str, int] = {}

    def line_of(self, *needles: str, occurrence: int = 1) -> int | None:
        for needle in needles:
            if not needle:
                continue
            found = 0
            for index, line in enumerate(self.lines):
                found += line.count(needle)
                if found >= occurrence:
                    return self.source.body_line + index
        return None

    def next_line_of(self, needle: str) -> int | None:
        """The line of the next, not yet reported, occurrence of ``needle``."""
        self.seen[needle] = self.seen.get(needle, 0) + 1
        return self.line_of(needle, occurrence=self.seen[needle]) or self.line_of(needle)

    def heading_line(self, level: int, title: str = "") -> int | None:
        """The line of a heading of this level (the first one, or the one with this title)."""
        marker = "#" * level + " "
        for index, line in enumerate(self.lines):
            if line.startswith(marker) and title in " ".join(line.split()):
                return self.source.body_line + index
        return None

    def problem(self, message: str, *needles: str) -> Problem:
        return Problem(self.source.path, self.line_of(*needles), message)

    def next_problem(self, message: str, needle: str) -> Problem:
        return Problem(self.source.path, self.next_line_of(needle), message)


class _GuideTreeprocessor(Treeprocessor):
    """Checks section keys and links, makes headings self-linking, collects plain text."""

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        state, where = self.state, self.state["where"]
        self._typography(root, "")
        self.anchors: set[etree.Element] = set()  # the headings' own links, made here
        self.titles: dict[etree.Element, str] = {}  # each heading's words, read once
        checked = not state["allow_raw_html"]
        for element in root.iter():
            if element.attrib:  # most elements have none
                self._aligned_by_class(element)
                if checked:
                    self._attributes(element)
            tag = element.tag
            if tag == "h1":
                state["problems"].append(
                    Problem(
                        where.source.path,
                        where.heading_line(1),
                        "use ## for sections: the guide's title comes from its front matter",
                    )
                )
            elif tag in SECTION_LEVELS:
                self._heading(element)
            elif tag == "a" and element not in self.anchors:  # every other link, whatever its class
                self._link(element)
            elif tag == "img":
                state["problems"].append(
                    where.problem(
                        "images are not supported in guides",
                        element.get("src", ""),
                        "![",
                    )
                )
        state["sections"] = self._sections(root)

    def _plain(self, element) -> str:
        """An element's words, with the entities Markdown holds aside (``&copy;``, an
        autolinked address's letters) put back as characters; raw HTML is left out."""
        words = " ".join("".join(element.itertext()).split())
        if "\x02" in words:
            words = STASH_RE.sub(self._put_back, words)
        if AMP_SUBSTITUTE in words:
            words = HIDDEN_RE.sub(lambda match: chr(int(match.group(1))), words)
        return words

    def _put_back(self, match: re.Match) -> str:
        """A stashed entity as its character; other stashed HTML as nothing."""
        blocks = self.md.htmlStash.rawHtmlBlocks
        index = int(match.group(1))
        held = blocks[index] if index < len(blocks) else ""
        return html.unescape(held) if isinstance(held, str) and ENTITY_RE.fullmatch(held) else ""

    def _sections(self, root) -> list[Section]:
        """The guide's words section by section, in order: each heading with a key starts
        one, its text running to the next."""
        sections: list[Section] = []
        key, title = "", ""
        words: list[str] = []
        for child in root:
            if child.tag in SECTION_LEVELS and child.get("id"):
                if words or key:
                    sections.append(Section(key, title, " ".join(words)))
                key, words = child.get("id", ""), []
                title = self.titles.get(child) or self._plain(child)
            else:
                words.append(self._plain(child))
        sections.append(Section(key, title, " ".join(w for w in words if w)))
        return [section for section in sections if section.key or section.text]

    def _typography(self, element, before: str) -> str:
        """Typographic quotes and dashes in ``element`` and below it, in document order
        (code and preformatted text as typed); returns the last character written."""
        verbatim = element.tag in VERBATIM
        if element.text:
            if not verbatim and not _atomic(element.text):
                element.text = typographic(element.text, before)
            before = element.text[-1]
        for child in element:
            before = before if verbatim else self._typography(child, before)
            if child.tail:
                if not _atomic(child.tail):
                    child.tail = typographic(child.tail, before)
                before = child.tail[-1]
        return before

    @staticmethod
    def _aligned_by_class(element):
        """A table column's alignment as a class: the pages' Content-Security-Policy allows
        no inline style."""
        align = ALIGN_RE.match(element.get("style", "")) if element.tag in ("th", "td") else None
        if align:
            del element.attrib["style"]
            element.set("class", f"align-{align.group(1)}")

    def _attributes(self, element):
        """Attribute lists may set ids and classes, not event handlers or styles."""
        for name in list(element.attrib):
            if name in SAFE_ATTRIBUTES:
                continue
            self.state["problems"].append(
                self.state["where"].next_problem(
                    f"the attribute {name!r} is not allowed (set allow_raw_html: true in site.yml to permit it)",
                    f"{name}=",
                )
            )
            del element.attrib[name]

    def _heading(self, element):
        state, where = self.state, self.state["where"]
        title = self.titles[element] = self._plain(element)
        key = element.get("id")
        if not key:
            state["problems"].append(
                Problem(
                    where.source.path,
                    where.heading_line(int(element.tag[1]), title) or where.line_of(title),
                    f"section {title!r} has no key: end the heading line with {{#a-stable-key}}",
                )
            )
            return
        if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", key):
            state["problems"].append(
                where.problem(
                    f"section key {key!r} must be lowercase words joined by hyphens", "{#" + key
                )
            )
        if key in state["ids"]:
            state["problems"].append(
                Problem(
                    where.source.path,
                    where.line_of("{#" + key, occurrence=2),
                    f"section key {key!r} is used twice in this guide",
                )
            )
        state["ids"].add(key)
        state["headings"].append(Heading(int(element.tag[1]), key, title))
        if element.find(".//a") is None:  # the heading links to itself, for sharing a section
            anchor = etree.Element("a", {"class": "heading-anchor", "href": f"#{key}"})
            self.anchors.add(anchor)
            anchor.text, element.text = element.text, None
            anchor.extend(list(element))
            for child in list(element):
                element.remove(child)
            element.append(anchor)

    def _link(self, element):
        state, where = self.state, self.state["where"]
        href = (element.get("href") or "").strip()
        # An autolinked email address arrives written as entities (Markdown hides it from
        # harvesters): read it as the address it is.
        href = html.unescape(href.replace(AMP_SUBSTITUTE, "&"))
        if EXTERNAL_RE.match(href):
            return
        if href.startswith("#"):
            state["links"].append(
                Link(state["key"], href[1:], where.line_of(f"]({href})", href), href)
            )
            return
        match = MD_LINK_RE.match(href)
        if match:
            target, fragment = match.group(1), match.group(2) or ""
            state["links"].append(Link(target, fragment, where.line_of(f"]({href}", href), href))
            element.set("href", f"{GUIDE_LINK}{target}" + (f"#{fragment}" if fragment else ""))
            return
        state["problems"].append(
            where.problem(
                f"link {href!r}: link to another guide by its file name (other-guide.md#section) "
                "or to a full https:// address",
                f"]({href}",
                href or "]()",
            )
        )


class _RawHtmlRefused(InlineProcessor):
    """Keeps raw HTML out of the page: it is shown as text and reported as a problem."""

    def __init__(self, pattern, md, state):
        super().__init__(pattern, md)
        self.state = state

    # InlineProcessor's own signature; the stubs also see Pattern's one-argument form.
    def handleMatch(self, m, data):  # type: ignore[override]
        written = m.group(0)
        self.state["problems"].append(
            self.state["where"].next_problem(
                f"raw HTML {written[:40]!r} is not allowed (set allow_raw_html: true in site.yml to permit it)",
                written,
            )
        )
        return AtomicString(written), m.start(0), m.end(0)


class PlainText(AtomicString):
    """Text in which no inline Markdown can match: the inline pass passes it by. (Not
    atomic to the guide's own pass: typography still applies to it.)"""


# What every inline pattern needs to match at all (code, escapes, links and images, autolinks
# and raw HTML, entities, emphasis; a line break is two spaces at a line's end).
INLINE_MARKUP_RE = re.compile(r"[`\\\[!<&*_]")  # a class alone: scanned quickly in C
LINE_BREAK = "  \n"


class _PlainTextMarker(Treeprocessor):
    """Marks the text with no inline markup, before the inline pass. Python-Markdown tries
    every inline pattern on every text; most of a guide's text has none of the characters
    any pattern starts with, and marking it halves the time a guide takes to render."""

    def run(self, root):
        for element in root.iter():
            if _plain_text(element.text):
                element.text = PlainText(element.text)
            if _plain_text(element.tail):
                element.tail = PlainText(element.tail)


def _plain_text(text) -> bool:
    return (
        bool(text)
        and not isinstance(text, AtomicString)
        and LINE_BREAK not in text
        and not INLINE_MARKUP_RE.search(text)
    )


def _atomic(text) -> bool:
    """Text the inline pass kept as it was written (code, an autolink's address)."""
    return isinstance(text, AtomicString) and not isinstance(text, PlainText)


# A rule is three -, * or _ with at most two spaces between them: it has two such together.
HR_PAIRS = tuple(mark + gap + mark for mark in "-*_" for gap in ("", " ", "  "))

# What each of Python-Markdown's block processors cannot match without: checked first, in C,
# so a paragraph is not scanned by five regular expressions that cannot match it.
BLOCK_NEEDS = {
    "hashheader": lambda block: "#" in block,
    "setextheader": lambda block: "\n=" in block or "\n-" in block,
    "hr": lambda block: any(pair in block for pair in HR_PAIRS),
    "quote": lambda block: ">" in block,
    "table": lambda block: "|" in block and "\n" in block,
}


def _needing(test: Callable[[Any, str], bool], needs: Callable[[str], bool]):
    def quick_test(parent, block: str) -> bool:
        return needs(block) and test(parent, block)

    return quick_test


def _reference_needing(run: Callable[[Any, list[str]], bool]):
    """A reference definition (``[id]: https://…``) has ``]:`` in it."""

    def quick_run(parent, blocks: list[str]) -> bool:
        return "]:" in blocks[0] and run(parent, blocks)

    return quick_run


def _fences_needing(run: Callable[[list[str]], list[str]]):
    """A fenced block starts with ``` or ~~~."""

    def quick_run(lines: list[str]) -> list[str]:
        return run(lines) if any("```" in line or "~~~" in line for line in lines) else lines

    return quick_run


class _UnescapeNeedingBackslash(UnescapeTreeprocessor):
    """Puts back backslash-escaped characters, in a guide that has a backslash at all."""

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        if "\\" in self.state["where"].source.body:
            super().run(root)


class _GuideExtension(Extension):
    def __init__(self, state, allow_raw_html: bool, shortcuts: bool = True):
        super().__init__()
        self.state, self.allow_raw_html, self.shortcuts = state, allow_raw_html, shortcuts

    def extendMarkdown(self, md):
        if self.shortcuts:
            md.treeprocessors.register(_PlainTextMarker(md), "plain", 25)  # before "inline" (20)
            for name, needs in BLOCK_NEEDS.items():
                processor = md.parser.blockprocessors[name]
                processor.test = _needing(processor.test, needs)
            reference = md.parser.blockprocessors["reference"]
            reference.run = _reference_needing(reference.run)
            fenced = md.preprocessors["fenced_code_block"]
            fenced.run = _fences_needing(fenced.run)
            md.treeprocessors.register(_UnescapeNeedingBackslash(md, self.state), "unescape", 0)
        md.treeprocessors.register(
            _GuideTreeprocessor(md, self.state), "guide", 1
        )  # after the inline pass
        if not self.allow_raw_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.inlinePatterns.register(_RawHtmlRefused(HTML_RE, md, self.state), "html", 90)


class GuideRenderer:
    """A reusable Markdown converter (building one costs more than converting a guide)."""

    def __init__(self, allow_raw_html: bool = False, shortcuts: bool = True):
        """``shortcuts``: pass by what cannot match (text without inline markup, blocks
        without a block processor's mark); off only in the tests that show it changes
        nothing."""
        self.allow_raw_html = allow_raw_html
        self.state: dict = {}
        self.md = markdown.Markdown(
            # By class, not by name: a name is looked up among installed packages' entry
            # points, which costs more than the rest of making the converter.
            extensions=[
                AttrListExtension(),
                TableExtension(),
                FencedCodeExtension(),
                SaneListExtension(),
                _GuideExtension(self.state, allow_raw_html, shortcuts),
            ],
            output_format="html",
        )

    def render(self, source: GuideSource) -> RenderedGuide:
        self.state.clear()
        self.state.update(
            where=_Located(source),
            key=source.key,
            problems=[],
            ids=set(),
            headings=[],
            links=[],
            allow_raw_html=self.allow_raw_html,
        )
        self.md.reset()
        html = self.md.convert(source.body)
        state = self.state
        if len(state["headings"]) == 0:
            state["problems"].append(
                Problem(source.path, source.body_line, "the guide has no ## sections")
            )
        return RenderedGuide(
            key=source.key,
            html=html,
            headings=tuple(state["headings"]),
            links=tuple(state["links"]),
            problems=tuple(state["problems"]),
            sections=tuple(state.get("sections", ())),
        )


def check_links(
    sources: dict[str, GuideSource], rendered: dict[str, RenderedGuide]
) -> list[Problem]:
    """Every link to a guide and section must land on one that exists."""
    problems = []
    for key, guide in rendered.items():
        path = sources[key].path
        for link in guide.links:
            target = rendered.get(link.target)
            if target is None:
                problems.append(
                    Problem(
                        path,
                        link.line,
                        f"broken link {link.written!r}: there is no guide {link.target}.md",
                    )
                )
            elif link.fragment and link.fragment not in target.ids:
                where = "this guide" if link.target == key else f"{link.target}.md"
                problems.append(
                    Problem(
                        path,
                        link.line,
                        f"broken link {link.written!r}: no section #{link.fragment} in {where}",
                    )
                )
    return problems


def duplicate_keys(
    sources: dict[str, GuideSource],
    rendered: dict[str, RenderedGuide],
    changed: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Section keys are unique across all guides, so the portal can look one up by key alone.

    The guide blamed is one that changed in this build, when there is one.
    """
    seen: dict[str, str] = {}
    problems = []
    for key in sorted(rendered, key=lambda k: (k in changed, k)):
        for heading in rendered[key].headings:
            if heading.id in seen and seen[heading.id] != key:
                line = _Located(sources[key]).line_of("{#" + heading.id)
                problems.append(
                    Problem(
                        sources[key].path,
                        line,
                        f"section key {heading.id!r} is already used in {sources[seen[heading.id]].path}",
                    )
                )
            seen.setdefault(heading.id, key)
    return problems
