"""The follow-up checklist: one step's page and actions, and the queue of what is due."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import compliance
from ..access import get_candidate_or_404, get_interview_or_404, get_step_or_404, role_required
from ..checklists import candidate_checklists
from ..draft_views import render_draft
from ..extensions import db
from ..followup import TO_DO, Status, StepKind, assess
from ..handout import pdf_response
from ..models import AuditEvent, Outcome, Role, Timeline
from ..step_forms import SENT_STEPS, StepDoneForm, UndoForm, WaiveForm
from ..steps import (
    audit_trail,
    business_calendar,
    current_policy,
    mark_done,
    state_of,
    step_rows,
    undo,
    waive,
)
from ..times import local_day_bounds, local_today, utcnow
from ..views import changed_meanwhile, paginate_rows
from . import bp

staff_only = role_required(Role.RECRUITER, Role.ADMIN)
QUEUE_SIZE_ON_DASHBOARD = 10
DRAFT_ENDPOINTS = ("recruiter.draft", "recruiter.draft_print")


def _step_page(step, done_form=None, waive_form=None, status: int = 200):
    interview = step.interview
    now = utcnow()
    row = next(r for r in step_rows(interview, now) if r["step"].id == step.id)
    if done_form is None:
        done_form = StepDoneForm.blank(step, now)
        if step.kind == StepKind.TIMELINE:
            done_form.timeline.data = Timeline.DATE_GIVEN.value
    history = audit_trail(AuditEvent.step_id == step.id)
    return render_template(
        "recruiter/step.html",
        step=step,
        interview=interview,
        row=row,
        to_do=TO_DO[step.kind],
        done_form=done_form,
        waive_form=waive_form or WaiveForm(formdata=None),
        undo_form=UndoForm(),
        history=history,
        sent_step=step.kind in SENT_STEPS,
        now=now,
        closed_by=_closed_by(step),
    ), status


def _changed_meanwhile(step):
    """Show the step as it is now, saying why nothing was saved."""
    flash(
        f"{step.kind.label} was changed by someone else while you had this page open, so your change was "
        "not saved. Here it is as it stands now; make your change again if it still applies.",
        "error",
    )
    return _step_page(step, status=409)


def _closed_by(step) -> Outcome | None:
    """The outcome that settled the interview, when that rules out closing it as no response."""
    outcome = step.interview.outcome
    return (
        outcome
        if step.kind == StepKind.MOVE_ON and outcome not in (Outcome.PENDING, Outcome.NO_RESPONSE)
        else None
    )


@bp.get("/steps/<int:step_id>")
@staff_only
def step(step_id: int):
    """One step of an interview: its due time, status, what to do, and its history."""
    return _step_page(get_step_or_404(step_id))


@bp.post("/steps/<int:step_id>/done")
@staff_only
def mark_step_done(step_id: int):
    """Record a step as done (when, channel, note); the timeline step takes the employer's answer."""
    step = get_step_or_404(step_id)
    if changed_meanwhile(step):
        return _changed_meanwhile(step)
    if not step.is_open and step.result != Status.NOT_NEEDED:
        flash(
            f"{step.kind.label} is already {step.result.label.lower()}; undo it first to change it.",
            "error",
        )
        return redirect(url_for("recruiter.step", step_id=step.id), 303)
    closed_by = _closed_by(step)
    if closed_by is not None:
        flash(
            f"The interview already has an outcome ({closed_by.label.lower()}), so it is not closed as no "
            "response. Change the outcome on the interview itself if it was recorded by mistake.",
            "error",
        )
        return redirect(url_for("recruiter.step", step_id=step.id), 303)
    form = StepDoneForm(step=step)
    if not form.validate_on_submit():
        return _step_page(step, done_form=form, status=422)
    mark_done(
        step,
        current_user,
        form.done_at_utc,
        channel=form.channel.data if step.kind in SENT_STEPS else None,
        note=form.note.data or "",
        timeline=form.timeline.data or None,
        decision_date=form.decision_date.data,
    )
    db.session.commit()
    flash(f"{step.kind.label}: {step.result.label.lower()}.", "success")
    return redirect(url_for("recruiter.interview", interview_id=step.interview_id), 303)


@bp.post("/steps/<int:step_id>/undo")
@staff_only
def undo_step(step_id: int):
    """Put a done or waived step back to open."""
    step = get_step_or_404(step_id)
    if changed_meanwhile(step):
        return _changed_meanwhile(step)
    form = UndoForm()
    if not form.validate_on_submit():
        return _step_page(step, status=400)
    if step.done_at is None and step.waived_at is None:
        flash(f"{step.kind.label} is not done or waived; nothing to undo.", "error")
    else:
        undo(step, current_user)
        db.session.commit()
        flash(f"{step.kind.label} is open again.", "success")
    return redirect(url_for("recruiter.step", step_id=step.id), 303)


@bp.post("/steps/<int:step_id>/waive")
@staff_only
def waive_step(step_id: int):
    """Waive a step, with a reason; it leaves the compliance figures."""
    step = get_step_or_404(step_id)
    if changed_meanwhile(step):
        return _changed_meanwhile(step)
    form = WaiveForm()
    if step.done_at is not None or step.waived_at is not None:
        flash(f"{step.kind.label} is already {step.result.label.lower()}; undo it first.", "error")
        return redirect(url_for("recruiter.step", step_id=step.id), 303)
    if not form.validate_on_submit():
        return _step_page(step, waive_form=form, status=422)
    waive(step, current_user, form.reason.data)
    db.session.commit()
    flash(f"{step.kind.label} waived.", "success")
    return redirect(url_for("recruiter.interview", interview_id=step.interview_id), 303)


def due_by_today():
    """My open steps due by the end of today (the agency's day), most overdue first."""
    _, day_end = local_day_bounds(local_today())
    return compliance.queue(current_user, utcnow(), day_end)


def queue_rows(rows, now) -> list[dict]:
    policy, calendar = current_policy(), business_calendar()
    return [
        {
            "step": step,
            "interview": interview,
            "candidate": candidate,
            "employer": employer,
            "assessment": assess(state_of(step), now, policy, calendar),
        }
        for step, interview, candidate, employer in rows
    ]


@bp.get("/queue")
@staff_only
def queue():
    """Everything overdue or due today across my candidates."""
    now = utcnow()
    page = paginate_rows(due_by_today())
    return render_template(
        "recruiter/queue.html", page=page, rows=queue_rows(page.items, now), now=now
    )


@bp.get("/interviews/<int:interview_id>/drafts/<slug>")
@staff_only
def draft(interview_id: int, slug: str):
    """A draft of the candidate's thank-you or follow-up note, to send them or go through together."""
    return render_draft(
        get_interview_or_404(interview_id), slug, "drafts/draft.html", endpoints=DRAFT_ENDPOINTS
    )


@bp.get("/interviews/<int:interview_id>/drafts/<slug>/print")
@staff_only
def draft_print(interview_id: int, slug: str):
    """The same draft laid out for printing."""
    return render_draft(
        get_interview_or_404(interview_id), slug, "drafts/print.html", endpoints=DRAFT_ENDPOINTS
    )


@bp.get("/candidates/<int:candidate_id>/checklist.pdf")
@staff_only
def checklist_pdf(candidate_id: int):
    """The candidate's checklist handout, to print for them."""
    candidate = get_candidate_or_404(candidate_id)
    now = utcnow()
    return pdf_response(candidate, candidate_checklists(current_user, candidate, now).current, now)
