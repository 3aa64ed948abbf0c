"""/candidates: the candidates a recruiter looks after, their pages, invitations and handouts."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..access import get_candidate_or_404, visible_candidates
from ..accounts.links import (
    InviteRefused,
    candidate_account,
    invitation_state,
    issue_link,
    revoke_open_links,
)
from ..audit import record
from ..extensions import db
from ..intake.duplicates import Person, described, flag, likely_duplicates
from ..jobs.applications import resume_folder
from ..models import (
    Application,
    Assignment,
    Candidate,
    CandidateMerge,
    CandidateStatus,
    EmailKind,
    Interview,
    LinkPurpose,
    Resume,
    Role,
    RoleSought,
)
from ..models.search import matches_all
from ..outbox.emails import email_for_link, queue_email
from ..steps.handout import handout_response
from ..times import utcnow
from ..web.forms import ConfirmForm, flush_or_field_error, form_status
from ..web.lists import by_label, list_page
from . import bp, staff_only
from .forms import CandidateFilterForm, CandidateForm


def _filter_candidates(form: CandidateFilterForm, query: Select) -> Select:
    if form.q.data:
        query = query.where(matches_all(form.q.data, Candidate.search_text))
    if form.status.data:
        query = query.where(Candidate.status == form.status.data)
    if form.role_sought.data:
        query = query.where(Candidate.role_sought == form.role_sought.data)
    return query


@bp.get("/candidates")
@staff_only
def candidates() -> ResponseReturnValue:
    """Search, filter, sort and page through the candidates I can see."""
    listing = list_page(
        "candidates",
        CandidateFilterForm(request.args),
        visible_candidates(current_user).options(joinedload(Candidate.recruiter)),
        _filter_candidates,
        sort={
            "name": Candidate.name,
            "email": Candidate.email,
            "role": by_label(Candidate.role_sought, RoleSought),
            "status": by_label(Candidate.status, CandidateStatus),
            "updated": Candidate.updated_at,
        },
        default="name",
        then=Candidate.id,
    )
    next_interview = _next_interviews([c.id for c in listing.page.items])
    return listing.render("recruiter/candidates.html", next_interview=next_interview)


def _next_interviews(candidate_ids: list[int]) -> dict[int, object]:
    """Each listed candidate's next interview start, in one grouped query."""
    if not candidate_ids:
        return {}
    rows = db.session.execute(
        select(Interview.candidate_id, func.min(Interview.starts_at))
        .where(Interview.candidate_id.in_(candidate_ids), Interview.starts_at >= utcnow())
        .group_by(Interview.candidate_id)
    ).tuples()
    return dict(rows.all())


@bp.route("/candidates/new", methods=["GET", "POST"])
@staff_only
def new_candidate():
    """Add a candidate; a recruiter's new candidate is assigned to them. Someone on file who
    may be the same person is shown first, and the candidate is added only once the
    person adding them says it is someone else (the pair is then flagged)."""
    form = CandidateForm()
    likely: list = []
    if form.validate_on_submit():
        likely = likely_duplicates(
            Person(
                form.name.data or "",
                form.email.data or "",
                form.phone.data or "",
                form.city.data or "",
            )
        )
        same_email = any("email" in reasons for _, reasons in likely)
        if likely and not same_email and not form.different_person.data:
            form.different_person.errors = [
                "Look at the records above first: if one is this person, open it instead."
            ]
        else:
            response = _add_candidate(form)
            if response is not None:
                return response
    visible_ids = set()
    if likely:
        visible_ids = set(
            db.session.scalars(
                visible_candidates(current_user)
                .where(Candidate.id.in_([c.id for c, _ in likely]))
                .with_only_columns(Candidate.id)
            )
        )
    return render_template(
        "recruiter/candidate_form.html",
        form=form,
        candidate=None,
        likely=[(c, described(r)) for c, r in likely if c.id in visible_ids],
        unseen=sum(1 for c, _ in likely if c.id not in visible_ids),
        same_email=any("email" in reasons for _, reasons in likely),
    ), form_status()


