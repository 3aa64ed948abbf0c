"""A synthetic corpus of guides for benchmarks and tests: front matter, six sections,
lists, a table and cross-links, in the same shape as the real guides."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

WORDS = [
    "interview",
    "timeline",
    "decision",
    "follow-up",
    "note",
    "firm",
    "clerk",
    "paralegal",
    "conveyancer",
    "closing",
    "deadline",
    "courteous",
    "recruiter",
    "employer",
    "partner",
    "panel",
    "email",
    "handwritten",
    "channel",
    "candidate",
    "schedule",
    "week",
    "answer",
    "silence",
    "position",
    "practice",
    "litigation",
    "estates",
    "corporate",
    "filing",
    "client",
    "matter",
    "calendar",
]


TAGS = [
    "timeline",
    "thank-you",
    "follow-up",
    "moving-on",
    "templates",
    "coaching",
    "interview",
    "panel",
    "phone-screen",
    "email",
    "handwritten",
    "real-estate",
    "litigation",
    "corporate",
    "estates",
    "family",
    "in-house",
    "first-job",
    "career-change",
    "references",
    "offers",
    "rejection",
    "silence",
    "deadlines",
]


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def guide_text(n: int, count: int, rng: random.Random) -> str:
    key = f"guide-{n:03d}"
    other = f"guide-{(n + 1) % count:03d}"
    updated = date(2026, 1, 1) + timedelta(days=n % 300)
    lines = [
        "---",
        f"title: Guide number {n} on {rng.choice(WORDS)} and {rng.choice(WORDS)}",
        f"summary: {paragraph(rng, 1)[:180]}",
        f"audience: {'recruiter' if n % 5 == 0 else 'candidate'}",
        f"order: {n}",
        f"tags: [{', '.join(sorted(rng.sample(TAGS, rng.randint(2, 4))))}]",
        f"updated: {updated.isoformat()}",
        f"key: {key}",
        "---",
        "",
        paragraph(rng),
        "",
    ]
    for s in range(6):
        lines += [f"## Section {s} of guide {n} {{#{key}-s{s}}}", "", paragraph(rng), ""]
        if s == 1:
            lines += ["- " + paragraph(rng, 1) for _ in range(4)] + [""]
        if s == 2:
            lines += ["| What they said | Date to note | Follow up |", "| --- | --- | --- |"]
            lines += [f"| {rng.choice(WORDS)} | day {i} | day {i + 3} |" for i in range(4)] + [""]
        if s == 3:
            lines += [f"### A detail of section {s} {{#{key}-s{s}-detail}}", "", paragraph(rng), ""]
            lines += [
                f"See [the next guide]({other}.md#{other}-s1) and [this section](#{key}-s0).",
                "",
            ]
        if s == 4:
            lines += [
                "1. " + paragraph(rng, 1),
                "2. " + paragraph(rng, 1),
                "",
                "> " + paragraph(rng, 2),
                "",
            ]
    return "\n".join(lines)


def write_corpus(folder: Path, count: int = 300, seed: int = 1, handbook: int = 0) -> Path:
    """Write ``count`` guides and a site.yml into ``folder``; returns the folder."""
    rng = random.Random(seed)
    guides = folder / "guides"
    guides.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (guides / f"guide-{n:03d}.md").write_text(guide_text(n, count, rng), encoding="utf-8")
    handbook_yaml = "handbook: false\n"
    if handbook:
        listed = "\n".join(f"    - guide-{n:03d}" for n in range(min(handbook, count)))
        handbook_yaml = (
            f"handbook:\n  title: Synthetic handbook\n  subtitle: For tests\n  guides:\n{listed}\n"
        )
    (folder / "site.yml").write_text(
        "agency_name: Example Agency\ntitle: Synthetic guides\ntagline: A generated corpus.\n"
        "base_url: https://guides.example.com/\nlanguage: en-CA\nauthor: Example Agency\n"
        "contact: Call 416-555-0100.\nallow_raw_html: false\n"
        "nav:\n  - title: Home\n    url: /\n  - title: All guides\n    url: /guides/\n"
        + handbook_yaml,
        encoding="utf-8",
    )
    return folder
