"""Sections of the guides, cut out for use elsewhere: the portal shows the sections keyed
``step-…`` as the advice for each follow-up step, so the site and the portal share one source.

``read_sections(content_dir, keys)`` reads the guides, renders them as the site does and
returns each ``## Heading {#key}`` section asked for, its links pointing at the public
site, with every problem found (file and line).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .content import GUIDES_DIR, GuideSource, read_guide, read_settings
from .errors import BuildError, Problem
from .pages import resolve_guide_links
from .render import GuideRenderer

H2_RE = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
HEADING_ANCHOR_RE = re.compile(r'<a class="heading-anchor" href="#[^"]*">(.*?)</a>', re.DOTALL)
SUB_HEADING_ID_RE = re.compile(r'<h([3-6]) id="[^"]*">')
TAG_RE = re.compile(r"<[^>]+>")
GUIDE_LINK_RE = re.compile(r'<a href="@guide:[^"]*"[^>]*>(.*?)</a>', re.DOTALL)


@dataclass(frozen=True)
class Section:
    key: str  # the section's own key, "step-thank-you"
    title: str  # its heading, as text
    html: str  # its body, rendered (raw HTML refused unless the site allows it); its
    # sub-headings start at <h3>
    guide_title: str
    url: str  # the section on the public site


def read_sections(
    content_dir: Path, keys: Collection[str], site_url: str | None = None
) -> tuple[dict[str, Section], list[Problem]]:
    """The ``##`` sections with these keys, from every guide; and every problem, located.

    Links to other guides point at ``site_url`` (by default, the ``base_url`` of site.yml);
    with ``site_url=""`` there is no site to point at, so they are left as plain text and
    each section's ``url`` is empty. A broken guide costs only its own sections: the others
    are still found. A key that no guide has is a problem too."""
    try:
        settings = read_settings(content_dir)
    except BuildError as exc:
        return {}, exc.problems
    renderer = GuideRenderer(settings.allow_raw_html)
    problems: list[Problem] = []
    found: dict[str, Section] = {}
    for file in sorted((content_dir / GUIDES_DIR).glob("*.md")):
        try:
            source = read_guide(content_dir, file)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        rendered = renderer.render(source)
        problems.extend(rendered.problems)
        base = settings.base_url if site_url is None else site_url
        found.update(_sections(source, rendered.html, base, keys))
    for key in keys:
        if key not in found:
            problems.append(
                Problem(GUIDES_DIR, None, f"no guide has a ## section keyed {{#{key}}}")
            )
    return found, problems


def _sections(
    source: GuideSource, html: str, base_url: str, keys: Collection[str]
) -> dict[str, Section]:
    headings = list(H2_RE.finditer(html))
    found = {}
    for index, match in enumerate(headings):
        key = match.group(1)
        if key not in keys:
            continue
        end = headings[index + 1].start() if index + 1 < len(headings) else len(html)
        # Its sub-headings without their links and ids: a page may show a section twice.
        body = HEADING_ANCHOR_RE.sub(r"\1", html[match.end() : end].strip())
        body = SUB_HEADING_ID_RE.sub(r"<h\1>", body)
        if base_url:
            body = resolve_guide_links(body, "portal", source.key, base_url)
        else:  # no site to link to: the words stay, the link goes
            body = GUIDE_LINK_RE.sub(r"\1", body)
        found[key] = Section(
            key=key,
            title=" ".join(TAG_RE.sub("", match.group(2)).split()),
            html=body,
            guide_title=source.title,
            url=f"{base_url}guides/{source.key}/#{key}" if base_url else "",
        )
    return found
