"""/admin/retention: candidates quiet for the retention period, to review (PIPEDA)."""

from __future__ import annotations

from flask import current_app, render_template

from ..privacy import inactive_candidates, retention_cutoff
from ..times import utcnow
from ..web.lists import paginate_rows
from . import admin_only, bp


@bp.get("/retention")
@admin_only
def retention():
    """Candidates with no change, interview or sign-in for the retention period: to review."""
    months = current_app.config["RETENTION_MONTHS"]
    cutoff = retention_cutoff(utcnow(), months)
    page = paginate_rows(inactive_candidates(cutoff))
    return render_template("admin/retention.html", page=page, months=months, cutoff=cutoff)
