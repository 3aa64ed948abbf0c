"""Admin pages: accounts, assignments, the follow-up policy, the reminder outbox, privacy."""

import json
from dataclasses import asdict

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, fresh_login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..access import get_candidate_or_404, role_required
from ..extensions import db
from ..forms import ConfirmForm, options
from ..models import Assignment, AuditEvent, Candidate, Reminder, ReminderStatus, Role, User
from ..passwords import set_password
from ..privacy import erase, export_data, inactive_candidates, retention_cutoff
from ..steps import audit_trail, change_policy, current_policy, hand_over_open_steps, record
from ..times import local_day_bounds, utcnow
from ..views import (
    count_by,
    flush_or_field_error,
    form_status,
    matches,
    paginate,
    paginate_rows,
    remember_list_settings,
    sorting,
)
from . import bp
from .forms import (
    AccountForm,
    AssignForm,
    AuditFilterForm,
    CandidateAssignmentFilterForm,
    EraseForm,
    OutboxFilterForm,
    PolicyForm,
    UserFilterForm,
)

admin_only = role_required(Role.ADMIN)
UNASSIGNED = -1


def _recruiter_choices(*leading: tuple[int, str], active_only: bool = True) -> list:
    query = select(User.id, User.name).where(User.role == Role.RECRUITER).order_by(User.name)
    if active_only:
        query = query.where(User.active.is_(True))
    return options([*leading, *db.session.execute(query).tuples()])


@bp.get("/")
@admin_only
def index():
    """The admin area opens on the accounts."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
@admin_only
def users():
    """Every account, with search, a role filter and sortable columns."""
    if back := remember_list_settings("users"):
        return back
    form = UserFilterForm(request.args)
    query = select(User)
    filters_ok = form.validate()
    if filters_ok:
        if form.q.data:
            query = query.where(matches(form.q.data, User.name, User.email))
        if form.role.data:
            query = query.where(User.role == form.role.data)
    order = sorting(
        {
            "name": User.name,
            "email": User.email,
            "role": User.role,
            "active": User.active,
            "signed_in": User.last_sign_in_at,
        },
        "name",
    )
    page = paginate(query.order_by(*order.order, User.id))
    assigned = count_by(Candidate.id, Candidate.recruiter_id, [u.id for u in page.items])
    return render_template(
        "admin/users.html", form=form, page=page, assigned=assigned, sorting=order
    ), 200 if filters_ok else 400


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
@fresh_login_required  # it sets a role
def new_user():
    """Create a recruiter, admin or candidate account with a first password."""
    form = AccountForm()
    form.recruiter_id.choices = _recruiter_choices((0, "Not yet"))
    if form.validate_on_submit():
        profile = None
        if form.role.data == Role.CANDIDATE:
            profile = db.session.scalar(select(Candidate).where(Candidate.email == form.email.data))
        if profile is not None and profile.user_id is not None:
            form.email.errors = ["This candidate already has a sign-in under another email."]
        else:
            user = User(name=form.name.data, email=form.email.data, role=Role(form.role.data))
            set_password(user, form.password.data)
            db.session.add(user)
            if user.role == Role.CANDIDATE:
                _attach_candidate_profile(user, profile, form)
            if flush_or_field_error(form.email, "An account with this email already exists."):
                record(
                    current_user,
                    "user.created",
                    f"{user.role.label} account created for {user.email}",
                    candidate_id=user.candidate.id if user.candidate else None,
                )
                db.session.commit()
                flash(f"Account created for {user.name}.", "success")
                return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form), form_status()


def _attach_candidate_profile(user: User, candidate: Candidate | None, form: AccountForm) -> None:
    """Link a candidate's account to their profile, creating the profile if there is none."""
    if candidate is None:
        candidate = Candidate(name=user.name, email=user.email, role_sought=form.role_sought.data)
        db.session.add(candidate)
    candidate.user = user
    recruiter = db.session.get(User, form.recruiter_id.data) if form.recruiter_id.data else None
    if recruiter is not None and candidate.assign_to(recruiter, by=current_user):
        if candidate.id:
            hand_over_open_steps(candidate.id, recruiter.id)
        db.session.flush()
        record(
            current_user,
            "candidate.assigned",
            f"{candidate.name} assigned to {recruiter.name}",
            candidate_id=candidate.id,
        )


@bp.get("/users/<int:user_id>")
@admin_only
def user(user_id: int):
    """One account: its details, activation, and a recruiter's candidates."""
    user = db.get_or_404(User, user_id)
    assigned = []
    if user.role == Role.RECRUITER:
        assigned = db.session.scalars(
            select(Candidate)
            .where(Candidate.recruiter_id == user.id)
            .order_by(Candidate.name)
            .limit(50)
        ).all()
    return render_template("admin/user.html", user=user, assigned=assigned, form=ConfirmForm())


