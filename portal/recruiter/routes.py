"""The recruiter's working pages: dashboard, candidates, employers, jobs, interviews.

Admins use the same pages and see every candidate; recruiters see those assigned to them.
"""

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import compliance
from ..access import (
    get_candidate_or_404,
    get_interview_or_404,
    role_required,
    visible_candidates,
    visible_interviews,
)
from ..accounts import (
    InviteRefused,
    candidate_account,
    invitation_state,
    issue_link,
    revoke_open_links,
    send_link_email,
)
from ..extensions import db
from ..followup import STEP_ORDER, StepKind
from ..forms import ConfirmForm, options
from ..mail import MailError
from ..models import (
    Assignment,
    AuditEvent,
    Candidate,
    CandidateStatus,
    Employer,
    Interview,
    Job,
    JobStatus,
    LinkPurpose,
    Outcome,
    PreferredChannel,
    Role,
    Step,
    Timeline,
)
from ..steps import (
    audit_trail,
    current_policy,
    interviews_with_open_steps,
    record,
    step_rows,
    sync_interviews,
    sync_steps,
)
from ..times import format_date, format_local, local_day_bounds, local_today, utcnow
from ..views import (
    count_by,
    flush_or_field_error,
    form_status,
    matches,
    paginate,
    remember_list_settings,
    sorting,
)
from . import bp, checklist
from .forms import (
    CandidateFilterForm,
    CandidateForm,
    EmployerForm,
    InterviewForm,
    JobFilterForm,
    JobForm,
    SearchForm,
)

staff_only = role_required(Role.RECRUITER, Role.ADMIN)
UPCOMING_DAYS = 14


