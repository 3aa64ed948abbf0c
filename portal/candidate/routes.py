"""The candidate's own pages: their checklist, drafts and handout, never anyone else's."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import get_interview_or_404, get_step_or_404, role_required, visible_candidates
from ..checklists import CANDIDATE_STEPS, candidate_checklists
from ..draft_views import render_draft
from ..extensions import db
from ..handout import pdf_response
from ..models import Candidate, Role, Step
from ..step_forms import StepDoneForm, UndoForm
from ..steps import mark_done, undo
from ..times import format_local, utcnow
from ..views import changed_meanwhile
from . import bp

candidate_only = role_required(Role.CANDIDATE)


def _me() -> Candidate:
    return db.first_or_404(
        visible_candidates(current_user).options(joinedload(Candidate.recruiter))
    )


def _sent_form(step: Step, now=None) -> StepDoneForm:
    """The "mark as sent" form of one step, prefixed as the page holds one per step: blank
    with today's defaults when ``now`` is given, else read from the request."""
    prefix = f"step{step.id}"
    if now is None:
        return StepDoneForm(step=step, prefix=prefix)
    form = StepDoneForm.blank(step, now, prefix=prefix)
    form.channel.data = form.channel.data or "email"
    return form


def _checklist_page(refused: StepDoneForm | None = None, status: int = 200):
    candidate = _me()
    now = utcnow()
    checklists = candidate_checklists(current_user, candidate, now)
    forms = {
        line.step.id: refused
        if refused is not None and refused.step.id == line.step.id
        else _sent_form(line.step, now)
        for checklist in checklists.current
        for line in checklist.lines
        if line.step.kind in CANDIDATE_STEPS
        and line.step.done_at is None
        and line.step.waived_at is None
    }
    page = render_template(
        "candidate/home.html",
        candidate=candidate,
        current=checklists.current,
        earlier=checklists.earlier,
        forms=forms,
        undo_form=UndoForm(),
        now=now,
    )
    if checklists.made_steps:  # after rendering: committing expires what the page was drawn from
        db.session.commit()
    return page, status


@bp.get("/")
@candidate_only
def home():
    """My interviews and, for each, the four steps: what to do, by when, and how it stands."""
    return _checklist_page()


def _changed_meanwhile(step: Step):
    flash(
        f"Your {step.kind.label.lower()} for {step.interview.employer.name} was changed (perhaps by your "
        "recruiter) while you had this page open, so nothing was saved. Here it is as it stands now.",
        "error",
    )
    return _checklist_page(status=409)


def _my_sent_step(step_id: int) -> Step:
    step = get_step_or_404(step_id)  # only my own steps are found
    if step.kind not in CANDIDATE_STEPS:
        abort(404)
    return step


@bp.post("/steps/<int:step_id>/sent")
@candidate_only
def mark_sent(step_id: int):
    """Mark my thank-you note or follow-up as sent (when, and how)."""
    step = _my_sent_step(step_id)
    back = redirect(url_for("candidate.home", _anchor=f"interview-{step.interview_id}"), 303)
    if changed_meanwhile(step):
        return _changed_meanwhile(step)
    if step.done_at is not None or step.waived_at is not None:
        flash(f"{step.kind.label} is already recorded.", "info")
        return back
    form = _sent_form(step)
    if not form.validate_on_submit():
        return _checklist_page(refused=form, status=422)
    mark_done(step, current_user, form.done_at_utc, channel=form.channel.data)
    db.session.commit()
    flash(
        f"{step.kind.label} for {step.interview.employer.name} marked as sent "
        f"({format_local(step.done_at)}, {step.channel.label.lower()}). Your recruiter can see it now.",
        "success",
    )
    return back


@bp.post("/steps/<int:step_id>/undo")
@candidate_only
def undo_sent(step_id: int):
    """Take back my own "sent" mark (a recruiter's record stays theirs to change)."""
    step = _my_sent_step(step_id)
    back = redirect(url_for("candidate.home", _anchor=f"interview-{step.interview_id}"), 303)
    if changed_meanwhile(step):
        return _changed_meanwhile(step)
    if not UndoForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
    elif step.done_at is None or step.done_by_id != current_user.id:
        flash(
            "Only what you marked yourself can be taken back here; ask your recruiter about the rest.",
            "error",
        )
    else:
        undo(step, current_user)
        db.session.commit()
        flash(f"{step.kind.label} is open again.", "success")
    return back


@bp.get("/interviews/<int:interview_id>/drafts/<slug>")
@candidate_only
def draft(interview_id: int, slug: str):
    """A draft of my thank-you or follow-up note for one interview."""
    return render_draft(
        get_interview_or_404(interview_id),
        slug,
        "drafts/draft.html",
        endpoints=("candidate.draft", "candidate.draft_print"),
    )


@bp.get("/interviews/<int:interview_id>/drafts/<slug>/print")
@candidate_only
def draft_print(interview_id: int, slug: str):
    """The same draft laid out for printing, to copy out by hand."""
    return render_draft(
        get_interview_or_404(interview_id),
        slug,
        "drafts/print.html",
        endpoints=("candidate.draft", "candidate.draft_print"),
    )


@bp.get("/checklist.pdf")
@candidate_only
def checklist_pdf():
    """My checklist as a PDF to print and take home."""
    candidate = _me()
    now = utcnow()
    return pdf_response(candidate, candidate_checklists(current_user, candidate, now).current, now)
