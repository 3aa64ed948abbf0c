"""Who is signed in, where, and for how long.

* Every sign-in is a session of its own (``UserSession``): the cookies hold its id and a
  secret whose hash is stored. Signing out ends that session; a person can end their
  others, an admin can end anyone's, and a password change or a deactivation ends them all.
  A cookie copied from an ended session stops working.
* A session ends after ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_HOURS``
  after sign-in. "Keep me signed in" then starts a new, not fresh, session from its cookie
  (``REMEMBER_COOKIE_DURATION``), in the same stored session; sensitive actions ask for the
  password again.
* When each session was last seen is written at most every ``SEEN_EVERY`` (the one write a
  page view makes: the session's own bookkeeping).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta
from typing import cast

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import contains_eager

from ..extensions import db, login_manager
from ..models import User, UserSession
from ..times import utcnow

NOT_TIMED = {None, "static", "design", "healthz"}  # requests that neither need nor extend a session

SEEN_EVERY = timedelta(minutes=5)

KEEP_ENDED = timedelta(days=30)  # ended sessions are listed this long, then forgotten


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.refresh_view = "auth.reauthenticate"
    login_manager.needs_refresh_message = "Please enter your password again to continue."
    login_manager.needs_refresh_message_category = "info"
    app.before_request(_end_expired_sessions)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def load_user(user_id: str) -> User | None:
    """The person a cookie names, if the session it names is still open and theirs, and they
    are active (one query)."""
    ident, _, key = user_id.partition(".")
    session_id, _, secret = key.partition(".")
    if not (ident.isdigit() and session_id.isdigit() and secret) or len(user_id) > 120:
        return None
    found = db.session.scalar(
        select(UserSession)
        .join(UserSession.user)
        .options(contains_eager(UserSession.user))
        .where(UserSession.id == int(session_id), UserSession.user_id == int(ident))
    )
    if found is None or found.ended_at is not None or not found.user.active:
        return None
    if not hmac.compare_digest(found.key_hash, _hash(secret)):
        return None
    if _over(found, utcnow()):
        return None  # ran out (a "keep me signed in" cookie older than it may be)
    g.user_session = found
    found.user.session_key = key
    return found.user


def _over(stored: UserSession, now: datetime) -> bool:
    """Whether a session ran out: "keep me signed in" lasts REMEMBER_COOKIE_DURATION from
    the sign-in; otherwise SESSION_HOURS, and SESSION_IDLE_MINUTES without a request (as
    last noted, so give or take SEEN_EVERY)."""
    config = current_app.config
    if stored.remembered:
        return now - stored.created_at > config["REMEMBER_COOKIE_DURATION"]
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"]) + SEEN_EVERY
    return (
        now - stored.created_at > timedelta(hours=config["SESSION_HOURS"])
        or now - stored.last_seen_at > idle
    )


def current_session() -> UserSession | None:
    """The stored session of this request, when someone is signed in."""
    return g.get("user_session") if current_user.is_authenticated else None


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session for ``user`` (commits: the session must be stored before the cookie)."""
    now = utcnow()
    db.session.execute(  # sessions long over are forgotten
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(
                UserSession.ended_at < now - KEEP_ENDED,
                UserSession.last_seen_at < now - KEEP_ENDED,
            ),
        )
    )
    secret = secrets.token_urlsafe(32)
    stored = UserSession(
        user_id=user.id,
        key_hash=_hash(secret),
        created_at=now,
        last_seen_at=now,
        remembered=remember,
        user_agent=(request.user_agent.string or "")[:300],
        address=(request.remote_addr or "")[:64],
    )
    db.session.add(stored)
    user.last_sign_in_at = now
    db.session.flush()
    user.session_key = f"{stored.id}.{secret}"
    db.session.commit()
    # Nothing from before carries over: a new CSRF token, no one else's list filters.
    session.clear()
    login_user(user, remember=remember)
    g.user_session = stored
    started = int(time.time())
    session["signed_in_at"] = session["seen_at"] = started


def end_session(stored: UserSession, why: str) -> None:
    """End one session (the caller commits)."""
    if stored.ended_at is None:
        stored.ended_at, stored.ended_why = utcnow(), why[:60]


def end_sessions(user: User, why: str, *, keep: UserSession | None = None) -> int:
    """End this person's open sessions on every device ("keep me signed in" cookies
    included), but ``keep``; the caller commits. How many were ended."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(
        query.values(ended_at=utcnow(), ended_why=why[:60]).execution_options(
            synchronize_session="fetch"
        )
    )
    return cast(CursorResult, ended).rowcount


def open_sessions(user: User, now: datetime | None = None) -> list[UserSession]:
    """The person's sessions that still work, most recently seen first."""
    now = now or utcnow()
    found = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [s for s in found if not _over(s, now)]


def _seen(stored: UserSession) -> None:
    """Note that the session is in use, at most every SEEN_EVERY."""
    now = utcnow()
    if now - stored.last_seen_at >= SEEN_EVERY:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == stored.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        stored.last_seen_at = now


def _end_expired_sessions():
    if request.endpoint in NOT_TIMED or not current_user.is_authenticated:
        return None
    stored = current_session()
    if stored is not None:
        _seen(stored)
    now = int(time.time())
    started, seen = session.get("signed_in_at"), session.get("seen_at")
    if started is None or seen is None:  # restored from a "keep me signed in" cookie
        session["signed_in_at"] = session["seen_at"] = now
        return None
    idle = now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60
    too_old = now - started > current_app.config["SESSION_HOURS"] * 3600
    if idle or too_old:
        # End this browser session only; Flask-Login then tries the "keep me signed in"
        # cookie, which the user loader accepts only while its stored session is open. If
        # it does, a new session starts, not fresh, so sensitive actions ask for the
        # password again.
        for key in ("_user_id", "_id", "_fresh", "signed_in_at", "seen_at"):
            session.pop(key, None)
        g.pop("_login_user", None)
        g.pop("user_session", None)
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
