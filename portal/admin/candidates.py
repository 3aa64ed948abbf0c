"""/admin/candidates: every candidate and their recruiter; assignment, data export, erasure."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, fresh_login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..access import get_candidate_or_404
from ..audit import record
from ..extensions import db
from ..models import Assignment, Candidate, User
from ..models.search import matches_all
from ..privacy import erase, export_data
from ..steps.sync import hand_over_open_steps
from ..times import utcnow
from ..web.forms import form_status
from ..web.lists import list_page
from . import admin_only, bp
from .forms import AssignForm, CandidateAssignmentFilterForm, EraseForm, recruiter_choices

UNASSIGNED = -1


def _filter_candidates(form: CandidateAssignmentFilterForm, query: Select) -> Select:
    if form.q.data:
        query = query.where(matches_all(form.q.data, Candidate.search_text))
    if form.recruiter_id.data == UNASSIGNED:
        query = query.where(Candidate.recruiter_id.is_(None))
    elif form.recruiter_id.data:
        query = query.where(Candidate.recruiter_id == form.recruiter_id.data)
    return query


@bp.get("/candidates")
@admin_only
def candidates() -> ResponseReturnValue:
    """All candidates with their recruiter, to spot and fix assignments."""
    form = CandidateAssignmentFilterForm(request.args)
    form.recruiter_id.choices = recruiter_choices(
        (0, "Any recruiter"), (UNASSIGNED, "Unassigned"), active_only=False
    )
    listing = list_page(
        "admin_candidates",
        form,
        select(Candidate).options(joinedload(Candidate.recruiter)),
        _filter_candidates,
        sort={
            "name": Candidate.name,
            "email": Candidate.email,
            "recruiter": Candidate.recruiter_id,
        },
        default="name",
        then=Candidate.id,
    )
    return listing.render("admin/candidates.html")


@bp.route("/candidates/<int:candidate_id>/assignment", methods=["GET", "POST"])
@admin_only
def assign(candidate_id: int):
    """Assign or reassign a candidate; the history of assignments is kept."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = AssignForm()
    form.recruiter_id.choices = recruiter_choices()
    if request.method == "GET" and candidate.recruiter_id:
        form.recruiter_id.data = candidate.recruiter_id
    if form.validate_on_submit():
        recruiter = db.get_or_404(User, form.recruiter_id.data)
        if candidate.assign_to(recruiter, by=current_user, note=form.note.data or "") is None:
            form.recruiter_id.errors = [
                f"{candidate.name} is already assigned to {recruiter.name}."
            ]
        else:
            hand_over_open_steps(candidate.id, recruiter.id)
            record(
                current_user,
                "candidate.assigned",
                f"{candidate.name} assigned to {recruiter.name}"
                + (f": {form.note.data}" if form.note.data else ""),
                candidate_id=candidate.id,
            )
            db.session.commit()
            flash(f"{candidate.name} is now assigned to {recruiter.name}.", "success")
            return redirect(url_for("admin.assign", candidate_id=candidate.id)), 303
    history = db.session.scalars(
        select(Assignment)
        .where(Assignment.candidate_id == candidate.id)
        .options(joinedload(Assignment.recruiter), joinedload(Assignment.assigned_by))
        .order_by(Assignment.started_at.desc(), Assignment.id.desc())
    ).all()
    return render_template(
        "admin/assign.html", candidate=candidate, form=form, history=history
    ), form_status()


@bp.get("/candidates/<int:candidate_id>/export.json")
@admin_only
@fresh_login_required  # an export of one person's data
def export_candidate(candidate_id: int):
    """Everything held about a candidate, as JSON, for a request under PIPEDA."""
    candidate = get_candidate_or_404(candidate_id)
    data = export_data(candidate)
    record(
        current_user,
        "candidate.exported",
        f"Data of candidate #{candidate.id} exported",
        candidate_id=candidate.id,
    )
    db.session.commit()
    body = json.dumps(
        {"exported_at": utcnow().isoformat(), "exported_by": current_user.email, **data},
        indent=2,
        ensure_ascii=False,
    )
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="candidate-{candidate.id}-data.json"'
        },
    )


@bp.route("/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
@admin_only
@fresh_login_required  # cannot be undone
def erase_candidate(candidate_id: int):
    """Erase a candidate: anonymise them and their account; their steps stay for the figures."""
    candidate = get_candidate_or_404(candidate_id)
    form = EraseForm()
    if form.validate_on_submit():
        number = candidate.id
        erase(candidate, utcnow())
        record(current_user, "candidate.erased", f"Candidate #{number} erased", candidate_id=number)
        db.session.commit()
        flash(
            f"Candidate #{number} is erased. Their steps stay, anonymous, in the compliance figures.",
            "success",
        )
        return redirect(url_for("admin.retention"), 303)
    return render_template("admin/erase.html", candidate=candidate, form=form), form_status()