def _upcoming_interviews(limit: int | None = None):
    now = utcnow()
    query = (
        visible_interviews(current_user)
        .where(
            Interview.starts_at >= now, Interview.starts_at < now + timedelta(days=UPCOMING_DAYS)
        )
        .options(
            joinedload(Interview.candidate),
            joinedload(Interview.employer),
            joinedload(Interview.job),
        )
        .order_by(Interview.starts_at)
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


@bp.get("/dashboard")
@staff_only
def dashboard():
    """The candidates assigned to me and my interviews over the next two weeks."""
    mine = visible_candidates(current_user).subquery()
    counts = dict(
        db.session.execute(select(mine.c.status, func.count()).group_by(mine.c.status)).all()
    )
    recent = db.session.scalars(
        visible_candidates(current_user)
        .where(Candidate.status == CandidateStatus.ACTIVE)
        .order_by(Candidate.updated_at.desc(), Candidate.id.desc())
        .limit(10)
    ).all()
    now = utcnow()
    _, day_end = local_day_bounds(local_today())
    queue_top = db.session.execute(
        checklist.due_by_today().limit(checklist.QUEUE_SIZE_ON_DASHBOARD)
    ).all()
    step_counts, queue_total = compliance.open_step_counts(
        current_user, now, current_policy(), day_end
    )
    return render_template(
        "recruiter/dashboard.html",
        now=now,
        queue=checklist.queue_rows(queue_top, now),
        queue_total=queue_total,
        step_counts=step_counts,
        last_30=compliance.totals(current_user, now - timedelta(days=30), now, now),
        counts={status: counts.get(status, 0) for status in CandidateStatus},
        total=sum(counts.values()),
        recent_candidates=recent,
        upcoming=_upcoming_interviews(limit=50),
        upcoming_days=UPCOMING_DAYS,
    )


@bp.get("/candidates")
@staff_only
def candidates():
    """Search, filter, sort and page through the candidates I can see."""
    if back := remember_list_settings("candidates"):
        return back
    form = CandidateFilterForm(request.args)
    query = visible_candidates(current_user)
    filters_ok = form.validate()
    if filters_ok:
        if form.q.data:
            query = query.where(matches(form.q.data, Candidate.name, Candidate.email))
        if form.status.data:
            query = query.where(Candidate.status == form.status.data)
        if form.role_sought.data:
            query = query.where(Candidate.role_sought == form.role_sought.data)
    order = sorting(
        {
            "name": Candidate.name,
            "email": Candidate.email,
            "role": Candidate.role_sought,
            "status": Candidate.status,
            "updated": Candidate.updated_at,
        },
        "name",
    )
    page = paginate(
        query.options(joinedload(Candidate.recruiter)).order_by(*order.order, Candidate.id)
    )
    next_interview = _next_interviews([c.id for c in page.items])
    return render_template(
        "recruiter/candidates.html",
        form=form,
        page=page,
        next_interview=next_interview,
        sorting=order,
    ), 200 if filters_ok else 400


def _next_interviews(candidate_ids: list[int]) -> dict[int, object]:
    """Each listed candidate's next interview start, in one grouped query."""
    if not candidate_ids:
        return {}
    rows = db.session.execute(
        select(Interview.candidate_id, func.min(Interview.starts_at))
        .where(Interview.candidate_id.in_(candidate_ids), Interview.starts_at >= utcnow())
        .group_by(Interview.candidate_id)
    ).all()
    return dict(rows)


@bp.route("/candidates/new", methods=["GET", "POST"])
@staff_only
def new_candidate():
    """Add a candidate; a recruiter's new candidate is assigned to them."""
    form = CandidateForm()
    if form.validate_on_submit():
        candidate = Candidate()
        form.populate_obj(candidate)
        db.session.add(candidate)
        if current_user.role == Role.RECRUITER:
            candidate.recruiter_id = current_user.id
            db.session.add(
                Assignment(
                    candidate=candidate,
                    recruiter_id=current_user.id,
                    assigned_by_id=current_user.id,
                )
            )
        if flush_or_field_error(form.email, "A candidate with this email is already on file."):
            record(
                current_user,
                "candidate.created",
                f"{candidate.name} added",
                candidate_id=candidate.id,
            )
            if candidate.recruiter_id == current_user.id:
                record(
                    current_user,
                    "candidate.assigned",
                    f"{candidate.name} assigned to {current_user.name} (who added them)",
                    candidate_id=candidate.id,
                )
            db.session.commit()
            flash(f"{candidate.name} is added.", "success")
            return redirect(url_for("recruiter.candidate", candidate_id=candidate.id))
    return render_template(
        "recruiter/candidate_form.html", form=form, candidate=None
    ), form_status()


@bp.get("/candidates/<int:candidate_id>")
@staff_only
def candidate(candidate_id: int):
    """One candidate: profile, interviews and assignment history."""
    candidate = get_candidate_or_404(candidate_id)
    interviews = db.session.scalars(
        select(Interview)
        .where(Interview.candidate_id == candidate.id)
        .options(joinedload(Interview.employer), joinedload(Interview.job))
        .order_by(Interview.starts_at.desc())
    ).all()
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.candidate_id == candidate.id)
        .options(joinedload(Assignment.recruiter), joinedload(Assignment.assigned_by))
        .order_by(Assignment.started_at.desc(), Assignment.id.desc())
    ).all()
    return render_template(
        "recruiter/candidate.html",
        candidate=candidate,
        interviews=interviews,
        assignments=assignments,
        invitation=invitation_state(candidate.user),
        invite_form=ConfirmForm(),
        now=utcnow(),
    )


@bp.post("/candidates/<int:candidate_id>/invite")
@staff_only
def invite_candidate(candidate_id: int):
    """Email the candidate a one-time link to choose a password for the portal."""
    candidate = get_candidate_or_404(candidate_id)
    back = redirect(url_for("recruiter.candidate", candidate_id=candidate.id), 303)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return back
    try:
        user = candidate_account(candidate)
    except InviteRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    token = issue_link(user, LinkPurpose.INVITE, by=current_user)
    record(
        current_user,
        "candidate.invited",
        f"Invitation sent to {candidate.name} at {user.email}",
        candidate_id=candidate.id,
    )
    db.session.commit()
    try:
        send_link_email(user, token, LinkPurpose.INVITE)
    except MailError as exc:
        flash(
            f"The invitation for {candidate.name} is ready, but the email could not be sent: {exc}. "
            "Try “Send the invitation again” in a few minutes.",
            "error",
        )
        return back
    hours = current_app.config["INVITE_LINK_HOURS"]
    flash(f"Invitation emailed to {user.email}. The link works once, for {hours} hours.", "success")
    return back


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_candidate(candidate_id: int):
    """Edit a candidate's profile (their sign-in name follows)."""
    candidate = get_candidate_or_404(candidate_id)
    form = CandidateForm(obj=candidate)
    if form.validate_on_submit():
        form.populate_obj(candidate)
        if candidate.user is not None:
            candidate.user.name = candidate.name
            if not candidate.user.password_hash and candidate.user.email != candidate.email:
                # Invited, no password yet: the sign-in follows the new address, and links
                # already sent to the old one stop working.
                candidate.user.email = candidate.email
                revoke_open_links(candidate.user)
        if flush_or_field_error(form.email, "Another candidate already has this email."):
            record(
                current_user,
                "candidate.edited",
                f"{candidate.name}'s record edited",
                candidate_id=candidate.id,
            )
            db.session.commit()
            flash("Candidate saved.", "success")
            return redirect(url_for("recruiter.candidate", candidate_id=candidate.id))
    return render_template(
        "recruiter/candidate_form.html", form=form, candidate=candidate
    ), form_status()


