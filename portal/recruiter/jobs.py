"""/jobs: openings at the employers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..access import visible_candidates
from ..audit import record
from ..extensions import db
from ..jobs.law import number
from ..jobs.posting import (
    content_of,
    disclosures,
    kept_until,
    live_posting,
    lock_job,
    pay_of,
    publish,
    publishing_problems,
    take_down,
    up_on,
)
from ..models import (
    Application,
    Candidate,
    Employer,
    EmploymentType,
    Interview,
    Job,
    JobPosting,
    JobStatus,
    PayPer,
    Role,
    Schedule,
    User,
    WorkArrangement,
)
from ..models.search import matches_all
from ..times import local_today, utcnow
from ..web.forms import ConfirmForm, form_status, options
from ..web.lists import by_label, list_page
from ..web.urls import external_url
from . import bp, staff_only
from .forms import JobFilterForm, JobForm


def _filter_jobs(form: JobFilterForm, query: Select) -> Select:
    if form.q.data:
        query = query.where(matches_all(form.q.data, Job.search_text, Employer.search_text))
    if form.status.data:
        query = query.where(Job.status == form.status.data)
    if form.practice_area.data:
        query = query.where(Job.practice_area == form.practice_area.data)
    return query


@bp.get("/jobs")
@staff_only
def jobs() -> ResponseReturnValue:
    """Jobs at every employer, with search and filters."""
    listing = list_page(
        "jobs",
        JobFilterForm(request.args),
        select(Job).join(Job.employer).options(joinedload(Job.employer)),
        _filter_jobs,
        sort={
            "title": Job.title,
            "employer": [Employer.name, Job.title],
            "area": Job.practice_area,
            "status": by_label(Job.status, JobStatus),
        },
        default="employer",
        then=Job.id,
    )
    ids = [job.id for job in listing.page.items]
    today = local_today()
    up = set(
        db.session.scalars(
            select(JobPosting.job_id).where(JobPosting.job_id.in_(ids), up_on(today))
        )
    )
    applied = dict(
        db.session.execute(
            select(Application.job_id, func.count(Application.id))
            .where(Application.job_id.in_(ids), Application.candidate_id.in_(_mine()))
            .group_by(Application.job_id)
        )
        .tuples()
        .all()
    )
    return listing.render("recruiter/jobs.html", up=up, applied=applied)


APPLICATIONS_SHOWN = 50  # the newest on the job's page; each candidate's page has theirs


def _mine():
    """Ids of the candidates the person asking may see."""
    return visible_candidates(current_user).with_only_columns(Candidate.id)


def get_job_or_404(job_id: int) -> Job:
    """A job (staff see every job) with its employer and published versions."""
    job = db.session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .options(
            joinedload(Job.employer),
            joinedload(Job.recruiter),
            selectinload(Job.postings).joinedload(JobPosting.published_by),
        )
    )
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<int:job_id>")
@staff_only
def job(job_id: int) -> ResponseReturnValue:
    """A job: its posting as the site shows it, what stops it going up, every version."""
    job = get_job_or_404(job_id)
    today = local_today()
    pay = pay_of(job)
    live = live_posting(job, today)
    applications = db.session.execute(
        select(Application, Candidate)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.job_id == job.id, Application.candidate_id.in_(_mine()))
        .options(joinedload(Application.resume))
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(APPLICATIONS_SHOWN)
    ).all()
    return render_template(
        "recruiter/job.html",
        job=job,
        live=live,
        applications=applications,
        apply_url=external_url("public.apply_to", job_id=job.id) if live else None,
        changed=live is None or live.content != content_of(job),
        problems=publishing_problems(job, today),
        pay=pay,
        hours=number(job.hours_per_week) if job.hours_per_week else "",
        disclosures=disclosures(job.uses_ai, job.existing_vacancy),
        kept_until={p.id: kept_until(p, today) for p in job.postings},
        confirm=ConfirmForm(),
    )


@bp.route("/jobs/new", methods=["GET", "POST"])
@staff_only
def new_job():
    """Add a job, optionally for the employer given in ?employer_id."""
    job = Job(
        employer_id=request.args.get("employer_id", type=int),
        work_arrangement=WorkArrangement.ON_SITE,
        employment_type=EmploymentType.PERMANENT,
        schedule=Schedule.FULL_TIME,
        pay_per=PayPer.YEAR,
        recruiter_id=current_user.id if current_user.role == Role.RECRUITER else None,
    )
    return _job_form(job, is_new=True)


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_job(job_id: int):
    """Edit a job; one with interviews keeps its employer."""
    if request.method == "POST":
        lock_job(job_id)  # saving may publish or take down
    return _job_form(db.get_or_404(Job, job_id), is_new=False)


@bp.post("/jobs/<int:job_id>/publish")
@staff_only
def publish_job(job_id: int) -> ResponseReturnValue:
    """Publish the job's posting as saved; if it cannot go up, the form says why."""
    lock_job(job_id)
    job = get_job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("recruiter.job", job_id=job.id), 303)
    form = JobForm(obj=job, formdata=None)
    _choices(form, job)
    problems = publishing_problems(job, local_today())
    if problems:
        _show_problems(form, problems)
        return render_template("recruiter/job_form.html", form=form, job=job, pay=pay_of(job)), 422
    posting = publish(job, current_user, utcnow())
    record(current_user, "job.published", f"{job.title}: version {posting.version} published")
    db.session.commit()
    flash(f"{job.posting_title} is published (version {posting.version}).", "success")
    return redirect(url_for("recruiter.job", job_id=job.id), 303)


