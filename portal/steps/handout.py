"""The printable checklist handout: a candidate's open interviews and steps, as a PDF.

Rendered by WeasyPrint with the same print stylesheet as the PDF guides
(``design/print.css``), so the handout and the guides look like one set.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Response, current_app, render_template
from flask_login import current_user
from weasyprint import HTML

from design import DIRECTORY as DESIGN

from ..audit import record
from ..models import Candidate, User
from ..models.search import fold
from ..times import format_local
from .checklist import InterviewChecklist, candidate_checklists
from .guidance import guidance

PDF_VARIANT = "pdf/ua-1"  # tagged, with the title shown and the language set, like the guides


def checklist_pdf(
    candidate: Candidate, checklists: list[InterviewChecklist], now: datetime
) -> bytes:
    """The handout as PDF bytes."""
    html = render_template(
        "handout/checklist.html",
        candidate=candidate,
        checklists=checklists,
        now=now,
        advice=guidance(),
        agency=current_app.config["AGENCY_NAME"],
        stamp=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the PDF's dates
    )
    return HTML(string=html, base_url=str(DESIGN) + "/").write_pdf(
        pdf_variant=PDF_VARIANT, custom_metadata=False
    )


def handout_response(viewer: User, candidate: Candidate, now: datetime) -> Response:
    """The handout of ``candidate``'s open interviews as ``viewer`` may see them, as a download
    named after the candidate and the day. The download is noted in the audit trail (added
    to the session: the view commits)."""
    pdf = checklist_pdf(candidate, candidate_checklists(viewer, candidate, now).current, now)
    # The name kept readable in plain letters: "Zoë Nguyễn" → "zoe-nguyen".
    slug = re.sub(r"[^a-z0-9]+", "-", fold(candidate.name)).strip("-") or "candidate"
    name = f"follow-up-checklist-{slug}-{format_local(now, '%Y-%m-%d')}.pdf"
    record(
        current_user,
        "export.handout",
        f"Checklist handout printed for {candidate.name}",
        candidate_id=candidate.id,
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )
