"""Who is signed in and for how long, sign-in throttling, and what every response tells the browser.

* Sessions carry the person's session token (``User.get_id``): signing out or changing the
  password replaces it, so a copied cookie stops working.
* A session ends after ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_HOURS``
  after sign-in. "Keep me signed in" then starts a new, not fresh, session from its cookie
  (``REMEMBER_COOKIE_DURATION``); sensitive actions ask for the password again.
* Failed sign-ins are counted in the database, per address typed and per network address,
  so the limits hold across workers and servers.
"""

from __future__ import annotations

import hmac
import time
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import delete, func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db, login_manager
from .models import SignInAttempt, User
from .passwords import check_password
from .steps import record
from .times import utcnow

SIGN_IN_WINDOW = timedelta(minutes=15)
MOST_FAILURES_PER_ACCOUNT = 5
MOST_FAILURES_PER_ADDRESS = 30
KEEP_ATTEMPTS = timedelta(days=30)
TOO_MANY = (
    "Too many failed sign-ins. Wait 15 minutes and try again, or use “Forgot your password?”."
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; "  # the report's chart is SVG with its own <style>; never scripts
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
NOT_TIMED = {None, "static", "design", "healthz"}  # requests that neither need nor extend a session


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.refresh_view = "auth.reauthenticate"
    login_manager.needs_refresh_message = "Please enter your password again to continue."
    login_manager.needs_refresh_message_category = "info"
    app.before_request(_end_expired_sessions)
    app.after_request(_security_headers)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


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


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint not in ("static", "design"):
        response.headers["Cache-Control"] = (
            "no-store"  # pages, PDFs, CSV and feeds hold personal data
        )
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


# Sign-in throttling ------------------------------------------------------------------------


def sign_in_refused(email: str, address: str, now: datetime | None = None) -> bool:
    """Too many recent failures for this address typed, or from this network address."""
    now = now or utcnow()
    since = now - SIGN_IN_WINDOW
    last_success = db.session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email == email,
            SignInAttempt.succeeded.is_(True),
            SignInAttempt.at >= since,
        )
    )
    by_account = db.session.scalar(
        select(func.count()).where(
            SignInAttempt.email == email,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at >= (last_success or since),
        )
    )
    if by_account >= MOST_FAILURES_PER_ACCOUNT:
        return True
    by_address = db.session.scalar(
        select(func.count()).where(
            SignInAttempt.address == address,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at >= since,
        )
    )
    return by_address >= MOST_FAILURES_PER_ADDRESS


def record_attempt(
    email: str, address: str, succeeded: bool, now: datetime | None = None
) -> SignInAttempt:
    """Note one attempt (with the view's transaction); attempts past KEEP_ATTEMPTS go."""
    now = now or utcnow()
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ATTEMPTS))
    attempt = SignInAttempt(email=email[:254], address=address[:64], succeeded=succeeded, at=now)
    db.session.add(attempt)
    return attempt


def password_guess(user: User, password: str, what: str) -> bool | None:
    """Check a signed-in person's password again (before a sensitive action, or to change
    it), throttled and recorded like a sign-in. None when throttled."""
    address = request.remote_addr or "unknown"
    if sign_in_refused(user.email, address):
        return None
    attempt = record_attempt(user.email, address, succeeded=False)
    db.session.commit()  # counted before the slow check, so parallel guesses see it
    if check_password(user, password):
        attempt.succeeded = True
        return True
    record(user, "password.failed", f"Wrong password when {what}, from {address}")
    db.session.commit()
    return False
