"""/admin/retention: candidates quiet for the retention period (PIPEDA), and copies of job
postings kept their three years (ESA s. 15), to review."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..jobs.posting import came_down_on, kept_until, past_keeping
from ..models import Application, JobPosting
from ..privacy import inactive_candidates, retention_cutoff
from ..times import local_today, utcnow
from ..web.forms import ConfirmForm
from ..web.lists import paginate_rows
from . import admin_only, bp

POSTINGS_SHOWN = 50  # the oldest first; deleting them brings the next ones up


@bp.get("/retention")
@admin_only
def retention():
    """Candidates with no change, interview or sign-in for the retention period: to review."""
    months = current_app.config["RETENTION_MONTHS"]
    cutoff = retention_cutoff(utcnow(), months)
    page = paginate_rows(inactive_candidates(cutoff))
    today = local_today()
    postings = list(
        db.session.scalars(
            past_keeping(today).options(joinedload(JobPosting.job)).limit(POSTINGS_SHOWN)
        )
    )
    return render_template(
        "admin/retention.html",
        page=page,
        months=months,
        cutoff=cutoff,
        postings=[(p, came_down_on(p), kept_until(p, today)) for p in postings],
        confirm=ConfirmForm(),
    )


@bp.post("/retention/postings/<int:posting_id>/delete")
@admin_only
def delete_posting(posting_id: int):
    """Delete the copy of a posting version kept its three years (and only such a copy)."""
    back = redirect(url_for("admin.retention"), 303)
    posting = db.session.scalar(past_keeping(local_today()).where(JobPosting.id == posting_id))
    if posting is None:
        abort(404)  # unknown, or still within its three years
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return back
    title = posting.content.get("title", "")
    # Applications made to it stay (they are the applicants' data): they forget the version.
    db.session.execute(
        update(Application).where(Application.posting_id == posting.id).values(posting_id=None)
    )
    db.session.delete(posting)
    record(
        current_user, "job.posting_deleted", f"{title}: copy of version {posting.version} deleted"
    )
    db.session.commit()
    flash(f"The copy of {title} (version {posting.version}) is deleted.", "success")
    return back
