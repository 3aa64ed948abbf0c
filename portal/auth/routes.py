"""Signing in and out, changing one's own password, and password links (invitations, resets)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import confirm_login, current_user, login_required, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import home_for
from ..accounts.links import (
    LinkProblem,
    check_link,
    issue_link,
    recent_reset,
    revoke_open_links,
    use_email_link,
    use_link,
)
from ..accounts.passwords import check_password, set_password, spend_a_password_check
from ..accounts.sessions import (
    current_session,
    end_session,
    end_sessions,
    open_sessions,
    sign_in,
)
from ..accounts.throttling import (
    TOO_MANY,
    forget_failures,
    open_attempt,
    password_guess,
)
from ..audit import record
from ..extensions import db
from ..models import PASSWORD_PURPOSES, EmailKind, LinkPurpose, Role, User, UserSession
from ..outbox.emails import queue_email
from ..web.forms import ConfirmForm, required
from . import bp
from .forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    ForgotPasswordForm,
    NotificationsForm,
    SetPasswordForm,
    SignInForm,
    SignOutForm,
)


def _safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password (throttled per address typed and per network address)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        email, address = required(form.email.data), request.remote_addr or "unknown"
        password = required(form.password.data)
        # Counted as a failure before the slow check, so guesses sent in parallel all count.
        attempt = open_attempt(email, address)
        if attempt is None:
            form.form_errors.append(TOO_MANY)
            record(
                None,
                "sign_in.throttled",
                f"Sign-in refused for {email} from {address}: too many failures",
            )
            db.session.commit()
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            spend_a_password_check(password)  # same time whether or not the account exists
        elif check_password(user, password) and user.active:
            attempt.succeeded = True
            record(user, "sign_in", f"Signed in from {address}")
            sign_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        db.session.rollback()
        record(user, "sign_in.failed", f"Failed sign-in for {email} from {address}")
        db.session.commit()
        # One message whatever went wrong, so the form does not reveal who has an account.
        form.form_errors.append("That email and password do not match an active account.")
    if form.errors or form.form_errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out of this session (a POST with a CSRF token, so no other site can sign you
    out); the person's other sessions are listed, and ended, on their Sessions page."""
    form = SignOutForm()
    if not form.validate_on_submit():
        flash("Your session form expired; please try again.", "error")
        return redirect(home_for(current_user))
    stored = current_session()
    if stored is not None:
        end_session(stored, "signed out")
    db.session.commit()
    logout_user()
    session.clear()  # the saved list filters hold search words (names, emails): they go too
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """Enter the password again before a sensitive action (exports, erasure, roles)."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        right = password_guess(
            current_user, required(form.password.data), "confirming a sensitive action"
        )
        if right is None:
            form.form_errors.append(TOO_MANY)
            return render_template("auth/reauthenticate.html", form=form), 429
        if right:
            confirm_login()
            db.session.commit()  # the attempt's success, and a rehashed password, are kept
            return redirect(_safe_next(request.args.get("next")) or home_for(current_user))
        form.password.errors = [*form.password.errors, "That is not your password."]
    return render_template("auth/reauthenticate.html", form=form), 422 if form.errors else 200


def _password_changed(user: User, *, tell: bool) -> None:
    """After a new password: every other session ends, and (``tell``) the person is told
    by email, so they can act if it was not them."""
    revoke_open_links(user)  # an emailed link must not undo the change
    end_sessions(user, "the password was changed")
    forget_failures(user.email)  # a new password lifts a sign-in lock
    record(user, "password.changed", f"Password changed for {user.email}")
    if tell:
        queue_email(user, EmailKind.PASSWORD_CHANGED)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; the current one is asked for first."""
    form = ChangePasswordForm(user=current_user)
    if form.validate_on_submit():
        current, new = required(form.current_password.data), required(form.new_password.data)
        right = password_guess(current_user, current, "changing the password")
        if right is None:
            form.form_errors.append(TOO_MANY)
            return render_template("auth/change_password.html", form=form), 429
        if not right:
            form.current_password.errors = [
                *form.current_password.errors,
                "That is not your current password.",
            ]
        elif new == current:
            form.new_password.errors = [
                *form.new_password.errors,
                "Choose a password different from the current one.",
            ]
        else:
            user = current_user._get_current_object()
            set_password(user, new)
            _password_changed(user, tell=True)
            sign_in(user)  # this session carries on with the new token
            flash("Your password is changed. You are signed out everywhere else.", "success")
            return redirect(home_for(user))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@dataclass(frozen=True)
