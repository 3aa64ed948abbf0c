"""/employers: law firms and legal departments, with their preferred contact channel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..access import visible_interviews
from ..audit import record
from ..extensions import db
from ..models import Employer, EmployerKind, Interview, Job, JobStatus, PreferredChannel
from ..models.search import matches_all
from ..steps.sync import interviews_with_open_steps, sync_interviews
from ..web.forms import flush_or_field_error, form_status
from ..web.lists import by_label, count_by, list_page
from . import bp, staff_only
from .forms import EmployerForm, SearchForm


def _filter_employers(form: SearchForm, query: Select) -> Select:
    return query.where(matches_all(form.q.data, Employer.search_text)) if form.q.data else query


@bp.get("/employers")
@staff_only
def employers() -> ResponseReturnValue:
    """Employers, searchable by name and sortable, with their open jobs counted."""
    listing = list_page(
        "employers",
        SearchForm(request.args),
        select(Employer),
        _filter_employers,
        sort={
            "name": Employer.name,
            "kind": by_label(Employer.kind, EmployerKind),
            "channel": by_label(Employer.preferred_channel, PreferredChannel),
            "city": Employer.city,
        },
        default="name",
        then=Employer.id,
    )
    ids = [e.id for e in listing.page.items]
    open_jobs = count_by(Job.id, Job.employer_id, ids, Job.status == JobStatus.OPEN)
    return listing.render("recruiter/employers.html", open_jobs=open_jobs)


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
