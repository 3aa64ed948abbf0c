"""Who is signed in and for how long.

* Sessions carry the person's session token (``User.get_id``): signing out or changing the
  password replaces it, so a copied cookie stops working.
* A session ends after ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_HOURS``
  after sign-in. "Keep me signed in" then starts a new, not fresh, session from its cookie
  (``REMEMBER_COOKIE_DURATION``); sensitive actions ask for the password again.
"""

from __future__ import annotations

import hmac
import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user

from ..extensions import db, login_manager
from ..models import User
from ..times import utcnow

NOT_TIMED = {None, "static", "design", "healthz"}  # requests that neither need nor extend a session


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.refresh_view = "auth.reauthenticate"
    login_manager.needs_refresh_message = "Please enter your password again to continue."
    login_manager.needs_refresh_message_category = "info"
    app.before_request(_end_expired_sessions)


def load_user(user_id: str) -> User | None:
    """The person a session names, if its token is still theirs and they are active."""
    ident, _, token = user_id.partition(".")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session for ``user`` (commits: the token must be stored before the cookie)."""
    if not user.session_token:
        user.new_session_token()
    user.last_sign_in_at = utcnow()
    db.session.commit()
    # Nothing from before carries over: a new CSRF token, no one else's list filters.
    session.clear()
    login_user(user, remember=remember)
    now = int(time.time())
    session["signed_in_at"] = session["seen_at"] = now


def sign_out_everywhere(user: User) -> None:
    """End this person's sessions on every device, "keep me signed in" cookies included."""
    user.new_session_token()


def _end_expired_sessions():
    if request.endpoint in NOT_TIMED or not current_user.is_authenticated:
        return None
    now = int(time.time())
    started, seen = session.get("signed_in_at"), session.get("seen_at")
    if started is None or seen is None:  # restored from a "keep me signed in" cookie
        session["signed_in_at"] = session["seen_at"] = now
        return None
    idle = now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60
    too_old = now - started > current_app.config["SESSION_HOURS"] * 3600
    if idle or too_old:
        # End this session only; Flask-Login then tries the "keep me signed in" cookie, which
        # the user loader accepts only while its token is current. If it does, a new session
        # starts, not fresh, so sensitive actions ask for the password again.
        for key in ("_user_id", "_id", "_fresh", "signed_in_at", "seen_at"):
            session.pop(key, None)
        g.pop("_login_user", None)
        if current_user.is_authenticated:
            session["signed_in_at"] = session["seen_at"] = now
            return None
        flash(
            "You were signed out after a while without activity. Please sign in again."
            if idle
            else "Your session reached its time limit. Please sign in again.",
            "info",
        )
        return redirect(
            url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        )
    if now - seen >= 60:  # write the cookie at most once a minute
        session["seen_at"] = now
    return None
