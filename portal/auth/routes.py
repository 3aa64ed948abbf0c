"""Signing in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..access import home_for
from ..extensions import db
from ..models import User
from ..passwords import check_password, set_password, spend_a_password_check
from ..times import utcnow
from . import bp
from .forms import ChangePasswordForm, SignInForm, SignOutForm


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
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        if user is None:
            spend_a_password_check(form.password.data)  # same time whether or not the account exists
        elif check_password(user, form.password.data) and user.active:
            user.last_sign_in_at = utcnow()
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        db.session.rollback()
        # One message whatever went wrong, so the form does not reveal who has an account.
        form.form_errors.append("That email and password do not match an active account.")
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST with a CSRF token, so no other site can sign you out)."""
    form = SignOutForm()
    if not form.validate_on_submit():
        flash("Your session form expired; please try again.", "error")
        return redirect(home_for(current_user))
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; the current one is asked for first."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append("Choose a password different from the current one.")
        else:
            set_password(current_user, form.new_password.data)
            db.session.commit()
            flash("Your password is changed.", "success")
            return redirect(home_for(current_user))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
