"""/me/: the candidate's own pages: their checklist, drafts and handout, never anyone else's."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import get_interview_or_404, get_step_or_404, role_required, visible_candidates
from ..extensions import db
from ..models import Candidate, Role, Step
from ..steps.checklist import SENT_STEPS, candidate_checklists
from ..steps.handout import handout_response
from ..times import format_local, utcnow
from ..web import step_actions
from ..web.drafts import render_draft
from ..web.step_forms import StepDoneForm, UndoForm
from . import bp

candidate_only = role_required(Role.CANDIDATE)
DRAFT_ENDPOINTS = ("candidate.draft", "candidate.draft_print")


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


def _checklist_page(refused: StepDoneForm | None = None, status: int = 200) -> ResponseReturnValue:
    candidate = _me()
    now = utcnow()
    checklists = candidate_checklists(current_user, candidate, now)
    forms = {
        line.step.id: refused
        if refused is not None and refused.step.id == line.step.id
        else _sent_form(line.step, now)
        for checklist in checklists.current
        for line in checklist.lines
        if line.step.kind in SENT_STEPS
        and line.step.done_at is None
        and line.step.waived_at is None
        and checklist.interview.ends_at <= now  # a note is sent after the interview
    }
    return render_template(
        "candidate/home.html",
        candidate=candidate,
        current=checklists.current,
        earlier=checklists.earlier,
        forms=forms,
        undo_form=UndoForm(),
        now=now,
    ), status


class CandidateDesk(step_actions.StepDesk):
    """A candidate marks their own notes as sent from their checklist, and takes back only
    their own marks (a recruiter's record stays theirs to change)."""

    def page(self, step: Step, *, status: int = 200, **forms: Any) -> ResponseReturnValue:
        return _checklist_page(refused=forms.get("done_form"), status=status)

    def done_form(self, step: Step) -> StepDoneForm:
        return _sent_form(step)

    def done_fields(self, step: Step, form: StepDoneForm) -> dict[str, Any]:
        return {"channel": form.channel.data}

    def url_after(self, step: Step, action: str) -> str:
        return url_for("candidate.home", _anchor=f"interview-{step.interview_id}")

    def changed_message(self, step: Step) -> str:
        return (
            f"Your {step.kind.label.lower()} for {step.interview.employer.name} was changed (perhaps by your "
            "recruiter) while you had this page open, so nothing was saved. Here it is as it stands now."
        )

    def done_refusal(self, step: Step) -> tuple[str, str] | None:
        if step.done_at is not None or step.waived_at is not None:
            return f"{step.kind.label} is already recorded.", "info"
        if step.interview.ends_at > utcnow():
            return (
                f"Mark your {step.kind.label.lower()} as sent once the interview is over.",
                "info",
            )
        return None

    def undo_refusal(self, step: Step) -> str | None:
        if step.done_at is None or step.done_by_id != current_user.id:
            return "Only what you marked yourself can be taken back here; ask your recruiter about the rest."
        return None

    def done_message(self, step: Step) -> str:
        return (
            f"{step.kind.label} for {step.interview.employer.name} marked as sent "
            f"({format_local(step.done_at)}, {step.channel.label.lower() if step.channel else ''}). "
            "Your recruiter can see it now."
        )


DESK = CandidateDesk()


def _my_sent_step(step_id: int) -> Step:
    step = get_step_or_404(step_id)  # only my own steps are found
    if step.kind not in SENT_STEPS:
        abort(404)
    return step


@bp.get("/")
@candidate_only
def home() -> ResponseReturnValue:
    """My interviews and, for each, the four steps: what to do, by when, and how it stands."""
    return _checklist_page()


@bp.post("/steps/<int:step_id>/sent")
@candidate_only
def mark_sent(step_id: int) -> ResponseReturnValue:
    """Mark my thank-you note or follow-up as sent (when, and how)."""
    return step_actions.mark_step_done(DESK, _my_sent_step(step_id))


@bp.post("/steps/<int:step_id>/undo")
@candidate_only
def undo_sent(step_id: int) -> ResponseReturnValue:
    """Take back my own "sent" mark (a recruiter's record stays theirs to change)."""
    return step_actions.undo_step(DESK, _my_sent_step(step_id))


@bp.get("/interviews/<int:interview_id>/drafts/<slug>")
@candidate_only
def draft(interview_id: int, slug: str) -> str:
    """A draft of my thank-you or follow-up note for one interview."""
    return render_draft(
        get_interview_or_404(interview_id), slug, "drafts/draft.html", endpoints=DRAFT_ENDPOINTS
    )


@bp.get("/interviews/<int:interview_id>/drafts/<slug>/print")
@candidate_only
def draft_print(interview_id: int, slug: str) -> str:
    """The same draft laid out for printing, to copy out by hand."""
    return render_draft(
        get_interview_or_404(interview_id), slug, "drafts/print.html", endpoints=DRAFT_ENDPOINTS
    )


@bp.get("/checklist.pdf")
@candidate_only
def checklist_pdf() -> Response:
    """My checklist as a PDF to print and take home."""
    response = handout_response(current_user, _me(), utcnow())
    db.session.commit()  # the download's line in the audit trail
    return response