class LinkPage:
    title: str
    explanation: str
    status: int


LINK_PROBLEMS = {
    LinkProblem.UNKNOWN: LinkPage(
        "This link does not work",
        "The link is not one we sent, or it was copied incompletely. Copy the whole link from the email, "
        "or ask for a new one below.",
        404,
    ),
    LinkProblem.USED: LinkPage(
        "This link has already been used",
        "Each link sets a password once. If that was you, sign in with the password you chose; otherwise "
        "ask for a new link below.",
        410,
    ),
    LinkProblem.REPLACED: LinkPage(
        "A newer link was sent",
        "Only the most recent email's link works. Look for the newest message from us, or ask for a new "
        "link below.",
        410,
    ),
    LinkProblem.EXPIRED: LinkPage(
        "This link has expired",
        "For your security, links only work for a limited time. Ask for a new link below; it arrives "
        "within a minute or two.",
        410,
    ),
    LinkProblem.INACTIVE: LinkPage(
        "This account is not active",
        "The account this link belongs to has been deactivated. Please contact your recruiter.",
        410,
    ),
}


EMAIL_LINK_PROBLEMS = {
    **LINK_PROBLEMS,
    LinkProblem.USED: LinkPage(
        "This link has already been used",
        "The change of address it confirms is done: sign in with your new address.",
        410,
    ),
    LinkProblem.REPLACED: LinkPage(
        "A newer change was asked for",
        "Only the link in the most recent email works, or the address was changed since. "
        "Look for the newest message from us, or ask the agency to make the change again.",
        410,
    ),
    LinkProblem.EXPIRED: LinkPage(
        "This link has expired",
        "For your security, links only work for a limited time. Ask the agency to make the "
        "change again; you still sign in with your old address until then.",
        410,
    ),
    LinkProblem.ADDRESS_TAKEN: LinkPage(
        "This address is taken",
        "Another account uses this address now, so it cannot be yours as well. Nothing was "
        "changed: contact the agency.",
        409,
    ),
}


def _link_problem(problem: LinkProblem, expired_on=None, *, email_link: bool = False):
    page = (EMAIL_LINK_PROBLEMS if email_link else LINK_PROBLEMS)[problem]
    return render_template(
        "auth/link_problem.html",
        title=page.title,
        explanation=page.explanation,
        expired_on=expired_on,
        email_link=email_link,
    ), page.status


def _someone_elses_link():
    return render_template(
        "auth/link_problem.html",
        title="This link is for someone else",
        explanation=f"You are signed in as {current_user.email}, but this link is for "
        "another account. Sign out first if you meant to use it.",
        show_sign_out=True,
    ), 403


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password_from_link(token: str):
    """Choose a password through an invitation or reset link (usable once)."""
    after_this_request(_no_referrer)
    check = check_link(token, PASSWORD_PURPOSES)
    link = check.link
    if check.problem is not None or link is None:
        expired_on = link.expires_at if link and check.problem == LinkProblem.EXPIRED else None
        return _link_problem(check.problem or LinkProblem.UNKNOWN, expired_on)
    if current_user.is_authenticated and current_user.id != link.user_id:
        return _someone_elses_link()
    form = SetPasswordForm(user=link.user)
    if form.validate_on_submit():
        user = use_link(link, required(form.new_password.data))
        if user is None:
            db.session.rollback()
            return _link_problem(LinkProblem.USED)
        # A first password after an invitation is no news; a reset is told by email.
        _password_changed(user, tell=link.purpose == LinkPurpose.RESET)
        sign_in(user)
        flash("Your password is saved and you are signed in.", "success")
        return redirect(home_for(user))
    return render_template(
        "auth/set_password.html", form=form, link=link
    ), 422 if form.errors else 200


