"""/jobs: openings at the employers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..extensions import db
from ..models import Employer, Interview, Job, JobStatus
from ..models.search import matches_all
from ..web.forms import form_status, options
from ..web.lists import by_label, list_page
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
    return listing.render("recruiter/jobs.html")


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
