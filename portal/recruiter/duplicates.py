"""/duplicates: pairs of candidates who may be one person, for admins and for the
recruiter who has both; "not the same person", or a merge field by field, undone from
/candidates/<id>/merges for 30 days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..access import get_candidate_or_404
from ..audit import record
from ..extensions import db, write_lock
from ..intake.duplicates import described, pairs_seen_by
from ..intake.merging import (
    FIELDS,
    MOVED,
    MergeRefused,
    can_merge,
    can_undo,
    merge,
    unmerge,
)
from ..models import Candidate, CandidateMerge, DuplicatePair
from ..times import utcnow
from ..web.forms import ConfirmForm, form_status
from . import bp, staff_only
from .forms import merge_form

PER_PAGE = 25
MERGE_LOCK = 0x6D657267650001  # "merge" + 1: PostgreSQL's advisory lock for merges and undos
FIELD_LABELS = {
    "name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "role_sought": "Role sought",
    "status": "Status",
    "city": "City",
    "notes": "Notes",
    "recruiter_id": "Recruiter",
}


def _pair_or_404(pair_id: int) -> DuplicatePair:
    """A pair this person may see (both candidates theirs, for a recruiter)."""
    return db.first_or_404(pairs_seen_by(current_user).where(DuplicatePair.id == pair_id))


@bp.get("/duplicates")
@staff_only
def duplicates() -> ResponseReturnValue:
    """Likely duplicates still to look at, newest first."""
    page = db.paginate(
        pairs_seen_by(current_user)
        .options(
            joinedload(DuplicatePair.first).joinedload(Candidate.recruiter),
            joinedload(DuplicatePair.second).joinedload(Candidate.recruiter),
        )
        .order_by(DuplicatePair.found_at.desc(), DuplicatePair.id.desc()),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
    )
    return render_template(
        "recruiter/duplicates.html", page=page, described=described, dismiss=ConfirmForm()
    )


@bp.post("/duplicates/<int:pair_id>/dismiss")
@staff_only
def dismiss_duplicate(pair_id: int) -> ResponseReturnValue:
    """Not the same person: the pair is not shown again."""
    pair = _pair_or_404(pair_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    pair.dismissed_at, pair.dismissed_by = utcnow(), current_user
    for candidate, other in ((pair.first, pair.second), (pair.second, pair.first)):
        record(
            current_user,
            "duplicate.dismissed",
            f"{candidate.name} and {other.name} (#{other.id}) are not the same person",
            candidate_id=candidate.id,
        )
    db.session.commit()
    flash(
        f"{pair.first.name} and {pair.second.name} will not be shown as duplicates again.",
        "success",
    )
    return redirect(url_for("recruiter.duplicates"), 303)


@bp.route("/duplicates/<int:pair_id>/merge", methods=["GET", "POST"])
@staff_only
def merge_pair(pair_id: int) -> ResponseReturnValue:
    """The two records side by side: which to keep, and whose value each field takes."""
    pair = _pair_or_404(pair_id)
    older, newer = pair.first, pair.second
    form = merge_form(older, newer, formdata=request.form if request.method == "POST" else None)
    refused = can_merge(older, newer)
    if form.validate_on_submit() and not refused:
        # Under the lock, the pair read again: of two people merging it at once, the
        # second finds it gone (404) rather than half a merge.
        db.session.rollback()
        write_lock(MERGE_LOCK)
        pair = _pair_or_404(pair_id)
        older, newer = pair.first, pair.second
        kept, removed = (older, newer) if form.keep.data == "first" else (newer, older)
        picks = {
            key: (
                "both"
                if form[key].data == "both"
                else "kept"
                if form[key].data == form.keep.data
                else "removed"
            )
            for key in FIELDS
        }
        try:
            merged = merge(kept, removed, picks, current_user, utcnow())
            db.session.commit()
        except MergeRefused as exc:
            db.session.rollback()
            refused = str(exc)
        else:
            flash(
                f"{merged.removed_name} is merged into {kept.name}. You can undo this for 30 days.",
                "success",
            )
            return redirect(url_for("recruiter.candidate_merges", candidate_id=kept.id), 303)
    if refused and request.method == "POST":
        form.keep.errors = [*form.keep.errors, refused]
    return render_template(
        "recruiter/merge.html",
        pair=pair,
        form=form,
        fields=FIELD_LABELS,
        described=described,
        refused=refused,
        counts={c.id: _counts(c.id) for c in (older, newer)},
    ), form_status()


def _counts(candidate_id: int) -> dict[str, int]:
    """What hangs off a record, for the merge page."""
    return {
        name: db.session.scalar(
            select(func.count(model.id)).where(model.candidate_id == candidate_id)
        )
        or 0
        for name, model in MOVED.items()
        if name in ("interviews", "applications", "assignments")
    }


@bp.get("/candidates/<int:candidate_id>/merges")
@staff_only
def candidate_merges(candidate_id: int) -> ResponseReturnValue:
    """The records merged into this one, each with its undo while it may be undone."""
    candidate = get_candidate_or_404(candidate_id)
    merges = db.session.scalars(
        select(CandidateMerge)
        .where(CandidateMerge.kept_id == candidate.id)
        .options(joinedload(CandidateMerge.merged_by))
        .order_by(CandidateMerge.merged_at.desc())
    ).all()
    now = utcnow()
    return render_template(
        "recruiter/merges.html",
        candidate=candidate,
        merges=merges,
        undo_refused={m.id: can_undo(m, now) for m in merges},
        undo=ConfirmForm(),
    )


@bp.post("/candidates/<int:candidate_id>/merges/<int:merge_id>/undo")
@staff_only
def undo_merge(candidate_id: int, merge_id: int) -> ResponseReturnValue:
    """Put the two records back as they were before the merge."""
    candidate = get_candidate_or_404(candidate_id)
    merged = db.first_or_404(
        select(CandidateMerge).where(
            CandidateMerge.id == merge_id, CandidateMerge.kept_id == candidate.id
        )
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db.session.rollback()  # read again under the lock: two undos at once put it back once
    write_lock(MERGE_LOCK)
    candidate = get_candidate_or_404(candidate_id)
    merged = db.first_or_404(
        select(CandidateMerge).where(
            CandidateMerge.id == merge_id, CandidateMerge.kept_id == candidate.id
        )
    )
    try:
        removed = unmerge(merged, current_user, utcnow())
        db.session.commit()
    except MergeRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("recruiter.candidate_merges", candidate_id=candidate_id), 303)
    flash(f"The merge is undone: {removed.name} has their own record again.", "success")
    return redirect(url_for("recruiter.candidate", candidate_id=candidate.id), 303)
