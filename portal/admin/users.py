"""/admin/users: every account: create, look at, deactivate and reactivate."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, fresh_login_required
from sqlalchemy import Select, func, select

from ..accounts.devices import device
from ..accounts.links import (
    address_in_use,
    ask_email_change,
    change_email,
    invitation_state,
    issue_link,
    pending_email_change,
)
from ..accounts.sessions import current_session, end_session, end_sessions, open_sessions
from ..accounts.throttling import forget_failures, locks
from ..audit import record
from ..extensions import db, write_lock
from ..models import Candidate, EmailKind, LinkPurpose, Role, User, UserSession
from ..outbox.emails import email_for_link, queue_email
from ..steps.sync import hand_over_open_steps
from ..times import format_local, utcnow
from ..web.forms import ConfirmForm, flush_or_field_error, form_status, required
from ..web.lists import by_label, count_by, list_page, matches
from . import admin_only, bp
from .forms import AccountForm, EditAccountForm, UserFilterForm, recruiter_choices


def _filter_users(form: UserFilterForm, query: Select) -> Select:
    if form.q.data:
        query = query.where(matches(form.q.data, User.name, User.email))
    if form.role.data:
        query = query.where(User.role == form.role.data)
    return query


@bp.get("/")
@admin_only
def index():
    """The admin area opens on the accounts."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
@admin_only
def users() -> ResponseReturnValue:
    """Every account, with search, a role filter and sortable columns."""
    listing = list_page(
        "users",
        UserFilterForm(request.args),
        select(User),
        _filter_users,
        sort={
            "name": User.name,
            "email": User.email,
            "role": by_label(User.role, Role),
            "active": User.active,
            "signed_in": User.last_sign_in_at,
        },
        default="name",
        then=User.id,
    )
    people = listing.page.items
    assigned = count_by(Candidate.id, Candidate.recruiter_id, [u.id for u in people])
    return listing.render(
        "admin/users.html", assigned=assigned, locked=locks(u.email for u in people)
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
@fresh_login_required  # it sets a role
def new_user():
    """Create a recruiter, admin or candidate account and email the person a one-time link
    to choose their own password (an admin never types or sees anyone's password)."""
    form = AccountForm()
    form.recruiter_id.choices = recruiter_choices((0, "Not yet"))
    if form.validate_on_submit():
        profile = None
        if form.role.data == Role.CANDIDATE:
            profile = db.session.scalar(select(Candidate).where(Candidate.email == form.email.data))
        if profile is not None and profile.user_id is not None:
            form.email.errors = ["This candidate already has a sign-in under another email."]
        else:
            user = User(name=form.name.data, email=form.email.data, role=Role(form.role.data))
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
                _invite(user)
                db.session.commit()
                flash(f"Account created for {user.name}. {_invitation_on_its_way(user)}", "success")
                return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form), form_status()


def _invite(user: User) -> None:
    """Email ``user`` a one-time link to choose their password (an earlier one stops
    working), recorded in the audit trail. The view commits."""
    link = issue_link(user, LinkPurpose.INVITE, by=current_user)
    queue_email(user, EmailKind.INVITATION, link=link)
    record(
        current_user,
        "user.invited",
        f"Invitation sent to {user.email}",
        candidate_id=user.candidate.id if user.candidate else None,
    )


def _invitation_on_its_way(user: User) -> str:
    hours = current_app.config["INVITE_LINK_HOURS"]
    return f"An invitation is on its way to {user.email}: the link works once, for {hours} hours."


