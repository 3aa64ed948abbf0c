"""/interviews and /candidates/<id>/interviews/new: logging interviews, their page and drafts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..access import get_candidate_or_404, get_interview_or_404, visible_interviews
from ..audit import audit_trail, record
from ..extensions import db
from ..followup import STEP_ORDER, StepKind
from ..jobs.duty import duty_of
from ..models import AuditEvent, Employer, Interview, Job, JobStatus, Outcome, Step, Timeline
from ..steps.actions import sync_and_note
from ..steps.checklist import step_rows
from ..steps.sync import sync_steps
from ..times import format_date, format_local, local_today, utcnow
from ..web.drafts import render_draft
from ..web.forms import form_status, required
from . import bp, staff_only
from .forms import InterviewForm

DRAFT_ENDPOINTS = ("recruiter.draft", "recruiter.draft_print")


def _interview_choices(form: InterviewForm) -> None:
    """Every employer and job: interviews are often logged after a job has been filled.
    Read as plain rows: the large agency has 1,500 jobs."""
    employers = db.session.execute(select(Employer.id, Employer.name).order_by(Employer.name)).all()
    jobs = db.session.execute(
        select(Job.id, Job.title, Job.location, Job.status, Job.employer_id, Employer.name)
        .join(Job.employer)
        .order_by(Employer.name, Job.status != JobStatus.OPEN, Job.title)
    ).all()
    form.set_choices(employers, jobs)


def _save_interview(form: InterviewForm, interview: Interview) -> None:
    interview.employer_id = form.employer_id.data
    interview.job_id = form.job_id.data or None
    interview.starts_at = required(form.starts_at_utc)
    interview.duration_minutes = required(form.duration_minutes.data)
    interview.format = form.format.data
    interview.interviewer_names = form.interviewer_names.data or ""
    interview.interviewer_emails = form.interviewer_emails.data or ""
    recorded_before = interview.timeline not in (None, Timeline.NOT_RECORDED)
    interview.timeline = Timeline(form.timeline.data)
    interview.decision_date = (
        form.decision_date.data if form.timeline.data == Timeline.DATE_GIVEN else None
    )
    if interview.timeline == Timeline.NOT_RECORDED:
        interview.timeline_recorded_at = None
    elif not recorded_before or interview.timeline_recorded_at is None:
        interview.timeline_recorded_at = utcnow()
    if form.outcome.data == Outcome.PENDING:
        interview.outcome_at = None
    elif form.outcome_at_utc is not None:
        interview.outcome_at = form.outcome_at_utc
    elif interview.outcome != form.outcome.data or interview.outcome_at is None:
        interview.outcome_at = utcnow()
    interview.outcome = Outcome(form.outcome.data)
    interview.notes = form.notes.data or ""


def _what_changed(before: dict, interview: Interview) -> dict[str, str]:
    """The follow-up facts an interview edit changed, with their new values, for the audit trail."""
    after = _follow_up_facts(interview)
    return {label: value for label, value in after.items() if value != before.get(label)}


def _follow_up_facts(interview: Interview) -> dict[str, str]:
    timeline = interview.timeline.label if interview.timeline else ""
    if interview.decision_date:
        timeline += f" ({format_date(interview.decision_date)})"
    outcome = interview.outcome.label if interview.outcome else ""
    if interview.outcome_at:
        outcome += f" ({format_local(interview.outcome_at)})"
    return {
        "time": format_local(interview.starts_at) if interview.starts_at else "",
        "employer": interview.employer.name,
        "timeline": timeline,
        "outcome": outcome,
    }


@bp.route("/candidates/<int:candidate_id>/interviews/new", methods=["GET", "POST"])
@staff_only
def new_interview(candidate_id: int):
    """Log an interview for one of my candidates."""
    candidate = get_candidate_or_404(candidate_id)
    form = InterviewForm()
    if request.method == "GET":
        form.employer_id.data = request.args.get("employer_id", 0, type=int)
        form.job_id.data = request.args.get("job_id", 0, type=int)
    _interview_choices(form)
    if form.validate_on_submit():
        interview = Interview(
            candidate=candidate, created_by_id=current_user.id, outcome=Outcome.PENDING
        )
        _save_interview(form, interview)
        db.session.add(interview)
        db.session.flush()
        db.session.refresh(interview, ["employer"])
        sync_steps(interview)
        record(
            current_user,
            "interview.logged",
            f"Interview at {interview.employer.name} on {format_local(interview.starts_at)} logged",
            interview_id=interview.id,
        )
        db.session.commit()
        flash("Interview logged.", "success")
        return redirect(url_for("recruiter.interview", interview_id=interview.id))
    return render_template(
        "recruiter/interview_form.html", form=form, candidate=candidate, interview=None
    ), form_status()


@bp.get("/interviews/<int:interview_id>")
@staff_only
def interview(interview_id: int):
    """One interview of a candidate I can see."""
    interview = db.first_or_404(
        visible_interviews(current_user)
        .where(Interview.id == interview_id)
        .options(
            joinedload(Interview.employer),
            joinedload(Interview.job),
            joinedload(Interview.candidate),
            selectinload(Interview.steps).joinedload(Step.done_by),
        )
    )
    now = utcnow()
    return render_template(
        "recruiter/interview.html",
        interview=interview,
        now=now,
        steps=step_rows(interview, now),
        steps_missing=len(interview.steps) < len(STEP_ORDER),
        history=audit_trail(AuditEvent.interview_id == interview.id),
        duty=duty_of(interview),
        today=local_today(),
    )


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_interview(interview_id: int):
    """Edit an interview, with its time shown in the agency's zone."""
    interview = get_interview_or_404(interview_id)
    seen = request.form.get("seen")
    if request.method == "POST" and seen is not None and seen != interview.updated_at.isoformat():
        # Someone changed it (perhaps a step's answer) since this form was opened.
        flash(
            "This interview was changed by someone else while you were editing it, so your changes were not "
            "saved. Here it is as it stands now; make your changes again if they still apply.",
            "error",
        )
        form = InterviewForm(obj=interview, formdata=None)
        form.fill_from(interview)
        form.job_id.data = interview.job_id or 0
        _interview_choices(form)
        return render_template(
            "recruiter/interview_form.html",
            form=form,
            candidate=interview.candidate,
            interview=interview,
        ), 409
    form = InterviewForm(obj=interview)
    if request.method == "GET":
        form.fill_from(interview)
        form.job_id.data = interview.job_id or 0
    _interview_choices(form)
    if form.validate_on_submit():
        before = _follow_up_facts(interview)
        _save_interview(form, interview)
        db.session.flush()
        db.session.refresh(interview, ["employer"])
        steps = {step.kind: step for step in sync_and_note(interview, current_user)}
        changed = _what_changed(before, interview)
        words = "; ".join(f"{label} {value}" for label, value in changed.items())
        record(
            current_user,
            "interview.edited",
            f"Interview edited: {words or 'details or notes'}",
            interview_id=interview.id,
        )
        for kind, label in ((StepKind.TIMELINE, "timeline"), (StepKind.MOVE_ON, "outcome")):
            if label in changed:  # shown in the step's own history too
                record(
                    current_user,
                    "step.changed",
                    f"{kind.label}: {label} set to {changed[label]} on the interview form",
                    interview_id=interview.id,
                    step_id=steps[kind].id,
                )
        db.session.commit()
        flash("Interview saved.", "success")
        return redirect(url_for("recruiter.interview", interview_id=interview.id))
    return render_template(
        "recruiter/interview_form.html",
        form=form,
        candidate=interview.candidate,
        interview=interview,
    ), form_status()


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
