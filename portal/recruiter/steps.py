"""/steps/<id>: one step of an interview, and what a recruiter does to it."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue

from ..access import get_step_or_404
from ..audit import audit_trail
from ..followup import TO_DO, StepKind
from ..models import AuditEvent, Outcome, Step, Timeline
from ..steps.actions import SETTLED_BY_CLOSING
from ..steps.checklist import SENT_STEPS, step_rows
from ..times import utcnow
from ..web import step_actions
from ..web.step_forms import StepDoneForm, UndoForm, WaiveForm
from . import bp, staff_only


def _closed_by(step: Step) -> Outcome | None:
    """The outcome that settled the interview, when that rules out closing it as no response."""
    outcome = step.interview.outcome
    if step.kind == StepKind.MOVE_ON and outcome not in (Outcome.PENDING, Outcome.NO_RESPONSE):
        return outcome
    return None


class RecruiterDesk(step_actions.StepDesk):
    """A recruiter works a step on its own page and goes back to the interview when done."""

    def page(self, step: Step, *, status: int = 200, **forms: Any) -> ResponseReturnValue:
        interview = step.interview
        now = utcnow()
        row = next(r for r in step_rows(interview, now) if r["step"].id == step.id)
        done_form = forms.get("done_form")
        if done_form is None:
            done_form = StepDoneForm.blank(step, now)
            if step.kind == StepKind.TIMELINE:
                done_form.timeline.data = Timeline.DATE_GIVEN.value
        return render_template(
            "recruiter/step.html",
            step=step,
            interview=interview,
            row=row,
            to_do=TO_DO[step.kind],
            done_form=done_form,
            waive_form=forms.get("waive_form") or WaiveForm(formdata=None),
            undo_form=UndoForm(),
            history=audit_trail(AuditEvent.step_id == step.id),
            sent_step=step.kind in SENT_STEPS,
            now=now,
            closed_by=_closed_by(step),
        ), status

    def done_form(self, step: Step) -> StepDoneForm:
        return StepDoneForm(step=step)

    def done_fields(self, step: Step, form: StepDoneForm) -> dict[str, Any]:
        return {
            "channel": form.channel.data if step.kind in SENT_STEPS else None,
            "note": form.note.data or "",
            "timeline": form.timeline.data or None,
            "decision_date": form.decision_date.data,
        }

    def url_after(self, step: Step, action: str) -> str:
        if action in ("done", "waive"):
            return url_for("recruiter.interview", interview_id=step.interview_id)
        return url_for("recruiter.step", step_id=step.id)

    def changed_message(self, step: Step) -> str:
        return (
            f"{step.kind.label} was changed by someone else while you had this page open, so your change was "
            "not saved. Here it is as it stands now; make your change again if it still applies."
        )

    def done_refusal(self, step: Step) -> tuple[str, str] | None:
        if not step.is_open and step.result not in SETTLED_BY_CLOSING:
            return (
                f"{step.kind.label} is already {step.result_words}; undo it first to change it.",
                "error",
            )
        closed_by = _closed_by(step)
        if closed_by is not None:
            message = (
                f"The interview already has an outcome ({closed_by.label.lower()}), so it is not closed as no "
                "response. Change the outcome on the interview itself if it was recorded by mistake."
            )
            return message, "error"
        return None


DESK = RecruiterDesk()


@bp.get("/steps/<int:step_id>")
@staff_only
def step(step_id: int) -> ResponseReturnValue:
    """One step of an interview: its due time, status, what to do, and its history."""
    return DESK.page(get_step_or_404(step_id))


@bp.post("/steps/<int:step_id>/done")
@staff_only
def mark_step_done(step_id: int) -> ResponseReturnValue:
    """Record a step as done (when, channel, note); the timeline step takes the employer's answer."""
    return step_actions.mark_step_done(DESK, get_step_or_404(step_id))


@bp.post("/steps/<int:step_id>/undo")
@staff_only
def undo_step(step_id: int) -> ResponseReturnValue:
    """Put a done or waived step back to open."""
    return step_actions.undo_step(DESK, get_step_or_404(step_id))


@bp.post("/steps/<int:step_id>/waive")
@staff_only
def waive_step(step_id: int) -> ResponseReturnValue:
    """Waive a step, with a reason; it leaves the compliance figures."""
    return step_actions.waive_step(DESK, get_step_or_404(step_id))
