"""/apply/<job>: the application form of a published posting; /privacy: the notice.

No sign-in. What keeps the form from being abused, without a third-party service: the
CSRF token (a session cookie), a field hidden from people that scripts fill in, a
signed start time (a form sent back within seconds was not filled in by a person), a
limit per network address, and a body limit of a résumé's size. A script caught by the
hidden field or the clock is thanked like a person and nothing is kept.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from ..audit import record
from ..extensions import db, write_lock
from ..jobs.applications import (
    MAX_FORM_AGE,
    MAX_RESUME_BYTES,
    MIN_FILL_SECONDS,
    Applicant,
    ResumeRefused,
    apply,
    resume_kind,
    source_lock,
    source_of,
    too_many_from,
)
from ..jobs.posting import up_on, words_of
from ..models import Job, JobPosting, JobStatus, RoleSought
from ..times import local_today, utcnow
from ..web.forms import form_status, required
from ..web.uploads import takes_files
from . import bp
from .forms import ApplicationForm

# Room for the form's other fields besides the largest résumé accepted.
BODY_LIMIT = MAX_RESUME_BYTES + 256 * 1024


def _open_posting_or_404(job_id: int) -> tuple[Job, JobPosting]:
    """The job and its version up today; 404 for a job not published, closed or unknown."""
    row = db.session.execute(
        select(Job, JobPosting)
        .join(JobPosting, JobPosting.job_id == Job.id)
        .where(
            Job.id == job_id,
            Job.status == JobStatus.OPEN,
            up_on(local_today()),
        )
        .options(joinedload(Job.employer))
    ).first()
    if row is None:
        abort(404, description="This posting is not open for applications (it may have closed).")
    job, posting = row
    return job, posting


def _clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="application-form")


@bp.route("/apply/<int:job_id>", methods=["GET", "POST"])
@takes_files("resume", up_to=BODY_LIMIT)
def apply_to(job_id: int) -> ResponseReturnValue:
    """The posting's application form; a sent form lands on the candidate's record."""
    job, posting = _open_posting_or_404(job_id)
    form = ApplicationForm()
    if request.method == "GET":
        form.started.data = _clock().dumps(job.id)
    elif form.validate_on_submit():
        refused = _refused(form, job)
        if refused == "script":
            return redirect(url_for("public.applied", job_id=job.id), 303)
        if refused is not None:  # expired or unreadable: the clock starts again
            form.started.data = _clock().dumps(job.id)
        else:
            now = utcnow()
            source = source_of(request.remote_addr or "unknown")
            resume = _resume(form)
            if not form.resume.errors:
                _save(job, posting, _applicant(form), resume, source, now)
                return redirect(url_for("public.applied", job_id=job.id), 303)
    _ask_for_the_file_again(form)
    return render_template(
        "public/apply.html", form=form, job=job, posting=posting, **_shown(posting)
    ), form_status()


def _save(job, posting, applicant: Applicant, resume, source: str, now) -> None:
    """Apply and commit. A résumé's file is written first; the rollback of a failure
    removes it. Two first applications from one new address at the same moment: the
    second meets the candidate the first made (a uniqueness clash), and is tried again."""
    for attempt in (1, 2):
        # Counted and written under a lock (per source on PostgreSQL; SQLite's write lock):
        # applications sent at the same moment cannot all slip under the limit.
        db.session.commit()  # end the reads: the lock comes first in a fresh transaction
        write_lock(source_lock(source))
        job, posting = _open_posting_or_404(job.id)  # still open, read under the lock
        if too_many_from(source, now):
            db.session.rollback()
            abort(
                429,
                description="Too many applications have come from this connection in the "
                "last hour. Please try again later.",
            )
        try:
            application = apply(job, posting, applicant, resume, source, now)
            record(
                None,
                "application.received",
                f"{job.posting_title}: application {application.id}",
                candidate_id=application.candidate_id,
            )
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            db.session.rollback()
            raise


def _ask_for_the_file_again(form: ApplicationForm) -> None:
    """A form shown again cannot hold the file chosen: say so on the field."""
    upload = form.resume.data
    if isinstance(upload, FileStorage) and upload.filename and not form.resume.errors:
        form.resume.errors = [
            *form.resume.errors,
            "Choose your résumé again: a form shown again cannot keep the file.",
        ]


def _refused(form: ApplicationForm, job: Job) -> str | None:
    """ "script" for a sender that is not a person; a reason on the form when the page's
    token cannot be read (too old, or from another posting); None when all is well."""
    if form.website.data:
        return "script"
    try:
        job_id, signed_at = _clock().loads(
            form.started.data or "",
            max_age=int(MAX_FORM_AGE.total_seconds()),
            return_timestamp=True,
        )
    except SignatureExpired:
        form.form_errors.append(
            "This form was open for a long time; your answers are kept below: send it again."
        )
        return "expired"
    except BadSignature:
        form.form_errors.append("The form could not be read; please send it again.")
        return "unreadable"
    if job_id != job.id:
        form.form_errors.append("The form could not be read; please send it again.")
        return "unreadable"
    if utcnow() - signed_at < timedelta(seconds=MIN_FILL_SECONDS):
        return "script"
    return None


def _resume(form: ApplicationForm) -> tuple[bytes, str] | None:
    """The résumé's bytes and name, or None; a refusal goes on the field."""
    upload = form.resume.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    data = upload.read(MAX_RESUME_BYTES + 1)
    try:
        resume_kind(data)
    except ResumeRefused as exc:
        form.resume.errors = [*form.resume.errors, str(exc)]
        return None
    return data, upload.filename


def _applicant(form: ApplicationForm) -> Applicant:
    return Applicant(
        name=required(form.name.data),
        email=required(form.email.data),
        phone=form.phone.data or "",
        role_sought=RoleSought(form.role_sought.data),
        message=form.message.data or "",
    )


def _shown(posting: JobPosting) -> dict:
    """What the form's page repeats of the posting, from its published version."""
    return {"title": posting.content["title"], **words_of(posting.content)}


@bp.get("/apply/<int:job_id>/sent")
def applied(job_id: int) -> ResponseReturnValue:
    """Thanks: the same words whoever sent it, and whether or not they were known. Only for
    a job that has been published (a draft's title is not the public's to read)."""
    title = db.session.scalar(
        select(JobPosting.content["title"].as_string())
        .where(JobPosting.job_id == job_id)
        .order_by(JobPosting.version.desc())
        .limit(1)
    )
    if title is None:
        abort(404)
    return render_template("public/applied.html", title=title)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """What the agency keeps of an applicant, why, for how long, and how to have it removed."""
    return render_template(
        "public/privacy.html", retention_months=current_app.config["RETENTION_MONTHS"]
    )