@bp.post("/users/<int:user_id>/deactivate")
@admin_only
def deactivate_user(user_id: int):
    """Stop an account from signing in; its history stays."""
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@admin_only
def activate_user(user_id: int):
    """Let a deactivated account sign in again."""
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id and not active:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.user", user_id=user.id)), 303
    user.active = active
    if not active:  # old cookies and calendar links must not work again after a reactivation
        user.new_session_token()
        user.calendar_token = None
    record(
        current_user,
        "user.activated" if active else "user.deactivated",
        f"{user.email} " + ("may sign in again" if active else "may no longer sign in"),
        candidate_id=user.candidate.id if user.candidate else None,
    )
    db.session.commit()
    flash(f"{user.name} is {'active again' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user", user_id=user.id)), 303


@bp.get("/candidates")
@admin_only
def candidates():
    """All candidates with their recruiter, to spot and fix assignments."""
    if back := remember_list_settings("admin_candidates"):
        return back
    form = CandidateAssignmentFilterForm(request.args)
    form.recruiter_id.choices = _recruiter_choices(
        (0, "Any recruiter"), (UNASSIGNED, "Unassigned"), active_only=False
    )
    query = select(Candidate).options(joinedload(Candidate.recruiter))
    filters_ok = form.validate()
    if filters_ok:
        if form.q.data:
            query = query.where(matches(form.q.data, Candidate.name, Candidate.email))
        if form.recruiter_id.data == UNASSIGNED:
            query = query.where(Candidate.recruiter_id.is_(None))
        elif form.recruiter_id.data:
            query = query.where(Candidate.recruiter_id == form.recruiter_id.data)
    order = sorting(
        {"name": Candidate.name, "email": Candidate.email, "recruiter": Candidate.recruiter_id},
        "name",
    )
    page = paginate(query.order_by(*order.order, Candidate.id))
    return render_template(
        "admin/candidates.html", form=form, page=page, sorting=order
    ), 200 if filters_ok else 400


