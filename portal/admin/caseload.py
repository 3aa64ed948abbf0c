"""/admin/users/<id>/handover and /admin/candidates/unassigned: moving candidates between
recruiters in bulk (a departing recruiter's caseload; candidates nobody looks after)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, fresh_login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..caseload import (
    CaseloadChanged,
    active_recruiters,
    move,
    open_steps_by_candidate,
    plan,
    unassigned,
)
from ..extensions import db
from ..models import Candidate, Role, User
from ..web.forms import ConfirmForm
from ..web.lists import paginate
from . import admin_only, bp
from .forms import BulkAssignForm, HandoverForm


def _recruiter_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role != Role.RECRUITER:
        abort(404)
    return user


def _caseload(recruiter: User) -> list[Candidate]:
    return list(
        db.session.scalars(
            select(Candidate)
            .where(Candidate.recruiter_id == recruiter.id)
            .order_by(Candidate.name, Candidate.id)
        )
    )


@bp.get("/users/<int:user_id>/handover")
@admin_only
@fresh_login_required
def handover(user_id: int) -> ResponseReturnValue:
    """Choose which of a recruiter's candidates go to which recruiters; once chosen, a
    preview of who takes on whom and how many open steps, to confirm."""
    source = _recruiter_or_404(user_id)
    caseload = _caseload(source)
    steps = open_steps_by_candidate(c.id for c in caseload)
    recruiters = active_recruiters(source.id)
    form = HandoverForm(request.args)
    form.candidates.choices = [(c.id, c.name) for c in caseload]
    form.to.choices = [(r.id, r.name) for r in recruiters]
    chosen = bool(request.args)
    shares = []
    if chosen and form.validate():
        picked = set(form.candidates.data or [])
        takers = [r for r in recruiters if r.id in set(form.to.data or [])]
        shares = plan([c for c in caseload if c.id in picked], takers, steps)
    elif not chosen:
        form.candidates.data = [c.id for c in caseload]  # all, until the admin says otherwise
    return render_template(
        "admin/handover.html",
        source=source,
        caseload=caseload,
        steps=steps,
        recruiters=recruiters,
        form=form,
        shares=shares,
        confirm=ConfirmForm(),
    ), 422 if chosen and form.errors else 200


@bp.post("/users/<int:user_id>/handover")
@admin_only
@fresh_login_required
def hand_over(user_id: int) -> ResponseReturnValue:
    """Make the hand-over the admin confirmed, in one transaction; if someone else moved
    any of these candidates meanwhile, nothing is moved and the admin is told."""
    source = _recruiter_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    moves = _moves(request.form.getlist("move"), exclude=source.id)
    note = request.form.get("note", "").strip()[:200]
    back = redirect(url_for("admin.handover", user_id=source.id), 303)
    if moves is None or len(note.splitlines()) > 1:
        flash("The hand-over could not be read; choose again.", "error")
        return back
    try:
        moved = move(moves, source, current_user, f"handed over from {source.name}", note)
        db.session.commit()
    except CaseloadChanged:
        db.session.rollback()
        flash(
            f"Someone else moved some of {source.name}'s candidates meanwhile, so nothing was "
            "moved. Here is the caseload as it is now: choose again.",
            "error",
        )
        return back
    flash(
        f"{moved} candidate{'s' if moved != 1 else ''} handed over from {source.name}.", "success"
    )
    return redirect(url_for("admin.user", user_id=source.id), 303)


def _moves(pairs: list[str], exclude: int | None = None) -> dict[int, int] | None:
    """``candidate-recruiter`` pairs from the confirmation form, each recruiter an active one
    (not ``exclude``); None when any cannot be read."""
    moves: dict[int, int] = {}
    for pair in pairs:
        candidate, _, recruiter = pair.partition("-")
        if not (candidate.isdigit() and recruiter.isdigit()) or len(pair) > 24:
            return None
        moves[int(candidate)] = int(recruiter)
    allowed = {r.id for r in active_recruiters(*([exclude] if exclude else []))}
    if not moves or not set(moves.values()) <= allowed:
        return None
    return moves


@bp.route("/candidates/unassigned", methods=["GET", "POST"])
@admin_only
@fresh_login_required
def unassigned_candidates() -> ResponseReturnValue:
    """Candidates nobody looks after (no recruiter, or a deactivated one), to assign in bulk."""
    form = BulkAssignForm()
    form.candidates.choices = [
        (i, str(i)) for i in db.session.scalars(select(Candidate.id).where(unassigned()))
    ]
    form.recruiter_id.choices = [(r.id, r.name) for r in active_recruiters()]
    if form.validate_on_submit():
        recruiter = db.session.get_one(User, form.recruiter_id.data)
        chosen = dict.fromkeys(form.candidates.data or [], recruiter.id)
        try:
            moved = move(chosen, None, current_user, "from the unassigned list")
            db.session.commit()
        except CaseloadChanged:
            db.session.rollback()
            flash(
                "Someone else assigned some of these candidates meanwhile, so nothing was "
                "changed. Here is the list as it is now.",
                "error",
            )
            return redirect(url_for("admin.unassigned_candidates"), 303)
        flash(
            f"{moved} candidate{'s' if moved != 1 else ''} assigned to {recruiter.name}.", "success"
        )
        return redirect(url_for("admin.unassigned_candidates"), 303)
    page = paginate(
        select(Candidate)
        .where(unassigned())
        .options(joinedload(Candidate.recruiter))
        .order_by(Candidate.name, Candidate.id)
    )
    steps = open_steps_by_candidate(c.id for c in page.items)
    total = db.session.scalar(select(func.count(Candidate.id)).where(unassigned()))
    return render_template(
        "admin/unassigned.html", form=form, page=page, steps=steps, total=total
    ), 422 if form.errors else 200