@bp.post("/users/<int:user_id>/invite")
@admin_only
@fresh_login_required
def invite_user(user_id: int) -> ResponseReturnValue:
    """Send a new invitation to someone who has not chosen a password yet (the earlier link
    stops working)."""
    user = db.get_or_404(User, user_id)
    back = redirect(url_for("admin.user", user_id=user.id), 303)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.password_hash:
        flash(
            f"{user.name} has already chosen a password. If they forgot it, they can use "
            "“Forgot your password?” on the sign-in page.",
            "error",
        )
        return back
    if not user.active:
        flash(f"{user.name}'s account is deactivated: reactivate it first.", "error")
        return back
    _invite(user)
    db.session.commit()
    flash(_invitation_on_its_way(user), "success")
    return back


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
    assigned: Sequence[Candidate] = []
    if user.role == Role.RECRUITER:
        assigned = db.session.scalars(
            select(Candidate)
            .where(Candidate.recruiter_id == user.id)
            .order_by(Candidate.name)
            .limit(50)
        ).all()
    invitation = invitation_state(user)
    caseload_size = 0
    if user.role == Role.RECRUITER:
        caseload_size = (
            db.session.scalar(
                select(func.count(Candidate.id)).where(Candidate.recruiter_id == user.id)
            )
            or 0
        )
    return render_template(
        "admin/user.html",
        user=user,
        assigned=assigned,
        caseload_size=caseload_size,
        lock=locks([user.email]).get(user.email),
        invitation=invitation,
        invitation_email=email_for_link(invitation),
        pending=pending_email_change(user),
        sessions=open_sessions(user),
        current=getattr(current_session(), "id", None),
        now=utcnow(),
        form=ConfirmForm(),
    )