@bp.post("/jobs/<int:job_id>/take-down")
@staff_only
def take_down_job(job_id: int) -> ResponseReturnValue:
    """Take the job's posting off the site (its copy is kept)."""
    lock_job(job_id)
    job = get_job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
    elif (posting := take_down(job, utcnow())) is None:
        flash("The posting is not up.", "info")
    else:
        record(current_user, "job.taken_down", f"{job.title}: version {posting.version} taken down")
        db.session.commit()
        flash(f"{job.posting_title} is taken down; its copy is kept.", "success")
    return redirect(url_for("recruiter.job", job_id=job.id), 303)


def _choices(form: JobForm, job: Job | None = None) -> None:
    form.employer_id.choices = options(
        [
            ("", "Choose an employer…"),
            *db.session.execute(select(Employer.id, Employer.name).order_by(Employer.name)),
        ]
    )
    owners = list(
        db.session.execute(
            select(User.id, User.name)
            .where(User.role == Role.RECRUITER, User.active)
            .order_by(User.name)
        ).tuples()
    )
    owner = job.recruiter if job is not None and job.recruiter_id else None
    if owner is not None and owner.id not in {key for key, _ in owners}:
        owners.append((owner.id, f"{owner.name} (no longer active)"))  # kept unless changed
    form.recruiter_id.choices = options(owners, blank="No one: the admins' intake list")


def _show_problems(form: JobForm, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]
    form.form_errors.append("Not published: each field marked below stops it going up.")


def _job_form(job: Job, *, is_new: bool):
    form = JobForm(obj=job)
    _choices(form, job)
    if form.validate_on_submit():
        if form.employer_id.data == 0:
            form.employer_id.errors = ["Choose the employer."]
        elif not is_new and form.employer_id.data != job.employer_id and _has_interviews(job):
            form.employer_id.errors = [
                "Interviews are logged for this job at its employer; add a new job for the other employer."
            ]
        else:
            form.populate_obj(job)
            job.recruiter_id = form.recruiter_id.data or None
            if form.publish.data:
                job.employer = db.session.get_one(Employer, job.employer_id)
                problems = publishing_problems(job, local_today())
                if problems:
                    db.session.rollback()  # nothing saved: the form holds what was typed
                    pay = _pay_typed(form)  # read before the law's reasons join the fields
                    _show_problems(form, problems)
                    return render_template(
                        "recruiter/job_form.html",
                        form=form,
                        job=None if is_new else job,
                        pay=pay,
                    ), 422
            db.session.add(job)
            record(current_user, "job.created" if is_new else "job.edited", f"{job.title} saved")
            if job.status != JobStatus.OPEN and (down := take_down(job, utcnow())):
                record(
                    current_user,
                    "job.taken_down",
                    f"{job.title}: version {down.version} taken down ({JobStatus(job.status).label.lower()})",
                )
            if form.publish.data:
                db.session.flush()
                posting = publish(job, current_user, utcnow())
                record(
                    current_user,
                    "job.published",
                    f"{job.title}: version {posting.version} published",
                )
            db.session.commit()
            flash(
                f"{job.posting_title} is published (version {posting.version})."
                if form.publish.data
                else f"{job.title} is saved.",
                "success",
            )
            return redirect(url_for("recruiter.job", job_id=job.id), 303)
    return render_template(
        "recruiter/job_form.html", form=form, job=None if is_new else job, pay=_pay_typed(form)
    ), form_status()


def _pay_typed(form: JobForm):
    """The pay as typed, for the form's yearly working; None when it cannot be read."""
    if form.pay_low.errors or form.pay_high.errors or form.hours_per_week.errors:
        return None
    probe = Job(
        pay_low=form.pay_low.data,
        pay_high=form.pay_high.data,
        pay_per=form.pay_per.data,
        hours_per_week=form.hours_per_week.data,
    )
    return pay_of(probe)


def _has_interviews(job: Job) -> bool:
    return (
        db.session.scalar(select(Interview.id).where(Interview.job_id == job.id).limit(1))
        is not None
    )
