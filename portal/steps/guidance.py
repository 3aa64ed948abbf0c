"""What to do for each step, in the agency's own words: sections of the guides in content/.

The site and the portal share one source. The main guide's sections keyed
``step-timeline-asked``, ``step-thank-you``, ``step-follow-up`` and ``step-move-on`` are
the guidance for the four steps; the site builder reads and renders them
(``sitebuilder.sections``), their links pointing at the public site. Problems are the
builder's own, naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from sitebuilder.errors import Problem
from sitebuilder.sections import read_sections

from ..followup import StepKind

SECTION_KEYS = {
    StepKind.TIMELINE: "step-timeline-asked",
    StepKind.THANK_YOU: "step-thank-you",
    StepKind.FOLLOW_UP: "step-follow-up",
    StepKind.MOVE_ON: "step-move-on",
}


SUB_HEADING_RE = re.compile(r"<(/?)h([3-6])>")


@dataclass(frozen=True)
class Guidance:
    kind: StepKind
    title: str  # the section's heading
    html: Markup  # the section's body; its sub-headings are <h3> (see ``under``)
    guide_title: str
    url: str  # the section on the public site

    def under(self, level: int) -> Markup:
        """The body, its sub-headings one level below a heading of ``level`` (an <h3> in
        the guide is an <h4> under a step's <h3>), so the page's outline stays in order."""
        return Markup(  # nosec B704: only our own heading tags are renamed
            SUB_HEADING_RE.sub(
                lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) - 2 + level)}>", self.html
            )
        )


def load_guidance(
    content_dir: Path, site_url: str | None = None
) -> tuple[dict[StepKind, Guidance], list[Problem]]:
    """The four step sections, and every problem met reading the guides (file and line).
    Their links point at ``site_url`` (default: the guides' own base_url; "": none)."""
    sections, problems = read_sections(content_dir, SECTION_KEYS.values(), site_url)
    found = {}
    for kind, key in SECTION_KEYS.items():
        section = sections.get(key)
        if section is not None:
            found[kind] = Guidance(
                kind=kind,
                title=section.title,
                # Our own guides, rendered with raw HTML refused (bandit B704 reviewed).
                html=Markup(section.html),  # nosec B704
                guide_title=section.guide_title,
                url=section.url,
            )
    return found, problems


def guidance() -> dict[StepKind, Guidance]:
    """The guidance for the four steps, read once per process. Problems in the guides are
    logged with their file and line; a step whose section cannot be read goes without
    advice rather than the page failing."""
    cache = current_app.extensions.setdefault("guidance", {})
    if "steps" not in cache:
        found, problems = load_guidance(
            Path(current_app.config["CONTENT_DIR"]), current_app.config["ADVICE_SITE_URL"]
        )
        if problems:
            current_app.logger.error(
                "Problems in the guides the portal reads its step advice from:\n%s",
                "\n".join(str(p) for p in problems),
            )
        cache["steps"] = found
    return cache["steps"]