def _add_candidate(form: CandidateForm):
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
    if not flush_or_field_error(form.email, "A candidate with this email is already on file."):
        return None
    record(current_user, "candidate.created", f"{candidate.name} added", candidate_id=candidate.id)
    if candidate.recruiter_id == current_user.id:
        record(
            current_user,
            "candidate.assigned",
            f"{candidate.name} assigned to {current_user.name} (who added them)",
            candidate_id=candidate.id,
        )
    flagged = flag(candidate, "hand", utcnow())
    db.session.commit()
    flash(
        f"{candidate.name} is added."
        + (" They are listed with their likely duplicates for a second look." if flagged else ""),
        "success",
    )
    return redirect(url_for("recruiter.candidate", candidate_id=candidate.id))


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
    applications = db.session.scalars(
        select(Application)
        .where(Application.candidate_id == candidate.id)
        .options(joinedload(Application.job), joinedload(Application.resume))
        .order_by(Application.created_at.desc(), Application.id.desc())
    ).all()
    invitation = invitation_state(candidate.user)
    merged_count = db.session.scalar(
        select(func.count(CandidateMerge.id)).where(CandidateMerge.kept_id == candidate.id)
    )
    return render_template(
        "recruiter/candidate.html",
        candidate=candidate,
        merged_count=merged_count,
        interviews=interviews,
        applications=applications,
        assignments=assignments,
        invitation=invitation,
        invitation_email=email_for_link(invitation),
        invite_form=ConfirmForm(),
        now=utcnow(),
    )


@bp.get("/candidates/<int:candidate_id>/resumes/<int:resume_id>")
@staff_only
def resume(candidate_id: int, resume_id: int):
    """A résumé the candidate sent, for staff who can see the candidate: downloaded, never
    shown in the page (a file from the public is not rendered on the portal's origin)."""
    candidate = get_candidate_or_404(candidate_id)
    sent = db.first_or_404(
        select(Resume).where(Resume.id == resume_id, Resume.candidate_id == candidate.id)
    )
    path = resume_folder() / sent.stored_name
    if not path.is_file():
        abort(404, description="The file of this résumé is missing; ask an admin.")
    response = send_file(
        io.BytesIO(path.read_bytes()),  # at most 5 MB: read whole, no file left open
        mimetype=sent.media_type,
        as_attachment=True,
        download_name=sent.file_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


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
    link = issue_link(user, LinkPurpose.INVITE, by=current_user)
    queue_email(user, EmailKind.INVITATION, link=link)
    record(
        current_user,
        "candidate.invited",
        f"Invitation sent to {candidate.name} at {user.email}",
        candidate_id=candidate.id,
    )
    db.session.commit()
    hours = current_app.config["INVITE_LINK_HOURS"]
    flash(
        f"Invitation on its way to {user.email}. The link works once, for {hours} hours; "
        "this page shows when it has gone.",
        "success",
    )
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
            # A new name, phone or city may make them look like someone else on file.
            flagged = flag(candidate, "hand", utcnow())
            db.session.commit()
            flash(
                "Candidate saved."
                + (
                    " They now look like someone else on file: see the duplicates."
                    if flagged
                    else ""
                ),
                "success",
            )
            return redirect(url_for("recruiter.candidate", candidate_id=candidate.id))
    return render_template(
        "recruiter/candidate_form.html", form=form, candidate=candidate
    ), form_status()


@bp.get("/candidates/<int:candidate_id>/checklist.pdf")
@staff_only
def checklist_pdf(candidate_id: int):
    """The candidate's checklist handout, to print for them."""
    response = handout_response(current_user, get_candidate_or_404(candidate_id), utcnow())
    db.session.commit()  # the download's line in the audit trail
    return response
