"""What to do for each step, in the agency's own words: sections of the guides in content/.

The site and the portal share one source. The main guide's sections keyed
``step-timeline-asked``, ``step-thank-you``, ``step-follow-up`` and ``step-move-on`` are
the guidance for the four steps; the site builder reads and renders them, and this module
cuts each one out, pointing its links at the public site. A guide that cannot be read
raises the builder's ``BuildError``, which names the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from sitebuilder.content import read_guides, read_settings
from sitebuilder.errors import BuildError, Problem
from sitebuilder.pages import resolve_guide_links
from sitebuilder.render import GuideRenderer

from .followup import StepKind

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


def load_guidance(content_dir: Path) -> dict[StepKind, Guidance]:
    """Read the guides and cut out the four step sections; BuildError names what is wrong."""
    settings = read_settings(content_dir)
    renderer = GuideRenderer(settings.allow_raw_html)
    found: dict[StepKind, Guidance] = {}
    problems: list[Problem] = []
    by_key = {key: kind for kind, key in SECTION_KEYS.items()}
    for source in read_guides(content_dir):
        rendered = renderer.render(source)
        problems.extend(rendered.problems)
        sections = list(H2_RE.finditer(rendered.html))
        for index, match in enumerate(sections):
            kind = by_key.get(match.group(1))
            if kind is None:
                continue
            end = sections[index + 1].start() if index + 1 < len(sections) else len(rendered.html)
            body = HEADING_ANCHOR_RE.sub(r"\1", rendered.html[match.end():end].strip())
            body = resolve_guide_links(body, "portal", source.key, settings.base_url)
            found[kind] = Guidance(
                kind=kind,
                title=" ".join(TAG_RE.sub("", match.group(2)).split()),
                html=Markup(body),
                guide_title=source.title,
                url=f"{settings.base_url}guides/{source.key}/#{match.group(1)}",
            )
    for kind, key in SECTION_KEYS.items():
        if kind not in found:
            problems.append(Problem("guides/", None, f"no guide has a ## section keyed {{#{key}}}: the portal "
                                                     f"shows it as the guidance for “{kind.label}”"))
    if problems:
        raise BuildError(problems)
    return found


def guidance() -> dict[StepKind, Guidance]:
    """The guidance for the four steps, read once per process; empty (and logged) when the
    guides are broken, so a bad content file costs the pages their advice, not a 500."""
    cache = current_app.extensions.setdefault("guidance", {})
    if "steps" not in cache:
        try:
            cache["steps"] = load_guidance(Path(current_app.config["CONTENT_DIR"]))
        except BuildError as exc:
            current_app.logger.error("The step guidance could not be read from the guides:\n%s", exc)
            cache["steps"] = {}
    return cache["steps"]