@bp.route("/candidates/<int:candidate_id>/assignment", methods=["GET", "POST"])
@admin_only
def assign(candidate_id: int):
    """Assign or reassign a candidate; the history of assignments is kept."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = AssignForm()
    form.recruiter_id.choices = _recruiter_choices()
    if request.method == "GET" and candidate.recruiter_id:
        form.recruiter_id.data = candidate.recruiter_id
    if form.validate_on_submit():
        recruiter = db.session.get(User, form.recruiter_id.data)
        if candidate.assign_to(recruiter, by=current_user, note=form.note.data or "") is None:
            form.recruiter_id.errors = [
                f"{candidate.name} is already assigned to {recruiter.name}."
            ]
        else:
            hand_over_open_steps(candidate.id, recruiter.id)
            record(
                current_user,
                "candidate.assigned",
                f"{candidate.name} assigned to {recruiter.name}"
                + (f": {form.note.data}" if form.note.data else ""),
                candidate_id=candidate.id,
            )
            db.session.commit()
            flash(f"{candidate.name} is now assigned to {recruiter.name}.", "success")
            return redirect(url_for("admin.assign", candidate_id=candidate.id)), 303
    history = db.session.scalars(
        select(Assignment)
        .where(Assignment.candidate_id == candidate.id)
        .options(joinedload(Assignment.recruiter), joinedload(Assignment.assigned_by))
        .order_by(Assignment.started_at.desc(), Assignment.id.desc())
    ).all()
    return render_template(
        "admin/assign.html", candidate=candidate, form=form, history=history
    ), form_status()


@bp.route("/policy", methods=["GET", "POST"])
@admin_only
def policy():
    """The follow-up policy: changes apply to steps not yet done and go in the audit trail."""
    current = current_policy()
    form = PolicyForm(data=asdict(current)) if request.method == "GET" else PolicyForm()
    if form.validate_on_submit():
        changes = change_policy(form.policy(), current_user)
        db.session.commit()
        if changes:
            flash(
                "Policy saved; steps not yet done now follow it. " + "; ".join(changes), "success"
            )
        else:
            flash("Nothing changed.", "info")
        return redirect(url_for("admin.policy"), 303)
    history = audit_trail(AuditEvent.action == "policy.changed", limit=20)
    return render_template("admin/policy.html", form=form, history=history), form_status()


# The reminder outbox -----------------------------------------------------------------

NOT_SENT = (ReminderStatus.QUEUED, ReminderStatus.SENDING, ReminderStatus.FAILED)


@bp.get("/outbox")
@admin_only
def outbox():
    """Reminder emails not sent yet or failed (or any status), newest first, with retry for failed ones."""
    form = OutboxFilterForm(request.args)
    filters_ok = form.validate()
    statuses = [form.status.data] if filters_ok and form.status.data else NOT_SENT
    page = paginate(
        select(Reminder)
        .where(Reminder.status.in_(statuses))
        .options(joinedload(Reminder.user))
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    counts = dict(
        db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
        .tuples()
        .all()
    )
    return render_template(
        "admin/outbox.html",
        form=form,
        page=page,
        counts=counts,
        retry_form=ConfirmForm(),
        ReminderStatus=ReminderStatus,
    ), 200 if filters_ok else 400


@bp.post("/outbox/<int:reminder_id>/retry")
@admin_only
def retry_reminder(reminder_id: int):
    """Put a failed reminder back in the queue: the next reminder run tries it again."""
    reminder = db.get_or_404(Reminder, reminder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if reminder.status != ReminderStatus.FAILED:
        flash("Only failed reminders can be retried.", "error")
    else:
        reminder.status, reminder.attempts, reminder.next_attempt_at = (
            ReminderStatus.QUEUED,
            0,
            utcnow(),
        )
        record(
            current_user,
            "reminder.retried",
            f"Reminder {reminder.key} queued again after: {reminder.last_error}",
            candidate_id=reminder.user.candidate.id if reminder.user.candidate else None,
        )
        db.session.commit()
        flash(f"Queued again: the next reminder run sends it to {reminder.user.email}.", "success")
    return redirect(url_for("admin.outbox", status=ReminderStatus.FAILED.value), 303)


# Privacy: the audit trail, a candidate's data, erasure, retention -------------------------

AUDIT_ACTIONS = {
    "sign_in": "Sign-ins",
    "sign_in.failed": "Failed sign-ins",
    "sign_in.throttled": "Refused sign-ins",
    "password.changed": "Password changes",
    "user.created": "Accounts created",
    "user.deactivated": "Deactivations",
    "user.activated": "Reactivations",
    "candidate.assigned": "Assignments",
    "candidate.invited": "Invitations",
    "interview.logged": "Interviews logged",
    "interview.edited": "Interview edits",
    "step.done": "Steps done",
    "step.undone": "Steps undone",
    "step.waived": "Steps waived",
    "step.changed": "Steps changed on the interview",
    "policy.changed": "Policy changes",
    "employer.channel_changed": "Employer channel changes",
    "export.compliance_csv": "Compliance CSV exports",
    "export.handout": "Handouts printed",
    "candidate.exported": "Data exports",
    "candidate.erased": "Erasures",
    "reminder.retried": "Reminders retried",
    "calendar.link_made": "Calendar links made",
    "calendar.link_replaced": "Calendar links replaced",
    "password.failed": "Wrong passwords when signed in",
    "candidate.created": "Candidates added",
    "candidate.edited": "Candidate records edited",
    "employer.created": "Employers added",
    "employer.edited": "Employers edited",
    "job.created": "Jobs added",
    "job.edited": "Jobs edited",
}


@bp.get("/audit")
@admin_only
def audit():
    """The audit trail, newest first, filtered by what happened, who did it and when."""
    if back := remember_list_settings("audit"):
        return back
    form = AuditFilterForm(request.args)
    form.action.choices = options(AUDIT_ACTIONS.items(), blank="Everything")
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    filters_ok = form.validate()
    if filters_ok:
        if form.action.data:
            query = query.where(AuditEvent.action == form.action.data)
        if form.who.data:
            query = query.join(User, User.id == AuditEvent.actor_id).where(
                matches(form.who.data, User.name, User.email)
            )
        if form.start.data:
            query = query.where(AuditEvent.at >= local_day_bounds(form.start.data)[0])
        if form.end.data:
            query = query.where(AuditEvent.at < local_day_bounds(form.end.data)[1])
    page = paginate(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    return render_template(
        "admin/audit.html", form=form, page=page, labels=AUDIT_ACTIONS
    ), 200 if filters_ok else 400


@bp.get("/candidates/<int:candidate_id>/export.json")
@admin_only
@fresh_login_required  # an export of one person's data
def export_candidate(candidate_id: int):
    """Everything held about a candidate, as JSON, for a request under PIPEDA."""
    candidate = get_candidate_or_404(candidate_id)
    data = export_data(candidate)
    record(
        current_user,
        "candidate.exported",
        f"Data of candidate #{candidate.id} exported",
        candidate_id=candidate.id,
    )
    db.session.commit()
    body = json.dumps(
        {"exported_at": utcnow().isoformat(), "exported_by": current_user.email, **data},
        indent=2,
        ensure_ascii=False,
    )
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="candidate-{candidate.id}-data.json"'
        },
    )


@bp.route("/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
@admin_only
@fresh_login_required  # cannot be undone
def erase_candidate(candidate_id: int):
    """Erase a candidate: anonymise them and their account; their steps stay for the figures."""
    candidate = get_candidate_or_404(candidate_id)
    form = EraseForm()
    if form.validate_on_submit():
        number = candidate.id
        erase(candidate, utcnow())
        record(current_user, "candidate.erased", f"Candidate #{number} erased", candidate_id=number)
        db.session.commit()
        flash(
            f"Candidate #{number} is erased. Their steps stay, anonymous, in the compliance figures.",
            "success",
        )
        return redirect(url_for("admin.retention"), 303)
    return render_template("admin/erase.html", candidate=candidate, form=form), form_status()


@bp.get("/retention")
@admin_only
def retention():
    """Candidates with no change, interview or sign-in for the retention period: to review."""
    months = current_app.config["RETENTION_MONTHS"]
    cutoff = retention_cutoff(utcnow(), months)
    page = paginate_rows(inactive_candidates(cutoff))
    return render_template("admin/retention.html", page=page, months=months, cutoff=cutoff)