@bp.post("/users/<int:user_id>/unlock")
@admin_only
@fresh_login_required
def unlock_user(user_id: int) -> ResponseReturnValue:
    """Lift a sign-in lock: the failed sign-ins that caused it are cleared (and audited)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cleared = forget_failures(user.email)
    if cleared:
        record(
            current_user,
            "user.unlocked",
            f"Sign-in lock lifted for {user.email} ({cleared} failed sign-ins cleared)",
            candidate_id=user.candidate.id if user.candidate else None,
        )
        flash(f"{user.name} can sign in again.", "success")
    else:
        flash(f"{user.name} was not locked out.", "info")
    db.session.commit()
    return redirect(url_for("admin.user", user_id=user.id)), 303


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
    if not active and user.is_admin and not _another_admin_remains(user):
        flash(LAST_ADMIN.format(name=user.name), "error")
        return redirect(url_for("admin.user", user_id=user.id)), 303
    user.active = active
    if not active:  # old cookies and calendar links must not work again after a reactivation
        end_sessions(user, "the account was deactivated")
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


# Any fixed 64-bit number: the PostgreSQL advisory lock changes to the admins take turns on.
ADMINS_LOCK = 0x61646D696E73
LAST_ADMIN = "{name} is the last active admin: make someone else an admin first."


def _another_admin_remains(user: User) -> bool:
    """Whether an active admin other than ``user`` is left. Read in a fresh transaction,
    under a lock held until the caller commits, so two admins demoting (or deactivating)
    each other at the same moment cannot both succeed."""
    db.session.commit()
    write_lock(ADMINS_LOCK)
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    return bool(others)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_only
@fresh_login_required  # it sets a role and an address
def edit_user(user_id: int) -> ResponseReturnValue:
    """Change a person's name, email address or role (recruiter or admin). A new address
    is confirmed from that address before it is used, and the old one is told; someone
    without a password yet is simply sent a new invitation at the new address."""
    user = db.get_or_404(User, user_id)
    form = EditAccountForm(obj=user)
    if user.is_candidate:
        del form.role  # a candidate's account stays a candidate's
    if form.validate_on_submit() and _can_save(user, form):
        new_address = form.email.data if form.email.data != user.email else None
        changes = _apply(user, form)
        if flush_or_field_error(form.email, "An account with this email already exists."):
            if changes:
                record(
                    current_user,
                    "user.edited",
                    f"{user.email}: " + "; ".join(changes),
                    candidate_id=user.candidate.id if user.candidate else None,
                )
            db.session.commit()
            flash(f"{user.name}: {_saved_words(changes, new_address, user)}", "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
    pending = pending_email_change(user)
    return render_template(
        "admin/user_edit.html", form=form, user=user, pending=pending
    ), form_status()


def _can_save(user: User, form: EditAccountForm) -> bool:
    """Refuse what must not happen: an address someone else uses, an admin removing their
    own admin role, the last active admin becoming a recruiter. Field errors say why."""
    if form.email.data != user.email and address_in_use(required(form.email.data), user):
        form.email.errors = ["Another account or candidate uses this address."]
        return False
    if "role" in form and user.is_admin and form.role.data != Role.ADMIN.value:
        if user.id == current_user.id:
            form.role.errors = ["You cannot remove your own admin role; another admin can."]
            return False
        if not _another_admin_remains(user):
            form.role.errors = [LAST_ADMIN.format(name=user.name)]
            return False
    return True


def _apply(user: User, form: EditAccountForm) -> list[str]:
    """Make the changes (a new address as a request to confirm it); what changed, in words."""
    changes = []
    if form.name.data != user.name:
        changes.append(f"name {user.name} → {form.name.data}")
        user.name = required(form.name.data)
        if user.candidate is not None:
            user.candidate.name = user.name
    if "role" in form and form.role.data != user.role.value:
        role = Role(form.role.data)
        changes.append(f"role {user.role.label} → {role.label}")
        user.role = role
    if form.email.data != user.email:
        _new_address(user, required(form.email.data))
    return changes


def _new_address(user: User, email: str) -> None:
    """Someone with a password confirms a new address from it (the old one is told);
    someone invited and without a password yet gets the invitation again, there."""
    candidate_id = user.candidate.id if user.candidate else None
    if not user.password_hash:
        record(
            current_user,
            "user.email_changed",
            f"Email address changed from {user.email} to {email} (no password chosen yet)",
            candidate_id=candidate_id,
        )
        change_email(user, email)
        db.session.flush()
        _invite(user)
        return
    link = ask_email_change(user, email, by=current_user)
    queue_email(user, EmailKind.EMAIL_CHANGE, link=link)
    queue_email(user, EmailKind.EMAIL_CHANGE_NOTICE, link=link)
    record(
        current_user,
        "user.email_change_asked",
        f"Change of address asked for: {user.email} to {email}, to be confirmed from {email}",
        candidate_id=candidate_id,
    )


def _saved_words(changes: list[str], new_address: str | None, user: User) -> str:
    words = "Changes saved." if changes else "Nothing else changed."
    if new_address is None:
        return words if changes else "Nothing changed."
    if user.email == new_address:  # changed at once: no password chosen yet
        return f"{words} The address is now {user.email}. {_invitation_on_its_way(user)}"
    return (
        f"{words} A link to confirm {new_address} went to that address, and {user.email} "
        "is told; the address changes once the link is used."
    )


@bp.post("/users/<int:user_id>/sessions/<int:session_id>/end")
@admin_only
@fresh_login_required
def end_user_session(user_id: int, session_id: int) -> ResponseReturnValue:
    """End one of a person's sessions (a lost phone, a shared computer); audited."""
    user = db.get_or_404(User, user_id)
    stored = db.session.get(UserSession, session_id)
    if stored is None or stored.user_id != user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    end_session(stored, f"ended by {current_user.name}")
    record(
        current_user,
        "session.ended",
        f"A session of {user.email} ended ({device(stored.user_agent)}, signed in "
        f"{format_local(stored.created_at)})",
        candidate_id=user.candidate.id if user.candidate else None,
    )
    db.session.commit()
    flash(f"That session of {user.name} is ended.", "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/sessions/end")
@admin_only
@fresh_login_required
def end_user_sessions(user_id: int) -> ResponseReturnValue:
    """End all of a person's sessions (but the admin's own, when it is their account)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    keep = current_session() if user.id == current_user.id else None
    ended = end_sessions(user, f"ended by {current_user.name}", keep=keep)
    if ended:
        record(
            current_user,
            "session.ended",
            f"{ended} session{'s' if ended != 1 else ''} of {user.email} ended",
            candidate_id=user.candidate.id if user.candidate else None,
        )
    db.session.commit()
    flash(f"{user.name}: {ended} session{'s' if ended != 1 else ''} ended.", "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)