# Employers --------------------------------------------------------------------------


@bp.get("/employers")
@staff_only
def employers():
    """Employers, searchable by name and sortable, with their open jobs counted."""
    if back := remember_list_settings("employers"):
        return back
    form = SearchForm(request.args)
    query = select(Employer)
    filters_ok = form.validate()
    if filters_ok and form.q.data:
        query = query.where(matches(form.q.data, Employer.name))
    order = sorting(
        {
            "name": Employer.name,
            "kind": Employer.kind,
            "channel": Employer.preferred_channel,
            "city": Employer.city,
        },
        "name",
    )
    page = paginate(query.order_by(*order.order, Employer.id))
    open_jobs = count_by(
        Job.id, Job.employer_id, [e.id for e in page.items], Job.status == JobStatus.OPEN
    )
    return render_template(
        "recruiter/employers.html", form=form, page=page, open_jobs=open_jobs, sorting=order
    ), 200 if filters_ok else 400


@bp.route("/employers/new", methods=["GET", "POST"])
@staff_only
def new_employer():
    """Add a law firm or legal department."""
    return _employer_form(Employer(), is_new=True)


@bp.route("/employers/<int:employer_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_employer(employer_id: int):
    """Edit an employer, including its preferred contact channel."""
    return _employer_form(db.get_or_404(Employer, employer_id), is_new=False)


def _employer_form(employer: Employer, *, is_new: bool):
    form = EmployerForm(obj=employer)
    if form.validate_on_submit():
        channel_before = employer.preferred_channel
        form.populate_obj(employer)
        db.session.add(employer)
        if flush_or_field_error(form.name, "An employer with this name already exists."):
            if not is_new and employer.preferred_channel != channel_before:
                count = sync_interviews(
                    interviews_with_open_steps().where(Interview.employer_id == employer.id)
                )
                record(
                    current_user,
                    "employer.channel_changed",
                    f"{employer.name}: preferred channel {channel_before.label.lower()} → "
                    f"{PreferredChannel(employer.preferred_channel).label.lower()} "
                    f"(open steps of {count} interviews recomputed)",
                )
            record(
                current_user,
                "employer.created" if is_new else "employer.edited",
                f"{employer.name} saved",
            )
            db.session.commit()
            flash(f"{employer.name} is saved.", "success")
            return redirect(url_for("recruiter.employer", employer_id=employer.id))
    return render_template(
        "recruiter/employer_form.html", form=form, employer=None if is_new else employer
    ), form_status()


@bp.get("/employers/<int:employer_id>")
@staff_only
def employer(employer_id: int):
    """An employer, its jobs, and my candidates' interviews there."""
    employer = db.get_or_404(Employer, employer_id)
    interviews = db.session.scalars(
        visible_interviews(current_user)
        .where(Interview.employer_id == employer.id)
        .options(joinedload(Interview.candidate), joinedload(Interview.job))
        .order_by(Interview.starts_at.desc())
        .limit(50)
    ).all()
    jobs = db.session.scalars(
        select(Job).where(Job.employer_id == employer.id).order_by(Job.status, Job.title)
    ).all()
    return render_template(
        "recruiter/employer.html", employer=employer, jobs=jobs, interviews=interviews
    )


# Jobs -------------------------------------------------------------------------------


@bp.get("/jobs")
@staff_only
def jobs():
    """Jobs at every employer, with search and filters."""
    if back := remember_list_settings("jobs"):
        return back
    form = JobFilterForm(request.args)
    query = select(Job).join(Job.employer).options(joinedload(Job.employer))
    filters_ok = form.validate()
    if filters_ok:
        if form.q.data:
            query = query.where(matches(form.q.data, Job.title, Employer.name))
        if form.status.data:
            query = query.where(Job.status == form.status.data)
        if form.practice_area.data:
            query = query.where(Job.practice_area == form.practice_area.data)
    order = sorting(
        {
            "title": Job.title,
            "employer": [Employer.name, Job.title],
            "area": Job.practice_area,
            "status": Job.status,
        },
        "employer",
    )
    page = paginate(query.order_by(*order.order, Job.id))
    return render_template(
        "recruiter/jobs.html", form=form, page=page, sorting=order
    ), 200 if filters_ok else 400


@bp.route("/jobs/new", methods=["GET", "POST"])
@staff_only
def new_job():
    """Add a job, optionally for the employer given in ?employer_id."""
    job = Job(employer_id=request.args.get("employer_id", type=int))
    return _job_form(job, is_new=True)


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_job(job_id: int):
    """Edit a job; one with interviews keeps its employer."""
    return _job_form(db.get_or_404(Job, job_id), is_new=False)


def _job_form(job: Job, *, is_new: bool):
    form = JobForm(obj=job)
    form.employer_id.choices = options(
        [
            ("", "Choose an employer…"),
            *db.session.execute(select(Employer.id, Employer.name).order_by(Employer.name)),
        ]
    )
    if form.validate_on_submit():
        if form.employer_id.data == 0:
            form.employer_id.errors = ["Choose the employer."]
        elif not is_new and form.employer_id.data != job.employer_id and _has_interviews(job):
            form.employer_id.errors = [
                "Interviews are logged for this job at its employer; add a new job for the other employer."
            ]
        else:
            form.populate_obj(job)
            db.session.add(job)
            record(current_user, "job.created" if is_new else "job.edited", f"{job.title} saved")
            db.session.commit()
            flash(f"{job.title} is saved.", "success")
            return redirect(url_for("recruiter.employer", employer_id=job.employer_id))
    return render_template(
        "recruiter/job_form.html", form=form, job=None if is_new else job
    ), form_status()


def _has_interviews(job: Job) -> bool:
    return (
        db.session.scalar(select(Interview.id).where(Interview.job_id == job.id).limit(1))
        is not None
    )


# Interviews -------------------------------------------------------------------------


def _interview_choices(form: InterviewForm) -> None:
    """Every employer and job: interviews are often logged after a job has been filled."""
    employers = db.session.execute(select(Employer.id, Employer.name).order_by(Employer.name)).all()
    jobs = db.session.scalars(
        select(Job)
        .join(Job.employer)
        .options(joinedload(Job.employer))
        .order_by(Employer.name, Job.status != JobStatus.OPEN, Job.title)
    ).all()
    form.set_choices(employers, jobs)


def _save_interview(form: InterviewForm, interview: Interview) -> None:
    interview.employer_id = form.employer_id.data
    interview.job_id = form.job_id.data or None
    interview.starts_at = form.starts_at_utc
    interview.duration_minutes = form.duration_minutes.data
    interview.format = form.format.data
    interview.interviewer_names = form.interviewer_names.data or ""
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
    made_steps = len(interview.steps) < len(STEP_ORDER)
    if made_steps:  # logged before steps existed: make them now
        sync_steps(interview)
    now = utcnow()
    history = audit_trail(AuditEvent.interview_id == interview.id)
    page = render_template(
        "recruiter/interview.html",
        interview=interview,
        now=now,
        steps=step_rows(interview, now),
        history=history,
    )
    if made_steps:  # after rendering: committing expires what the page was drawn from
        db.session.commit()
    return page


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
        steps = {step.kind: step for step in sync_steps(interview)}
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