@bp.route("/account/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Make a new address the person's sign-in address, through the link sent to it (usable
    once). Opening the link only shows what it will do; the button does it."""
    after_this_request(_no_referrer)
    check = check_link(token, (LinkPurpose.EMAIL_CHANGE,))
    link = check.link
    if check.problem is not None or link is None:
        expired_on = link.expires_at if link and check.problem == LinkProblem.EXPIRED else None
        return _link_problem(check.problem or LinkProblem.UNKNOWN, expired_on, email_link=True)
    if current_user.is_authenticated and current_user.id != link.user_id:
        return _someone_elses_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        old, new = link.old_email, link.new_email
        problem = use_email_link(link)
        if problem is None:
            record(
                link.user,
                "user.email_changed",
                f"Email address changed from {old} to {new}, confirmed from the new address",
                candidate_id=link.user.candidate.id if link.user.candidate else None,
            )
            try:
                db.session.commit()
            except IntegrityError:  # taken by someone else in the same moment
                problem = LinkProblem.ADDRESS_TAKEN
        if problem is not None:
            db.session.rollback()
            return _link_problem(problem, email_link=True)
        flash(f"Your sign-in address is now {new}.", "success")
        if current_user.is_authenticated:
            return redirect(home_for(current_user), 303)
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/confirm_email.html", form=form, link=link), 200


@bp.get("/account/sessions")
@login_required
def sessions():
    """Where this person is signed in: each session, this one marked; the others can be ended."""
    return render_template(
        "auth/sessions.html",
        sessions=open_sessions(current_user),
        current=getattr(current_session(), "id", None),
        form=ConfirmForm(),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_own_session(session_id: int):
    """End one of this person's other sessions (this one ends with Sign out)."""
    stored = db.session.get(UserSession, session_id)
    if stored is None or stored.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if stored.id == getattr(current_session(), "id", None):
        flash("That is this session: use Sign out to end it.", "info")
    else:
        end_session(stored, "ended by the person")
        db.session.commit()
        flash("That session is ended: whoever used it must sign in again.", "success")
    return redirect(url_for("auth.sessions"), 303)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    """End every session of this person but this one."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = end_sessions(current_user, "ended by the person", keep=current_session())
    db.session.commit()
    flash(
        f"{ended} other session{'s' if ended != 1 else ''} ended."
        if ended
        else "No other session was open.",
        "success",
    )
    return redirect(url_for("auth.sessions"), 303)


NOTIFICATIONS = {
    Role.RECRUITER: ("digest_emails",),
    Role.CANDIDATE: ("thank_you_nudges", "follow_up_nudges"),
    Role.ADMIN: (),
}


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """Turn each kind of reminder email on or off."""
    names = NOTIFICATIONS[current_user.role]
    form = NotificationsForm(obj=current_user)
    if form.validate_on_submit():
        for name in names:  # only the settings of this person's role, whatever else is posted
            setattr(current_user, name, getattr(form, name).data)
        db.session.commit()
        flash("Your email settings are saved.", "success")
        return redirect(url_for("auth.notifications"), 303)
    return render_template(
        "auth/notifications.html", form=form, names=names
    ), 422 if form.errors else 200


def _no_referrer(response):
    """The address holds the token: links on the page must not pass it on."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to choose a new password; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        response = make_response(
            render_template(
                "auth/forgot_password_sent.html",
                email=form.email.data,
                hours=current_app.config["RESET_LINK_HOURS"],
            )
        )
        if user is not None and user.active and not recent_reset(user):
            # Queued, and sent once the answer has gone: the page takes no longer, and never
            # hangs on a slow mail server, when the address has an account.
            link = issue_link(user, LinkPurpose.RESET, by=None)
            queue_email(user, EmailKind.PASSWORD_RESET, link=link)
            db.session.commit()
        return response
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200
