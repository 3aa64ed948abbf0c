"""The printable checklist handout: a candidate's open interviews and steps, as a PDF.

Rendered by WeasyPrint with the same print stylesheet as the PDF guides
(``design/print.css``), so the handout and the guides look like one set.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import Response, current_app, render_template
from flask_login import current_user
from weasyprint import HTML

from design import DIRECTORY as DESIGN

from ..audit import record
from ..extensions import db
from ..models import Candidate
from ..times import format_local
from .checklist import InterviewChecklist
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
    )
    return HTML(string=html, base_url=str(DESIGN) + "/").write_pdf(
        pdf_variant=PDF_VARIANT, custom_metadata=False
    )


def pdf_response(
    candidate: Candidate, checklists: list[InterviewChecklist], now: datetime
) -> Response:
    """The handout as a download named after the candidate and the day."""
    pdf = checklist_pdf(candidate, checklists, now)
    slug = re.sub(r"[^a-z0-9]+", "-", candidate.name.lower()).strip("-") or "candidate"
    name = f"follow-up-checklist-{slug}-{format_local(now, '%Y-%m-%d')}.pdf"
    record(
        current_user,
        "export.handout",
        f"Checklist handout printed for {candidate.name}",
        candidate_id=candidate.id,
    )
    db.session.commit()  # after rendering: committing expires what the page was drawn from
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )
