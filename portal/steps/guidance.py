"""What to do for each step, in the agency's own words: sections of the guides in content/.

The site and the portal share one source. The main guide's sections keyed
``step-timeline-asked``, ``step-thank-you``, ``step-follow-up`` and ``step-move-on`` are
the guidance for the four steps; the site builder reads and renders them, and this module
cuts each one out, pointing its links at the public site. Problems are the builder's own,
naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from sitebuilder.content import GUIDES_DIR, read_guide, read_settings
from sitebuilder.errors import BuildError, Problem
from sitebuilder.pages import resolve_guide_links
from sitebuilder.render import GuideRenderer

from ..followup import StepKind

SECTION_KEYS = {
    StepKind.TIMELINE: "step-timeline-asked",
    StepKind.THANK_YOU: "step-thank-you",
    StepKind.FOLLOW_UP: "step-follow-up",
    StepKind.MOVE_ON: "step-move-on",
}
H2_RE = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
HEADING_ANCHOR_RE = re.compile(r'<a class="heading-anchor" href="#[^"]*">(.*?)</a>', re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Guidance:
    kind: StepKind
    title: str  # the section's heading
    html: Markup  # the section's body
    guide_title: str
    url: str  # the section on the public site


def load_guidance(content_dir: Path) -> tuple[dict[StepKind, Guidance], list[Problem]]:
    """Read the guides and cut out the four step sections.

    Returns what was found and every problem, each naming its file and line. A broken
    guide costs only its own sections: the others are still found."""
    problems: list[Problem] = []
    try:
        settings = read_settings(content_dir)
    except BuildError as exc:
        return {}, exc.problems
    renderer = GuideRenderer(settings.allow_raw_html)
    found: dict[StepKind, Guidance] = {}
    for file in sorted((content_dir / GUIDES_DIR).glob("*.md")):
        try:
            source = read_guide(content_dir, file)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        rendered = renderer.render(source)
        problems.extend(rendered.problems)
        found.update(_step_sections(source, rendered.html, settings.base_url))
    for kind, key in SECTION_KEYS.items():
        if kind not in found:
            problems.append(
                Problem(
                    GUIDES_DIR,
                    None,
                    f"no guide has a ## section keyed {{#{key}}}: the portal "
                    f"shows it as the guidance for “{kind.label}”",
                )
            )
    return found, problems


def _step_sections(source, html: str, base_url: str) -> dict[StepKind, Guidance]:
    by_key = {key: kind for kind, key in SECTION_KEYS.items()}
    sections = list(H2_RE.finditer(html))
    found = {}
    for index, match in enumerate(sections):
        kind = by_key.get(match.group(1))
        if kind is None:
            continue
        end = sections[index + 1].start() if index + 1 < len(sections) else len(html)
        body = HEADING_ANCHOR_RE.sub(r"\1", html[match.end() : end].strip())
        body = resolve_guide_links(body, "portal", source.key, base_url)
        found[kind] = Guidance(
            kind=kind,
            title=" ".join(TAG_RE.sub("", match.group(2)).split()),
            # Our own guides, rendered with raw HTML refused (bandit B704 reviewed).
            html=Markup(body),  # nosec B704
            guide_title=source.title,
            url=f"{base_url}guides/{source.key}/#{match.group(1)}",
        )
    return found


def guidance() -> dict[StepKind, Guidance]:
    """The guidance for the four steps, read once per process. Problems in the guides are
    logged with their file and line; a step whose section cannot be read goes without
    advice rather than the page failing."""
    cache = current_app.extensions.setdefault("guidance", {})
    if "steps" not in cache:
        found, problems = load_guidance(Path(current_app.config["CONTENT_DIR"]))
        if problems:
            current_app.logger.error(
                "Problems in the guides the portal reads its step advice from:\n%s",
                "\n".join(str(p) for p in problems),
            )
        cache["steps"] = found
    return cache["steps"]
